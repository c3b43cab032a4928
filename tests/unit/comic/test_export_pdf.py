"""A comic through `pdf`: A4 pages, the A5 booklet's imposition, sizes read back with pdfinfo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import ExportError
from imaginecole.exports.comic_pdf import booklet_sides, check_paper, prefix_ids
from imaginecole.exports.pdf import PdfExporter
from lxml import etree

from imaginecole.cli import main

from .sample_comics import all_panels, comic_bundle


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page, read by poppler's pdfinfo."""
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (float(w), float(h))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    ]


def booklet_as_pages(sides):
    """1-based page numbers per side, 0 for a blank, to read like a printer's sheet."""
    return [tuple(0 if p is None else p + 1 for p in side) for side in sides]


def test_a_booklet_of_eight_pages_is_imposed_for_saddle_stitching():
    # sheet 1: front 8|1, back 2|7; sheet 2: front 6|3, back 4|5
    assert booklet_as_pages(booklet_sides(8)) == [(8, 1), (2, 7), (6, 3), (4, 5)]


def test_a_booklet_is_padded_with_blank_pages_to_a_multiple_of_four():
    sides = booklet_as_pages(booklet_sides(5))
    assert len(sides) == 4  # 8 pages: 2 sheets, 2 sides each
    assert sides == [(0, 1), (2, 0), (0, 3), (4, 5)]
    assert sorted(p for side in sides for p in side if p) == [1, 2, 3, 4, 5]
    assert booklet_as_pages(booklet_sides(1)) == [(0, 1), (0, 0)]
    assert booklet_sides(0) == []


@pytest.mark.parametrize("count", range(1, 61))
def test_every_page_is_printed_once_and_the_folded_booklet_reads_in_order(count):
    sides = booklet_sides(count)
    total = len(sides) * 2
    assert total % 4 == 0 and total - count < 4
    printed = [p for side in sides for p in side if p is not None]
    assert sorted(printed) == list(range(count))
    # folding the stack: the reader meets the right halves of the fronts first, in order
    fronts, backs = sides[0::2], sides[1::2]
    reading = []
    for front, back in zip(fronts, backs, strict=True):  # first half, outer sheet first
        reading += [front[1], back[0]]
    for front, back in reversed(list(zip(fronts, backs, strict=True))):  # second half
        reading += [back[1], front[0]]
    assert [p for p in reading if p is not None] == list(range(count))


def test_a_right_to_left_booklet_is_bound_on_the_right():
    assert booklet_as_pages(booklet_sides(4, rtl=True)) == [(1, 4), (3, 2)]


def test_ids_are_prefixed_with_their_references():
    svg = etree.fromstring(
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<clipPath id="c"><rect/></clipPath><g clip-path="url(#c)" aria-labelledby="t">'
        b'<title id="t">x</title><use xlink:href="#c"/><rect fill="url(#other)"/></g></svg>'
    )
    prefix_ids(svg, "s1-")
    text = etree.tostring(svg).decode()
    assert 'id="s1-c"' in text and 'clip-path="url(#s1-c)"' in text
    assert 'xlink:href="#s1-c"' in text and 'aria-labelledby="s1-t"' in text
    assert 'fill="url(#other)"' in text  # not an id of this page: left alone


def test_an_unknown_paper_is_refused_clearly():
    with pytest.raises(ExportError) as error:
        check_paper("a3")
    assert "a3" in str(error.value) and "a5-booklet" in str(error.value)
    assert check_paper(None) == "a4"


def test_a_bad_paper_on_the_command_line_stops_before_exporting(tmp_path, capsys):
    bundle = comic_bundle(tmp_path)
    out = tmp_path / "out"
    assert main(["export", str(bundle.path), "--to", "pdf", "--paper", "letter", "-o", str(out)])
    error = capsys.readouterr().err
    assert "« letter »" in error and "a5-booklet" in error and "[en]" in error
    assert not out.exists()


def test_the_pdf_exporter_takes_comics_and_keeps_grains():
    assert get_exporter("pdf") is PdfExporter
    assert {"grain", "comic"} <= PdfExporter.bundle_types
    assert PdfExporter(paper="a5-booklet", width=3).options == {"paper": "a5-booklet"}


def test_a4_gives_one_a4_page_per_comic_page(tmp_path):
    bundle = comic_bundle(tmp_path, pages=3)
    out = PdfExporter(paper="a4").export(bundle, tmp_path / "out" / "ecole.pdf")
    assert out == tmp_path / "out" / "ecole.pdf"
    sizes = pdf_pages(out)
    assert len(sizes) == 3
    for width, height in sizes:
        assert width == pytest.approx(595.28, abs=0.5) and height == pytest.approx(841.89, abs=0.5)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Bonjour" in text  # the lettering is text, not pixels
    assert not (tmp_path / "out" / "ecole.corrige.pdf").exists()


def test_an_a5_booklet_prints_two_pages_per_side_of_landscape_a4(tmp_path):
    bundle = comic_bundle(tmp_path, pages=5)
    exporter = PdfExporter(paper="a5-booklet")
    target = exporter.default_output(bundle, tmp_path)
    assert target.name == "ecole.booklet.pdf"
    sizes = pdf_pages(exporter.export(bundle, target))
    assert len(sizes) == 4  # 5 pages -> 8 with blanks -> 2 sheets -> 4 sides
    for width, height in sizes:
        assert width == pytest.approx(841.89, abs=0.5) and height == pytest.approx(595.28, abs=0.5)


def test_a_comic_missing_alt_text_is_refused_with_every_problem(tmp_path):
    def no_alt(manifest):
        for panel in all_panels(manifest)[:2]:
            panel["alt"] = ""

    bundle = comic_bundle(tmp_path, change=no_alt)
    with pytest.raises(ExportError) as error:
        PdfExporter().export(bundle, tmp_path / "x.pdf")
    message = str(error.value)
    assert "2" in message and "alt" in message
    assert not (tmp_path / "x.pdf").exists()
