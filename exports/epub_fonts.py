"""The fonts of a comic's EPUB: which letters each one must hold, and its subset.

The page SVGs name their fonts by family (``'Comic Neue', 'Andika', sans-serif``): each
letter goes to the first family of the list that has it, in the weight and style of its
text (inherited from the SVG ancestors, as CSS does). Each font used is then cut down with
fontTools to those letters, keeping its OpenType layout (Arabic joining, marks, kerning)
and its names (copyright and the SIL Open Font Licence).
"""

from __future__ import annotations

import functools
import io
import logging
import re
from pathlib import Path
from typing import Any

SVG_NS = "http://www.w3.org/2000/svg"
# letters every subset keeps, so a reader's own text (page numbers, a search) shows too
BASE_CHARS = " 0123456789.,;:!?«»'\"()-–—…"
FONT_TYPES = {".otf": "font/otf", ".ttf": "font/ttf"}
_FAMILY_SPLIT = re.compile(r"\s*,\s*")

#: (family, bold, italic): the letters that font must hold
Letters = dict[tuple[str, bool, bool], set[str]]


def _style_value(el: Any, name: str) -> str | None:
    """`name` of `el` from its ``style`` or its attribute."""
    for part in (el.get("style") or "").split(";"):
        key, _, value = part.partition(":")
        if key.strip() == name:
            return value.strip()
    return el.get(name)


def font_of(el: Any) -> tuple[list[str], bool, bool]:
    """(families, bold, italic) that apply to `el`, inherited from its ancestors."""
    families = weight = style = None
    for node in (el, *el.iterancestors()):
        families = families or _style_value(node, "font-family")
        weight = weight or _style_value(node, "font-weight")
        style = style or _style_value(node, "font-style")
    names = [f.strip().strip("'\"") for f in _FAMILY_SPLIT.split(families or "") if f.strip()]
    bold = bool(weight) and (weight == "bold" or (weight.isdigit() and int(weight) >= 600))
    return names, bold, style in ("italic", "oblique")


@functools.cache
def _covered(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def collect_letters(root: Any, letters: Letters) -> None:
    """Add to `letters` what each font must hold for the SVG text under `root`."""
    from imaginecole.comic.lettering import CSS_FAMILIES, font_path

    for el in root.iter(f"{{{SVG_NS}}}text", f"{{{SVG_NS}}}tspan"):
        text = (el.text or "") + "".join(child.tail or "" for child in el)
        if not text.strip():
            continue
        families, bold, italic = font_of(el)
        left = {c for c in text if not c.isspace()}  # spaces come with BASE_CHARS
        for family in (f for f in families if f in CSS_FAMILIES):
            path = font_path(family, bold, italic)
            if path is None or not left:
                continue
            covered = _covered(path)
            mine = {c for c in left if ord(c) in covered}
            if mine:
                letters.setdefault((family, bold, italic), set()).update(mine)
                left -= mine


def subset_font(path: Path, text: str) -> bytes:
    """The font file at `path` cut down to the letters of `text` (and BASE_CHARS)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and the OFL licence names
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    font = TTFont(str(path), lazy=False, recalcTimestamp=False)  # same bytes each time
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))) + BASE_CHARS)
    # SIL fonts' Graphite tables (Silt…) are dropped, with a log line nobody can act on
    quiet = logging.getLogger("fontTools.subset")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        subsetter.subset(font)
    finally:
        quiet.setLevel(level)
    buffer = io.BytesIO()
    font.save(buffer)
    font.close()
    return buffer.getvalue()


def subset_fonts(letters: Letters) -> list[tuple[str, bytes, str, str, bool, bool]]:
    """(book path, data, media type, family, bold, italic) of every font the text uses."""
    from imaginecole.comic.lettering import font_path

    faces = []
    for (family, bold, italic), chars in sorted(letters.items()):
        path = font_path(family, bold, italic)
        if path is None:
            continue
        media_type = FONT_TYPES.get(path.suffix.lower(), "font/otf")
        data = subset_font(path, "".join(chars))
        faces.append((f"fonts/{path.name}", data, media_type, family, bold, italic))
    return faces


def font_face_css(faces: list[tuple[str, bytes, str, str, bool, bool]]) -> str:
    """The ``@font-face`` rules of `faces`, for a stylesheet at the book's root."""
    rules = []
    for name, _data, _type, family, bold, italic in faces:
        rules.append(
            "@font-face {\n"
            f"  font-family: '{family}';\n"
            f"  font-weight: {'bold' if bold else 'normal'};\n"
            f"  font-style: {'italic' if italic else 'normal'};\n"
            f"  src: url({name});\n"
            "}\n"
        )
    return "".join(rules)
