"""The `site` exporter and `site_files`: a module or parcours as an offline mini-site."""

import html
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from imaginecole.exports import available, get_exporter
from imaginecole.exports.base import Bundle
from imaginecole.exports.parts import part_files, sequence_shell
from imaginecole.exports.site import SiteExporter, preview_html, site_files

from imaginecole.bundle import load_manifest
from imaginecole.i18n import ImaginecoleError, _
from imaginecole.sequence import resolve
from tests.sequence_fixtures import make_module, make_parcours

DOCS = Path(__file__).parents[3] / "docs" / "exports.md"
EVIL = "Les <b>fractions</b> <script>alert(1)</script>"


class Fetched(HTMLParser):
    """Every address a page would load (src, srcset, link href, CSS url()), and every
    attribute holding an http(s) address with its tag."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.absolute: list[tuple[str, str]] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        self._style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name in ("src", "srcset", "poster", "data") or (tag == "link" and name == "href"):
                self.loads.append(value)
            if re.match(r"\s*(https?:)?//", value, re.I):
                self.absolute.append((tag, name))
            if name == "style":
                self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)

    def handle_data(self, data):
        if self._style:
            self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            self.loads += re.findall(r"@import\s+['\"]([^'\"]+)", data)

    def handle_endtag(self, tag):
        self._style = False


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory):
    """A module of 3 grains, the example comic, podcast and app."""
    return make_module(tmp_path_factory.mktemp("home"), 3)


@pytest.fixture(scope="module")
def module_files(module_dir):
    return dict(site_files(resolve(module_dir)))


def text(data) -> str:
    return (data.read_bytes() if isinstance(data, Path) else data).decode("utf-8")


def player_data(index: str) -> dict:
    found = re.search(r'<script type="application/json" id="ics-data">(.*?)</script>', index, re.S)
    return json.loads(found.group(1))


def test_registered_documented_and_described_in_french():
    assert "site" in available()
    assert get_exporter("site") is SiteExporter
    assert SiteExporter.bundle_types == {"module", "parcours"}
    assert _(SiteExporter.description).startswith("Mini-site hors ligne")
    assert re.search(r"^\| `site` \| `\.site\.zip` \|", DOCS.read_text("utf-8"), re.M)


def test_every_part_has_its_page_and_its_files(module_dir, module_files):
    seq = resolve(module_dir)
    parts = list(seq.parts())
    assert [p.type for p in parts] == ["grain"] * 3 + ["comic", "podcast", "notebook-app"]
    for n in range(1, len(parts) + 1):
        page = text(module_files[f"parts/{n}/index.html"])
        assert "source: 'imaginecole'" in page  # the sequence shell
    assert "index.html" in module_files
    # the podcast's MP3 and cover sit beside its page
    assert any(re.match(r"parts/5/.+\.mp3$", name) for name in module_files)
    data = player_data(text(module_files["index.html"]))
    assert data["kind"] == "module" and data["tracker"] == "local" and not data["scorm"]
    assert [p["src"] for p in data["modules"][0]["parts"]] == [
        f"parts/{n}/index.html" for n in range(1, 7)
    ]
    assert [p["title"] for p in data["modules"][0]["parts"]] == [p.title for p in parts]


def test_nothing_is_fetched_from_elsewhere(module_files):
    for name, data in module_files.items():
        if not name.endswith(".html"):
            continue
        parser = Fetched()
        parser.feed(text(data))
        for address in parser.loads:
            assert not re.match(r"\s*([a-z][a-z0-9+.-]*:|//)", address, re.I) or address.startswith(
                ("data:", "blob:")
            ), f"{name} loads {address}"
        # an http(s) address is only ever a link to follow (a licence, the show notes)
        assert {tag for tag, _attr in parser.absolute} <= {"a"}, name
    index = text(module_files["index.html"])
    assert not re.search(r"https?://", index)
    policy = html.unescape(
        re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)', index)[1]
    )
    assert "connect-src 'none'" in policy and "frame-src 'self'" in policy


def test_teacher_text_is_escaped(tmp_path):
    folder = make_module(tmp_path, 1, extra=(), title="fractions")
    manifest = load_manifest(folder)
    manifest["metadata"]["title"] = EVIL
    manifest["module"]["objectives"] = ["<img src=x onerror=alert(2)>"]
    manifest["module"]["introduction"] = "<p>Bien <em>lire</em></p><script>alert(3)</script>"
    # written as a hand-edited manifest would be, past the studio's own cleaning
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    index = text(dict(site_files(resolve(folder)))["index.html"])
    # in the data for the script, "</" cannot close its element
    assert player_data(index)["title"] == EVIL and "<\\/script>" in index
    index = re.sub(
        r'<script type="application/json" id="ics-data">.*?</script>', "", index, flags=re.S
    )
    assert "<script>alert" not in index and "<img src=x" not in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index  # the <h1>, shown as text
    assert "<p>Bien <em>lire</em></p>" in index  # the sanitised introduction stays rich
    assert "alert(3)" not in index


def test_a_parcours_names_its_modules_prerequisites_and_rules(tmp_path):
    folder = make_parcours(tmp_path, 2, 2)
    seq = resolve(folder)
    files = dict(site_files(seq))
    data = player_data(text(files["index.html"]))
    first, second = data["modules"]
    assert data["kind"] == "parcours"
    assert [m["title"] for m in data["modules"]] == ["Module 1", "Module 2"]
    assert first["prerequisites"] == [] and second["prerequisites"] == [first["id"]]
    assert first["completion"] == {"rule": "all"}
    assert sorted(n for n in files if n.endswith("index.html")) == sorted(
        ["index.html"] + [f"parts/{n}/index.html" for n in range(1, 5)]
    )
    index = text(files["index.html"])
    assert index.count('class="ics-module"') == 2  # each module on the home page


def test_trackers(tmp_path):
    seq = resolve(make_module(tmp_path, 1, extra=()))
    scorm = text(dict(site_files(seq, tracker="scorm12"))["index.html"])
    assert (
        'ImaginecoleScorm.start({"passMark": 0.5, "scored": false, "suspend": true, '
        '"version": "1.2"})'
    ) in scorm
    assert player_data(scorm)["scorm"] is True
    memory = player_data(text(dict(site_files(seq, tracker="memory"))["index.html"]))
    assert memory["tracker"] == "memory" and not memory["scorm"]
    with pytest.raises(ImaginecoleError, match="cookies"):
        site_files(seq, tracker="cookies")


def test_the_export_is_a_deterministic_zip(tmp_path):
    folder = make_module(tmp_path, 2, extra=("comic",))
    exporter = SiteExporter()
    bundle = Bundle.load(folder)
    assert exporter.accepts(bundle)
    out = exporter.export(bundle, exporter.default_output(bundle, tmp_path))
    assert out.name.endswith(".site.zip")
    first = out.read_bytes()
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    assert names[0] == "index.html" and "parts/3/index.html" in names
    assert exporter.export(bundle, tmp_path / "again.site.zip").read_bytes() == first


def test_preview_is_one_page_with_the_parts_inlined(tmp_path):
    seq = resolve(make_module(tmp_path, 2, extra=("comic",)))
    html = preview_html(seq)
    data = player_data(html)
    parts = data["modules"][0]["parts"]
    assert all("srcdoc" in p and "src" not in p for p in parts)
    assert all(p["srcdoc"].startswith("<!DOCTYPE html>") for p in parts)
    assert data["tracker"] == "memory"
    parser = Fetched()
    parser.feed(html)
    assert all(a.startswith(("data:", "blob:")) for a in parser.loads)


def test_part_files_of_a_grain_carries_the_shell_and_its_media(tmp_path):
    grain = Path(__file__).parents[2] / "fixtures" / "grains" / "question_set"
    files = dict(part_files(Bundle.load(grain), sequence_shell()))
    assert sorted(files) == ["index.html", "media/son-aigu.wav", "media/triangle.png"]
    assert sequence_shell().strip() in text(files["index.html"])


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_player_string_is_translated(language):
    from babel.messages.pofile import read_po

    from imaginecole.sequence.strings import SEQUENCE_STRINGS

    po = Path(__file__).parents[3] / "imaginecole" / "locale" / language / "LC_MESSAGES"
    with (po / "imaginecole.po").open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [
        m for m in SEQUENCE_STRINGS.values() if not (m in catalog and catalog[m].string)
    ]
    assert untranslated == []
