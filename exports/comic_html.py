"""A comic as one offline web page: the reader of the ``html`` and ``kolibri`` exporters.

The page comes from the ``comic`` template folder (``templates/comic/``: ``conf.json``,
``reader.html``, ``reader.js``, ``reader.css``), found on the Jupyter data path like the
player, whose shared base style (:func:`imaginecole.player.shared_css`) comes before
``reader.css`` and whose ``PAGE_HEAD`` starts the page. It holds everything it shows, and
fetches nothing:

- each page as inline SVG, drawn by :func:`imaginecole.comic.render.page_svg_bytes` (images
  already inside as data: URLs); its ids are made unique per page and its content wrapped in an
  inner ``<svg class="icr-view">`` whose viewBox the reader moves to zoom on a panel;
- the lettering fonts the pages name (Comic Neue, Andika, Amiri), subset by fontTools to the
  letters the comic uses and embedded as base64 WOFF ``@font-face`` rules;
- the panels' sounds (kindergarten comics) as data: URLs, or as files beside the page when they
  are too large (the ``html`` exporter then writes a zip; Kolibri always has the files);
- the transcript of every panel, the licence, the authors, an attribution ready to copy and the
  OpenMoji attribution.

Teacher text is escaped by Jinja (autoescape) or by lxml inside the SVG; the JSON the reader
script reads cannot close its ``<script>`` element.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_

from . import page_shell
from .base import INLINE_MEDIA_LIMIT, Bundle
from .page_shell import authors_text, licence

TEMPLATE_FILES = ("conf.json", "reader.html", "reader.js", "reader.css")
MISSING_TEMPLATE = N_(
    "The comic reader template ({files}) was not found in {paths}. "
    "Set JUPYTER_PATH to the templates/ folder of Imaginecole Studio."
)

# Keys are what reader.html and reader.js ask for; values are English message ids.
READER_STRINGS: dict[str, str] = {
    "comic": N_("The comic"),
    "noscript": N_(
        "JavaScript is off: the pages are shown one after the other, with the transcript below."
    ),
    "panel_mode": N_("Panel by panel"),
    "read_aloud": N_("Read aloud"),
    "stop_reading": N_("Stop reading"),
    "navigation": N_("Move through the comic"),
    "previous_page": N_("Previous page"),
    "next_page": N_("Next page"),
    "previous_panel": N_("Previous panel"),
    "next_panel": N_("Next panel"),
    "keyboard_help": N_("Tip: the arrow keys of the keyboard go from panel to panel."),
    "page_of": N_("Page {n} of {total}"),
    "panel_of": N_("Panel {n} of {total}"),
    "page_n": N_("Page {n}"),
    "panel_n": N_("Panel {n}"),
    "panel_sound": N_("Listen: panel {n}, page {page}"),
    "what_you_hear": N_("What you hear:"),
    "transcript": N_("Transcript"),
    "show_transcript": N_("Show the full transcript"),
    "credits": N_("Credits"),
    "authors_label": N_("By:"),
    "licence_label": N_("Licence:"),
    "attribution_label": N_("Attribution to copy when you share this comic"),
    "attribution": N_("“{title}” by {authors}, licence {licence}."),
    "attribution_anonymous": N_("“{title}”, licence {licence}."),
    "copy_attribution": N_("Copy the attribution"),
    "copied": N_("The attribution is copied."),
    "copy_by_hand": N_("The text is selected: copy it with Ctrl+C."),
    "openmoji": N_(
        "Characters and objects: OpenMoji, the open-source emoji and icon project "
        "(openmoji.org), licence"
    ),
    "made_with": N_("Made with Imaginecole Studio."),
}

# what reader.js asks for; the rest is written in the page by the template
SCRIPT_STRINGS = ("page_of", "panel_of", "copied", "copy_by_hand")

OPENMOJI_LICENCE = ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/")
# arrows of the buttons (previous page, previous, next, next page): none is bidi-mirrored
ARROWS = {"ltr": ("⇐", "←", "→", "⇒"), "rtl": ("⇒", "→", "←", "⇐")}
# a page this much taller than wide (webtoon) scrolls: no height cap, the panel brought in sight
TALL = 1.6
SVG_NS = "http://www.w3.org/2000/svg"
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


# ---- the template on the Jupyter data path


def template_dirs() -> list[Path]:
    """Folders that may hold the comic template, in the order they are tried."""
    return page_shell.template_dirs("comic")


def template_dir() -> Path:
    """The first folder holding the whole comic template."""
    return page_shell.first_template(template_dirs(), TEMPLATE_FILES, MISSING_TEMPLATE)


def reader_strings(language: str | None) -> dict[str, str]:
    """Every reader string, translated for a comic in `language` (fr, en, ar; else fr)."""
    return page_shell.translated(READER_STRINGS, language)


# ---- pages


def page_markup(svg_bytes: bytes, number: int) -> tuple[str, tuple[int, int], list[TextRun]]:
    """(inline SVG markup, (width, height), lettering runs) of page `number` (1-based).

    The page's drawing moves into an inner ``<svg class="icr-view">`` of the page's size: the
    reader zooms by changing that viewBox, and the outer element keeps its place on screen.
    """
    from lxml import etree

    from imaginecole.comic.svgids import prefix_ids

    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(svg_bytes, parser)
    _, _, width, height = (float(v) for v in root.get("viewBox").replace(",", " ").split())
    runs = text_runs(root)
    prefix_ids(root, f"icr{number}-")  # pages never share an id
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("class", " ".join(filter(None, [root.get("class"), "icr-svg"])))
    root.set("focusable", "false")
    root.set("style", f"--icr-ratio: {width / height:.4f}")
    view = etree.Element(f"{{{SVG_NS}}}svg")
    view.set("class", "icr-view")
    for name, value in (("x", "0"), ("y", "0"), ("width", f"{width:g}"), ("height", f"{height:g}")):
        view.set(name, value)
    view.set("viewBox", f"0 0 {width:g} {height:g}")
    view.set("overflow", "hidden")
    for child in list(root):
        # the page's own name and description stay on the outer element
        if child.tag in (f"{{{SVG_NS}}}title", f"{{{SVG_NS}}}desc"):
            continue
        view.append(child)
    root.append(view)
    markup = etree.tostring(root, encoding="unicode")
    # inline SVG in HTML takes its namespaces from the parser: no declaration, no address
    head, rest = markup.split(">", 1)
    markup = _XMLNS.sub("", head) + ">" + rest
    return markup, (round(width), round(height)), runs


# ---- fonts


@dataclass(frozen=True)
class TextRun:
    """Lettering drawn on a page: its font-family list, weight, style and letters."""

    families: tuple[str, ...]
    bold: bool
    italic: bool
    text: str


def _inherited(element: Any, name: str) -> str:
    while element is not None:
        value = element.get(name)
        if value:
            return value
        element = element.getparent()
    return ""


def text_runs(root: Any) -> list[TextRun]:
    """Every ``<text>`` of a page with the font it asks for (attributes, inherited)."""
    runs = []
    for text in root.iter(f"{{{SVG_NS}}}text"):
        families = tuple(f.strip().strip("'\"") for f in _inherited(text, "font-family").split(","))
        weight = _inherited(text, "font-weight")
        bold = weight == "bold" or (weight.isdigit() and int(weight) >= 600)
        italic = _inherited(text, "font-style") in ("italic", "oblique")
        runs.append(TextRun(families, bold, italic, "".join(text.itertext())))
    return runs


@functools.lru_cache(maxsize=32)
def _subset(path: Path, text: str) -> bytes:
    import logging

    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    font = subset.load_font(io.BytesIO(path.read_bytes()), options)  # no file left open
    font.recalcTimestamp = False  # the same comic gives the same bytes
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    quiet = logging.getLogger("fontTools.subset")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # it lists the tables it drops (Silf, …): not our concern
    try:
        subsetter.subset(font)
    finally:
        quiet.setLevel(level)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def font_faces(runs: list[TextRun]) -> str:
    """``@font-face`` rules for the lettering the pages draw, each subset to its letters.

    A letter goes to the first family of its run that has it, as the browser picks it: a
    comic in Comic Neue only embeds Andika for the letters Comic Neue lacks (ɛ ɔ ŋ …).
    """
    from imaginecole.comic.lettering import AMIRI, ANDIKA, COMIC, _codepoints, font_path

    known = (COMIC, ANDIKA, AMIRI)
    letters: dict[tuple[str, bool, bool], set[str]] = {}
    for run in runs:
        families = [f for f in run.families if f in known]
        for char in set(run.text):
            for family in families:
                path = font_path(family, run.bold, run.italic)
                if path is not None and ord(char) in _codepoints(path):
                    letters.setdefault((family, run.bold, run.italic), set()).add(char)
                    break
    rules = []
    for (family, bold, italic), chars in sorted(letters.items()):
        chars |= {" ", "\u00a0"}
        path = font_path(family, bold, italic)
        data = base64.b64encode(_subset(path, "".join(sorted(chars)))).decode("ascii")
        rules.append(
            f'@font-face{{font-family:"{family}";'
            f'src:url(data:font/woff;base64,{data}) format("woff");'
            f"font-weight:{700 if bold else 400};"
            f"font-style:{'italic' if italic else 'normal'};font-display:block}}"
        )
    return "\n".join(rules)


# ---- media and text


def sound_paths(manifest: dict[str, Any]) -> list[str]:
    """The ``media/…`` sounds of the panels, in reading order, each once."""
    found: dict[str, None] = {}
    for page in manifest.get("pages", []):
        for panel in page.get("panels", []):
            src = (panel.get("audio") or {}).get("src")
            if isinstance(src, str) and src.startswith("media/"):
                found[src] = None
    return list(found)


def inline_sounds(bundle: Bundle) -> dict[str, str] | None:
    """data: URLs of the panels' sounds, or None when together they are too large to inline."""
    paths = [p for p in sound_paths(bundle.manifest) if (bundle.path / p).is_file()]
    if sum((bundle.path / p).stat().st_size for p in paths) > INLINE_MEDIA_LIMIT:
        return None
    return {
        p: f"data:{bundle.media_type(p)};base64,{base64.b64encode(bundle.media_bytes(p)).decode()}"
        for p in paths
    }


def panel_lines(manifest: dict[str, Any], language: str) -> dict[str, list[str]]:
    """panel id -> its lines in reading order: captions, bubbles (« Awa : Bonjour ! »), sfx.

    The panel's alt text and its sound's transcript are shown apart, so they are left out.
    """
    from imaginecole.comic import transcript

    lines: dict[str, list[str]] = {}
    for entry in transcript(manifest, language):
        if entry.kind in ("caption", "bubble", "sfx"):
            lines.setdefault(entry.panel_id, []).append(entry.line)
    return lines


def attribution(manifest: dict[str, Any], strings: dict[str, str]) -> str:
    """The attribution to paste when sharing: title, authors, licence and its address."""
    meta = manifest.get("metadata") or {}
    label, url = licence(meta.get("licence"))
    authors = authors_text(manifest)
    template = strings["attribution"] if authors else strings["attribution_anonymous"]
    text = template.format(title=meta.get("title", ""), authors=authors, licence=label)
    return f"{text} {url}" if url else text


def uses_openmoji(manifest: dict[str, Any]) -> bool:
    return any(
        str(element.get("art", "")).startswith("openmoji:")
        for page in manifest.get("pages", [])
        for panel in page.get("panels", [])
        for element in panel.get("elements", [])
    ) or any(
        str(member.get("art", "")).startswith("openmoji:") for member in manifest.get("cast") or []
    )


# ---- the page


def reader_pages(
    manifest: dict[str, Any], folder: Path, strings: dict[str, str], sounds: dict[str, str]
) -> dict[str, Any]:
    """Everything the template and the script need from the pages, drawn once.

    ``pages`` (inline SVG), ``data`` (the script's pages: panel frames, alt texts and lines),
    ``transcript`` (per page, per panel), ``sounds`` (one player per panel that has a sound)
    and ``runs`` (the lettering drawn, for the fonts).
    """
    from markupsafe import Markup

    from imaginecole.comic import panel_rects
    from imaginecole.comic.render import page_svg_bytes

    language = (manifest.get("metadata") or {}).get("language") or "fr"
    lines = panel_lines(manifest, language)
    made: dict[str, list[Any]] = {key: [] for key in ("pages", "data", "transcript", "sounds")}
    runs: list[TextRun] = []
    total = len(manifest.get("pages", []))
    for i, page in enumerate(manifest.get("pages", [])):
        number = i + 1
        svg, (width, height), page_runs = page_markup(page_svg_bytes(manifest, folder, i), number)
        runs += page_runs
        made["pages"].append(
            {
                "number": number,
                "svg": Markup(svg),
                "label": strings["page_of"].format(n=number, total=total),
                "tall": height > TALL * width,
            }
        )
        rects = panel_rects(manifest, i)
        panels, written = [], []
        for j, panel in enumerate(page.get("panels", [])):
            rect, text = rects[j], lines.get(panel["id"], [])
            alt = panel.get("alt", "")
            frame = [round(v, 1) for v in (rect.x, rect.y, rect.w, rect.h)]
            panels.append({"id": panel["id"], "rect": frame, "alt": alt, "lines": text})
            audio = panel.get("audio") or {}
            heard = audio.get("transcript", "") if audio.get("src") else ""
            if audio.get("src"):
                made["sounds"].append(
                    {
                        "panel": panel["id"],
                        "label": strings["panel_sound"].format(n=j + 1, page=number),
                        "src": sounds.get(audio["src"], audio["src"]),
                        "transcript": heard,
                    }
                )
            label = strings["panel_n"].format(n=j + 1)
            written.append(
                {"id": panel["id"], "label": label, "alt": alt, "lines": text, "sound": heard}
            )
        made["data"].append({"id": page["id"], "width": width, "height": height, "panels": panels})
        made["transcript"].append({"label": strings["page_n"].format(n=number), "panels": written})
    return {**made, "runs": runs}


def first_panel(data_pages: list[dict[str, Any]], strings: dict[str, str]) -> dict[str, Any]:
    """The current panel's text as the reader shows it before any move: the first panel."""
    for i, page in enumerate(data_pages):
        if page["panels"]:
            where = (
                strings["page_of"].format(n=i + 1, total=len(data_pages)),
                strings["panel_of"].format(n=1, total=len(page["panels"])),
            )
            panel = page["panels"][0]
            return {"where": " · ".join(where), "alt": panel["alt"], "lines": panel["lines"]}
    return {"where": "", "alt": "", "lines": []}


def reader_assets(minify: bool) -> tuple[str, str]:
    """reader.js, and reader.css after the base it shares with the player; minified for a
    package."""
    return page_shell.page_assets(template_dir(), "reader", "icr", minify)


def render_reader(
    manifest: dict[str, Any],
    folder: Path,
    *,
    sounds: dict[str, str] | None = None,
    minify: bool = True,
    shell_script: str = "",
) -> str:
    """The reader page of `manifest` (a comic of the bundle at `folder`), as one HTML string.

    `sounds` maps a panel's ``media/…`` sound to its URL (a data: URL); a sound missing from
    it is played from its relative path, next to the page. `shell_script` runs before the
    reader starts (the Kolibri shells listen to its ``imaginecole:result`` event).
    """
    from markupsafe import Markup

    from imaginecole.comic import comic_direction
    from imaginecole.player import _check_inline_media, _script_json

    from .worksheet import _environment

    meta = manifest.get("metadata") or {}
    language = meta.get("language") or "fr"
    direction = comic_direction(manifest)
    strings = reader_strings(language)
    shell = page_shell.page_shell(
        manifest,
        reader_assets(minify),
        shell_script,
        stem="reader",
        direction=direction,
        title=meta.get("title") or "Imaginecole",
    )
    made = reader_pages(manifest, Path(folder), strings, _check_inline_media(sounds))
    data = {
        "language": language,
        "direction": direction,
        "strings": {key: strings[key] for key in SCRIPT_STRINGS},
        "pages": made["data"],
    }
    arrows = dict(zip(("first", "previous", "next", "last"), ARROWS[direction], strict=True))
    return (
        _environment(template_dir())
        .get_template("reader.html")
        .render(
            **shell,
            direction=direction,
            fonts_css=Markup(font_faces(made["runs"])),
            data_json=Markup(_script_json(data)),
            s=strings,
            pages=made["pages"],
            now=first_panel(made["data"], strings),
            sounds=made["sounds"],
            transcript=made["transcript"],
            arrows=arrows,
            attribution=attribution(manifest, strings),
            openmoji=uses_openmoji(manifest),
            openmoji_licence={"label": OPENMOJI_LICENCE[0], "url": OPENMOJI_LICENCE[1]},
        )
    )


# ---- what the exporters write


def html_output_suffix(bundle: Bundle) -> str:
    """``.html`` when the sounds fit in the page, else ``.zip`` (the page and its sounds)."""
    return ".html" if inline_sounds(bundle) is not None else ".zip"


def export_html(bundle: Bundle, out: Path) -> Path:
    """The ``html`` exporter for a comic: one page, or a zip with the sounds beside it."""
    from .base import write_output
    from .comic_pages import prepare

    manifest = prepare(bundle)
    sounds = inline_sounds(bundle)
    if sounds is not None and out.suffix != ".zip":
        page = render_reader(manifest, bundle.path, sounds=sounds)
        return write_output(out, page.encode("utf-8"))
    from .archive import write_zip

    entries = [("index.html", render_reader(manifest, bundle.path).encode("utf-8"))]
    entries += [(p, bundle.media_bytes(p)) for p in sound_paths(manifest)]
    return write_zip(out.with_suffix(".zip"), entries)


def kolibri_entries(bundle: Bundle, shell_script: str) -> list[tuple[str, bytes]]:
    """``index.html`` (the reader, with `shell_script`) and the sounds, for a Kolibri zip."""
    from .comic_pages import prepare

    manifest = prepare(bundle)
    index = render_reader(manifest, bundle.path, shell_script=shell_script)
    entries = [("index.html", index.encode("utf-8"))]
    entries += [(p, bundle.media_bytes(p)) for p in sound_paths(manifest)]
    return entries
