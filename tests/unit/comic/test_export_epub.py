"""A comic through `epub`: EPUB 3 fixed layout, checked by Debian's EPUBCheck."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from imaginecole.exports import get_exporter
from imaginecole.exports.base import ExportError
from imaginecole.exports.epub import EpubExporter, book_uuid, modified_stamp
from lxml import etree

from imaginecole.i18n import _

from .sample_comics import all_panels, comic_bundle

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"h": "http://www.w3.org/1999/xhtml", "svg": "http://www.w3.org/2000/svg"}


def epubcheck(path: Path) -> dict:
    """EPUBCheck's JSON report of `path`."""
    if not (EPUBCHECK.exists() and shutil.which("java")):
        pytest.fail("EPUBCheck is missing: install Debian's epubcheck (./studio test does)")
    report = path.with_name(path.name + ".epubcheck.json")
    subprocess.run(
        ["java", "-jar", str(EPUBCHECK), str(path), "--json", str(report)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    return json.loads(report.read_text("utf-8"))


def problems(report: dict) -> list[str]:
    return [
        f"{m['severity']} {m['ID']}: {m['message']} ({m['locations'][:1]})"
        for m in report["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]


def read(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def arabic(manifest):
    manifest["metadata"]["language"] = "ar"
    manifest["metadata"]["title"] = "يوم في المدرسة"
    manifest["settings"]["direction"] = "rtl"
    for panel in all_panels(manifest):
        panel["alt"] = "عوا تدخل القسم وفي يدها كتاب."
        for element in panel["elements"]:
            if element["kind"] in ("bubble", "caption"):
                element["text"] = "صباح الخير يا موسى! هل أنجزت واجباتك؟"


@pytest.fixture(scope="module")
def ecole_epub(tmp_path_factory) -> tuple[Path, list[str]]:
    tmp = tmp_path_factory.mktemp("epub")
    bundle = comic_bundle(tmp)
    return EpubExporter().export(bundle, tmp / "ecole.epub"), bundle.warnings


def test_registered_and_described_in_french():
    assert get_exporter("epub") is EpubExporter
    assert EpubExporter.bundle_types == frozenset({"comic"})
    assert _(EpubExporter.description) != EpubExporter.description


def test_the_identifier_comes_from_the_comic_id_and_dates_are_epub_dates():
    assert book_uuid({"id": "6b0f3c2e-6d3a-4c7e-9a51-1d2e3f4a5b6c"}) == (
        "urn:uuid:6b0f3c2e-6d3a-4c7e-9a51-1d2e3f4a5b6c"
    )
    assert book_uuid({"id": "not-a-uuid"}).startswith("urn:uuid:")
    assert modified_stamp({"metadata": {"modified": "2026-11-28T10:00:00+01:00"}}) == (
        "2026-11-28T09:00:00Z"
    )
    assert modified_stamp({"metadata": {}}) == "2000-01-01T00:00:00Z"


def test_the_container_starts_with_an_uncompressed_mimetype(ecole_epub):
    path, _warnings = ecole_epub
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


def test_package_metadata_says_fixed_layout_and_accessibility(ecole_epub):
    path, _warnings = ecole_epub
    opf = etree.fromstring(read(path)["OEBPS/content.opf"])
    props: dict[str, list[str]] = {}
    for meta in opf.iterfind("opf:metadata/opf:meta[@property]", OPF):
        props.setdefault(meta.get("property"), []).append(meta.text)
    assert props["rendition:layout"] == ["pre-paginated"]
    assert props["rendition:spread"]
    assert set(props["schema:accessMode"]) == {"textual", "visual"}
    assert "textual" in props["schema:accessModeSufficient"]
    assert {"alternativeText", "longDescription", "readingOrder"} <= set(
        props["schema:accessibilityFeature"]
    )
    assert props["schema:accessibilityHazard"] == ["none"]
    assert "transcription" in props["schema:accessibilitySummary"][0]  # in the comic's French
    assert props["dcterms:modified"] == ["2026-11-28T09:00:00Z"]
    assert opf.findtext("opf:metadata/dc:identifier", namespaces=OPF) == (
        "urn:uuid:6b0f3c2e-6d3a-4c7e-9a51-1d2e3f4a5b6c"
    )
    assert opf.findtext("opf:metadata/dc:language", namespaces=OPF) == "fr"
    rights = opf.findtext("opf:metadata/dc:rights", namespaces=OPF)
    assert "CC-BY-SA-4.0" in rights and "OpenMoji" in rights
    spine = opf.find("opf:spine", OPF)
    assert spine.get("page-progression-direction") == "ltr"
    refs = [r.get("idref") for r in spine]
    assert refs == ["page-1", "page-2", "transcript"]


def test_each_page_has_a_viewport_the_svg_inline_and_its_descriptions(ecole_epub):
    path, _warnings = ecole_epub
    files = read(path)
    page = etree.fromstring(files["OEBPS/pages/page-0001.xhtml"])
    viewport = page.find("h:head/h:meta[@name='viewport']", XHTML).get("content")
    assert viewport == "width=1240, height=1754"
    svg = page.find(".//svg:svg", XHTML)
    assert svg.get("role") == "img" and svg.get("aria-label")
    descriptions = " ".join(page.xpath("//svg:title/text() | //svg:desc/text()", namespaces=XHTML))
    assert "Awa salue Moussa" in descriptions
    texts = " ".join(page.xpath("//svg:text//text()", namespaces=XHTML))
    assert "Bonjour" in texts  # the lettering is text a screen reader reads
    # one image to a screen reader, then its text in reading order
    hidden = " ".join(page.xpath("//h:div[@id='page-1-text']//text()", namespaces=XHTML))
    assert "Case 1 : Dans la cour" in hidden and "Moussa (pense) : Oh non" in hidden
    links = page.xpath("//h:a/@href", namespaces=XHTML)
    assert "../transcript.xhtml#page-1" in links
    assert b"data:" not in files["OEBPS/pages/page-0002.xhtml"]  # images are files
    transcript = files["OEBPS/transcript.xhtml"].decode()
    assert "Moussa (pense) : Oh non" in transcript
    nav = etree.fromstring(files["OEBPS/nav.xhtml"])
    kinds = nav.xpath(
        "//h:nav/@epub:type", namespaces={**XHTML, "epub": "http://www.idpf.org/2007/ops"}
    )
    assert {"toc", "page-list", "landmarks"} <= set(kinds)


def test_fonts_are_subset_to_the_letters_used(ecole_epub):
    path, _warnings = ecole_epub
    fonts = {n: d for n, d in read(path).items() if n.startswith("OEBPS/fonts/")}
    regular = fonts["OEBPS/fonts/ComicNeue-Regular.otf"]
    whole = Path("/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf")
    assert len(regular) < whole.stat().st_size / 2
    cmap = TTFont(io.BytesIO(regular)).getBestCmap()
    assert ord("é") in cmap and ord("B") in cmap  # « Bonjour », « journée »
    assert ord("X") not in cmap  # no text uses it
    css = read(path)["OEBPS/style.css"].decode()
    assert "font-family: 'Comic Neue'" in css and "url(fonts/ComicNeue-Regular.otf)" in css


def test_the_fixture_passes_epubcheck_without_error_or_warning(ecole_epub):
    path, _warnings = ecole_epub
    report = epubcheck(path)
    assert problems(report) == []
    assert report["publication"]["hasFixedFormat"] is True


def test_a_twenty_page_arabic_comic_passes_epubcheck_and_reads_right_to_left(tmp_path):
    bundle = comic_bundle(tmp_path, pages=20, six_panels=True, change=arabic)
    path = EpubExporter(width=800).export(bundle, tmp_path / "ar.epub")
    report = epubcheck(path)
    assert problems(report) == []
    files = read(path)
    assert sum(n.startswith("OEBPS/pages/") for n in files) == 20
    opf = etree.fromstring(files["OEBPS/content.opf"])
    assert opf.find("opf:spine", OPF).get("page-progression-direction") == "rtl"
    assert opf.findtext("opf:metadata/dc:language", namespaces=OPF) == "ar"
    page = etree.fromstring(files["OEBPS/pages/page-0020.xhtml"])
    assert page.get("dir") == "rtl" and page.get("lang") == "ar"
    viewport = page.find("h:head/h:meta[@name='viewport']", XHTML).get("content")
    assert viewport == "width=800, height=1132"  # --width, proportions kept
    assert "OEBPS/fonts/Amiri-Regular.ttf" in files


def test_an_image_without_alt_text_is_refused(tmp_path):
    def no_alt(manifest):
        for panel in all_panels(manifest):
            for element in panel["elements"]:
                if element["kind"] == "image":
                    element["alt"] = ""

    bundle = comic_bundle(tmp_path, change=no_alt)
    with pytest.raises(ExportError) as error:
        EpubExporter().export(bundle, tmp_path / "x.epub")
    assert "[en]" in str(error.value)
    assert not (tmp_path / "x.epub").exists()
