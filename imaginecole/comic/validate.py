"""Validating a comic manifest: the JSON Schema, then ids, layouts, art, texts and media.

The comic schema reuses the grain schema's metadata by reference; both are
loaded into one `referencing` registry. Elements and backgrounds are checked
against the schema branch of their own kind, so a teacher reads "required
field « text » is missing" instead of an unreadable ``oneOf`` error. Every
problem names its path (``pages[0].panels[1].elements[2].art``).
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from ..bundle.media import AUDIO_EXTENSIONS, MAX_AUDIO_BYTES, MEDIA_DIR, magic_matches
from ..bundle.richtext import check_text
from ..bundle.validate import (
    Problem,
    _describe,
    duplicate_id,
    field_path,
    grain_schema,
    media_file,
    path_order,
    problems_by_place,
    string_fields,
)
from ..i18n import Message
from .layout import LAYOUTS, MAX_PANELS, slot_count

COMIC_SCHEMA_VERSION = 1
COMIC_IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "webp", "svg"})
MAX_COMIC_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
ELEMENT_KINDS = ("character", "prop", "image", "bubble", "caption", "sfx")
BACKGROUND_KINDS = ("color", "gradient", "image", "scene")
# what an element speaks from: the speaker of a bubble must be one of these
SPEAKING_KINDS = ("character", "prop", "image")
# plain-text fields of a comic, where any HTML tag is refused
_PLAIN = re.compile(
    r"^(cast\[\d+\]\.name|pages\[\d+\]\.panels\[\d+\]\.(alt|audio\.transcript|"
    r"elements\[\d+\]\.(text|alt)))$"
)
_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")
_SVG_NS = "http://www.w3.org/2000/svg"
_SVG_FORBIDDEN = frozenset(
    {"script", "foreignObject", "iframe", "object", "embed", "handler", "listener"}
)


@cache
def comic_schema() -> dict[str, Any]:
    """The published JSON Schema of a comic's manifest.json (draft 2020-12)."""
    return json.loads((Path(__file__).parent / "comic.schema.json").read_text("utf-8"))


@cache
def _validators() -> tuple[Any, dict[str, Any], Any, dict[str, Any], Any]:
    """(shell, element validators per kind, element base, backgrounds per kind, bg base)."""
    import jsonschema
    from referencing import Registry, Resource

    grain, comic = grain_schema(), comic_schema()
    registry = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (grain, comic)]
    )
    cls = jsonschema.Draft202012Validator

    def make(schema: dict[str, Any]) -> Any:
        return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)

    base_id = comic["$id"]
    shell = copy.deepcopy(comic)
    del shell["$id"]
    shell["$defs"]["element"] = {"type": "object"}
    shell["$defs"]["background"] = {"type": "object"}
    elements = {k: make({"$ref": f"{base_id}#/$defs/{k}Element"}) for k in ELEMENT_KINDS}
    backgrounds = {k: make({"$ref": f"{base_id}#/$defs/{k}Background"}) for k in BACKGROUND_KINDS}

    def base(kinds: tuple[str, ...]) -> Any:
        return make(
            {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": list(kinds)}}}
        )

    return make(shell), elements, base(ELEMENT_KINDS), backgrounds, base(BACKGROUND_KINDS)


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def _comic_describe(error: Any, kind: str | None) -> Message | str:
    path = list(error.absolute_path)
    last = path[-1] if path else ""
    if error.validator == "pattern" and last in ("color", "from", "to"):
        return Message(
            "« {value} » is not a colour: write it as #rrggbb, such as #fdf6e3",
            value=_short(error.instance),
        )
    if error.validator == "pattern" and last == "art":
        return Message(
            "« {value} » is not an art reference such as openmoji:1F469-1F3FE; "
            "pick the art from the palette",
            value=_short(error.instance),
        )
    if error.validator == "additionalProperties" and kind and not path:
        return Message(
            "field(s) {fields} are not used by « {kind} » elements; remove them",
            fields=", ".join(re.findall(r"'([^']+)'", error.message)),
            kind=kind,
        )
    if error.validator == "maxItems" and last == "pages":
        return Message(
            "a comic has at most {n} pages, this one has {count}; split it into several comics",
            n=error.validator_value,
            count=len(error.instance),
        )
    if error.validator == "maxItems" and last == "panels":
        return Message(
            "a page holds at most {n} panels, this one has {count}; move some to another page",
            n=error.validator_value,
            count=len(error.instance),
        )
    if error.validator == "maxItems" and last == "elements":
        return Message(
            "a panel holds at most {n} elements, this one has {count}; "
            "remove some or split the panel",
            n=error.validator_value,
            count=len(error.instance),
        )
    return _describe(error, None)


def _panels(manifest: dict[str, Any]):
    """(page index, panel index, panel) for every panel that is an object."""
    pages = manifest.get("pages")
    for i, page in enumerate(pages if isinstance(pages, list) else []):
        panels = page.get("panels") if isinstance(page, dict) else None
        for j, panel in enumerate(panels if isinstance(panels, list) else []):
            if isinstance(panel, dict):
                yield i, j, panel


def _elements(panel: dict[str, Any]):
    elements = panel.get("elements")
    for k, element in enumerate(elements if isinstance(elements, list) else []):
        if isinstance(element, dict):
            yield k, element


def _schema_problems(manifest: Any) -> list[Problem]:
    shell, elements, element_base, backgrounds, background_base = _validators()
    problems = []

    def collect(validator: Any, instance: Any, prefix: list[Any], kind: str | None) -> None:
        for error in validator.iter_errors(instance):
            problems.append(
                Problem(
                    field_path(prefix + list(error.absolute_path)), _comic_describe(error, kind)
                )
            )

    collect(shell, manifest, [], None)
    if not isinstance(manifest, dict):
        return problems
    for i, j, panel in _panels(manifest):
        at = ["pages", i, "panels", j]
        background = panel.get("background")
        if isinstance(background, dict):
            kind = background.get("kind")
            validator = backgrounds.get(kind) if isinstance(kind, str) else None
            collect(validator or background_base, background, [*at, "background"], None)
        for k, element in _elements(panel):
            kind = element.get("kind")
            validator = elements.get(kind) if isinstance(kind, str) else None
            collect(
                validator or element_base,
                element,
                [*at, "elements", k],
                kind if validator else None,
            )
    return problems


# -- what the schema cannot say ---------------------------------------------------------


def _art_problem(ref: Any, at: str) -> Problem | None:
    from .art import art_exists

    if isinstance(ref, str) and ref.startswith("openmoji:") and not art_exists(ref):
        return Problem(
            at,
            Message(
                "unknown art « {ref} »: it is not in the art index nor in OpenMoji; "
                "pick a character or a prop from the palette",
                ref=ref,
            ),
        )
    return None


def _layout_problems(page: dict[str, Any], i: int) -> list[Problem]:
    at = f"pages[{i}]"
    layout = page.get("layout")
    if layout not in LAYOUTS:
        return []  # the schema said so
    problems = []
    rows = page.get("rows")
    if layout == "rows":
        if not isinstance(rows, list) or not rows:
            return [
                Problem(
                    f"{at}.rows",
                    Message(
                        "the « rows » layout needs « rows »: the number of panels in each "
                        "row, top to bottom, such as [2, 1]"
                    ),
                )
            ]
        if all(isinstance(n, int) for n in rows) and sum(rows) > MAX_PANELS:
            problems.append(
                Problem(
                    f"{at}.rows",
                    Message(
                        "the rows hold {count} panels; a page holds at most {n}",
                        count=sum(rows),
                        n=MAX_PANELS,
                    ),
                )
            )
    elif rows is not None:
        problems.append(
            Problem(
                f"{at}.rows",
                Message(
                    "« rows » is only used by the « rows » layout; "
                    "remove it or choose the « rows » layout"
                ),
            )
        )
    panels = page.get("panels")
    if isinstance(panels, list) and not problems:
        slots = slot_count(page)
        if len(panels) > slots:
            problems.append(
                Problem(
                    f"{at}.panels",
                    Message(
                        "page {page} has {count} panels but its layout « {layout} » holds "
                        "{slots}; choose a layout with more panels or move panels to another page",
                        page=i + 1,
                        count=len(panels),
                        layout=layout,
                        slots=slots,
                    ),
                )
            )
    return problems


def _structure_problems(manifest: dict[str, Any]) -> list[Problem]:
    problems: list[Problem | None] = []
    cast_ids: dict[str, str] = {}
    cast = manifest.get("cast")
    for c, member in enumerate(cast if isinstance(cast, list) else []):
        if isinstance(member, dict):
            problems += duplicate_id(cast_ids, member.get("id"), f"cast[{c}].id")
            problems.append(_art_problem(member.get("art"), f"cast[{c}].art"))
    page_ids: dict[str, str] = {}
    panel_ids: dict[str, str] = {}
    pages = manifest.get("pages")
    for i, page in enumerate(pages if isinstance(pages, list) else []):
        if isinstance(page, dict):
            problems += duplicate_id(page_ids, page.get("id"), f"pages[{i}].id")
            problems += _layout_problems(page, i)
    for i, j, panel in _panels(manifest):
        at = f"pages[{i}].panels[{j}]"
        problems += duplicate_id(panel_ids, panel.get("id"), f"{at}.id")
        element_ids: dict[str, str] = {}
        speakers = {e.get("id") for _, e in _elements(panel) if e.get("kind") in SPEAKING_KINDS}
        for k, element in _elements(panel):
            where = f"{at}.elements[{k}]"
            problems += duplicate_id(element_ids, element.get("id"), f"{where}.id")
            if element.get("kind") in ("character", "prop"):
                problems.append(_art_problem(element.get("art"), f"{where}.art"))
            who = element.get("cast")
            if element.get("kind") == "character" and isinstance(who, str) and who not in cast_ids:
                problems.append(
                    Problem(
                        f"{where}.cast",
                        Message(
                            "« {id} » is not in the cast; add this character to the cast "
                            "or choose another one",
                            id=who,
                        ),
                    )
                )
            speaker = element.get("speaker")
            if element.get("kind") == "bubble" and isinstance(speaker, str):
                if speaker not in speakers:
                    problems.append(
                        Problem(
                            f"{where}.speaker",
                            Message(
                                "the speaker « {id} » is not a character, prop or image of "
                                "this panel; choose who speaks or remove the speaker",
                                id=speaker,
                            ),
                        )
                    )
    return [p for p in problems if p is not None]


def _text_problems(manifest: dict[str, Any]) -> list[Problem]:
    problems = []
    for path, text in string_fields(manifest):
        if _PLAIN.match(path):
            tags = _TAG.findall(text)
            if tags:
                problems.append(
                    Problem(
                        path,
                        Message(
                            "HTML is not allowed in a comic ({found}); write plain text",
                            found=", ".join(dict.fromkeys(_short(t, 20) for t in tags)),
                        ),
                    )
                )
                continue
        why = check_text(text, rich=False)
        if why is not None:
            problems.append(Problem(path, why))
    return problems


# -- media ------------------------------------------------------------------------------


def media_refs(manifest: dict[str, Any]):
    """(path of the src field, ``image`` or ``audio``, src) for every media file used."""
    for i, j, panel in _panels(manifest):
        at = f"pages[{i}].panels[{j}]"
        background = panel.get("background")
        if isinstance(background, dict) and background.get("kind") == "image":
            if isinstance(background.get("src"), str):
                yield f"{at}.background.src", "image", background["src"]
        for k, element in _elements(panel):
            if element.get("kind") == "image" and isinstance(element.get("src"), str):
                yield f"{at}.elements[{k}].src", "image", element["src"]
        audio = panel.get("audio")
        if isinstance(audio, dict) and isinstance(audio.get("src"), str):
            yield f"{at}.audio.src", "audio", audio["src"]


def svg_problem(data: bytes) -> Message | None:
    """Why an SVG file cannot go into a comic (scripts, outside links), or None."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return Message("this SVG file cannot be read ({error})", error=_short(str(exc), 80))
    if root.tag != f"{{{_SVG_NS}}}svg":
        return Message("this file is not an SVG image")
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        if name in _SVG_FORBIDDEN:
            return Message(
                "this SVG holds a <{tag}>; scripts and embedded pages are not allowed", tag=name
            )
        for attr, value in node.attrib.items():
            local = etree.QName(attr).localname
            if local.lower().startswith("on"):
                return Message(
                    "this SVG holds an event handler ({attr}); scripts are not allowed", attr=local
                )
            if local == "href" and not value.strip().startswith(("#", "data:image/")):
                return Message(
                    "this SVG links to « {url} »; an SVG may only use what it contains",
                    url=_short(value),
                )
        if name == "style" and re.search(r"@import|url\(\s*['\"]?(?!#|data:)", node.text or ""):
            return Message("this SVG loads outside styles; an SVG may only use what it contains")
    return None


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in px of a raster image, from its header; None if unreadable."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                return image.size
        except Image.DecompressionBombError:
            return (MAX_IMAGE_SIDE + 1, MAX_IMAGE_SIDE + 1)
        except (OSError, ValueError, SyntaxError):
            return None


def _media_file_problem(bundle_dir: Path, kind: str, src: str) -> Message | None:
    name = src.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = COMIC_IMAGE_EXTENSIONS if kind == "image" else AUDIO_EXTENSIONS
    if ext not in allowed:
        values = {"src": _short(src), "ext": ext, "allowed": ", ".join(sorted(allowed))}
        if kind == "image":
            return Message(
                "« {src} » is not an allowed image file (.{ext}); use {allowed}", **values
            )
        return Message("« {src} » is not an allowed sound file (.{ext}); use {allowed}", **values)
    if not src.startswith(f"{MEDIA_DIR}/") or "/" in src[len(MEDIA_DIR) + 1 :]:
        return None  # the schema already said so
    path = media_file(
        bundle_dir, src, MAX_COMIC_IMAGE_BYTES if kind == "image" else MAX_AUDIO_BYTES
    )
    if isinstance(path, Message):
        return path
    if ext == "svg":
        why = svg_problem(path.read_bytes())
        return Message("« {src} »: {why}", src=src, why=why) if why else None
    with path.open("rb") as fh:
        head = fh.read(16)
    if not magic_matches(ext, head):
        return Message("« {src} » does not contain what its extension says", src=src)
    if kind == "image":
        dims = image_size(path)
        if dims is None:
            return Message(
                "the image « {src} » cannot be read; save it again as PNG or JPEG", src=src
            )
        if max(dims) > MAX_IMAGE_SIDE:
            return Message(
                "the image « {src} » is {w}x{h} px; the limit is {n}x{n} px. Make it smaller first",
                src=src,
                w=dims[0],
                h=dims[1],
                n=MAX_IMAGE_SIDE,
            )
    return None


def _media_problems(manifest: dict[str, Any], bundle_dir: Path | None) -> list[Problem]:
    problems = []
    for at, kind, src in media_refs(manifest):
        if bundle_dir is None:
            name = src.rsplit("/", 1)[-1]
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            allowed = COMIC_IMAGE_EXTENSIONS if kind == "image" else AUDIO_EXTENSIONS
            if ext in allowed:
                continue
        why = _media_file_problem(bundle_dir or Path("."), kind, src)
        if why is not None:
            problems.append(Problem(at, why))
    return problems


def validate_comic(manifest: Any, folder: Path | str | None = None) -> list[Problem]:
    """Every problem of a comic manifest; empty when valid.

    Checks the schema, ids, layouts, art references, plain texts and, with
    `folder` (the bundle folder), the media files (present, size, dimensions).
    """
    bundle_dir = Path(folder) if folder is not None else None
    checks = (_structure_problems, _text_problems, lambda m: _media_problems(m, bundle_dir))
    return problems_by_place(manifest, _schema_problems, checks, path_order)


def comic_export_problems(manifest: Any, folder: Path | str | None = None) -> list[Problem]:
    """What stops an export: every validation problem, then missing alt texts and transcripts.

    A draft may be saved without alt texts; an export refuses until each panel,
    image and sound is described.
    """
    problems = validate_comic(manifest, folder)
    if not isinstance(manifest, dict):
        return problems
    seen = {p.path for p in problems}
    extra = []
    for i, j, panel in _panels(manifest):
        at = f"pages[{i}].panels[{j}]"
        if not str(panel.get("alt") or "").strip():
            extra.append(
                Problem(
                    f"{at}.alt",
                    Message(
                        "describe what panel {panel} of page {page} shows (alternative text): "
                        "readers who cannot see the picture need it",
                        panel=j + 1,
                        page=i + 1,
                    ),
                )
            )
        for k, element in _elements(panel):
            if element.get("kind") == "image" and not str(element.get("alt") or "").strip():
                extra.append(
                    Problem(
                        f"{at}.elements[{k}].alt",
                        Message(
                            "describe this image (alternative text) in panel {panel} of page "
                            "{page}",
                            panel=j + 1,
                            page=i + 1,
                        ),
                    )
                )
        audio = panel.get("audio")
        if isinstance(audio, dict) and not str(audio.get("transcript") or "").strip():
            extra.append(
                Problem(
                    f"{at}.audio.transcript",
                    Message(
                        "write the transcript of the sound of panel {panel} of page {page}: "
                        "readers who cannot hear it need it",
                        panel=j + 1,
                        page=i + 1,
                    ),
                )
            )
    problems += [p for p in extra if p.path not in seen]
    return sorted(problems, key=path_order)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text: str) -> str:
    """`text` as plain text: HTML tags and control characters removed."""
    return _CONTROL.sub("", _TAG.sub("", text))


def sanitize_comic(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of `manifest` whose texts (bubbles, captions, alt texts, names) are plain text."""
    data = copy.deepcopy(manifest)

    def clean(holder: dict[str, Any], *keys: str) -> None:
        for key in keys:
            if isinstance(holder.get(key), str):
                holder[key] = plain(holder[key])

    for member in data.get("cast") or []:
        if isinstance(member, dict):
            clean(member, "name")
    for _i, _j, panel in _panels(data):
        clean(panel, "alt")
        if isinstance(panel.get("audio"), dict):
            clean(panel["audio"], "transcript")
        for _k, element in _elements(panel):
            clean(element, "text", "alt")
    return data
