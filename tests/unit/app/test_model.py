"""The notebook-app bundle: made by `new_app` / `imaginecole app new`, read and validated like
every bundle, and the sample app shipped for the catalogue and the hub."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from imaginecole.exports.base import Bundle

from imaginecole.app import CheckError, new_app
from imaginecole.app.model import update_app
from imaginecole.bundle import BundleError, load_manifest, validate_manifest
from imaginecole.cli import main

from .notebooks import SAMPLE_APP, SLIDER_APP, write_notebook


def test_new_app_writes_a_valid_bundle_with_the_notebook_cleared(tmp_path):
    source = write_notebook(tmp_path / "src" / "carres.ipynb", *SLIDER_APP)
    nb = nbformat.read(source, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="old output\n")]
    nb.cells[1].execution_count = 7
    nbformat.write(nb, source)

    folder = new_app(
        source,
        tmp_path / "apps" / "carres",
        {"title": "Les carrés", "country": "SN"},
        screenshot=False,
        live_only=["Le carré se recalcule", "  "],
    )

    manifest = load_manifest(folder)
    assert manifest["type"] == "notebook-app"
    assert manifest["metadata"]["title"] == "Les carrés"
    assert manifest["metadata"]["licence"] == "CC-BY-SA-4.0"
    app = manifest["app"]
    assert app["notebook"] == "app.ipynb" and app["kernel"] == "python3"
    assert {"ipywidgets", "numpy"} <= {r["name"] for r in app["requirements"]}
    assert app["checked"]["cells"] == 2
    assert app["live_only"] == ["Le carré se recalcule"]
    assert app["offline"]["html"] is True and app["offline"]["browser_python"] is False
    assert "thumbnail" not in app
    copied = nbformat.read(folder / "app.ipynb", as_version=4)
    assert all(c.outputs == [] and c.execution_count is None for c in copied.cells[1:])
    assert Bundle.load(folder).type == "notebook-app"


def test_a_notebook_that_fails_makes_no_bundle(tmp_path):
    source = write_notebook(tmp_path / "faux.ipynb", "raise ValueError('oups')")

    with pytest.raises(CheckError) as caught:
        new_app(source, tmp_path / "app", {"title": "Faux"}, screenshot=False)

    assert "ValueError" in caught.value.render("en") and "Cell 2" in caught.value.render("en")
    assert not (tmp_path / "app").exists()


def test_update_keeps_the_id_and_metadata(tmp_path):
    source = write_notebook(tmp_path / "a.ipynb", "import json\nprint(1)")
    folder = new_app(source, tmp_path / "app", {"title": "Un"}, screenshot=False)
    first = load_manifest(folder)
    write_notebook(source, *SLIDER_APP)

    update_app(folder, source, screenshot=False)

    again = load_manifest(folder)
    assert again["id"] == first["id"] and again["metadata"]["title"] == "Un"
    assert "ipywidgets" in {r["name"] for r in again["app"]["requirements"]}


def test_problems_of_an_app_manifest_name_their_field(tmp_path):
    folder = tmp_path / "app"
    shutil.copytree(SAMPLE_APP, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["app"]["thumbnail"] = "media/absente.png"
    manifest["app"]["requirements"] = [{"name": "numpy"}]
    (folder / "app.ipynb").unlink()

    problems = {p.path: p.render("en") for p in validate_manifest(manifest, folder)}

    assert "missing from the bundle" in problems["app.notebook"]
    assert "media/absente.png" in problems["app.thumbnail"]
    assert "app.requirements[0]" in problems
    with pytest.raises(BundleError) as caught:
        (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
        load_manifest(folder)
    assert "The app" in caught.value.render("en")


def test_a_thumbnail_that_is_not_a_png_is_refused(tmp_path):
    folder = tmp_path / "app"
    shutil.copytree(SAMPLE_APP, folder)
    (folder / "media" / "thumbnail.png").write_bytes(b"GIF89a not a png")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["app"]["thumbnail"] = "media/thumbnail.png"

    problems = {p.path: p.render("en") for p in validate_manifest(manifest, folder)}

    assert "does not contain what its extension says" in problems["app.thumbnail"]


def test_the_sample_app_is_a_valid_bundle():
    manifest = load_manifest(SAMPLE_APP)

    assert manifest["type"] == "notebook-app"
    assert manifest["app"]["thumbnail"] == "media/thumbnail.png"
    assert (SAMPLE_APP / "media" / "thumbnail.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert manifest["app"]["live_only"]
    nb = nbformat.read(SAMPLE_APP / "app.ipynb", as_version=4)
    assert "Numérateur" in "".join(c.source for c in nb.cells)


def test_cli_check_prints_the_packages_or_the_problems(tmp_path, capsys):
    good = write_notebook(tmp_path / "bon.ipynb", *SLIDER_APP)
    bad = write_notebook(tmp_path / "faux.ipynb", "import paquet_absent")

    assert main(["app", "check", str(good), "--language", "en"]) == 0
    assert "ipywidgets" in capsys.readouterr().out
    assert main(["app", "check", str(bad)]) == 1
    assert "paquet_absent" in capsys.readouterr().out


def test_cli_new_makes_the_bundle(tmp_path, capsys):
    source = write_notebook(tmp_path / "bon.ipynb", *SLIDER_APP)
    target = tmp_path / "app"

    code = main(
        [
            "app", "new", str(source), str(target), "--title", "Carrés", "--country", "sn",
            "--level", "cm1", "--subject", "mathematiques", "--author", "Awa",
            "--live-only", "Le carré change", "--no-screenshot",
        ]
    )  # fmt: skip

    assert code == 0, capsys.readouterr().err
    meta = load_manifest(target)["metadata"]
    assert (meta["country"], meta["level"], meta["authors"]) == ("SN", "cm1", [{"name": "Awa"}])
    assert main(["app", "new", str(source), str(target), "--title", "X", "--no-screenshot"]) == 1
    assert "not empty" in capsys.readouterr().err
