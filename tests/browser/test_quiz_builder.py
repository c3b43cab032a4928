"""« Créer un quiz » in real Voilà and Debian's Chromium: a teacher makes a quiz from scratch.

Voilà serves a copy of the notebook from a temporary folder (the teacher's home), with the
project's offline template; grains are written under that folder's grains/.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations
from .voila import RENDER_TIMEOUT, REPO, notebook_page, serve_voila, wait_for_saved

pytestmark = pytest.mark.browser

NOTEBOOK = REPO / "notebooks" / "fr" / "Créer un quiz.ipynb"


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """Voilà serving « Créer un quiz » from a fresh home folder; yields (url, home)."""
    home = tmp_path_factory.mktemp("home")
    shutil.copy(NOTEBOOK, home / NOTEBOOK.name)
    with serve_voila(home, NOTEBOOK.name, ready=notebook_page) as url:
        yield url, home


def open_workbench(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=re.compile("Étape 1 sur 5")).wait_for(timeout=RENDER_TIMEOUT)


def test_a_teacher_makes_a_quiz_tries_it_and_finds_it_again(voila, page):
    url, home = voila
    page.set_viewport_size({"width": 1280, "height": 900})
    open_workbench(page, url)
    assert axe_violations(page) == []

    # 1. create a single-choice quiz
    page.get_by_label("Titre du nouveau grain").fill("Capitales du Sahel")
    assert page.get_by_label("Type de grain").input_value() == "Choix unique"
    page.get_by_role("button", name="Créer le grain").click()
    page.get_by_role("heading", name=re.compile("Étape 2 sur 5")).wait_for(timeout=30_000)
    manifest_path = home / "grains" / "capitales-du-sahel" / "manifest.json"
    assert manifest_path.is_file()

    # 2. the question and two answers; the third example answer goes
    page.get_by_label("Question", exact=True).fill("Quelle est la capitale du Mali ?")
    page.get_by_label("Réponse 1", exact=True).fill("Dakar")
    page.get_by_label("Réponse 2", exact=True).fill("Bamako")
    page.locator(".icb-entry").nth(2).get_by_role("button", name="Supprimer").click()
    page.get_by_role("button", name="Annuler la suppression").wait_for()
    expect(page.get_by_label("Réponse 3", exact=True)).to_have_count(0)
    # mark the right one: ticking answer 2 unticks answer 1
    page.locator(".icb-entry").nth(1).get_by_label("Bonne réponse").check()
    expect(page.locator(".icb-entry").nth(0).get_by_label("Bonne réponse")).not_to_be_checked()

    # the preview follows
    preview = page.locator(".icpv")
    preview.get_by_text("Quelle est la capitale du Mali ?").wait_for(timeout=15_000)
    preview.locator(".icp-choice-label", has_text="Bamako").wait_for()
    expect(preview.locator(".icp-choice-label")).to_have_count(2)

    # the grain reached the disk, valid
    saved = wait_for_saved(
        manifest_path,
        lambda m: (
            [c["text"] for c in m["questions"][0]["choices"]] == ["Dakar", "Bamako"]
            and [c["correct"] for c in m["questions"][0]["choices"]] == [False, True]
        ),
    )
    assert saved["questions"][0]["statement"] == "Quelle est la capitale du Mali ?"
    page.get_by_text(re.compile(r"Enregistré à \d\d:\d\d")).wait_for(timeout=15_000)

    # answer in the preview as a pupil, and see the score
    preview.locator(".icp-choice-label", has_text="Bamako").click()
    preview.get_by_role("button", name="Vérifier").click()
    preview.get_by_text(re.compile(r"Score\s*:\s*1 sur 1")).wait_for()
    page.get_by_text(re.compile(r"Dernier essai dans l'aperçu\s*:\s*1 sur 1")).wait_for()

    assert axe_violations(page) == []

    # reload: the quiz is still there
    page.reload()
    page.get_by_role("heading", name=re.compile("Étape 1 sur 5")).wait_for(timeout=RENDER_TIMEOUT)
    grains = page.get_by_label("Vos grains")
    chosen = re.sub(r"\s+", " ", grains.locator("option:checked").inner_text())  # ipywidgets: nbsp
    assert chosen.startswith("Capitales du Sahel (Choix unique")
    page.get_by_role("button", name="Ouvrir ce grain").click()
    page.get_by_role("heading", name=re.compile("Étape 2 sur 5")).wait_for(timeout=30_000)
    assert page.get_by_label("Question", exact=True).input_value() == (
        "Quelle est la capitale du Mali ?"
    )
    assert page.get_by_label("Réponse 2", exact=True).input_value() == "Bamako"
    expect(page.locator(".icb-entry").nth(1).get_by_label("Bonne réponse")).to_be_checked()
    page.locator(".icpv").get_by_text("Quelle est la capitale du Mali ?").wait_for(timeout=15_000)


def test_the_workbench_fits_a_phone_screen(voila, page):
    url, home = voila
    page.set_viewport_size({"width": 360, "height": 740})
    open_workbench(page, url)
    page.get_by_label("Titre du nouveau grain").fill("Quiz au téléphone")
    page.get_by_role("button", name="Créer le grain").click()
    page.get_by_role("heading", name=re.compile("Étape 2 sur 5")).wait_for(timeout=30_000)
    page.locator(".icpv .icp-question").wait_for(timeout=15_000)
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('.icw *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                && el.getBoundingClientRect().width > 0)
            .map((el) => el.className.toString()).slice(0, 5)"""
    )
    assert overflow == []
    # the preview comes below the editor on a narrow screen
    editor = page.locator(".icb-editor").bounding_box()
    preview = page.locator(".icb-preview").bounding_box()
    assert preview["y"] >= editor["y"] + editor["height"] - 1
    assert axe_violations(page) == []
