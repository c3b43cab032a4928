"""« Composer un module ou un parcours » in real Voilà and in real JupyterLab, in Chromium.

A teacher builds a module from her own grains, puts them in order by dragging a row AND with
the keyboard alone (Move up / Move down, announced), sets the completion rule, and opens the
preview: the sequence player with its navigation. Every change is on disk at once. In Voilà
she also finds a resource in a real catalogue server and adds it. axe-core finds no serious
problem in the widget, and nothing is wider than a 360 px phone. Offline: every request to
anything but the server is refused and counted.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import nbformat
import pytest
from playwright.sync_api import expect

from tests.sequence_fixtures import make_grain, make_module

from .conftest import axe_violations, block_outside
from .lab import RENDER_TIMEOUT as LAB_RENDER
from .lab import open_notebook, run_first_code_cell, serve_lab
from .voila import RENDER_TIMEOUT, REPO, serve_voila, wait_for_saved

pytestmark = pytest.mark.browser

NOTEBOOK = REPO / "notebooks" / "fr" / "Composer un module ou un parcours.ipynb"
ROOT = ".icsq"
TITLES = ["Lire une fraction", "Comparer des fractions", "Vocabulaire"]


def named(text: str) -> re.Pattern:
    """A button's whole name, after the icon font's glyph ipywidgets puts in front of it."""
    return re.compile(rf"^\W?\s*{re.escape(text)}$")


def shown(text: str) -> str:
    """Text as read, whatever spaces ipywidgets drew (it draws option spaces as nbsp)."""
    return re.sub(r"\s+", " ", text).strip()


def wait_for_order(folder, order: list[str]) -> None:
    wait_for_saved(
        folder / "manifest.json",
        lambda got: got == order,
        pick=lambda m: [p["title"] for p in m["module"]["parts"]],
        what="the order of the parts",
    )


def rows(page) -> list[str]:
    return [
        t.split(". ", 1)[1].strip()
        for t in page.locator(f"{ROOT} .icsc-row .icsc-title").all_inner_texts()
    ]


def drag_row(page, source: int, target: int) -> None:
    """Press the handle of row `source`, move over row `target`, let go (mouse, as a teacher)."""
    handle = page.locator(f"{ROOT} .icsc-row").nth(source).locator(".icsc-handle")
    page.locator(f"{ROOT} .icsc-list").scroll_into_view_if_needed()
    box = handle.bounding_box()
    goal = page.locator(f"{ROOT} .icsc-row").nth(target).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    y = goal["y"] + (goal["height"] * (0.25 if target < source else 0.75))
    for step in range(1, 9):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + (y - box["y"]) * step / 8)
    page.mouse.up()


def reorder_and_preview(page, folder, live_text) -> None:
    """What the two tests share once the module with the three grains is open."""
    # keyboard: Tab to « Descendre « Lire une fraction » », Enter, announced, focus kept
    down = page.get_by_role("button", name="Descendre « Lire une fraction »")
    down.focus()
    page.keyboard.press("Enter")
    wait_for_order(folder, [TITLES[1], TITLES[0], TITLES[2]])
    expect(page.locator(f"{ROOT} .icsc-live")).to_have_text(
        "“Lire une fraction” est maintenant en position 2 sur 3"
    )
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Descendre « Lire une fraction »"
    page.keyboard.press("Enter")
    wait_for_order(folder, [TITLES[1], TITLES[2], TITLES[0]])
    expect(page.locator(f"{ROOT} .icsc-live")).to_have_text(live_text)
    # now last: its Move down is disabled, the focus went to its Move up
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Monter « Lire une fraction »"
    )
    page.keyboard.press("Enter")
    wait_for_order(folder, [TITLES[1], TITLES[0], TITLES[2]])

    # drag and drop: « Vocabulaire » (row 3) onto the top
    drag_row(page, 2, 0)
    wait_for_order(folder, [TITLES[2], TITLES[1], TITLES[0]])
    expect(page.locator(f"{ROOT} .icsc-row .icsc-title").first).to_contain_text("Vocabulaire")
    assert rows(page) == [TITLES[2], TITLES[1], TITLES[0]]

    # the completion rule
    page.get_by_label("Le module est réussi quand").select_option(index=2)
    score = page.get_by_label("Moyenne demandée (%)")
    score.fill("80")
    score.press("Tab")
    wait_for_saved(
        folder / "manifest.json",
        lambda got: got == {"rule": "score", "score": 0.8},
        pick=lambda m: m["module"]["completion"],
        what="the completion rule",
    )

    # the preview: the sequence player, its navigation
    page.get_by_role("button", name=named("Aperçu")).click()
    frame = page.frame_locator(f"{ROOT} iframe.icsq-frame")
    nav = frame.locator("nav#ics-nav")
    # on a narrow frame the contents fold behind their button: read them, shown or not
    expect(nav).to_contain_text("Vocabulaire", timeout=60_000)
    assert nav.get_attribute("aria-label") == "Sommaire"
    texts = nav.text_content()
    assert texts.index("Vocabulaire") < texts.index(TITLES[1]) < texts.index(TITLES[0])
    expect(frame.locator("#ics-rule")).to_contain_text("score moyen d'au moins 80")
    frame.get_by_role("button", name="Démarrer").click()
    expect(frame.locator("#ics-part-title")).to_have_text("Vocabulaire")
    expect(frame.get_by_role("button", name="Suivant")).to_be_visible()
    expect(frame.locator("#ics-where")).to_contain_text("1")


@pytest.fixture
def voila_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(NOTEBOOK, home / NOTEBOOK.name)
    for title, kind in zip(TITLES, ("multiple_choice", "true_false", "flashcards"), strict=True):
        make_grain(home, title, kind, country="SN", level="cm1")
    return home


def test_a_teacher_composes_a_module_in_voila(voila_home, page, tmp_path_factory):
    from tests.unit.catalogue.webserver import Site

    site = Site(tmp_path_factory.mktemp("catalogue"))
    os.environ["IMAGINECOLE_CATALOGUE_URL"] = site.url
    try:
        with serve_voila(voila_home, NOTEBOOK.name) as url:
            compose_in_voila(page, url, voila_home, site)
    finally:
        os.environ.pop("IMAGINECOLE_CATALOGUE_URL", None)
        site.close()


def compose_in_voila(page, url, home, site) -> None:
    outside = block_outside(page.context, allowed=(url, site.url, "data:", "blob:", "about:"))
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(url)
    page.get_by_role("heading", name="Choisir ou créer un module ou un parcours").wait_for(
        timeout=RENDER_TIMEOUT
    )
    page.get_by_label("Titre du nouveau module ou parcours").fill("Les fractions")
    page.get_by_role("button", name=named("Créer")).click()
    folder = home / "modules" / "les-fractions"
    mine = page.get_by_label("Vos ressources")
    mine.wait_for(timeout=60_000)
    for title in TITLES:
        labels = [shown(o) for o in mine.locator("option").all_inner_texts()]
        mine.select_option(index=next(i for i, o in enumerate(labels) if o.startswith(title)))
        page.get_by_role("button", name=named("Ajouter")).click()
        page.locator(f"{ROOT} .icsc-row", has_text=title).wait_for()
    wait_for_order(folder, TITLES)
    assert axe_violations(page, within=ROOT) == []

    reorder_and_preview(page, folder, "“Lire une fraction” est maintenant en position 3 sur 3")
    assert axe_violations(page, within=ROOT) == []

    # the catalogue: search, add; the resource is copied into catalogue/ and listed
    page.get_by_label("Rechercher dans le catalogue").fill("formes")
    page.get_by_role("button", name=named("Rechercher")).click()
    found = page.get_by_label("Trouvé dans le catalogue")
    expect(found.locator("option")).to_have_count(1)
    assert shown(found.locator("option").inner_text()).startswith("Les formes géométriques")
    page.get_by_role("button", name="Ajouter depuis le catalogue").click()
    page.locator(f"{ROOT} .icsc-row", has_text="Les formes géométriques").wait_for()
    expect(page.locator(f"{ROOT} .icsc-row").last).to_contain_text("du catalogue")
    saved = json.loads((folder / "manifest.json").read_text())["module"]["parts"][-1]
    assert saved["id"] == site.published and saved["catalogue"].startswith(site.url)
    assert (folder / saved["path"] / "manifest.json").resolve().parent.parent == home / "catalogue"

    # a phone: nothing wider than the screen
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert outside == []


@pytest.fixture
def lab(tmp_path):
    home = tmp_path / "home"
    folder = make_module(home, 0, extra=(), title="Les fractions")
    for title, kind in zip(TITLES, ("multiple_choice", "true_false", "flashcards"), strict=True):
        from imaginecole.sequence import add_item

        add_item(folder, make_grain(home, title, kind))
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from imaginecole.widgets.sequence_composer import SequenceComposer\n\n"
                'SequenceComposer("modules/les-fractions", language="fr", catalogue_url="")'
            )
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, home / "Composer.ipynb")
    with serve_lab(home) as running:
        yield running, folder
    assert running.left_running == []


def test_a_teacher_reorders_and_previews_a_module_in_jupyterlab(lab, page):
    lab, folder = lab
    outside = block_outside(page.context, allowed=(lab.url, "data:", "blob:", "about:"))
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_notebook(page, lab, "Composer.ipynb")
    run_first_code_cell(page)
    page.locator(f"{ROOT} .icsc-row").nth(2).wait_for(timeout=LAB_RENDER)
    assert rows(page) == TITLES
    assert axe_violations(page, within=f".jp-OutputArea-output {ROOT}") == []
    reorder_and_preview(page, folder, "“Lire une fraction” est maintenant en position 3 sur 3")
    assert axe_violations(page, within=f".jp-OutputArea-output {ROOT}") == []
    assert outside == []


def test_a_teacher_sets_the_prerequisites_of_a_parcours_in_voila(tmp_path, page):
    """Modules 2 and 3 need module 1: she ticks module 2 for module 3 with the keyboard, a
    move that breaks a prerequisite is refused and said, and the preview locks module 3."""
    from tests.sequence_fixtures import make_parcours

    home = tmp_path / "home"
    folder = make_parcours(home, 3, 1)
    shutil.copy(NOTEBOOK, home / NOTEBOOK.name)
    manifest = folder / "manifest.json"

    def needs() -> list[list[str]]:
        modules = json.loads(manifest.read_text())["parcours"]["modules"]
        return [m.get("prerequisites", []) for m in modules]

    ids = [m["id"] for m in json.loads(manifest.read_text())["parcours"]["modules"]]
    with serve_voila(home, NOTEBOOK.name) as url:
        outside = block_outside(page.context, allowed=(url, "data:", "blob:", "about:"))
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(url)
        mine = page.get_by_label("Vos modules et parcours")
        mine.wait_for(timeout=RENDER_TIMEOUT)
        labels = [shown(o) for o in mine.locator("option").all_inner_texts()]
        mine.select_option(index=next(i for i, o in enumerate(labels) if "parcours" in o))
        page.get_by_role("button", name=named("Ouvrir")).click()
        page.locator(f"{ROOT} .icsc-row").nth(2).wait_for(timeout=60_000)
        assert rows(page) == ["Module 1", "Module 2", "Module 3"]
        third = page.locator(f"{ROOT} .icsc-row").nth(2)
        assert third.get_by_role("group", name="« Module 3 » demande d'abord\u00a0:").is_visible()
        assert third.get_by_label("Module 1").is_checked()

        # tick « Module 2 » for module 3 with the keyboard
        box = third.get_by_label("Module 2")
        box.focus()
        page.keyboard.press("Space")
        wait_for_saved(
            manifest,
            lambda got: got == [[], [ids[0]], [ids[0], ids[1]]],
            pick=lambda m: [x.get("prerequisites", []) for x in m["parcours"]["modules"]],
            what="the prerequisites",
        )
        expect(page.locator(f"{ROOT} .icsc-live")).to_have_text(
            "« Module 3 » demande maintenant d'abord\u00a0: Module 1, Module 2"
        )
        assert page.evaluate("document.activeElement.id") == box.get_attribute("id")

        # module 2 above module 1, which it needs: refused, said, nothing moves
        page.get_by_role("button", name="Monter « Module 2 »").click()
        expect(page.locator(f"{ROOT} .icb-error").first).to_contain_text("un prérequis doit être")
        assert rows(page) == ["Module 1", "Module 2", "Module 3"]
        assert needs() == [[], [ids[0]], [ids[0], ids[1]]]
        assert axe_violations(page, within=ROOT) == []

        # the preview: modules 2 and 3 locked until module 1 is done
        page.get_by_role("button", name=named("Aperçu")).click()
        frame = page.frame_locator(f"{ROOT} iframe.icsq-frame")
        expect(frame.locator("nav#ics-nav")).to_contain_text("Module 3", timeout=60_000)
        expect(
            frame.get_by_text("Verrouillé : terminez d'abord", exact=False).first
        ).to_be_attached()
        assert outside == []
