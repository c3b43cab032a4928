"""A grain as a printed worksheet and its answer key: the HTML that exports/pdf.py prints.

The page comes from the ``print`` template folder (``templates/print/``: ``conf.json``,
``worksheet.html.j2``, ``print.css``), found on the Jupyter data path like the player. One
template gives both documents: the worksheet (``answers=False``) and the answer key.

Each kind has its paper form: boxes to tick for choices and true/false, lines to write on for
blanks, a word bank above the text for words to place, two columns to link for matching,
numbered boxes for ordering, and cards to cut out and fold for flashcards. Images keep their
alternative text as a caption; a sound is replaced by its transcript.

Teacher rich text is cleaned again with nh3 (the grain's subset) and plain text is escaped by
Jinja. In French, the typography of the page is French: no-break spaces before « : » and
« % », narrow ones before « ; ! ? », and inside guillemets.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, ImaginecoleError, translations

from .base import first_template_dir, installed_template_dirs

CONTEXT = "print"  # msgctxt of the worksheet strings in the .po files
TEMPLATE_FILES = ("conf.json", "worksheet.html.j2", "print.css")
MISSING_TEMPLATE = N_(
    "The print template (conf.json, worksheet.html.j2, print.css) was not found in {paths}. "
    "Set JUPYTER_PATH to the templates/ folder of Imaginecole Studio."
)

# Keys are what the template asks for; values are English message ids (msgctxt "print").
PRINT_STRINGS: dict[str, str] = {
    "answer_key": N_("Answer key"),
    "for_teacher": N_("For the teacher"),
    "name": N_("Name:"),
    "class": N_("Class:"),
    "date": N_("Date:"),
    "mark": N_("Mark:"),
    "instructions_single_choice": N_("Tick the right answer."),
    "instructions_multiple_choice": N_("Tick every right answer."),
    "instructions_true_false": N_("Tick True or False."),
    "instructions_fill_blanks": N_("Write the missing words on the lines."),
    "instructions_drag_words": N_("Write the words of the box on the right lines."),
    "unused_words": N_("Some words are not used."),
    "instructions_matching": N_(
        "Link each item to its match with a line, or write its letter in the box."
    ),
    "instructions_ordering": N_("Number the items in the right order (1 for the first)."),
    "instructions_flashcards": N_(
        "Cut out the cards along the dashed lines, then fold each one in the middle."
    ),
    "word_bank": N_("Word bank"),
    "true": N_("True"),
    "false": N_("False"),
    "front": N_("Front"),
    "back": N_("Back"),
    "hint": N_("Hint:"),
    "transcript": N_("Listen (transcript):"),
    "right_order": N_("Right order:"),
    "remember": N_("Remember:"),
    "page": N_("Page {page} of {total}"),
}

# letters of the right-hand column of a matching question
LETTERS = {
    "ar": "أبجدهوزحطيكلمنسعفصقر",
    "default": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})
NBSP, NNBSP = "\u00a0", "\u202f"
_MARKED = re.compile(r"\*([^*]+)\*")
# validation refuses scripts even in plain text; a bundle that skipped it still prints none
_SCRIPT = re.compile(r"<script\b.*?(?:</script\s*>|$)", re.IGNORECASE | re.DOTALL)


# ---- templates on the Jupyter data path


def template_dirs() -> list[Path]:
    """Folders that may hold the print template, in the order they are tried.

    ``JUPYTER_PATH`` entries come first (``<entry>/print``), then the repo's
    ``templates/print`` and the installed ``share/jupyter/print``.
    """
    dirs = []
    for entry in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
        if entry.strip():
            dirs.append(Path(entry).expanduser() / "print")
    return dirs + installed_template_dirs("print")


def template_dir() -> Path:
    """The first folder holding the whole print template."""
    return first_template_dir(template_dirs(), TEMPLATE_FILES, MISSING_TEMPLATE)


def template_conf() -> dict[str, Any]:
    """``conf.json`` of the print template: page format and margins."""
    return json.loads((template_dir() / "conf.json").read_text("utf-8"))


@cache
def _environment(folder: Path) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


# ---- languages and typography


def base_language(language: str | None) -> str:
    return (language or "fr").split("-")[0].lower()


def ui_language(language: str | None) -> str:
    base = base_language(language)
    return base if base in ("fr", "en", "ar") else "fr"


def french_spacing(text: str) -> str:
    """`text` with French no-break spaces; inserts the missing ones only where it is safe."""
    # ; ! ? : a narrow no-break space, added when missing before a word's end
    text = re.sub(r"[ \u00a0\u202f]+([;!?])", NNBSP + r"\1", text)
    text = re.sub(r"(?<=[^\W\d_])([!?]+)(?=\s|$|[»)\"])", NNBSP + r"\1", text)
    # : and % take a full no-break space; « 10:30 » and « http: » are left alone
    text = re.sub(r"[ \u00a0\u202f]+([:%])", NBSP + r"\1", text)
    text = re.sub(r"(?<=[^\W\d_]):(?=\s|$)", NBSP + ":", text)
    # guillemets, and digit groups such as « 10 000 »
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NBSP, text)
    text = re.sub(r"[ \u00a0\u202f]*»", NBSP + "»", text)
    return re.sub(r"(?<=\d) (?=\d{3}\b)", NNBSP, text)


class _TextNodes(HTMLParser):
    """Re-writes clean HTML with a function applied to its text only."""

    def __init__(self, change: Any) -> None:
        super().__init__(convert_charrefs=True)
        self.change = change
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(self.change(data), quote=False))


class Texts:
    """Text helpers for one grain: typography, rich text, interface strings."""

    def __init__(self, language: str | None) -> None:
        self.language = language or "fr"
        self.ui = ui_language(language)
        self.french_content = base_language(language) == "fr"
        self._gettext = translations(self.ui).pgettext

    def t(self, key: str, **values: Any) -> str:
        text = self._gettext(CONTEXT, PRINT_STRINGS[key]).format(**values)
        return french_spacing(text) if self.ui == "fr" else text

    def plain(self, text: Any) -> str:
        """Plain teacher text: typography only (Jinja escapes it); a script is dropped whole."""
        text = _SCRIPT.sub("", "" if text is None else str(text))
        return french_spacing(text) if self.french_content else text

    def rich(self, text: Any) -> Any:
        """Teacher rich text, cleaned to the grain's subset again, as Markup."""
        from markupsafe import Markup

        from imaginecole.bundle.richtext import sanitize_rich_text

        cleaned = sanitize_rich_text("" if text is None else str(text))
        if self.french_content:
            parser = _TextNodes(french_spacing)
            parser.feed(cleaned)
            parser.close()
            cleaned = "".join(parser.out)
        return Markup(cleaned)


# ---- the questions on paper


def _shuffled(items: list[Any], seed: str) -> list[int]:
    """A stable order of `items` that is not the given one (when there are two or more)."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    if len(order) > 1 and any(order[i] == i for i in range(len(order))):
        # a rotation moves every item: the answer never sits in front of its question
        start = random.Random(seed + "/rotate").randrange(1, len(order))
        order = order[start:] + order[:start]
    return order


def _segments(text: str, texts: Texts, alternatives: bool) -> list[dict[str, Any]]:
    """``Le *chat/chaton* dort`` -> text, gap (numbered, with its answers), text."""
    parts = _MARKED.split(str(text))
    segments: list[dict[str, Any]] = []
    gap = 0
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                segments.append({"text": texts.plain(part)})
            continue
        answers = [a.strip() for a in (part.split("/") if alternatives else [part]) if a.strip()]
        if not answers:
            continue
        gap += 1
        width = max(len(a) for a in answers)
        segments.append(
            {
                "gap": gap,
                "answers": [texts.plain(a) for a in answers],
                "width": round(min(22.0, max(5.0, width * 0.62 + 2.5)), 1),
            }
        )
    return segments


def _media(media: dict[str, Any] | None, bundle_path: Path, texts: Texts) -> dict[str, Any] | None:
    if not media:
        return None
    if "image" in media:
        image = media["image"]
        path = (bundle_path / image["src"]).resolve()
        if not path.is_relative_to(bundle_path.resolve()) or not path.is_file():
            return None
        return {
            "image": path.as_uri(),
            "alt": texts.plain(image.get("alt", "")),
            "width": image.get("width"),
            "height": image.get("height"),
            "transcript": "",
        }
    if "audio" in media:
        transcript = texts.plain(media["audio"].get("transcript", ""))
        return {"image": None, "transcript": transcript}
    return None


def _question(q: dict[str, Any], number: int, grain_id: str, path: Path, texts: Texts) -> dict:
    kind = q.get("kind")
    seed = f"{grain_id}:{q.get('id')}"
    view: dict[str, Any] = {
        "id": q.get("id"),
        "kind": kind,
        "number": number,
        "statement": texts.rich(q.get("statement")),
        "media": _media(q.get("media"), path, texts),
        "hint": texts.plain(q.get("hint")) if q.get("hint") else "",
        "points": None if kind == "flashcards" else q.get("points", 1),
        "general": texts.plain((q.get("feedback") or {}).get("general") or ""),
        "instructions": texts.t(f"instructions_{kind}"),
    }
    if kind in ("single_choice", "multiple_choice"):
        choices = [
            {"text": texts.rich(c.get("text")), "correct": bool(c.get("correct"))}
            for c in q.get("choices") or []
        ]
        view["choices"] = choices
        # short choices sit side by side; long ones one under the other
        longest = max(
            (len(re.sub(r"<[^>]*>", "", str(c.get("text")))) for c in q["choices"]), default=0
        )
        view["columns"] = 1 if longest > 28 else min(len(choices), 4 if longest <= 12 else 2)
    elif kind == "true_false":
        view["choices"] = [
            {"text": texts.t("true"), "correct": q.get("answer") is True},
            {"text": texts.t("false"), "correct": q.get("answer") is False},
        ]
        view["columns"] = 2
    elif kind == "fill_blanks":
        view["segments"] = _segments(q.get("text", ""), texts, alternatives=True)
    elif kind == "drag_words":
        view["segments"] = _segments(q.get("text", ""), texts, alternatives=False)
        words = [a for s in view["segments"] if "gap" in s for a in s["answers"]]
        words += [texts.plain(w) for w in q.get("distractors") or []]
        view["bank"] = sorted(dict.fromkeys(words), key=lambda w: (w.casefold(), w))
        view["unused"] = texts.t("unused_words") if q.get("distractors") else ""
    elif kind == "matching":
        pairs = q.get("pairs") or []
        letters = LETTERS.get(base_language(texts.language), LETTERS["default"])
        order = _shuffled(pairs, seed)
        letter_of = {
            pair_index: letters[pos % len(letters)] for pos, pair_index in enumerate(order)
        }
        view["left"] = [
            {"n": i + 1, "text": texts.plain(p.get("left")), "letter": letter_of[i]}
            for i, p in enumerate(pairs)
        ]
        view["right"] = [
            {"letter": letter_of[i], "text": texts.plain(pairs[i].get("right"))} for i in order
        ]
    elif kind == "ordering":
        items = q.get("items") or []
        view["to_order"] = [
            {"text": texts.plain(items[i]), "rank": i + 1} for i in _shuffled(items, seed)
        ]
        view["in_order"] = [texts.plain(item) for item in items]
    elif kind == "flashcards":
        view["cards"] = [
            {
                "front": texts.rich(card.get("front")),
                "back": texts.rich(card.get("back")),
                "media": _media(
                    {"image": card["image"]}
                    if card.get("image")
                    else ({"audio": card["audio"]} if card.get("audio") else None),
                    path,
                    texts,
                ),
            }
            for card in q.get("cards") or []
        ]
    return view


def _subject_line(metadata: dict[str, Any], ui: str) -> str:
    """« Mathématiques · CM1 » from the country's curriculum, when the grain names them."""
    country = metadata.get("country")
    if not country or ui == "ar":
        return ""
    from imaginecole.curricula import levels, subjects

    key = "name_en" if ui == "en" else "name_fr"
    parts = []
    try:
        for wanted, table in ((metadata.get("subject"), subjects), (metadata.get("level"), levels)):
            found = [item[key] for item in table(country) if wanted and item["id"] == wanted]
            parts += found[:1]
    except ImaginecoleError:
        return ""
    return " · ".join(parts)


def context(bundle: Any, *, answers: bool) -> dict[str, Any]:
    """Everything the template shows, for the worksheet or (``answers``) its key."""
    manifest = bundle.manifest
    metadata = manifest.get("metadata") or {}
    language = metadata.get("language") or "fr"
    texts = Texts(language)
    grain_id = str(manifest.get("id", ""))
    questions = [
        _question(q, i, grain_id, bundle.path, texts)
        for i, q in enumerate(manifest.get("questions") or [], 1)
    ]
    total = sum(q["points"] for q in questions if q["points"] is not None)
    return {
        "answers": answers,
        "language": language,
        "direction": "rtl" if base_language(language) in RTL_LANGUAGES else "ltr",
        "ui": texts.ui,
        "title": texts.plain(metadata.get("title") or bundle.path.name),
        "description": texts.plain(metadata.get("description") or ""),
        "subject_line": texts.plain(_subject_line(metadata, texts.ui)),
        "questions": questions,
        "total": total if any(q["points"] is not None for q in questions) else None,
        "t": texts.t,
        "number": _number,
    }


def _number(value: float, ui: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if ui == "fr" else text


def render(bundle: Any, *, answers: bool) -> str:
    """The HTML page of the worksheet (or of its answer key), for print."""
    folder = template_dir()
    css = (folder / "print.css").read_text("utf-8")
    template = _environment(folder).get_template("worksheet.html.j2")
    return template.render(css=css, **context(bundle, answers=answers))


def footer(bundle: Any, *, answers: bool) -> str:
    """Chromium's footer template: title, licence and page numbers, in the grain's direction."""
    metadata = bundle.manifest.get("metadata") or {}
    language = metadata.get("language") or "fr"
    texts = Texts(language)
    direction = "rtl" if base_language(language) in RTL_LANGUAGES else "ltr"
    left = texts.plain(metadata.get("title") or bundle.path.name)
    if answers:
        left = f"{left} — {texts.t('answer_key')}"
    licence = re.sub(r"^CC-(.+)-(\d\.\d)$", r"CC \1 \2", str(metadata.get("licence") or ""))
    licence = re.sub(r"^CC0-(\d\.\d)$", r"CC0 \1", licence)
    page = html.escape(texts.t("page", page="\0", total="\1"))
    page = page.replace("\0", '<span class="pageNumber"></span>').replace(
        "\1", '<span class="totalPages"></span>'
    )
    return (
        f'<div dir="{direction}" lang="{html.escape(language)}" style="font-family: Andika, '
        "'DejaVu Sans', sans-serif; font-size: 7.5pt; color: #555; width: 100%; "
        'margin: 0 15mm; display: flex; justify-content: space-between;">'
        f"<span>{html.escape(left)}{' · ' + html.escape(licence) if licence else ''}</span>"
        f"<span>{page}</span></div>"
    )
