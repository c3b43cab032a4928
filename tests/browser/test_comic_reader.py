"""The comic reader, exported to one file, read offline from disk in Debian's Chromium.

Every page is opened over file:// with every other request aborted and recorded: the reader
must need nothing but itself. Speech synthesis is replaced by a recorder before the page runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.archive import safe_extract
from imaginecole.exports.kolibri import KolibriExporter

from ..unit.comic.reader_comics import arabic_comic, comic_with_sounds, panels
from ..unit.comic.sample_comics import comic_bundle
from .conftest import axe_violations, block_outside

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# records what the reader asks the browser to say, instead of saying it, and its results
SPEECH = """
window.__results = [];
addEventListener('imaginecole:result', (e) => window.__results.push(e.detail.completion));
window.__spoken = [];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  speak(utterance) { window.__spoken.push({text: utterance.text, lang: utterance.lang}); },
  cancel() {}, pause() {}, resume() {}, getVoices() { return []; },
  speaking: false, pending: false, paused: false,
  addEventListener() {}, removeEventListener() {},
}});
"""
NO_SPEECH = (
    "Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: undefined});"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """kind -> (the exported page, its manifest), made once for the module."""
    tmp_path = tmp_path_factory.mktemp("comics")
    bundles = {
        "fr": comic_bundle(tmp_path / "fr"),
        "ar": arabic_comic(tmp_path / "ar"),
        "sounds": comic_with_sounds(tmp_path / "sounds"),
    }
    html = get_exporter("html")()
    return {
        kind: (html.export(bundle, tmp_path / f"{kind}.html"), bundle.manifest)
        for kind, bundle in bundles.items()
    }


class Reader:
    """A reader page opened offline, with what it tried to fetch and the errors it raised."""

    def __init__(self, browser, path: Path, *, viewport=DESKTOP, init_script: str = SPEECH):
        self.context = browser.new_context(
            offline=True, viewport=viewport, locale="fr-FR", reduced_motion="reduce"
        )
        self.outside = block_outside(self.context)
        self.errors: list[str] = []
        self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(path.as_uri())
        self.page.locator("#icr-nav").wait_for()

    def live_text(self) -> str:
        return self.page.locator("#icr-now").inner_text()

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], f"the reader fetched {self.outside}"
        assert self.errors == [], self.errors


@pytest.fixture
def open_reader(browser):
    opened: list[Reader] = []

    def open_(path: Path, **options) -> Reader:
        opened.append(Reader(browser, path, **options))
        return opened[-1]

    yield open_
    for reader in opened:
        reader.close()


def test_arrow_keys_go_panel_by_panel_and_the_live_region_follows(exported, open_reader):
    path, manifest = exported["fr"]
    alts = [panel["alt"] for panel in panels(manifest)]
    reader = open_reader(path)
    live = reader.page.locator("#icr-now")
    assert live.get_attribute("aria-live") == "polite"
    assert alts[0] in reader.live_text()
    reader.page.keyboard.press("ArrowRight")
    assert alts[1] in reader.live_text() and alts[0] not in reader.live_text()
    assert "Case 2 sur 3" in reader.live_text()
    assert "Moussa (pense) : Oh non… j'ai oublié mon cahier !" in reader.live_text()
    current = reader.page.locator("#icr-page-1 .ic-panel.icr-current")
    assert current.get_attribute("data-panel") == panels(manifest)[1]["id"]
    reader.page.keyboard.press("ArrowLeft")
    assert alts[0] in reader.live_text()
    # past the last panel of a page comes the first of the next page
    for _ in range(3):
        reader.page.keyboard.press("ArrowRight")
    assert alts[3] in reader.live_text() and "Page 2 sur 2" in reader.live_text()
    assert reader.page.locator("#icr-page-2").is_visible()
    assert reader.page.locator("#icr-page-1").is_hidden()
    # the last panel completes the comic (Kolibri's SCORM shell reports it)
    assert reader.page.evaluate("window.__results") == []
    for _ in range(len(alts) - 4):
        reader.page.keyboard.press("ArrowRight")
    assert alts[-1] in reader.live_text()
    assert reader.page.evaluate("window.__results") == ["completed"]
    reader.page.keyboard.press("ArrowRight")
    assert alts[-1] in reader.live_text()


def test_buttons_turn_pages_and_zoom_on_the_panel(exported, open_reader):
    path, manifest = exported["fr"]
    reader = open_reader(path)
    page = reader.page
    previous = page.get_by_role("button", name="Case précédente")
    assert previous.get_attribute("aria-disabled") == "true"
    page.get_by_role("button", name="Page suivante").click()
    assert panels(manifest)[3]["alt"] in reader.live_text()
    page.get_by_role("button", name="Page précédente").click()
    mode = page.get_by_role("button", name="Case par case")
    assert mode.get_attribute("aria-pressed") == "false"
    view = page.locator("#icr-page-1 svg.icr-view")
    assert view.get_attribute("viewBox") == "0 0 1240 1754"
    mode.click()
    assert mode.get_attribute("aria-pressed") == "true"
    x, y, w, h = map(float, view.get_attribute("viewBox").split())
    # the first panel's frame, with a small margin around it
    assert x < 40 < 40 + 1160 < x + w < 1240 + 60 and y < 40 < 40 + 542 < y + h < 700
    page.get_by_role("button", name="Case suivante").click()
    assert float(view.get_attribute("viewBox").split()[1]) > 500, "zoomed on the second panel"
    assert panels(manifest)[1]["alt"] in reader.live_text()
    # every control is reached with the keyboard and shows where the focus is
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused and outline != "none"


def test_a_swipe_turns_to_the_next_panel_and_a_tap_picks_one(exported, open_reader):
    path, manifest = exported["fr"]
    alts = [panel["alt"] for panel in panels(manifest)]
    reader = open_reader(path, viewport=PHONE)
    box = reader.page.locator("#icr-page-1 svg").first.bounding_box()
    x, y = box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5
    mouse = reader.page.mouse
    mouse.move(x, y)
    mouse.down()
    mouse.move(x - box["width"] * 0.5, y + 5, steps=4)
    mouse.up()
    assert alts[1] in reader.live_text()
    # a tap on the third panel (the bottom one of a strip) goes there
    mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.85)
    assert alts[2] in reader.live_text()


def test_read_aloud_says_the_current_panel_in_the_comic_language(exported, open_reader):
    path, manifest = exported["fr"]
    reader = open_reader(path)
    reader.page.keyboard.press("ArrowRight")
    reader.page.get_by_role("button", name="Lire à voix haute").click()
    spoken = reader.page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "fr"
    assert panels(manifest)[1]["alt"] in spoken[0]["text"]
    assert "Oh non… j'ai oublié mon cahier !" in spoken[0]["text"]
    assert reader.page.get_by_role("button", name="Arrêter la lecture").is_visible()


def test_without_speech_synthesis_the_read_aloud_buttons_are_hidden(exported, open_reader):
    reader = open_reader(exported["fr"][0], init_script=NO_SPEECH)
    assert reader.page.locator("#icr-read").is_hidden()
    assert reader.page.locator("#icr-stop").is_hidden()
    assert reader.page.locator("#icr-next").is_visible()


def test_arabic_reads_right_to_left(exported, open_reader):
    path, manifest = exported["ar"]
    alts = [panel["alt"] for panel in panels(manifest)]
    reader = open_reader(path)
    page = reader.page
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    page.keyboard.press("ArrowLeft")  # forwards, in a comic read from right to left
    assert alts[1] in reader.live_text()
    page.keyboard.press("ArrowRight")
    assert alts[0] in reader.live_text()
    next_button = page.get_by_role("button", name="المشهد التالي")
    previous_button = page.get_by_role("button", name="المشهد السابق")
    assert next_button.bounding_box()["x"] < previous_button.bounding_box()["x"]
    next_button.click()
    assert alts[1] in reader.live_text()
    page.get_by_role("button", name="اقرأ بصوت عالٍ").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[-1]["lang"] == "ar" and alts[1] in spoken[-1]["text"]


def test_each_panel_shows_its_own_sound_and_transcript(exported, open_reader):
    path, manifest = exported["sounds"]
    reader = open_reader(path)
    page = reader.page
    sounds = page.locator(".icr-sound")
    assert sounds.count() == 2
    assert sounds.nth(0).is_visible() and sounds.nth(1).is_hidden()
    assert "Écoute la case 1." in sounds.nth(0).inner_text()
    assert page.get_by_label("Écouter : case 1, page 1").evaluate("a => a.tagName") == "AUDIO"
    page.keyboard.press("ArrowRight")
    assert sounds.nth(0).is_hidden() and sounds.nth(1).is_visible()
    page.keyboard.press("ArrowRight")
    assert sounds.nth(0).is_hidden() and sounds.nth(1).is_hidden()


@pytest.mark.parametrize("kind", ["fr", "ar", "sounds"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "desktop"])
def test_no_serious_accessibility_violation_and_no_sideways_scroll(
    exported, open_reader, kind, viewport
):
    reader = open_reader(exported[kind][0], viewport=viewport)
    page = reader.page
    assert axe_violations(page) == []
    page.locator("#icr-mode").click()
    page.locator("#icr-next").click()
    page.locator("#icr-details summary").click()
    assert axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{width} px wide: the reader scrolls sideways"


HOST = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Kolibri (essai)</title></head>
<body><main><iframe sandbox="allow-scripts" src="app/index.html" title="BD"
  style="width: 900px; height: 1400px; border: 0"></iframe></main></body></html>
"""


def test_the_kolibri_app_reads_in_a_sandboxed_iframe(browser, tmp_path):
    bundle = comic_bundle(tmp_path / "bundle")
    out = KolibriExporter().export(bundle, tmp_path / "ecole.kolibri.zip")
    safe_extract(out, tmp_path / "app")
    (tmp_path / "host.html").write_text(HOST, encoding="utf-8")
    context = browser.new_context(offline=True, locale="fr-FR", reduced_motion="reduce")
    outside = block_outside(context, ("file:", "data:"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "host.html").as_uri())
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name="Case suivante").click()
    assert panels(bundle.manifest)[1]["alt"] in frame.locator("#icr-now").inner_text()
    context.close()
    assert outside == [] and errors == []
