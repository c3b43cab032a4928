"""A comic through `cbz`: page images and a ComicInfo.xml in the ComicInfo 2.0 order."""

from __future__ import annotations

import zipfile

from imaginecole.exports import get_exporter
from imaginecole.exports.cbz import CbzExporter
from imaginecole.exports.comic_pages import png_size
from lxml import etree

from imaginecole.i18n import _

from .sample_comics import comic_bundle

# the xs:sequence of ComicInfo in the Anansi project's schema/v2.0/ComicInfo.xsd
COMICINFO_ORDER = [
    "Title", "Series", "Number", "Count", "Volume", "AlternateSeries", "AlternateNumber",
    "AlternateCount", "Summary", "Notes", "Year", "Month", "Day", "Writer", "Penciller",
    "Inker", "Colorist", "Letterer", "CoverArtist", "Editor", "Publisher", "Imprint", "Genre",
    "Web", "PageCount", "LanguageISO", "Format", "BlackAndWhite", "Manga", "Characters",
    "Teams", "Locations", "ScanInformation", "StoryArc", "SeriesGroup", "AgeRating", "Pages",
    "CommunityRating",
]  # fmt: skip


def test_registered_and_described_in_french():
    assert get_exporter("cbz") is CbzExporter
    assert _(CbzExporter.description) != CbzExporter.description


def test_pages_and_comicinfo(tmp_path):
    bundle = comic_bundle(tmp_path, pages=3)
    out = CbzExporter(width=400).export(bundle, tmp_path / "ecole.cbz")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        info = etree.fromstring(archive.read("ComicInfo.xml"))
        first = archive.read("0001.png")
    assert names == ["0001.png", "0002.png", "0003.png", "ComicInfo.xml"]
    assert png_size(first) == (400, 566)
    tags = [child.tag for child in info]
    assert tags == sorted(tags, key=COMICINFO_ORDER.index)  # the schema's sequence
    assert info.findtext("Title") == "Une journée à l'école"
    assert info.findtext("Writer") == "Mariama Diop"
    assert info.findtext("LanguageISO") == "fr"
    assert info.findtext("Manga") == "No"
    assert info.findtext("PageCount") == "3"
    assert (info.findtext("Year"), info.findtext("Month"), info.findtext("Day")) == (
        "2026",
        "11",
        "28",
    )
    assert "Awa" in info.findtext("Characters") and "Madame Sow" in info.findtext("Characters")
    assert "CC-BY-SA-4.0" in info.findtext("Notes") and "OpenMoji" in info.findtext("Notes")
    pages = info.find("Pages")
    assert [p.get("Image") for p in pages] == ["0", "1", "2"]
    assert pages[0].get("Type") == "FrontCover"
    assert pages[0].get("ImageWidth") == "400" and pages[0].get("ImageSize") == str(len(first))


def test_a_right_to_left_comic_is_read_right_to_left(tmp_path):
    def rtl(manifest):
        manifest["settings"]["direction"] = "rtl"

    bundle = comic_bundle(tmp_path, pages=1, change=rtl)
    out = CbzExporter(width=200).export(bundle, tmp_path / "rtl.cbz")
    with zipfile.ZipFile(out) as archive:
        info = etree.fromstring(archive.read("ComicInfo.xml"))
    assert info.findtext("Manga") == "YesAndRightToLeft"
