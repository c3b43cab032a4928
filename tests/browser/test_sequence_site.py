"""The offline mini-site of a module or parcours, opened from disk with the network blocked:
the sequence player in Chromium, its parts in iframes, the progress in the browser."""

import re
from pathlib import Path

import pytest
from imaginecole.exports.archive import safe_extract
from imaginecole.exports.base import Bundle
from imaginecole.exports.kolibri import KolibriExporter
from imaginecole.exports.site import SiteExporter, preview_html
from playwright.sync_api import expect

from imaginecole.bundle import load_manifest, save_manifest
from imaginecole.sequence import resolve
from tests.sequence_fixtures import make_module, make_parcours

from .conftest import LOCAL, axe_violations, block_outside

pytestmark = pytest.mark.browser
GRAIN = {"kinds": ("multiple_choice",), "extra": ()}  # 4 and 12 are the even numbers


def unpacked(folder: Path, where: Path) -> Path:
    """The `site` export of `folder`, unzipped in `where`; its index.html."""
    exporter = SiteExporter()
    bundle = Bundle.load(folder)
    out = exporter.export(bundle, exporter.default_output(bundle, where))
    safe_extract(out, where / "site")
    return where / "site" / "index.html"


class Site:
    """The mini-site open in a fresh browser context: offline, outside requests refused."""

    def __init__(self, browser, url: str, *, viewport=None, allowed=LOCAL):
        self.context = browser.new_context(
            offline=not url.startswith("http"),
            locale="fr-FR",
            viewport=viewport or {"width": 1280, "height": 900},
        )
        self.outside = block_outside(self.context, allowed)
        self.errors: list[str] = []
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(url)

    def focused(self) -> str:
        return self.page.evaluate("document.activeElement && document.activeElement.id")

    def tab_to(self, element_id: str) -> None:
        """Press Tab until `element_id` has the focus (as a keyboard user does)."""
        for _ in range(60):
            if self.focused() == element_id:
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"#{element_id} is never reached with Tab")

    def answer(self, *numbers: str) -> None:
        frame = self.page.frame_locator("#ics-frame")
        for number in numbers:
            frame.get_by_role("checkbox", name=number, exact=True).check()
        frame.get_by_role("button", name="Vérifier").click()

    def close(self) -> None:
        self.context.close()
        assert self.outside == [] and self.errors == []


def test_a_module_by_keyboard_scores_and_keeps_its_progress(browser, tmp_path):
    index = unpacked(make_module(tmp_path / "home", 2, **GRAIN), tmp_path)
    site = Site(browser, index.as_uri())
    page = site.page
    progress = page.locator("#ics-progress-text")
    expect(progress).to_have_text(re.compile(r"^0 étape\(s\) terminée\(s\) sur 2"))
    expect(page.locator("#ics-home")).to_contain_text("pas à pas")  # the introduction
    expect(page.locator("#ics-home")).to_contain_text("Comparer deux fractions")
    expect(page.locator("#ics-home")).to_contain_text("Durée : 45 min")
    site.tab_to("ics-start")
    page.keyboard.press("Enter")
    assert site.focused() == "ics-part-title"
    expect(page.locator("#ics-part-title")).to_have_text("Les fractions — exercice 1")
    frame = page.locator("#ics-frame")
    assert frame.get_attribute("title") == "Les fractions — exercice 1"
    current = page.locator("#ics-nav [aria-current]")
    expect(current).to_contain_text("Les fractions — exercice 1")
    expect(current).to_contain_text("En cours")

    site.answer("4", "12")
    expect(page.locator("#ics-part-status")).to_have_text(re.compile(r"Terminé · Score : 100"))
    expect(progress).to_have_text(re.compile(r"^1 étape\(s\) terminée\(s\) sur 2 \(50"))
    assert page.locator("#ics-bar").get_attribute("aria-valuenow") == "50"
    expect(page.locator("#ics-live")).to_have_text("« Les fractions — exercice 1 » terminé.")

    site.tab_to("ics-next")
    page.keyboard.press("Enter")
    expect(page.locator("#ics-part-title")).to_have_text("Les fractions — exercice 2")
    assert site.focused() == "ics-part-title"
    expect(page.locator("#ics-memory")).to_be_hidden()  # localStorage works from disk

    page.reload()  # the progress and the place are kept
    expect(page.locator("#ics-part-title")).to_have_text("Les fractions — exercice 2")
    expect(progress).to_have_text(re.compile(r"^1 étape\(s\) terminée\(s\) sur 2"))
    first = page.locator("#ics-nav button", has_text="exercice 1")
    expect(first).to_contain_text("Terminé · Score : 100")
    site.close()


def test_prerequisites_lock_then_unlock_and_the_summary_adds_up(browser, tmp_path):
    index = unpacked(make_parcours(tmp_path / "home", 2, 1), tmp_path)
    site = Site(browser, index.as_uri())
    page = site.page
    nav = page.locator("#ics-nav")
    locked = "Verrouillé : terminez d'abord « Module 1 »."
    expect(nav).to_contain_text(locked)
    expect(page.locator(".ics-module[data-module]").nth(1)).to_contain_text(locked)
    # shown, not playable: no button leads to the locked module's part
    expect(nav.get_by_role("button", name=re.compile("Module 2 — exercice 1"))).to_have_count(0)
    expect(nav.get_by_text("Module 2 — exercice 1")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Commencer le module « Module 1 »").click()
    expect(page.locator("#ics-part-title")).to_have_text("Module 1 — exercice 1")
    expect(page.locator("#ics-where")).to_have_text("Étape 1 sur 2 · Module : Module 1")
    page.frame_locator("#ics-frame").get_by_role("button", name="Vérifier").wait_for()
    assert axe_violations(page) == []
    page.locator("#ics-next").click()  # the locked module is skipped
    expect(page.locator("#ics-summary-title")).to_be_focused()
    page.locator("#ics-prev").click()
    expect(page.locator("#ics-part-title")).to_have_text("Module 1 — exercice 1")

    site.answer("7")  # wrong: completed, scored 0
    expect(page.locator("#ics-live")).to_contain_text(
        "Le module « Module 2 » est maintenant ouvert."
    )
    expect(nav).not_to_contain_text(locked)
    opened = nav.get_by_role("button", name=re.compile("Module 2 — exercice 1"))
    expect(opened).to_contain_text("Pas commencé")

    nav.get_by_role("button", name="Bilan des scores").click()
    summary = page.locator("#ics-summary")
    first = summary.locator("[data-module]").nth(0)
    row = first.get_by_role("row", name=re.compile("Module 1 — exercice 1"))
    expect(row).to_contain_text("Terminé")
    expect(row).to_contain_text("(0 / 1)")
    expect(first).to_contain_text("Pour terminer ce module, terminez chaque étape.")
    expect(first).to_contain_text("Score moyen : 0")
    expect(first).to_contain_text("Module terminé")
    second = summary.locator("[data-module]").nth(1)
    expect(second).to_contain_text("Pas commencé")
    expect(second).to_contain_text("Module pas encore terminé")
    overall = page.locator("#ics-overall")
    expect(overall).to_contain_text("Étapes terminées : 1 sur 2")
    expect(overall).to_contain_text("Modules terminés : 1 sur 2")
    expect(overall).to_contain_text("Pas encore terminé.")
    assert axe_violations(page) == []

    opened.click()
    site.answer("4", "12")
    nav.get_by_role("button", name="Bilan des scores").click()
    expect(overall).to_contain_text("Modules terminés : 2 sur 2")
    expect(overall).to_contain_text("Score moyen : 50")
    expect(overall).to_contain_text("Terminé : bravo !")
    site.close()


def test_a_score_rule_keeps_the_best_attempt(browser, tmp_path):
    rule = {"rule": "score", "score": 0.75}
    index = unpacked(make_module(tmp_path / "home", 1, completion=rule, **GRAIN), tmp_path)
    site = Site(browser, index.as_uri())
    page = site.page
    expect(page.locator("#ics-rule")).to_have_text(re.compile(r"score moyen d'au moins 75\s%\.$"))
    page.locator("#ics-start").click()
    site.answer("7")
    page.locator("#ics-nav").get_by_role("button", name="Bilan des scores").click()
    expect(page.locator("#ics-summary")).to_contain_text("Module pas encore terminé")
    page.locator("#ics-prev").click()  # the part opens afresh: a second attempt
    expect(page.locator("#ics-part-status")).to_have_text(re.compile(r"Terminé · Score : 0"))
    site.answer("4", "12")
    expect(page.locator("#ics-part-status")).to_have_text(re.compile(r"Score : 100"))
    page.locator("#ics-next").click()
    expect(page.locator("#ics-summary")).to_contain_text("Module terminé")
    expect(page.locator("#ics-overall")).to_contain_text("Terminé : bravo !")
    site.close()


def test_at_360_pixels_the_contents_collapse(browser, tmp_path):
    index = unpacked(make_module(tmp_path / "home", 2, **GRAIN), tmp_path)
    site = Site(browser, index.as_uri(), viewport={"width": 360, "height": 740})
    page = site.page
    toggle = page.get_by_role("button", name="Sommaire")
    nav = page.locator("#ics-nav")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    expect(nav).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    assert site.focused() == "ics-toggle"
    toggle.click()
    nav.get_by_role("button", name=re.compile("exercice 2")).click()
    expect(nav).to_be_hidden()
    expect(page.locator("#ics-part-title")).to_have_text("Les fractions — exercice 2")
    frame = page.locator("#ics-frame").bounding_box()
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    site.close()


def test_an_arabic_module_reads_right_to_left(browser, tmp_path):
    folder = make_module(tmp_path / "home", 1, **GRAIN)
    manifest = load_manifest(folder)
    manifest["metadata"]["language"] = "ar"
    save_manifest(folder, manifest)
    site = Site(browser, unpacked(folder, tmp_path).as_uri())
    page = site.page
    assert page.evaluate("[document.documentElement.dir, document.documentElement.lang]") == [
        "rtl",
        "ar",
    ]
    expect(page.locator("#ics-start")).to_have_text("ابدأ")
    expect(page.locator("#ics-progress-label")).to_have_text("التقدم")
    start = page.locator("#ics-start").bounding_box()
    main = page.locator("#ics-main").bounding_box()
    # the start button sits on the right-hand side of the content
    assert start["x"] + start["width"] > main["x"] + main["width"] / 2
    nav = page.locator("#ics-nav").bounding_box()
    assert nav["x"] > main["x"]  # the contents on the right
    assert axe_violations(page) == []
    site.close()


# Kolibri's renderer: the app in an iframe with an opaque origin (no allow-same-origin)
HOST = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Kolibri (essai)</title></head>
<body><main><iframe sandbox="allow-scripts" src="app/index.html" title="Module"
  style="width: 1200px; height: 1400px; border: 0"></iframe></main></body></html>
"""


def test_the_kolibri_module_plays_in_a_sandboxed_iframe(browser, tmp_path, served):
    folder = make_module(tmp_path / "home", 2, **GRAIN)
    out = KolibriExporter().export(Bundle.load(folder), tmp_path / "module.kolibri.zip")
    safe_extract(out, tmp_path / "app")
    (tmp_path / "host.html").write_text(HOST, encoding="utf-8")
    site = Site(browser, f"{served}/host.html", allowed=(served + "/", "data:", "blob:"))
    player = site.page.frame_locator("iframe")
    app = next(f for f in site.page.frames if f.url.endswith("app/index.html"))
    assert app.evaluate("origin") == "null"  # the sandbox is real
    expect(player.locator("#ics-memory")).to_be_visible()  # no storage: said so
    player.locator("#ics-start").click()
    expect(player.locator("#ics-part-title")).to_have_text("Les fractions — exercice 1")
    part = player.frame_locator("#ics-frame")
    part.get_by_role("checkbox", name="4", exact=True).check()
    part.get_by_role("checkbox", name="12", exact=True).check()
    part.get_by_role("button", name="Vérifier").click()  # kolibri_shell.js submits the form
    expect(player.locator("#ics-part-status")).to_have_text(re.compile(r"Terminé · Score : 100"))
    expect(player.locator("#ics-progress-text")).to_have_text(re.compile(r"^1 étape\(s\)"))
    site.close()


def test_the_preview_is_one_page_that_plays(browser, tmp_path):
    folder = make_module(tmp_path / "home", 2, kinds=("multiple_choice",), extra=("comic",))
    preview = tmp_path / "preview.html"
    preview.write_text(preview_html(resolve(folder)), encoding="utf-8")
    site = Site(browser, preview.as_uri())
    page = site.page
    page.locator("#ics-start").click()
    site.answer("4", "12")
    expect(page.locator("#ics-part-status")).to_have_text(re.compile(r"Terminé · Score : 100"))
    expect(page.locator("#ics-memory")).to_be_visible()  # a preview keeps nothing
    page.locator("#ics-nav").get_by_role("button", name=re.compile("La rentrée")).click()
    reader = page.frame_locator("#ics-frame")
    expect(reader.locator(".icr-page").first).to_be_visible()
    site.close()


SCORM_AGAIN = Path(__file__).resolve().parents[2] / "node_modules" / "scorm-again" / "dist"
LMS_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>LMS de test</title>
<script src="scorm12.js"></script>
<script>
window.__sets = {};
window.API = new Scorm12API({autocommit: false});
window.API.loadFromJSON(KEPT);
window.API.on("LMSSetValue.cmi.*", function (element, value) {
  window.__sets[element] = String(value);
});
</script></head>
<body><iframe id="sco" title="SCO" src="site/index.html" style="width:100%;height:900px"></iframe>
</body></html>"""


def lms_launch(browser, tmp_path, served, kept: dict) -> Site:
    """The SCO in a fresh browser (no localStorage) under scorm-again, which starts with `kept`
    (what the LMS stored from an earlier session, as scorm-again's loadFromJSON takes it)."""
    import json

    page = LMS_PAGE.replace("KEPT", json.dumps(kept))
    (tmp_path / "lms.html").write_text(page, encoding="utf-8")
    return Site(browser, f"{served}/lms.html", allowed=(served + "/", "data:", "blob:"))


def test_the_scorm12_tracker_reports_the_module_and_resumes_it_from_the_lms(
    browser, tmp_path, served
):
    """site_files(tracker="scorm12") under a real SCORM 1.2 run-time (scorm-again): the whole
    module's status and score, and the learner's progress kept by the LMS, not the browser."""
    if not (SCORM_AGAIN / "scorm12.js").is_file():
        pytest.fail("scorm-again is missing from node_modules: run `npm install` in the repo")
    from imaginecole.exports.site import site_files

    rule = {"rule": "score", "score": 0.75}
    folder = make_module(tmp_path / "home", 2, completion=rule, **GRAIN)
    for name, data in site_files(resolve(folder), tracker="scorm12"):
        target = tmp_path / "site" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.read_bytes() if isinstance(data, Path) else data)
    (tmp_path / "scorm12.js").write_bytes((SCORM_AGAIN / "scorm12.js").read_bytes())
    (tmp_path / "favicon.ico").write_bytes(b"")
    sets = "(name) => window.__sets[name]"

    # first session: the first part, then the learner leaves
    site = lms_launch(browser, tmp_path, served, {})
    page = site.page
    player = page.frame_locator("#sco")
    expect(player.locator("#ics-memory")).to_be_hidden()  # the LMS keeps the progress
    player.locator("#ics-start").click()
    expect(player.locator("#ics-part-title")).to_have_text("Les fractions — exercice 1")
    assert page.evaluate(sets, "cmi.core.lesson_status") == "incomplete"
    part = player.frame_locator("#ics-frame")
    part.get_by_role("checkbox", name="4", exact=True).check()
    part.get_by_role("checkbox", name="12", exact=True).check()
    part.get_by_role("button", name="Vérifier").click()
    expect(player.locator("#ics-part-status")).to_have_text(re.compile(r"Score : 100"))
    assert page.evaluate(sets, "cmi.core.lesson_status") == "incomplete"  # one part of two
    suspend = page.evaluate(sets, "cmi.suspend_data")
    assert suspend and len(suspend) < 4096
    # a shared classroom computer: nothing of the learner's is left in the browser
    sco = page.frame(url=re.compile("site/index.html"))
    assert "imaginecole" not in sco.evaluate("Object.keys(localStorage).join(' ')")
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    page.wait_for_function("window.__sets['cmi.core.exit'] !== undefined")
    assert page.evaluate(sets, "cmi.core.exit") == "suspend"  # unfinished: to be resumed
    location = page.evaluate(sets, "cmi.core.lesson_location")
    site.close()

    # second session, in another browser: the LMS gives the progress back
    kept = {"suspend_data": suspend, "core": {"entry": "resume", "lesson_location": location}}
    site = lms_launch(browser, tmp_path, served, kept)
    page = site.page
    player = page.frame_locator("#sco")
    expect(player.locator("#ics-progress-text")).to_have_text(re.compile(r"^1 étape\(s\)"))
    expect(player.locator("#ics-part-status")).to_have_text(re.compile(r"Score : 100"))
    player.locator("#ics-next").click()
    expect(player.locator("#ics-part-title")).to_have_text("Les fractions — exercice 2")
    player.frame_locator("#ics-frame").get_by_role("checkbox", name="7", exact=True).check()
    player.frame_locator("#ics-frame").get_by_role("button", name="Vérifier").click()
    expect(player.locator("#ics-progress-text")).to_have_text(re.compile(r"^2 étape\(s\)"))
    # every part done, an average of 50 % under the 75 % the rule asks: failed
    assert page.evaluate(sets, "cmi.core.lesson_status") == "failed"
    assert page.evaluate(sets, "cmi.core.score.raw") == "50"
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.__sets['cmi.core.exit'] !== undefined")
    assert page.evaluate(sets, "cmi.core.exit") == ""  # finished: a new attempt next time
    site.close()

    # suspend data the parts no longer match (the module was changed in the LMS) is ignored
    other = suspend.replace('"h":"', '"h":"x')
    site = lms_launch(browser, tmp_path, served, {"suspend_data": other})
    player = site.page.frame_locator("#sco")
    expect(player.locator("#ics-progress-text")).to_have_text(re.compile(r"^0 étape\(s\)"))
    expect(player.locator("#ics-start")).to_have_text("Démarrer")
    site.close()


def test_a_comic_read_to_its_end_and_an_opened_app_complete(browser, tmp_path):
    folder = make_module(tmp_path / "home", 0, extra=("comic", "app"))
    site = Site(browser, unpacked(folder, tmp_path).as_uri())
    page = site.page
    page.locator("#ics-start").click()
    expect(page.locator("#ics-part-status")).to_have_text("Bande dessinée · En cours")
    reader = page.frame_locator("#ics-frame")
    following = reader.locator("#icr-next")
    while following.get_attribute("aria-disabled") != "true":
        following.click()
    expect(page.locator("#ics-part-status")).to_have_text("Bande dessinée · Terminé")
    page.locator("#ics-next").click()
    expect(page.locator("#ics-part-title")).to_have_text(re.compile("."))
    expect(page.locator("#ics-part-status")).to_have_text("Application · Terminé")
    expect(page.locator("#ics-progress-text")).to_have_text(re.compile(r"^2 étape\(s\)"))
    site.close()
