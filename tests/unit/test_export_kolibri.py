"""The `kolibri` exporter: a Kolibri HTML5 App zip that plays in a sandboxed iframe."""

import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from imaginecole.exports import available, get_exporter
from imaginecole.exports.base import INLINE_MEDIA_LIMIT, Bundle
from imaginecole.exports.kolibri import KolibriExporter

from imaginecole.cli import main
from imaginecole.i18n import _

GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"
DOCS = Path(__file__).parents[2] / "docs" / "exports.md"


class Links(HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value or "" for name, value in attrs if name in ("href", "src")]


def export(kind: str, tmp_path: Path) -> Path:
    return KolibriExporter().export(Bundle.load(GRAINS / kind), tmp_path / f"{kind}.kolibri.zip")


def test_registered_documented_and_described_in_french():
    assert "kolibri" in available()
    assert get_exporter("kolibri") is KolibriExporter
    assert _(KolibriExporter.description).startswith("Application HTML5 pour Kolibri")
    assert re.search(r"^\| `kolibri` \| `\.kolibri\.zip` \|", DOCS.read_text("utf-8"), re.M)


def test_zip_holds_index_at_the_root_and_the_media_beside_it(tmp_path):
    out = export("question_set", tmp_path)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        dates = {info.date_time for info in archive.infolist()}
    assert names == sorted(["index.html", "media/son-aigu.wav", "media/triangle.png"])
    assert dates == {(2000, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("kind", ["question_set", "flashcards", "arabic", "true_false"])
def test_every_link_is_relative_and_inside_the_zip(tmp_path, kind):
    out = export(kind, tmp_path)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        page = archive.read("index.html").decode("utf-8")
    links = Links()
    links.feed(page)
    for url in links.urls:
        assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", url, re.I), url
        assert url.split("#")[0].split("?")[0] in names, url
    # the player builds media addresses from mediaBase + the manifest's media/ paths
    config = json.loads(re.search(r'id="imaginecole-config">(.*?)</script>', page).group(1))
    assert config["mediaBase"] == "./" and config["media"] == {}
    grain = json.loads(re.search(r'id="imaginecole-grain">(.*?)</script>', page).group(1))
    for media in re.findall(r'"(media/[^"]+)"', json.dumps(grain)):
        assert media in names
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "base64," not in page  # media are files, not data: URLs


def test_the_page_uses_nothing_a_sandboxed_iframe_forbids(tmp_path):
    with zipfile.ZipFile(export("question_set", tmp_path)) as archive:
        page = archive.read("index.html").decode("utf-8")
    scripts = "".join(re.findall(r"<script>(.*?)</script>", page, re.S))
    assert "ImaginecolePlayer" in scripts and "ImaginecoleScorm.start" in scripts
    for forbidden in (
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "document.cookie",
        "window.top.location",
        "alert(",
        "XMLHttpRequest",
        "fetch(",
    ):
        assert forbidden not in scripts, forbidden


def test_same_bundle_gives_the_same_bytes(tmp_path):
    one = KolibriExporter().export(Bundle.load(GRAINS / "question_set"), tmp_path / "a.zip")
    two = KolibriExporter().export(Bundle.load(GRAINS / "question_set"), tmp_path / "b.zip")
    assert one.read_bytes() == two.read_bytes()


def test_all_formats_of_a_grain_with_large_media_get_distinct_names(tmp_path):
    folder = tmp_path / "gros"
    shutil.copytree(GRAINS / "flashcards", folder)
    media = folder / "media" / "son-aigu.wav"
    media.write_bytes(media.read_bytes() + b"\0" * (INLINE_MEDIA_LIMIT + 1))
    bundle = Bundle.load(folder)
    html_zip = get_exporter("html")().default_output(bundle, tmp_path)
    kolibri_zip = KolibriExporter().default_output(bundle, tmp_path)
    assert html_zip.name == "gros.zip" and kolibri_zip.name == "gros.kolibri.zip"


def test_cli_writes_the_kolibri_zip(tmp_path, capsys):
    assert main(["export", str(GRAINS / "ordering"), "--to", "kolibri", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "ordering.kolibri.zip").is_file()
