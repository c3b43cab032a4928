"""Debian's Chromium driven by Playwright; axe-core from node_modules."""

from __future__ import annotations

import json
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

# the same Debian Chromium and flags the pdf exporter prints with
from imaginecole.exports.pdf import CHROMIUM, CHROMIUM_ARGS

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"


# package scope: Playwright's sync API keeps an event loop running until it stops,
# which would break asyncio.run() in the tests collected after this folder
@pytest.fixture(scope="package")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run ./studio install (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical"), within: str | None = None) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA rules) in the page; return serious and critical violations.

    `within`: a CSS selector, to check only that part of the page (a widget in JupyterLab).
    """
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (within) => await axe.run(within ? document.querySelector(within) : document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })""",
        within,
    )
    found = [v for v in result["violations"] if v["impact"] in impacts]
    for violation in found:
        violation["nodes"] = [n["html"] for n in violation["nodes"]][:5]
    return json.loads(json.dumps(found))


LOCAL = ("file:", "data:", "blob:")  # what a page opened from disk may load


def block_outside(
    context, allowed: tuple[str, ...] = LOCAL, outside: list[str] | None = None
) -> list[str]:
    """Abort every request of `context` to an address not starting with `allowed`.

    Returns the list the aborted addresses are added to (`outside`, or a new one), for the
    test to assert it empty.
    """
    outside = [] if outside is None else outside

    def guard(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return outside


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture
def served(tmp_path):
    """A real HTTP server on 127.0.0.1 serving `tmp_path`, as Kolibri serves an unpacked app."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()  # the socket is already listening: no readiness to wait for
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
