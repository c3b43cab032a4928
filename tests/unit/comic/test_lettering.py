"""Lettering: the font chosen per script, wrapping, and shrinking text to fit a box."""

from __future__ import annotations

import pytest

from imaginecole.comic import lettering
from imaginecole.comic.lettering import AMIRI, ANDIKA, COMIC, family_for, fit_text, text_width

ACCENTS = "« éèêàçœ ÉÀ »"
ARABIC = "مرحبا يا أطفال! هل أنتم مستعدون؟"


def test_the_debian_fonts_are_found():
    for family in (COMIC, ANDIKA, AMIRI):
        for bold in (False, True):
            for italic in (False, True):
                path = lettering.font_path(family, bold, italic)
                assert path is not None and path.is_file(), (family, bold, italic)


@pytest.mark.parametrize(
    ("text", "setting", "family"),
    [
        ("Bonjour !", "comic", COMIC),
        (ACCENTS, "comic", COMIC),
        (ARABIC, "comic", AMIRI),
        (ARABIC, "andika", AMIRI),
        ("Bonjour !", "andika", ANDIKA),
        # Comic Neue has no ɛ ɔ ŋ: Andika draws them rather than a fallback font
        ("Ɓe ɗon jaŋa ɛ ɔ", "comic", ANDIKA),
    ],
)
def test_the_font_follows_the_script(text, setting, family):
    assert family_for(text, setting) == family


def test_the_chosen_font_has_every_letter():
    for text in (ACCENTS, ARABIC, "Ɓe ɗon jaŋa ɛ ɔ ƴ"):
        family = family_for(text, "comic")
        covered = lettering._codepoints(lettering.font_path(family))
        assert all(ord(c) in covered for c in text if not c.isspace()), (text, family)


def test_widths_come_from_the_font():
    narrow, wide = text_width("iiii", COMIC, 20), text_width("MMMM", COMIC, 20)
    assert 0 < narrow < wide
    assert text_width("MMMM", COMIC, 40) == pytest.approx(2 * wide)
    assert text_width("MMMM", COMIC, 20, bold=True) != pytest.approx(wide)  # its own file


def test_arabic_is_measured_shaped():
    # joined (shaped) Arabic is narrower than its letters set one by one, isolated
    joined = text_width("مستعدون", AMIRI, 30)
    isolated = sum(text_width(c, AMIRI, 30) for c in "مستعدون")
    assert 0 < joined < isolated


def test_short_text_keeps_the_largest_size():
    fit = fit_text("Bonjour !", 300, 100, "comic", 28)
    assert fit.lines == ["Bonjour\u00a0!"] and fit.size == 28 and not fit.overflow


def test_text_wraps_on_words_within_the_box():
    text = "Aujourd'hui nous allons apprendre à lire une bande dessinée ensemble."
    fit = fit_text(text, 260, 300, "comic", 28)
    assert len(fit.lines) > 1 and not fit.overflow
    assert " ".join(fit.lines) == text
    assert all(text_width(line, COMIC, fit.size) <= 260 for line in fit.lines)


def test_french_punctuation_stays_with_its_word():
    fit = fit_text("À demain !", 110, 200, "comic", 28)
    assert fit.lines[-1].endswith("demain\u00a0!")


def test_text_shrinks_before_it_overflows():
    sizes = []
    for words in range(4, 60, 4):
        fit = fit_text(" ".join(["bonjour"] * words), 240, 120, "comic", 28, 14)
        assert fit.size * fit.line_height * len(fit.lines) <= 120 or fit.overflow
        assert not fit.overflow or fit.size == 14
        sizes.append((fit.size, fit.overflow))
    assert sizes[0] == (28, False)
    assert [s for s, _ in sizes] == sorted((s for s, _ in sizes), reverse=True)
    assert any(14 < s < 28 and not over for s, over in sizes)  # shrank and fitted
    assert sizes[-1] == (14, True)  # too long even at the smallest size


def test_never_below_the_minimum_size():
    fit = fit_text("mot " * 200, 100, 50, "comic", 40, 24)
    assert fit.size == 24 and fit.overflow


def test_a_long_word_shrinks_first_and_is_cut_last():
    word = "Anticonstitutionnellement"
    fit = fit_text(word, 200, 200, "comic", 28)
    assert fit.lines == [word] and fit.size < 28 and not fit.overflow
    cut = fit_text(word * 3, 120, 400, "comic", 28, 14)
    assert len(cut.lines) > 1 and "".join(cut.lines) == word * 3
    assert all(w <= 120 for w in cut.widths)


def test_arabic_fit_reads_right_to_left():
    fit = fit_text(ARABIC, 200, 200, "comic", 28, language="ar")
    assert fit.rtl and fit.family == AMIRI and not fit.overflow
    assert " ".join(fit.lines).replace("\u00a0", " ") == ARABIC


def test_hard_line_breaks_are_kept():
    assert fit_text("Un\nDeux", 400, 200, "comic", 20).lines == ["Un", "Deux"]
