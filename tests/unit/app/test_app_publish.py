"""« Publier comme application »: choose a notebook, check it and make the app, then send it
with the catalogue's publish widget, against a real catalogue on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from imaginecole.widgets.app_publish import AppPublishWidget, find_notebooks
from imaginecole.widgets.publish import PublishWidget

from imaginecole.bundle import load_manifest

from ..catalogue.webserver import catalogue_process
from .notebooks import SLIDER_APP, write_notebook

COMPLETE = {
    "description": "Le carré d'un nombre, avec un curseur.",
    "country": "SN",
    "level": "cm1",
    "subject": "mathematiques",
    "authors": [{"name": "Awa Diop"}],
}
ENV = (
    "IMAGINECOLE_CATALOGUE_URL",
    "IMAGINECOLE_CATALOGUE_PUBLIC_URL",
    "IMAGINECOLE_CATALOGUE_TOKEN",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTERHUB_USER",
    "IMAGINECOLE_WORKSHOP",
)


def text(markup: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """`imaginecole catalogue serve` (standalone) with one teacher."""
    data = tmp_path_factory.mktemp("catalogue") / "data"
    token = subprocess.run(
        [sys.executable, "-m", "imaginecole", "catalogue", "token", "--data", str(data)]
        + ["--role", "teacher", "--name", "awa"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()
    with catalogue_process(data) as url:
        yield {"url": url, "token": token}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def home(tmp_path) -> Path:
    """A teacher's home: two notebooks of theirs, a workbench, hidden and app folders."""
    write_notebook(tmp_path / "carres.ipynb", *SLIDER_APP)
    write_notebook(tmp_path / "classe" / "faux.ipynb", "x = 1", "x / 0")
    bench = write_notebook(tmp_path / "Publier une application.ipynb", "1")
    data = json.loads(bench.read_text("utf-8"))
    data["metadata"]["imaginecole"] = {"kind": "workbench", "title": "P", "description": "D"}
    bench.write_text(json.dumps(data), "utf-8")
    write_notebook(tmp_path / ".cache" / "cache.ipynb", "1")
    write_notebook(tmp_path / "imaginecole" / "apps" / "vieille" / "app.ipynb", "1")
    return tmp_path


def test_only_the_teachers_own_notebooks_are_offered(home):
    found = [p.relative_to(home).as_posix() for p in find_notebooks(home)]

    assert found == ["carres.ipynb", "classe/faux.ipynb"]


def test_a_failing_notebook_shows_its_cell_and_makes_nothing(home):
    widget = AppPublishWidget(home, catalogue_url="", token="", screenshot=False)
    widget.choice.value = str(home / "classe" / "faux.ipynb")

    assert widget.make() is None

    report = text(widget.report.value)
    assert "Cellule 3 (« x / 0 »)" in report and "ZeroDivisionError" in report
    assert widget.status.tone == "error"
    assert widget.publisher is None
    assert not (home / "imaginecole" / "apps" / "faux").exists()


def test_make_the_app_then_send_it_to_the_catalogue(home, catalogue):
    widget = AppPublishWidget(
        home, catalogue_url=catalogue["url"], token=catalogue["token"], screenshot=False
    )
    assert widget.title.value == "carres"  # the notebook's name until the teacher changes it
    widget.title.value = "Les carrés"
    widget.live_only.value = "Le carré se recalcule\n"

    folder = widget.make()

    assert folder == home / "imaginecole" / "apps" / "les-carres"
    manifest = load_manifest(folder)
    assert manifest["metadata"]["title"] == "Les carrés"
    assert manifest["app"]["live_only"] == ["Le carré se recalcule"]
    report = text(widget.report.value)
    assert "du début à la fin" in report and "ipywidgets" in report and "numpy" in report
    assert widget.status.tone == "ok"
    publisher = widget.publisher
    assert isinstance(publisher, PublishWidget) and publisher.bundle_dir == str(folder)
    assert publisher.publish_button.disabled  # the description is not complete yet

    publisher.manifest["metadata"].update(COMPLETE)
    publisher.save_now()
    resource = publisher.publish()

    assert resource is not None, text(publisher.outcome.value)
    assert resource["type"] == "notebook-app"
    assert resource["title"] == "Les carrés"

    # making it again from the same notebook updates the same app
    first_id = manifest["id"]
    assert widget.make() == folder
    assert load_manifest(folder)["id"] == first_id
    assert load_manifest(folder)["metadata"]["country"] == "SN"
