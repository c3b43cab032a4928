"""The comic editor in real Voilà and Debian's Chromium: a teacher edits a page of a comic.

Voilà serves a one-cell notebook that opens the editor on a copy of the fixture comic, from
a temporary folder (the teacher's home). Every change must reach manifest.json on disk.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from .conftest import axe_violations
from .voila import RENDER_TIMEOUT, REPO, serve_voila, wait_for_saved

pytestmark = pytest.mark.browser

COMIC = REPO / "tests" / "fixtures" / "comics" / "ecole"
NOTEBOOK = "BD.ipynb"
CELL = """from imaginecole.widgets.comic_editor import ComicEditor

ComicEditor("comics/ecole", language="fr")"""


@pytest.fixture
def voila(tmp_path):
    """Voilà serving the editor on a fresh copy of the comic; yields (url, manifest path)."""
    home = tmp_path / "home"
    (home / "comics").mkdir(parents=True)
    shutil.copytree(COMIC, home / "comics" / "ecole")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CELL)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, home / NOTEBOOK)
    with serve_voila(home, NOTEBOOK, log=tmp_path / "voila.log") as url:
        yield url, home / "comics" / "ecole" / "manifest.json"


def element(manifest: dict, panel: str, el: str) -> dict:
    for page in manifest["pages"]:
        for p in page["panels"]:
            if p["id"] == panel:
                return next(e for e in p["elements"] if e["id"] == el)
    raise KeyError(panel)


def wait_for_element(path: Path, panel: str, el: str, check) -> dict:
    """The element as saved on disk once `check(element)` holds; fails after the deadline."""
    return wait_for_saved(
        path,
        check,
        pick=lambda manifest: element(manifest, panel, el),
        what=f"{panel}/{el} in {path}",
    )


def node(page, panel: str, el: str):
    return page.locator(f'.icce g.ic-panel[data-panel="{panel}"] g.ic-el[data-el="{el}"]')


def open_editor(page, url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(url)
    page.locator(".icce g.ic-el").first.wait_for(timeout=RENDER_TIMEOUT)


def test_drag_keys_text_in_place_and_undo_reach_the_disk(voila, page):
    url, manifest_path = voila
    open_editor(page, url)
    awa = node(page, "p1-1", "e1")
    assert awa.get_attribute("aria-label").startswith("Awa")
    assert axe_violations(page) == []

    # drag Awa to the right with the mouse
    awa.scroll_into_view_if_needed()
    box = awa.bounding_box()
    panel = page.locator('.icce g.ic-panel[data-panel="p1-1"]').bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(start[0] + step * panel["width"] * 0.04, start[1])
    page.mouse.up()
    dragged = wait_for_element(manifest_path, "p1-1", "e1", lambda e: e["x"] > 0.45)
    assert dragged["x"] == pytest.approx(0.5, abs=0.03)
    assert dragged["y"] == pytest.approx(0.65, abs=0.01)

    # then two steps to the left and one big step down with the keyboard
    node(page, "p1-1", "e1").wait_for()
    node(page, "p1-1", "e1").focus()
    page.keyboard.press("ArrowLeft")
    wait_for_element(manifest_path, "p1-1", "e1", lambda e: e["x"] < dragged["x"] - 0.005)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowDown")
    moved = wait_for_element(
        manifest_path, "p1-1", "e1", lambda e: e["y"] == pytest.approx(0.70, abs=0.001)
    )
    assert moved["x"] == pytest.approx(dragged["x"] - 0.02, abs=0.001)
    # the focus stayed on Awa after each new drawing of the page
    assert page.evaluate("document.activeElement.dataset.el") == "e1"

    # write a bubble's text in place: Enter opens the text box, Enter keeps the text
    bubble = node(page, "p1-1", "b1")
    bubble.focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Texte : Entrée le garde", exact=False)
    box.wait_for()
    box.fill("Bonjour Moussa, ça va ?")
    box.press("Enter")
    wait_for_element(manifest_path, "p1-1", "b1", lambda e: e["text"] == "Bonjour Moussa, ça va ?")
    page.locator(".icce svg text", has_text="Moussa, ça va").first.wait_for()

    # undo takes the text back, then Ctrl+Y does it again
    page.get_by_role("button", name="Annuler", exact=True).click()
    old = wait_for_element(manifest_path, "p1-1", "b1", lambda e: "ça va" not in e["text"])
    assert old["text"]
    node(page, "p1-1", "b1").focus()
    page.keyboard.press("Control+y")
    wait_for_element(manifest_path, "p1-1", "b1", lambda e: "ça va" in e["text"])

    assert axe_violations(page) == []


def elements_of(manifest: dict, panel: str) -> list[dict]:
    return next(p for page in manifest["pages"] for p in page["panels"] if p["id"] == panel)[
        "elements"
    ]


def panel_elements(path: Path, panel: str) -> list[dict]:
    return elements_of(json.loads(path.read_text("utf-8")), panel)


def wait_for_panel(path: Path, panel: str, check) -> list[dict]:
    return wait_for_saved(
        path,
        check,
        pick=lambda manifest: elements_of(manifest, panel),
        what=f"panel {panel} in {path}",
    )


def test_add_from_the_palette_resize_with_the_handle_and_delete_with_the_keyboard(voila, page):
    url, manifest_path = voila
    open_editor(page, url)
    count = len(panel_elements(manifest_path, "p1-2"))

    # choose panel 2 by clicking its background, then add a goat from the palette
    panel = page.locator('.icce g.ic-panel[data-panel="p1-2"]')
    box = panel.bounding_box()
    page.mouse.click(box["x"] + 10, box["y"] + box["height"] - 10)
    page.get_by_text("Ajouter à la case 2").wait_for()
    page.get_by_label("Sorte", exact=True).select_option(label="animaux")
    page.get_by_role("button", name="Ajouter : Chèvre").click()
    added = wait_for_panel(manifest_path, "p1-2", lambda els: len(els) == count + 1)[-1]
    assert added["kind"] == "prop" and added["art"] == "openmoji:1F410"
    # the new element has the focus: + makes it bigger
    goat = node(page, "p1-2", added["id"])
    goat.wait_for()
    page.wait_for_function(
        f"document.activeElement && document.activeElement.dataset.el === '{added['id']}'"
    )
    page.keyboard.press("+")
    bigger = wait_for_element(
        manifest_path, "p1-2", added["id"], lambda e: e["scale"] > added["scale"]
    )
    assert bigger["scale"] == pytest.approx(added["scale"] * 1.1, abs=0.001)

    # drag the corner handle outwards: the goat grows again
    handle = page.locator(".icce .icce-handle")
    handle.wait_for()
    handle.scroll_into_view_if_needed()
    corner = handle.bounding_box()
    start = (corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(start[0] + step * 8, start[1] + step * 8)
    page.mouse.up()
    wait_for_element(
        manifest_path, "p1-2", added["id"], lambda e: e["scale"] > bigger["scale"] * 1.1
    )

    # Delete removes it, and the focus stays in the page for the next key
    node(page, "p1-2", added["id"]).focus()
    page.keyboard.press("Delete")
    wait_for_panel(manifest_path, "p1-2", lambda els: len(els) == count)
    page.wait_for_function(
        "document.activeElement && document.activeElement.matches('.icce g.ic-el')"
    )
    page.keyboard.press("Control+z")
    wait_for_panel(manifest_path, "p1-2", lambda els: len(els) == count + 1)
