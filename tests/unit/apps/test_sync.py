"""The apps service's copy of the catalogue's published apps, against a real catalogue server."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import nbformat
import pytest
import requests

from imaginecole.apps.sync import STATE_FILE, CatalogueApps, frontend_of, with_frontend
from imaginecole.catalogue.service import Catalogue

from ..catalogue.webserver import Served, make_bundle

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "notebooks" / "examples" / "app-fractions"


def app_bundle(
    folder: Path,
    title: str,
    code: str | list[str] | None = None,
    *,
    uid: str | None = None,
    marker: str = "",
) -> Path:
    """A copy of the sample app, or an app whose code cells are `code`; `marker` is added to
    its first cell (a new version)."""
    shutil.copytree(SAMPLE, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["id"] = uid or str(uuid.uuid4())
    manifest["metadata"]["title"] = title
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    if code is not None:
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell(f"# {title}")]
            + [nbformat.v4.new_code_cell(c) for c in ([code] if isinstance(code, str) else code)],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        )
        nbformat.write(notebook, folder / "app.ipynb")
    if marker:
        notebook = json.loads((folder / "app.ipynb").read_text("utf-8"))
        notebook["cells"][0]["source"] = f"# {marker}\n" + "".join(notebook["cells"][0]["source"])
        (folder / "app.ipynb").write_text(json.dumps(notebook, ensure_ascii=False), "utf-8")
    return folder


def cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text("utf-8"))["cells"]]


@pytest.fixture
def site(tmp_path):
    catalogue = Catalogue.open(tmp_path / "data")
    _token, editor = catalogue.create_token("editor", name="editrice")
    _token, teacher = catalogue.create_token("teacher", name="awa")
    with Served(catalogue) as served:
        yield served, catalogue, editor, teacher
    catalogue.close()


def test_published_apps_are_copied_then_updated_then_removed(site, tmp_path):
    served, catalogue, editor, teacher = site
    app = catalogue.publish(
        editor, app_bundle(tmp_path / "a", "Les fractions"), formats=[], state="published"
    ).uid
    # neither a submission waiting for review nor a grain is served
    pending = catalogue.publish(teacher, app_bundle(tmp_path / "b", "Brouillon"), formats=[]).uid
    catalogue.publish(editor, make_bundle(tmp_path / "grain"), formats=[], state="published")
    folder = tmp_path / "apps"
    mirror = CatalogueApps(served.url, folder)

    report = mirror.sync()
    assert report.added == [app] and not report.failed
    assert sorted(p.name for p in folder.glob("*.ipynb")) == [f"{app}.ipynb"]
    assert cells(folder / f"{app}.ipynb") == cells(SAMPLE / "app.ipynb")
    assert not (folder / f"{pending}.ipynb").exists()

    # nothing new: nothing downloaded, nothing changed
    (folder / f"{app}.ipynb").touch()
    before = (folder / f"{app}.ipynb").stat().st_mtime_ns
    assert mirror.sync().changed == []
    assert (folder / f"{app}.ipynb").stat().st_mtime_ns == before

    # the author publishes version 2: the service serves it
    catalogue.publish(
        editor,
        app_bundle(tmp_path / "a2", "Les fractions", uid=app, marker="Version 2"),
        formats=[],
        state="published",
    )
    report = mirror.sync()
    assert report.updated == [app]
    assert cells(folder / f"{app}.ipynb")[0].startswith("# Version 2")
    assert json.loads((folder / STATE_FILE).read_text())[app] == 2

    # approved later: it appears
    catalogue.approve(editor, pending)
    assert mirror.sync().added == [pending]

    # withdrawn: it disappears
    catalogue.withdraw(editor, app, "Retirée")
    report = mirror.sync()
    assert report.removed == [app]
    assert sorted(p.name for p in folder.glob("*.ipynb")) == [f"{pending}.ipynb"]
    assert app not in json.loads((folder / STATE_FILE).read_text())


def test_a_catalogue_that_does_not_answer_removes_nothing(site, tmp_path):
    served, catalogue, editor, _teacher = site
    app = catalogue.publish(
        editor, app_bundle(tmp_path / "a", "Les fractions"), formats=[], state="published"
    ).uid
    folder = tmp_path / "apps"
    CatalogueApps(served.url, folder).sync()
    served.stop()
    with pytest.raises(requests.RequestException):
        CatalogueApps(served.url, folder, timeout=5).sync()
    assert (folder / f"{app}.ipynb").is_file()


def nb_of(*code: str, magic: str = "") -> dict:
    cells = [nbformat.v4.new_markdown_cell("# Une app")]
    cells += [nbformat.v4.new_code_cell(c) for c in code]
    return json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))


@pytest.mark.parametrize(
    ("code", "frontend"),
    [
        (["import ipywidgets as w\nfrom IPython.display import display"], "lite"),
        (["import math, random\nimport numpy as np", "from ipywidgets import interact"], "lite"),
        (["%matplotlib inline\nimport matplotlib.pyplot as plt"], "lite"),
        (["import anywidget\nimport traitlets"], "lite"),
        # widgets of their own: Voilà's front end loads their JavaScript
        (["import ipywidgets", "from ipyleaflet import Map"], "voila"),
        (["%matplotlib widget\nimport matplotlib.pyplot as plt"], "voila"),
        (["import imaginecole.widgets"], "voila"),
        (["def (:"], "voila"),  # unreadable: no guess
    ],
)
def test_the_front_end_is_chosen_by_what_the_app_imports(code, frontend):
    assert frontend_of(nb_of(*code)) == frontend


def test_the_synced_notebook_names_its_front_end_and_keeps_its_metadata():
    nb = nb_of("import ipywidgets")
    nb["metadata"]["imaginecole"] = {"audience": "learners"}
    written = json.loads(with_frontend(json.dumps(nb).encode()))
    assert written["metadata"]["imaginecole"] == {"audience": "learners", "frontend": "lite"}
    assert written["cells"] == nb["cells"]
    # an author's own choice of Voilà's front end stands; "lite" is never taken on trust
    nb["metadata"]["imaginecole"]["frontend"] = "voila"
    assert json.loads(with_frontend(json.dumps(nb).encode()))["metadata"]["imaginecole"] == {
        "audience": "learners",
        "frontend": "voila",
    }
    lying = nb_of("import ipyleaflet")
    lying["metadata"]["imaginecole"] = {"frontend": "lite"}
    written = json.loads(with_frontend(json.dumps(lying).encode()))
    assert written["metadata"]["imaginecole"]["frontend"] == "voila"
    with pytest.raises(ValueError):
        with_frontend(b"[1, 2]")
    with pytest.raises(ValueError):
        with_frontend(b"not json")
