"""The comic editor in real JupyterLab and Debian's Chromium: a teacher runs the notebook's cell.

JupyterLab serves the teacher's home; the notebook sits in a folder of its own, next to a copy
of an example comic it opens by a path relative to itself. The teacher runs the cell, writes
a bubble's text in place and moves a character with the keyboard: Lab must leave those keys
to the editor (Enter must not open the cell, the arrows must not change cell), and every
change must reach manifest.json on disk. The editor's controls are reached with Tab, and axe
finds no serious problem in it.
"""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from .conftest import axe_violations, block_outside
from .lab import RENDER_TIMEOUT, open_notebook, output_area, run_first_code_cell, serve_lab
from .test_comic_editor import element
from .voila import REPO, wait_for_saved

pytestmark = pytest.mark.browser

EXAMPLE = REPO / "notebooks" / "examples" / "bd-la-rentree"
FOLDER = "Ma classe"
NOTEBOOK = f"{FOLDER}/Créer une BD.ipynb"
CELL = """from imaginecole.widgets.comic_editor import ComicEditor

ComicEditor("comics/rentree", language="fr")"""
ROOT = ".jp-OutputArea-output .icce-editor"
MAX_TABS = 80  # Tab presses to go through the editor's page


@pytest.fixture
def lab(tmp_path):
    """Lab on a home holding the notebook and a fresh copy of the example comic."""
    home = tmp_path / "home"
    folder = home / FOLDER
    shutil.copytree(EXAMPLE, folder / "comics" / "rentree")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, home / NOTEBOOK)
    with serve_lab(home) as lab:
        yield lab, folder / "comics" / "rentree" / "manifest.json"
    assert lab.left_running == []  # the notebook's kernel stopped with Lab


def node(page, panel: str, el: str):
    return page.locator(f'{ROOT} .icce g.ic-panel[data-panel="{panel}"] g.ic-el[data-el="{el}"]')


def wait_for_element(path, panel: str, el: str, check) -> dict:
    return wait_for_saved(
        path, check, pick=lambda m: element(m, panel, el), what=f"{panel}/{el} in {path}"
    )


def active(page) -> dict:
    """What has the keyboard focus: its element id in the page, tag, name."""
    return page.evaluate(
        """(root) => {
            const a = document.activeElement;
            return {
                el: (a && a.dataset && a.dataset.el) || "",
                tag: a ? a.tagName.toLowerCase() : "",
                text: a ? (a.getAttribute("aria-label") || a.textContent || "").trim() : "",
                inside: !!(a && a.closest(root)),
            };
        }""",
        ROOT,
    )


def test_a_teacher_edits_the_example_comic_in_jupyterlab(lab, page):
    lab, manifest_path = lab
    outside = block_outside(page.context, allowed=(lab.url, "data:", "blob:"))
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_notebook(page, lab, NOTEBOOK)
    run_first_code_cell(page)
    output_area(page).locator(".icce g.ic-el").first.wait_for(timeout=RENDER_TIMEOUT)
    page.get_by_text("Ouverte ; tout est enregistré.").wait_for()
    # the widget's style sheet reached Lab's page: the tool bar is laid out in a row
    tools = page.locator(f"{ROOT} .icce-tools")
    assert tools.evaluate("node => getComputedStyle(node).display") == "flex"
    # the chosen panel's form fits its column, narrower in Lab: no list or label cut
    cut = page.locator(f"{ROOT} .icce-side").evaluate(
        """side => {
            const right = side.getBoundingClientRect().right;
            return [...side.querySelectorAll("select, input, textarea, label")]
                .filter((n) => n.getClientRects().length)
                .filter((n) => n.getBoundingClientRect().right > right + 1
                    || (n.tagName === "LABEL" && n.scrollHeight > n.clientHeight + 1))
                .map((n) => n.textContent.slice(0, 40) || n.tagName);
        }"""
    )
    assert cut == []
    cells = page.locator(".jp-NotebookPanel .jp-Cell").count()

    # write a bubble's text in place: Enter opens the editor's text box, not the cell
    bubble = node(page, "p1-1", "p1-1-b5")
    bubble.scroll_into_view_if_needed()
    bubble.focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Texte : Entrée le garde", exact=False)
    box.wait_for()
    box.fill("Tu as ton cahier, Awa ?")
    box.press("Enter")
    saved = wait_for_element(
        manifest_path, "p1-1", "p1-1-b5", lambda e: e["text"] == "Tu as ton cahier, Awa ?"
    )
    assert saved["style"] == "speech"
    page.locator(f"{ROOT} svg text", has_text="ton cahier").first.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.dataset.el")
    assert active(page)["el"] == "p1-1-b5"

    # move Awa down with the arrow key: the notebook keeps its cell, Awa moves on disk
    before = element(json.loads(manifest_path.read_text("utf-8")), "p1-1", "p1-1-e2")
    awa = node(page, "p1-1", "p1-1-e2")
    awa.focus()
    page.keyboard.press("ArrowDown")
    moved = wait_for_element(manifest_path, "p1-1", "p1-1-e2", lambda e: e["y"] > before["y"])
    assert moved["y"] == pytest.approx(before["y"] + 0.01, abs=0.001)
    assert active(page)["el"] == "p1-1-e2"
    assert page.locator(".jp-NotebookPanel .jp-Cell").count() == cells
    code = page.locator(".jp-NotebookPanel .jp-Cell.jp-CodeCell").first.locator(".cm-content")
    assert "Tu as ton cahier" not in code.inner_text()

    # Tab goes through the editor's controls in order, without being kept by Lab
    page.locator(ROOT).evaluate("root => { root.tabIndex = -1; root.focus(); }")
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = active(page)
        if not now["inside"]:
            break
        seen.append(now)
        if now["text"] == "Bulle de parole":
            break
    names = [s["text"] for s in seen]
    # the page's form, then the tool bar (undo is there since the first edit), then the page
    assert {"Ajouter une page", "Déplacer à gauche", "Annuler"} <= set(names)
    assert names.index("Ajouter une page") < names.index("Annuler")
    reached = [s["el"] for s in seen if s["el"]]
    assert {"p1-1-e2", "p1-1-b5", "p1-3-b3"} <= set(reached)
    assert names[-1] == "Bulle de parole"  # the palette, after the page
    assert axe_violations(page, within=ROOT) == []
    assert outside == []
