"""SCORM packages in Debian's Chromium, under a real SCORM run-time: scorm-again.

Each test unpacks a package made by the scorm12 / scorm2004 exporter into a folder served on
127.0.0.1, with an "LMS" page that creates ``window.API`` (Scorm12API) or ``window.API_1484_11``
(Scorm2004API) from node_modules/scorm-again and opens the SCO in an iframe. The learner answers
in the frame; the test reads what the SCO stored through the API.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from imaginecole.exports.archive import safe_extract
from imaginecole.exports.base import Bundle
from imaginecole.exports.scorm import Scorm12Exporter, Scorm2004Exporter

from imaginecole.player import player_strings

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
GRAINS = REPO / "tests" / "fixtures" / "grains"
SCORM_AGAIN = REPO / "node_modules" / "scorm-again" / "dist"
CHECK = player_strings("fr")["check"]

DIALECTS = {
    "1.2": {
        "exporter": Scorm12Exporter,
        "script": "scorm12.js",
        "api": "API",
        "cls": "Scorm12API",
        "set": "LMSSetValue",
        "get": "LMSGetValue",
        "calls": ("LMSInitialize", "LMSCommit", "LMSFinish"),
    },
    "2004": {
        "exporter": Scorm2004Exporter,
        "script": "scorm2004.js",
        "api": "API_1484_11",
        "cls": "Scorm2004API",
        "set": "SetValue",
        "get": "GetValue",
        "calls": ("Initialize", "Commit", "Terminate"),
    },
}

LMS_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>LMS de test</title>
<script src="/lms/{script}"></script>
<script>
window.__sets = [];
window.__calls = [];
window.{api} = new {cls}({{autocommit: false}});
window.{api}.on("{set}.cmi.*", function (element, value) {{
  window.__sets.push([element, String(value)]);
}});
{calls}.forEach(function (name) {{
  window.{api}.on(name, function () {{ window.__calls.push(name); }});
}});
</script></head>
<body><iframe id="sco" title="SCO" src="{src}" style="width:100%;height:900px"></iframe></body>
</html>"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder served on 127.0.0.1 by a thread; stopped after the module."""
    if not (SCORM_AGAIN / "scorm12.js").is_file():
        pytest.fail("scorm-again is missing from node_modules: run `npm install` in the repo")
    root = tmp_path_factory.mktemp("lms")
    (root / "lms").mkdir()
    (root / "favicon.ico").write_bytes(b"")  # Chromium asks for one; a 404 would log an error
    for name in ("scorm12.js", "scorm2004.js"):
        shutil.copy(SCORM_AGAIN / name, root / "lms" / name)
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def publish(root: Path, grain: str, version: str, tmp_path: Path) -> str:
    """Export `grain` for `version`, unpack it under the site and write its LMS page."""
    dialect = DIALECTS[version]
    package = dialect["exporter"]().export(Bundle.load(GRAINS / grain), tmp_path / "sco.zip")
    name = f"{grain}-{version}-{tmp_path.name}"
    safe_extract(package, root / name)
    page = LMS_PAGE.format(
        script=dialect["script"],
        api=dialect["api"],
        cls=dialect["cls"],
        set=dialect["set"],
        calls=json.dumps(list(dialect["calls"])),
        src=f"/{name}/index.html",
    )
    (root / f"{name}.html").write_text(page, encoding="utf-8")
    return name


@pytest.fixture
def watched(browser):
    """A fresh page whose console errors and uncaught exceptions are collected."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console.{msg.type}: {msg.text}")
            if msg.type in ("error", "assert")
            else None
        ),
    )
    yield page, problems
    context.close()


def answer_single_choice(frame, right: bool) -> None:
    q = json.loads((GRAINS / "single_choice" / "manifest.json").read_text("utf-8"))["questions"][0]
    text = next(c["text"] for c in q["choices"] if c["correct"] == right)
    frame.get_by_role("radio", name=text).check()
    frame.get_by_role("button", name=CHECK).click()


def cmi(page, version: str, element: str) -> str:
    return page.evaluate(
        f"(el) => window.{DIALECTS[version]['api']}.{DIALECTS[version]['get']}(el)", element
    )


def last_set(page, element: str) -> str | None:
    values = [value for name, value in page.evaluate("window.__sets") if name == element]
    return values[-1] if values else None


def open_lms(page, port: int, name: str):
    page.goto(f"http://127.0.0.1:{port}/{name}.html")
    frame = page.frame_locator("#sco")
    frame.locator(".icp-question").first.wait_for()
    return frame


# ---- SCORM 1.2


@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
def test_scorm12_reports_score_status_and_time(site, watched, tmp_path, right):
    root, port = site
    page, problems = watched
    frame = open_lms(page, port, publish(root, "single_choice", "1.2", tmp_path))
    assert page.evaluate("window.__calls") == ["LMSInitialize"]
    assert cmi(page, "1.2", "cmi.core.lesson_status") == "not attempted"

    answer_single_choice(frame, right)
    page.wait_for_function("window.__calls.includes('LMSCommit')")

    assert cmi(page, "1.2", "cmi.core.score.min") == "0"
    assert cmi(page, "1.2", "cmi.core.score.max") == "100"
    assert cmi(page, "1.2", "cmi.core.score.raw") == ("100" if right else "0")
    assert cmi(page, "1.2", "cmi.core.lesson_status") == ("passed" if right else "failed")
    # session_time is write-only in SCORM 1.2: read what the SCO sent
    assert re.fullmatch(r"\d{4}:\d{2}:\d{2}\.\d{2}", last_set(page, "cmi.core.session_time"))

    # leaving the SCO terminates the session, once
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.__calls.includes('LMSFinish')")
    assert page.evaluate("window.__calls").count("LMSFinish") == 1
    assert problems == []


def test_scorm12_status_follows_the_pass_mark(site, watched, tmp_path):
    """question_set has pass_mark 0.6: 55 % fails, 60 % passes (a result the player sends)."""
    root, port = site
    page, problems = watched
    open_lms(page, port, publish(root, "question_set", "1.2", tmp_path))
    sco = page.frame(url=re.compile(r"/index\.html$"))
    for scaled, status in ((0.55, "failed"), (0.6, "passed")):
        sco.evaluate(
            """(scaled) => window.dispatchEvent(new CustomEvent('imaginecole:result', {detail:
                 {raw: scaled * 10, max: 10, scaled, success: scaled >= 0.6,
                  completion: 'completed', answered: 8, total: 8, perQuestion: []}}))""",
            scaled,
        )
        assert cmi(page, "1.2", "cmi.core.lesson_status") == status
        assert float(cmi(page, "1.2", "cmi.core.score.raw")) == pytest.approx(scaled * 100)
    assert problems == []


# ---- SCORM 2004


@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
def test_scorm2004_reports_score_status_and_time(site, watched, tmp_path, right):
    root, port = site
    page, problems = watched
    frame = open_lms(page, port, publish(root, "single_choice", "2004", tmp_path))
    assert page.evaluate("window.__calls") == ["Initialize"]

    answer_single_choice(frame, right)
    page.wait_for_function("window.__calls.includes('Commit')")

    assert float(cmi(page, "2004", "cmi.score.scaled")) == (1 if right else 0)
    assert float(cmi(page, "2004", "cmi.score.raw")) == (1 if right else 0)
    assert float(cmi(page, "2004", "cmi.score.max")) == 1
    assert cmi(page, "2004", "cmi.completion_status") == "completed"
    assert cmi(page, "2004", "cmi.success_status") == ("passed" if right else "failed")
    session = last_set(page, "cmi.session_time")
    assert re.fullmatch(r"PT\d+H\d+M\d+(\.\d{1,2})?S", session), session

    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.__calls.includes('Terminate')")
    assert page.evaluate("window.__calls").count("Terminate") == 1
    assert problems == []


def test_scorm2004_is_incomplete_until_every_question_is_checked(site, watched, tmp_path):
    root, port = site
    page, problems = watched
    frame = open_lms(page, port, publish(root, "question_set", "2004", tmp_path))
    q = json.loads((GRAINS / "question_set" / "manifest.json").read_text("utf-8"))["questions"][0]
    text = next(c["text"] for c in q["choices"] if c["correct"])
    question = frame.locator(f'[data-question-id="{q["id"]}"]')
    question.get_by_role("radio", name=text).check()
    question.get_by_role("button", name=CHECK).click()
    page.wait_for_function("window.__calls.includes('Commit')")
    assert cmi(page, "2004", "cmi.completion_status") == "incomplete"
    assert cmi(page, "2004", "cmi.success_status") == "unknown"
    assert 0 < float(cmi(page, "2004", "cmi.progress_measure")) < 1
    assert problems == []


# ---- no LMS, or an LMS out of reach


def test_the_sco_plays_without_an_lms(site, watched, tmp_path):
    root, port = site
    page, problems = watched
    notes: list[str] = []
    page.on("console", lambda msg: notes.append(msg.text) if msg.type == "info" else None)
    name = publish(root, "single_choice", "2004", tmp_path)
    page.goto(f"http://127.0.0.1:{port}/{name}/index.html")
    answer_single_choice(page, right=True)
    page.locator(".icp-feedback, [role='status']").first.wait_for()
    page.goto("about:blank")  # pagehide with no API: nothing to terminate, nothing thrown
    assert problems == []
    assert any("SCORM" in note for note in notes)


def test_an_lms_of_another_origin_is_skipped_quietly(site, watched, tmp_path):
    """The LMS page on localhost, the SCO on 127.0.0.1: the API is out of reach, not an error."""
    root, port = site
    page, problems = watched
    name = publish(root, "single_choice", "1.2", tmp_path)
    page_file = root / f"{name}.html"
    page_file.write_text(
        page_file.read_text("utf-8").replace(
            f'src="/{name}/index.html"', f'src="http://127.0.0.1:{port}/{name}/index.html"'
        ),
        encoding="utf-8",
    )
    page.goto(f"http://localhost:{port}/{name}.html")
    frame = page.frame_locator("#sco")
    answer_single_choice(frame, right=True)
    frame.locator(".icp-summary, .icp-feedback, [role='status']").first.wait_for()
    assert page.evaluate("window.__calls") == []
    assert problems == []


def test_session_time_formats(watched):
    page, problems = watched
    page.set_content("<!DOCTYPE html><title>temps</title>")
    page.add_script_tag(path=str(REPO / "exports" / "scorm_runtime.js"))
    got = page.evaluate(
        """() => [0, 5, 61234, 3723450, 360000000 * 20].map((ms) =>
             [ImaginecoleScorm.timespan12(ms), ImaginecoleScorm.duration2004(ms)])"""
    )
    assert got == [
        ["0000:00:00.00", "PT0H0M0S"],
        ["0000:00:00.01", "PT0H0M0.01S"],
        ["0000:01:01.23", "PT0H1M1.23S"],
        ["0001:02:03.45", "PT1H2M3.45S"],
        ["2000:00:00.00", "PT2000H0M0S"],
    ]
    assert problems == []
