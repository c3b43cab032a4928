"""A comic through `kolibri`: a Kolibri HTML5 App zip whose index.html is the comic reader."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import ExportError
from imaginecole.exports.kolibri import KolibriExporter

from .reader_comics import comic_with_sounds, panels
from .reader_page import LICENCE_URL, parse
from .sample_comics import comic_bundle


def export(bundle, tmp_path: Path) -> Path:
    return KolibriExporter().export(bundle, tmp_path / f"{bundle.path.name}.kolibri.zip")


def test_the_kolibri_exporter_takes_comics(tmp_path):
    bundle = comic_bundle(tmp_path)
    exporter = get_exporter("kolibri")()
    assert exporter.accepts(bundle)
    assert exporter.default_output(bundle, tmp_path).name == "ecole.kolibri.zip"


def test_index_html_is_at_the_root_and_opens_as_the_reader(tmp_path):
    bundle = comic_bundle(tmp_path)
    out = export(bundle, tmp_path)
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["index.html"]
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        html = archive.read("index.html").decode("utf-8")
    page = parse(html)
    assert {"icr", "icr-pages", "icr-now", "icr-next", "icr-data"} <= set(page.ids)
    for panel in panels(bundle.manifest):
        assert f'data-panel="{panel["id"]}"' in html
    # the reader, and before it Kolibri's two shells: the sandbox fix and SCORM 1.2 tracking
    scripts = "".join(text for _, text in page.scripts)
    assert "ImaginecoleScorm.start(" in scripts and "imaginecole:result" in scripts
    assert scripts.index("ImaginecoleScorm.start(") < scripts.index("icr-data")
    assert '"scored": false' in scripts, "a comic is completed, never scored"


def test_sounds_are_files_in_the_zip_and_every_address_stays_inside(tmp_path):
    bundle = comic_with_sounds(tmp_path)
    out = export(bundle, tmp_path)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        html = archive.read("index.html").decode("utf-8")
    assert names == ["index.html", "media/case-1.wav", "media/case-2.wav"]
    page = parse(html)
    for tag, url, attrs in page.addresses:
        if tag == "a":
            assert LICENCE_URL.match(url) and attrs.get("rel") == "license", url
        elif url.startswith(("data:image/", "#")):
            continue  # pictures inside the pages, symbols they reuse
        else:
            assert url in names, url
    assert "data:audio" not in html, "sounds are files beside the page, not data: URLs"
    for url in re.findall(r"https?://[^\s\"'<>)]+", html):
        assert LICENCE_URL.match(url), url


def test_a_comic_not_ready_is_refused(tmp_path):
    def no_transcript(manifest):
        panels(manifest)[0]["audio"] = {"src": "media/carte.png"}

    bundle = comic_bundle(tmp_path, change=no_transcript)
    with pytest.raises(ExportError) as error:
        export(bundle, tmp_path)
    assert "transcription" in str(error.value) and "transcript" in str(error.value)
    assert not list(tmp_path.glob("*.zip"))
