"""The podcast studio in real JupyterLab and Debian's Chromium: a teacher records a segment.

JupyterLab serves the teacher's home; the notebook sits in a folder of its own, next to a copy
of the example podcast it opens by a path relative to itself. Chromium's fake microphone says
a French sentence (espeak-ng): the recording must become a segment of manifest.json whose
file decodes to more than 2 s of sound that is not silent. The teacher then moves it up and
trims it with the keyboard, keys Lab must leave to the studio; Tab reaches every control of
the segments, and axe finds no serious problem in the studio.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

from imaginecole.podcast import audio

from .conftest import axe_violations, block_outside
from .lab import RENDER_TIMEOUT, open_notebook, output_area, run_first_code_cell, serve_lab
from .test_podcast_studio import mic_browser, microphone  # noqa: F401 (fixtures)
from .voila import REPO, wait_for_saved

pytestmark = pytest.mark.browser

EXAMPLE = REPO / "notebooks" / "examples" / "podcast-radio-ecole"
FOLDER = "Ma classe"
NOTEBOOK = f"{FOLDER}/Créer un podcast.ipynb"
CELL = """from imaginecole.widgets.podcast_studio import PodcastStudio

PodcastStudio("podcasts/radio", language="fr")"""
ROOT = ".jp-OutputArea-output .icpo-studio"
MAX_TABS = 60


@pytest.fixture
def lab(tmp_path):
    """Lab on a home holding the notebook and a fresh copy of the example podcast."""
    home = tmp_path / "home"
    bundle = home / FOLDER / "podcasts" / "radio"
    shutil.copytree(EXAMPLE, bundle)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, home / NOTEBOOK)
    with serve_lab(home) as lab:
        yield lab, bundle
    assert lab.left_running == []  # the notebook's kernel stopped with Lab


def segments(data: dict) -> list[dict]:
    return data["episodes"][0]["segments"]


def test_a_teacher_records_a_segment_in_jupyterlab(lab, mic_browser):  # noqa: F811
    lab, bundle = lab
    manifest = bundle / "manifest.json"
    context = mic_browser.new_context(locale="fr-FR")
    context.grant_permissions(["microphone"])
    outside = block_outside(context, allowed=(lab.url, "data:", "blob:"))
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 1000})
        open_notebook(page, lab, NOTEBOOK)
        run_first_code_cell(page)
        studio = output_area(page).locator(".icpo-studio")
        record = studio.get_by_role("button", name="Enregistrer un nouveau segment")
        record.wait_for(timeout=RENDER_TIMEOUT)
        studio.locator(".icpo-segment").nth(2).wait_for()
        # the widget's style sheet reached Lab's page: the trim handles are placed on the wave
        handle = studio.locator(".icpo-handle").first
        assert handle.evaluate("node => getComputedStyle(node).position") == "absolute"

        record.scroll_into_view_if_needed()
        record.click()
        studio.get_by_text("Enregistrement : 3 s sauvegardées").wait_for(timeout=30_000)
        studio.get_by_role("button", name="Arrêter l'enregistrement").click()
        recorded = wait_for_saved(
            manifest,
            lambda s: len(s) == 4,
            pick=segments,
            what="the recorded segment",
        )[-1]
        assert recorded["kind"] == "recording"
        path = bundle / recorded["src"]
        assert path.suffix == ".webm" and path.parent == bundle / "media"
        assert not list(path.parent.glob("*.part"))
        assert audio.probe(path).duration >= 2.0
        assert not audio.is_silent(path)

        # move it up before « Au revoir », with its button
        row = studio.locator(f'.icpo-segment[data-segment="{recorded["id"]}"]')
        row.get_by_role("button", name="Monter").click()
        order = wait_for_saved(
            manifest,
            lambda ids: ids[2] == recorded["id"],
            pick=lambda data: [s["id"] for s in segments(data)],
            what="the segment moved up",
        )
        assert order == ["s1", "s2", recorded["id"], "s3"]

        # trim its start with the keyboard: Lab must leave the arrows to the slider
        start = row.get_by_role("slider", name="Début du segment, en secondes")
        start.focus()
        start.press("Shift+ArrowRight")
        wait_for_saved(
            manifest,
            lambda s: s.get("trim_start") == 1.0,
            pick=lambda data: segments(data)[2],
            what="the trim made with the keyboard",
        )
        assert page.locator(".jp-NotebookPanel .jp-Cell").count() == 2  # no cell added

        # Tab goes from the recorder through every segment's controls
        record.focus()
        seen = []
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            now = page.evaluate(
                """(root) => {
                    const a = document.activeElement;
                    const row = a && a.closest(".icpo-segment");
                    return {
                        inside: !!(a && a.closest(root)),
                        segment: row ? row.dataset.segment : "",
                        name: (a.getAttribute("aria-label") || a.textContent || "").trim(),
                    };
                }""",
                ROOT,
            )
            if not now["inside"] or (seen and not now["segment"] and seen[-1]["segment"]):
                break
            seen.append(now)
        reached = {(s["segment"], s["name"]) for s in seen}
        for segment in order:
            assert (segment, "▶ Écouter") in reached
            assert (segment, "Début du segment, en secondes") in reached
        assert (recorded["id"], "✖ Retirer") in reached
        assert axe_violations(page, within=ROOT) == []
        assert outside == []
    finally:
        context.close()
