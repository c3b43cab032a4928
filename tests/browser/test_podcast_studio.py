"""The podcast studio in real Voilà and Debian's Chromium: a teacher records a segment.

Voilà serves a one-cell notebook that opens the studio on a copy of a sample podcast. Chromium
gets a fake microphone that says a French sentence (espeak-ng, 48 kHz): the recording must
reach the disk chunk by chunk while it goes on, become a segment of manifest.json when
stopped, and decode to more than 2 s of audio that is not silent.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from imaginecole.exports.pdf import CHROMIUM, CHROMIUM_ARGS

from imaginecole.podcast import audio

from ..unit.podcast.sample_podcasts import podcast_bundle
from .conftest import axe_violations
from .voila import RENDER_TIMEOUT, SAVE_DEADLINE, serve_voila, wait_for_saved

pytestmark = pytest.mark.browser

NOTEBOOK = "Podcast.ipynb"
CELL = """from imaginecole.widgets.podcast_studio import PodcastStudio

PodcastStudio("podcasts/radio", language="fr")"""
SENTENCE = "Bonjour à tous, ici la radio de l'école. Aujourd'hui nous parlons du jardin."


@pytest.fixture(scope="module")
def microphone(tmp_path_factory) -> Path:
    """The fake microphone's sound: a French sentence read by espeak-ng, 48 kHz mono."""
    folder = tmp_path_factory.mktemp("mic")
    raw, wav = folder / "raw.wav", folder / "voice.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(raw), SENTENCE], check=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-nostdin", "-i", raw, "-ar", "48000", "-ac", "1", wav],
        check=True,
    )
    return wav


@pytest.fixture(scope="module")
def mic_browser(browser, microphone):
    """Debian's Chromium with a fake microphone playing `microphone` (in a loop)."""
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
    ]
    # the same Playwright as the package's browser: a second sync Playwright cannot start
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    yield chromium
    chromium.close()


@pytest.fixture
def voila(tmp_path):
    """Voilà serving the studio on a fresh sample podcast; yields (url, bundle folder)."""
    home = tmp_path / "home"
    bundle = home / "podcasts" / "radio"
    podcast_bundle(bundle)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nbformat.write(notebook, home / NOTEBOOK)
    with serve_voila(home, NOTEBOOK) as url:
        yield url, bundle


def wait_for(check, what: str, deadline: float = SAVE_DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} never happened")


def part_size(media: Path) -> int:
    return sum(p.stat().st_size for p in media.glob("*.webm.part"))


def test_a_teacher_records_a_segment(voila, mic_browser):
    url, bundle = voila
    manifest = bundle / "manifest.json"
    context = mic_browser.new_context(locale="fr-FR")
    context.grant_permissions(["microphone"])
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(url)
        record = page.get_by_role("button", name="Enregistrer un nouveau segment")
        record.wait_for(timeout=RENDER_TIMEOUT)
        page.locator(".icpo-segment").nth(2).wait_for()
        assert axe_violations(page) == []

        record.click()
        # the chunks reach the disk while the recording goes on
        media = bundle / "media"
        first = wait_for(lambda: part_size(media), "a first chunk on disk")
        wait_for(lambda: part_size(media) > first, "more chunks on disk")
        page.get_by_text("Enregistrement : 4 s sauvegardées").wait_for(timeout=30_000)
        assert part_size(media) > first
        page.get_by_role("button", name="Arrêter l'enregistrement").click()

        segments = wait_for_saved(
            manifest,
            lambda s: len(s) == 4,
            pick=lambda data: data["episodes"][0]["segments"],
            what="the recorded segment",
        )
        recorded = segments[-1]
        assert recorded["kind"] == "recording"
        path = bundle / recorded["src"]
        assert path.suffix == ".webm" and not list(media.glob("*.webm.part"))
        assert audio.probe(path).duration >= 2.0
        assert not audio.is_silent(path)

        # the new segment's trim handle, with the keyboard alone
        row = page.locator(".icpo-segment").nth(3)
        row.wait_for()
        start = row.get_by_role("slider", name="Début du segment, en secondes")
        start.focus()
        start.press("Shift+ArrowRight")
        wait_for_saved(
            manifest,
            lambda s: s.get("trim_start") == 1.0,
            pick=lambda data: data["episodes"][0]["segments"][3],
            what="the trim made with the keyboard",
        )
        # listen to it: a short render comes back as a data: URL
        row.get_by_role("button", name="Écouter").click()
        page.locator('.icpo-player[src^="data:audio/mpeg"]').wait_for(timeout=30_000)
        assert axe_violations(page) == []
    finally:
        context.close()
