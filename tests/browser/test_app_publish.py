"""« Publier une application » in real Voilà and Chromium: the teacher picks a notebook, the
check runs with its progress, a failing cell is named, and a working notebook becomes an app
whose description form (the catalogue's publish widget) appears."""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import axe_violations
from .voila import RENDER_TIMEOUT, REPO, serve_voila

pytestmark = pytest.mark.browser

NOTEBOOK = REPO / "notebooks" / "fr" / "Publier une application.ipynb"
SAMPLE = REPO / "notebooks" / "examples" / "app-fractions" / "app.ipynb"
CHECK_TIMEOUT = 120_000  # ms for a clean kernel to run the teacher's notebook


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    shutil.copy(NOTEBOOK, home / NOTEBOOK.name)
    shutil.copy(SAMPLE, home / "fractions.ipynb")
    broken = json.loads(SAMPLE.read_text("utf-8"))
    broken["cells"][2]["source"] = "curseur = widgets.IntSlider(max=DENOMINATEUR / 0)"
    (home / "cassé.ipynb").write_text(json.dumps(broken), "utf-8")
    with serve_voila(home, NOTEBOOK.name) as url:
        yield url, home


def test_a_teacher_checks_a_notebook_and_makes_it_an_app(voila, page):
    url, home = voila
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(url)
    page.get_by_role("heading", name="Publier comme application").wait_for(timeout=RENDER_TIMEOUT)
    choice = page.get_by_label("Le notebook à publier")
    assert choice.locator("option").all_inner_texts() == ["cassé.ipynb", "fractions.ipynb"]
    assert axe_violations(page) == []

    # a notebook that fails: the cell and the error, in plain words; no app
    page.get_by_role("button", name="Vérifier le notebook et faire l'application").click()
    problem = page.locator(".icp-problems li").first
    problem.wait_for(timeout=CHECK_TIMEOUT)
    assert "Cellule 3" in problem.inner_text() and "ZeroDivisionError" in problem.inner_text()
    assert not (home / "imaginecole" / "apps").exists()

    # the working one becomes an app, then the description form appears
    choice.select_option(label="fractions.ipynb")
    page.get_by_label("Titre de l'application").fill("Les fractions")
    page.get_by_role("button", name="Vérifier le notebook et faire l'application").click()
    page.get_by_role("heading", name="3. Décrivez l'application et envoyez-la").wait_for(
        timeout=CHECK_TIMEOUT
    )
    assert "ipywidgets" in page.locator(".icp-report").inner_text()
    manifest = json.loads(
        (home / "imaginecole" / "apps" / "les-fractions" / "manifest.json").read_text()
    )
    assert manifest["type"] == "notebook-app" and manifest["metadata"]["title"] == "Les fractions"
    assert manifest["app"]["thumbnail"] == "media/thumbnail.png"
    assert page.get_by_label("Titre du grain").input_value() == "Les fractions"
    assert axe_violations(page) == []
