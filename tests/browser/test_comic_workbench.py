"""« Créer une BD » in real Voilà and Debian's Chromium: create a kindergarten comic, copy an
example, and come back to the list, from the shipped notebook in a fresh home folder."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from .conftest import axe_violations
from .voila import RENDER_TIMEOUT, REPO, serve_voila

pytestmark = pytest.mark.browser

NOTEBOOK = REPO / "notebooks" / "fr" / "Créer une BD.ipynb"
OPEN_TIMEOUT = 60_000  # ms for a comic to open in the editor


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """Voilà serving « Créer une BD » from a fresh home folder; yields (url, home)."""
    home = tmp_path_factory.mktemp("home")
    shutil.copy(NOTEBOOK, home / NOTEBOOK.name)
    with serve_voila(home, NOTEBOOK.name) as url:
        yield url, home


def shown(text: str) -> str:
    """Text as read, whatever spaces ipywidgets drew (it draws option spaces as nbsp)."""
    return re.sub(r"\s+", " ", text).strip()


def test_a_teacher_starts_a_kindergarten_comic_then_copies_an_example(voila, page):
    url, home = voila
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(url)
    page.get_by_role("heading", name="Choisir ou créer une BD").wait_for(timeout=RENDER_TIMEOUT)
    page.get_by_text("Vous n'avez pas encore de BD").wait_for()
    assert axe_violations(page) == []

    # a kindergarten comic: large art, Andika, a page of big panels
    page.get_by_label("Titre de la nouvelle BD").fill("Les couleurs de Fatou")
    template = page.get_by_label("Modèle")
    options = [shown(t) for t in template.locator("option").all_inner_texts()]
    assert options == [
        "Standard : une page de quatre cases à compléter",
        "Maternelle : grandes images, peu de mots, un son par case",
    ]
    template.select_option(index=1)
    page.get_by_role("button", name="Créer la BD").click()
    page.locator(".icce g.ic-el").first.wait_for(timeout=OPEN_TIMEOUT)
    page.locator(".icw-grain-text", has_text="« Les couleurs de Fatou »").wait_for()
    manifest = json.loads((home / "comics" / "les-couleurs-de-fatou" / "manifest.json").read_text())
    assert manifest["settings"]["audience"] == "kindergarten"
    assert manifest["settings"]["lettering"] == "andika"
    assert axe_violations(page) == []

    # back to the list: the new comic is there, and an example is copied as one's own
    page.get_by_role("button", name="Retour à mes BD").click()
    mine = page.get_by_label("Vos BD")
    mine.wait_for(timeout=OPEN_TIMEOUT)
    assert shown(mine.locator("option:checked").inner_text()).startswith("Les couleurs de Fatou")
    examples = page.get_by_label("BD d'exemple")
    titles = [shown(t) for t in examples.locator("option").all_inner_texts()]
    assert titles[0] == "La rentrée d'Awa" and "يوم في السوق" in titles
    examples.select_option(index=titles.index("يوم في السوق"))
    page.get_by_role("button", name="Copier cet exemple et l'ouvrir").click()
    page.locator(".icce g.ic-el").first.wait_for(timeout=OPEN_TIMEOUT)
    page.locator(".icw-grain-text", has_text="« يوم في السوق »").wait_for()
    copy = json.loads((home / "comics" / "bd" / "manifest.json").read_text())
    example = json.loads(
        (REPO / "notebooks" / "examples" / "bd-arabe-au-marche" / "manifest.json").read_text()
    )
    assert copy["settings"]["direction"] == "rtl" and copy["id"] != example["id"]
    assert copy["pages"] == example["pages"]
