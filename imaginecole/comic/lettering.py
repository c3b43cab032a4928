"""Lettering: choose a font for a text and fit the text in a box with real font metrics.

The fonts are Debian's (``fonts-comic-neue``, ``fonts-sil-andika``, ``fonts-hosny-amiri``);
the SVG refers to them by family name and ``rsvg-convert`` (Pango) or the browser draws them,
so the widths measured here with Pillow (FreeType, with Raqm shaping when Pillow has it) are
the widths drawn. Arabic text gets Amiri; text with letters Comic Neue lacks (ɛ ɔ ŋ ɓ ɗ ƴ …)
gets Andika.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

COMIC = "Comic Neue"
ANDIKA = "Andika"
AMIRI = "Amiri"

#: CSS font-family lists written in the SVG for each family.
CSS_FAMILIES = {
    COMIC: "'Comic Neue', 'Andika', sans-serif",
    ANDIKA: "'Andika', sans-serif",
    AMIRI: "'Amiri', serif",
}

#: Font files per family and (bold, italic), relative to /usr/share/fonts.
_FONT_FILES = {
    COMIC: {
        (False, False): "opentype/comic-neue/ComicNeue-Regular.otf",
        (True, False): "opentype/comic-neue/ComicNeue-Bold.otf",
        (False, True): "opentype/comic-neue/ComicNeue-Italic.otf",
        (True, True): "opentype/comic-neue/ComicNeue-BoldItalic.otf",
    },
    ANDIKA: {
        (False, False): "truetype/andika/Andika-Regular.ttf",
        (True, False): "truetype/andika/Andika-Bold.ttf",
        (False, True): "truetype/andika/Andika-Italic.ttf",
        (True, True): "truetype/andika/Andika-BoldItalic.ttf",
    },
    AMIRI: {
        (False, False): "opentype/fonts-hosny-amiri/Amiri-Regular.ttf",
        (True, False): "opentype/fonts-hosny-amiri/Amiri-Bold.ttf",
        (False, True): "opentype/fonts-hosny-amiri/Amiri-Slanted.ttf",
        (True, True): "opentype/fonts-hosny-amiri/Amiri-BoldSlanted.ttf",
    },
}

#: Measurements are taken at this size and scaled linearly (hinting aside, advances are).
_UNIT = 100.0
#: Distance between baselines, as a multiple of the font size (Amiri's marks need more).
LINE_HEIGHT = 1.2
LINE_HEIGHTS = {AMIRI: 1.5}
#: Amiri's letters look small next to Comic Neue's at one size: its sizes are scaled up.
SIZE_FACTORS = {AMIRI: 1.25}

_RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def fonts_dir() -> Path:
    return Path("/usr/share/fonts")


@functools.cache
def font_path(family: str, bold: bool = False, italic: bool = False) -> Path | None:
    """The font file of `family` in that style, or None when it is not installed."""
    relative = _FONT_FILES.get(family, _FONT_FILES[COMIC])[(bold, italic)]
    path = fonts_dir() / relative
    if path.exists():
        return path
    fc_match = shutil.which("fc-match")
    if fc_match:
        style = {(False, False): "", (True, False): ":bold", (False, True): ":italic"}.get(
            (bold, italic), ":bold:italic"
        )
        found = subprocess.run(
            [fc_match, "-f", "%{family}\n%{file}", f"{family}{style}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.split("\n")
        if len(found) == 2 and family.lower() in found[0].lower() and Path(found[1]).exists():
            return Path(found[1])
    return None


@functools.cache
def _pil_font(path: Path):
    from PIL import ImageFont

    return ImageFont.truetype(str(path), int(_UNIT))


@functools.cache
def _codepoints(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def codepoints(path: Path) -> frozenset[int]:
    """The code points the font file at `path` has glyphs for."""
    return _codepoints(path)


@functools.cache
def _tt_advances(path: Path) -> tuple[dict[int, str], dict[str, int], int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        metrics = font["hmtx"].metrics
        return (
            dict(font.getBestCmap()),
            {name: adv for name, (adv, _lsb) in metrics.items()},
            font["head"].unitsPerEm,
        )


def is_rtl(text: str) -> bool:
    """True when the text's first strong letter is right-to-left (Arabic, Hebrew)."""
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in ("R", "AL"):
            return True
        if bidi == "L":
            return False
    return False


def family_for(text: str, lettering: str = "comic") -> str:
    """The font family for `text`: Amiri for Arabic, Andika when asked or needed, else Comic Neue.

    `lettering` is the comic's setting (``"comic"`` or ``"andika"``) or a family name.
    """
    if _ARABIC_RE.search(text):
        return AMIRI
    if lettering in ("andika", ANDIKA):
        return ANDIKA
    if lettering == AMIRI:
        return AMIRI
    comic = font_path(COMIC)
    if comic is not None:
        covered = _codepoints(comic)
        if any(ord(c) not in covered for c in text if not c.isspace()):
            andika = font_path(ANDIKA)
            if andika is not None and all(
                ord(c) in _codepoints(andika) for c in text if not c.isspace()
            ):
                return ANDIKA
    return COMIC


@functools.lru_cache(maxsize=20000)
def _unit_width(text: str, family: str, bold: bool, italic: bool) -> float:
    """Advance width of `text` at size 1."""
    path = font_path(family, bold, italic)
    if path is None:
        return 0.55 * len(text)
    try:
        direction = "rtl" if _RTL_RE.search(text) else None
        return _pil_font(path).getlength(text, direction=direction) / _UNIT
    except (OSError, ValueError, KeyError):
        # Pillow without Raqm refuses `direction`: sum the advances of the font's glyphs.
        cmap, advances, upem = _tt_advances(path)
        total = 0
        for char in text:
            total += advances.get(cmap.get(ord(char), ".notdef"), upem // 2)
        return total / upem


def text_width(text: str, family: str, size: float, bold: bool = False, italic: bool = False):
    """Width in px of one line of `text` at `size` px."""
    return _unit_width(text, family, bold, italic) * size


@functools.cache
def ascent_ratio(family: str, bold: bool = False, italic: bool = False) -> tuple[float, float]:
    """(ascent, descent) of the family as fractions of the font size."""
    path = font_path(family, bold, italic)
    if path is None:
        return 0.8, 0.2
    ascent, descent = _pil_font(path).getmetrics()
    return ascent / _UNIT, descent / _UNIT


@dataclass
class FitResult:
    """Lines that fit a box, the font size that made them fit, and whether they still overflow."""

    lines: list[str]
    size: float
    overflow: bool
    family: str = COMIC
    rtl: bool = False
    bold: bool = False
    italic: bool = False
    line_height: float = LINE_HEIGHT
    widths: list[float] = field(default_factory=list)

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * self.line_height


def _break_word(word: str, max_unit: float, family: str, bold: bool, italic: bool) -> list[str]:
    """Cut a word longer than the line into pieces, character by character."""
    pieces, current = [], ""
    for char in word:
        if current and _unit_width(current + char, family, bold, italic) > max_unit:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


_CLOSING = re.compile(r"^[!?:;»%)\]…]+$")


def _glue_punctuation(words: list[str]) -> list[str]:
    """Keep French spaced punctuation (« ! ? : ; ») on the line of the word it follows."""
    glued: list[str] = []
    for word in words:
        if glued and _CLOSING.match(word):
            glued[-1] += "\u00a0" + word
        elif glued and glued[-1] == "«":
            glued[-1] += "\u00a0" + word
        else:
            glued.append(word)
    return glued


def wrap(
    text: str,
    width: float,
    size: float,
    family: str,
    bold: bool = False,
    italic: bool = False,
    break_words: bool = True,
) -> list[str]:
    """Wrap `text` on words into lines no wider than `width` px at `size` (hard line breaks kept).

    With `break_words`, a word longer than a line is cut between characters.
    """
    max_unit = width / size
    space = _unit_width(" ", family, bold, italic)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = _glue_punctuation(paragraph.split())
        if not words:
            lines.append("")
            continue
        current, current_w = "", 0.0
        for word in words:
            word_w = _unit_width(word, family, bold, italic)
            pieces = (
                _break_word(word, max_unit, family, bold, italic)
                if break_words and word_w > max_unit
                else [word]
            )
            for piece in pieces:
                piece_w = word_w if len(pieces) == 1 else _unit_width(piece, family, bold, italic)
                if current and current_w + space + piece_w <= max_unit:
                    current += " " + piece
                    current_w += space + piece_w
                else:
                    if current:
                        lines.append(current)
                    current, current_w = piece, piece_w
        lines.append(current)
    return lines


def fit_text(
    text: str,
    box_w: float,
    box_h: float,
    font: str = "comic",
    max_size: float = 28,
    min_size: float = 14,
    language: str | None = None,
    *,
    bold: bool = False,
    italic: bool = False,
    line_height: float | None = None,
) -> FitResult:
    """Wrap `text` in a `box_w` x `box_h` px box, shrinking from `max_size` down to `min_size`.

    `font` is the lettering setting (``"comic"``, ``"andika"``) or a family name; Arabic
    text gets Amiri whatever it says. When even `min_size` does not fit, the lines at
    `min_size` are returned with ``overflow=True``. Words are cut only when shrinking the
    text to `min_size` is not enough. Both sizes are scaled by ``SIZE_FACTORS`` (Amiri).
    """
    text = text.strip()
    family = family_for(text, font)
    if line_height is None:
        line_height = LINE_HEIGHTS.get(family, LINE_HEIGHT)
    rtl = is_rtl(text) or (language == "ar" and not text)
    factor = SIZE_FACTORS.get(family, 1.0)
    max_size, min_size = max_size * factor, min(min_size, max_size) * factor
    size, break_words = float(max_size), False
    while True:
        lines = wrap(text, box_w, size, family, bold, italic, break_words)
        widths = [text_width(line, family, size, bold, italic) for line in lines]
        fits = len(lines) * size * line_height <= box_h + 0.01 and (
            not widths or max(widths) <= box_w + 0.01
        )
        if not fits and size <= min_size and not break_words:
            size, break_words = max_size, True
            continue
        if fits or size <= min_size:
            return FitResult(lines, size, not fits, family, rtl, bold, italic, line_height, widths)
        size = max(float(min_size), size - 1)
