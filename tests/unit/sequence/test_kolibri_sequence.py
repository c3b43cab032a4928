"""The `kolibri` exporter for a module (one HTML5 app) and a parcours (a zip of them)."""

import json
import re
import zipfile
from pathlib import Path

from imaginecole.exports.archive import safe_extract
from imaginecole.exports.base import Bundle
from imaginecole.exports.kolibri import KolibriExporter

from imaginecole.sequence import resolve
from tests.sequence_fixtures import make_module, make_parcours


def player_data(index: str) -> dict:
    found = re.search(r'<script type="application/json" id="ics-data">(.*?)</script>', index, re.S)
    return json.loads(found.group(1))


def export(folder: Path, out_dir: Path) -> Path:
    exporter = KolibriExporter()
    bundle = Bundle.load(folder)
    assert exporter.accepts(bundle)
    return exporter.export(bundle, exporter.default_output(bundle, out_dir))


def test_a_module_is_one_html5_app_with_index_at_the_root(tmp_path):
    folder = make_module(tmp_path / "home", 2, extra=("comic",))
    out = export(folder, tmp_path)
    assert out.name == f"{folder.name}.kolibri.zip"
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        index = archive.read("index.html").decode("utf-8")
        parts = [archive.read(f"parts/{n}/index.html").decode("utf-8") for n in (1, 2, 3)]
    assert names[0] == "index.html"
    assert not any("/" not in n and n != "index.html" for n in names)  # nothing else at the root
    data = player_data(index)
    # Kolibri's sandbox refuses storage: progress in memory; the overall result goes to hashi
    assert data["tracker"] == "memory" and data["scorm"] is True
    assert "ImaginecoleScorm.start(" in index and '"version": "1.2"' in index
    for page in parts:
        assert "button.type !== 'submit'" in page  # kolibri_shell.js: forms in the sandbox
        assert "source: 'imaginecole'" in page  # the sequence shell
    # the same module gives the same bytes
    assert export(folder, tmp_path / "again").read_bytes() == out.read_bytes()


def test_a_score_rule_is_the_pass_mark_reported_to_kolibri(tmp_path):
    folder = make_module(tmp_path, 1, extra=(), completion={"rule": "score", "score": 0.75})
    index = dict(KolibriExporter().entries(Bundle.load(folder)))["index.html"].decode("utf-8")
    assert (
        'ImaginecoleScorm.start({"passMark": 0.75, "scored": true, "suspend": true, '
        '"version": "1.2"})'
    ) in index


def test_a_parcours_is_one_app_per_module_and_a_channel(tmp_path):
    folder = make_parcours(tmp_path / "home", 3, 1)
    seq = resolve(folder)
    out = export(folder, tmp_path)
    assert out.name == f"{folder.name}.kolibri.zip"
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        infos = {i.filename: i for i in archive.infolist()}
        channel = json.loads(archive.read("channel.json"))
        readme = archive.read("README.txt").decode("utf-8")
    modules = [f"0{n}-{item.path.name}.kolibri.zip" for n, item in enumerate(seq.items, 1)]
    assert names == sorted(["README.txt", "channel.json", *modules])
    # the inner zips are stored as they are, not deflated twice
    assert all(infos[m].compress_type == zipfile.ZIP_STORED for m in modules)
    assert channel["id"] == seq.manifest["id"] and channel["title"] == "Mathématiques CM1"
    assert [m["order"] for m in channel["modules"]] == [1, 2, 3]
    assert [m["title"] for m in channel["modules"]] == ["Module 1", "Module 2", "Module 3"]
    assert [m["file"] for m in channel["modules"]] == modules
    assert [m["id"] for m in channel["modules"]] == [item.id for item in seq.items]
    first = seq.items[0].id
    assert [m["prerequisites"] for m in channel["modules"]] == [[], [first], [first]]
    assert channel["modules"][2]["prerequisite_files"] == [modules[0]]
    assert "FRANÇAIS" in readme and "ENGLISH" in readme and "Kolibri Studio" in readme
    assert all(m in readme for m in modules)
    # unpacked safely (the archive's caps), each module is an app with index.html at its root
    safe_extract(out, tmp_path / "unpacked")
    for name in modules:
        app = tmp_path / "unpacked" / name
        with zipfile.ZipFile(app) as archive:
            assert "parts/1/index.html" in archive.namelist()
            index = archive.read("index.html").decode("utf-8")
        assert (
            player_data(index)["modules"][0]["id"] == channel["modules"][modules.index(name)]["id"]
        )
