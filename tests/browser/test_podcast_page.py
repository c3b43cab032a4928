"""The podcast page, exported to one file, opened offline from disk in Debian's Chromium.

Every request but file: and data: is aborted and recorded. The episodes are really built (short
espeak-ng and sine audio), so the players hold real MP3s: a chapter or a transcript sentence
moves its player (currentTime), the sentence heard is highlighted, and axe finds nothing serious.
"""

from __future__ import annotations

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle

from ..unit.podcast.sample_podcasts import podcast_bundle
from .conftest import axe_violations, block_outside

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """language -> the exported page, made once for the module."""
    tmp_path = tmp_path_factory.mktemp("podcasts")
    pages = {}
    for language in ("fr", "ar"):
        _manifest, folder = podcast_bundle(tmp_path / language, episodes=2, language=language)
        bundle = Bundle.load(folder)
        pages[language] = get_exporter("html")().export(bundle, tmp_path / f"{language}.html")
    return pages


def open_page(page, path):
    outside = block_outside(page.context)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function(
        "Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)"
    )
    return outside, errors


def test_chapters_and_sentences_move_the_player_offline(page, exported):
    outside, errors = open_page(page, exported["fr"])
    assert page.locator("audio").count() == 2
    second = page.locator("article").nth(1)
    audio = second.locator("audio")
    assert audio.evaluate("a => a.currentTime") == 0
    # "La musique" starts after the espeak sentence and its gap
    chapter = second.locator(".icq-chapter").nth(1)
    assert "La musique" in chapter.inner_text()
    start = float(chapter.get_attribute("data-start"))
    assert start > 1
    chapter.click()
    page.wait_for_function(
        "([a, t]) => Math.abs(a.currentTime - t) < 0.2", arg=[audio.element_handle(), start]
    )
    assert chapter.get_attribute("aria-current") == "true"
    # a transcript sentence: the player goes there and the sentence is highlighted
    sentence = second.locator(".icq-cue").nth(1)
    assert "Merci de nous avoir écoutés" in sentence.inner_text()
    sentence.click()
    page.wait_for_function("a => Math.abs(a.currentTime - 5.0) < 0.2", arg=audio.element_handle())
    assert sentence.get_attribute("aria-current") == "true"
    assert second.locator(".icq-cue").nth(0).get_attribute("aria-current") is None
    # the other episode has not moved
    assert page.locator("article").nth(0).locator("audio").evaluate("a => a.currentTime") == 0
    # the whole transcript and the notes are in the page
    assert second.locator(".icq-cue").count() == 2
    assert "https://example.org/ecole" in second.locator(".icq-notes a").get_attribute("href")
    assert outside == [] and errors == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_serious_accessibility_problem(page, exported, language):
    outside, errors = open_page(page, exported[language])
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert outside == [] and errors == []
