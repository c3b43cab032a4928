"""The ``app-html`` export of the sample app, opened from disk in Chromium with the network cut:
the widgets are drawn from the embedded state, the slider moves the jslink'd gauge, the page
says what needs the live app, and nothing is requested from outside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from imaginecole.exports.app_html import AppHtmlExporter
from imaginecole.exports.base import Bundle

from .conftest import axe_violations, block_outside

SAMPLE_APP = Path(__file__).resolve().parents[2] / "notebooks" / "examples" / "app-fractions"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("app-html") / "fractions.html"
    return AppHtmlExporter().export(Bundle.load(SAMPLE_APP), out)


def test_offline_page_draws_the_widgets_and_the_slider_moves_the_gauge(browser, exported):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    outside = block_outside(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(exported.as_uri())

    handle = page.get_by_role("slider").first
    handle.wait_for()
    assert page.get_by_text("Numérateur").first.is_visible()
    assert handle.get_attribute("aria-valuetext") == "3"
    assert page.get_by_text("3/8 = 0,375", exact=True).is_visible()  # the text drawn by the kernel
    bar = page.locator(".widget-hprogress .progress-bar")
    assert bar.evaluate("e => e.style.width") == "37.5%"

    handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")

    page.wait_for_function(
        "() => document.querySelector('.widget-hprogress .progress-bar').style.width === '62.5%'"
    )
    assert handle.get_attribute("aria-valuetext") == "5"
    assert page.locator(".widget-readout").first.inner_text().strip() == "5"
    # the title, the offline note and what needs the live app, in French
    assert page.locator("h1.ica-title").inner_text() == "Les fractions en images"
    note = page.get_by_role("note").inner_text()
    assert "Version hors ligne." in note and "se recalculent" in note
    assert page.locator("html").get_attribute("lang") == "fr"
    assert not re.search(r"import ipywidgets|def barre", page.content())  # no code shown
    assert outside == [] and errors == []
    assert axe_violations(page) == []
    context.close()


def test_offline_page_fits_a_phone(browser, exported):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    outside = block_outside(context)
    page = context.new_page()
    page.goto(exported.as_uri())
    page.get_by_role("slider").first.wait_for()

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    bar = page.locator(".widget-html-content svg").bounding_box()  # the whole fraction bar shows
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= 360
    assert outside == []
    context.close()
