"""The Kolibri zip, unpacked, plays inside `<iframe sandbox="allow-scripts">`, offline.

Kolibri shows an HTML5 app in a sandboxed iframe whose origin is opaque. From file:// the
grain plays there; but Chromium refuses an opaque origin any file:// sub-resource ("Not allowed
to load local resource"), so the media are checked the way Kolibri serves the app: over HTTP,
from a real server on 127.0.0.1.
"""

from pathlib import Path

import pytest
from imaginecole.exports.archive import safe_extract
from imaginecole.exports.base import Bundle
from imaginecole.exports.kolibri import KolibriExporter

from .conftest import LOCAL, axe_violations, block_outside

pytestmark = pytest.mark.browser
GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"

# Kolibri's renderer: the app in an iframe with an opaque origin (no allow-same-origin)
HOST = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Kolibri (essai)</title></head>
<body><main><iframe sandbox="allow-scripts" src="app/index.html" title="Grain"
  style="width: 900px; height: 1400px; border: 0"></iframe></main></body></html>
"""


def unpacked(kind: str, folder: Path) -> Path:
    out = KolibriExporter().export(Bundle.load(GRAINS / kind), folder / f"{kind}.kolibri.zip")
    safe_extract(out, folder / "app")
    host = folder / "host.html"
    host.write_text(HOST, encoding="utf-8")
    return host


def open_host(browser, url: str, allowed: tuple[str, ...]):
    context = browser.new_context(offline=not url.startswith("http"), locale="fr-FR")
    outside = block_outside(context, allowed)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(url)
    frame = page.frame_locator("iframe")
    frame.locator(".icp-question").first.wait_for()
    app = next(f for f in page.frames if f.url.endswith("app/index.html"))
    return context, frame, app, outside, errors


def test_the_grain_plays_in_a_sandboxed_iframe_from_file(browser, tmp_path):
    host = unpacked("multiple_choice", tmp_path)
    context, frame, app, outside, errors = open_host(browser, host.as_uri(), LOCAL)
    # the sandbox is real: the app's origin is opaque and its storage is out of reach
    assert app.evaluate("origin") == "null"
    storage = (
        "(() => { try { localStorage.length; return 'open'; } catch (e) { return e.name; } })()"
    )
    assert app.evaluate(storage) == "SecurityError"

    app.evaluate("addEventListener('imaginecole:result', e => { window.__r = e.detail; })")
    frame.get_by_role("checkbox", name="4", exact=True).check()
    frame.get_by_role("checkbox", name="10", exact=True).check()
    frame.get_by_role("button", name="Vérifier").click()
    assert "Bravo" in frame.locator(".icp-feedback").inner_text()
    assert app.evaluate("window.__r.scaled") == 1
    assert axe_violations(app) == []
    context.close()
    assert outside == [] and errors == []


def test_enter_in_a_blank_checks_in_the_sandbox(browser, tmp_path):
    # Kolibri's default sandbox has no allow-forms: implicit submission is blocked too
    host = unpacked("fill_blanks", tmp_path)
    context, frame, app, outside, errors = open_host(browser, host.as_uri(), LOCAL)
    for n, word in enumerate(["chaton", "lait", "natte"], 1):
        frame.get_by_label(f"Blanc {n}", exact=True).fill(word)
    frame.get_by_label("Blanc 3", exact=True).press("Enter")
    assert "Bravo" in frame.locator(".icp-feedback").inner_text()
    context.close()
    assert outside == [] and errors == []


def test_media_beside_the_page_load_in_the_sandbox_over_http(browser, tmp_path, served):
    unpacked("question_set", tmp_path)
    context, frame, app, outside, errors = open_host(
        browser, f"{served}/host.html", (served + "/", "data:", "blob:")
    )
    assert app.evaluate("origin") == "null"
    image = frame.locator("img").first
    image.evaluate("i => i.decode()")
    assert image.get_attribute("src") == "./media/triangle.png"
    assert image.evaluate("i => i.naturalWidth") == 240
    audio = frame.locator("audio").first
    assert audio.get_attribute("src") == "./media/son-aigu.wav"
    audio.evaluate(
        """a => a.readyState >= 1 || new Promise((ok, ko) => {
            a.addEventListener('loadedmetadata', ok);
            a.addEventListener('error', ko);
            a.load();
        })"""
    )
    assert audio.evaluate("a => a.duration") > 0

    frame.get_by_role("radio", name="Un triangle").check()
    frame.get_by_role("button", name="Vérifier").first.click()
    assert "Bravo" in frame.locator(".icp-feedback").first.inner_text()
    context.close()
    assert outside == [] and errors == []
