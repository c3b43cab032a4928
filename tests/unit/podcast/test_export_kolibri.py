"""A podcast through `kolibri`: the podcast page and the built MP3s, for a sandboxed iframe."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser

from imaginecole.exports.base import Bundle
from imaginecole.exports.kolibri import KolibriExporter

from .sample_podcasts import podcast_bundle


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value or "" for name, value in attrs if name in ("href", "src")]


def test_page_and_mp3_in_a_kolibri_zip_same_bytes_twice(tmp_path):
    _manifest, folder = podcast_bundle(tmp_path / "radio")
    bundle = Bundle.load(folder)
    exporter = KolibriExporter()
    out = exporter.default_output(bundle, tmp_path)
    assert out.name == "radio.kolibri.zip"
    one = exporter.export(bundle, out)
    with zipfile.ZipFile(one) as archive:
        names = archive.namelist()
        page = archive.read("index.html").decode("utf-8")
        mp3 = archive.read("01-episode-1-la-semaine.mp3")
    assert names == ["01-episode-1-la-semaine.mp3", "cover.png", "index.html"]
    assert mp3[:3] == b"ID3" or mp3[:2] == b"\xff\xfb"
    links = Links()
    links.feed(page)
    local = [u for u in links.urls if not re.match(r"^https?:", u)]
    assert "01-episode-1-la-semaine.mp3" in local and "cover.png" in local
    for url in local:
        assert url in names, url
    assert "base64," not in page
    scripts = "".join(re.findall(r"<script>(.*?)</script>", page, re.S))
    assert "ImaginecoleScorm.start" in scripts and "imaginecole:result" in scripts
    for forbidden in ("localStorage", "sessionStorage", "document.cookie", "fetch(", "alert("):
        assert forbidden not in scripts, forbidden
    assert "Introduction" in page and "Merci de nous avoir écoutés" in page
    # the build is cached: the second export gives the same bytes
    two = exporter.export(Bundle.load(folder), tmp_path / "again.kolibri.zip")
    assert one.read_bytes() == two.read_bytes()
