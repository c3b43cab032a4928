"""The one player in Debian's Chromium: every kind, the keyboard alone, offline, accessible.

Pages come from render_standalone, are written to tmp_path and opened from file://, with every
other request aborted and recorded. Answers are given with page.keyboard only: focus moves by
Tab or Shift+Tab, choices by Space and arrow keys, text by typing, buttons by Enter.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

from imaginecole.player import player_strings, render_standalone

from .conftest import LOCAL, axe_violations, block_outside

pytestmark = pytest.mark.browser

GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "grains"
KINDS = [
    "single_choice",
    "multiple_choice",
    "true_false",
    "fill_blanks",
    "drag_words",
    "matching",
    "ordering",
    "flashcards",
]
SCORED = [kind for kind in KINDS if kind != "flashcards"]


def norm(text: str) -> str:
    """Collapse spaces, no-break ones included, as the focus probe does."""
    return re.sub(r"\s+", " ", text).strip()


def strings_for(language: str) -> dict[str, str]:
    return {key: norm(value) for key, value in player_strings(language).items()}


FR = strings_for("fr")
RESULT_KEYS = {"raw", "max", "scaled", "success", "completion"}

COLLECT_RESULTS = """
window.__results = [];
window.__blocked = [];
window.addEventListener('imaginecole:result', (ev) => window.__results.push(ev.detail));
document.addEventListener('securitypolicyviolation', (ev) => window.__blocked.push(ev.blockedURI));
"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const question = el.closest('[data-question-id]');
  const visible = (node) => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('[aria-hidden="true"]').forEach((n) => n.remove());
    return copy.textContent;
  };
  const name = el.getAttribute('aria-label')
    || (el.labels && el.labels.length ? visible(el.labels[0]) : visible(el));
  return {
    tag: el.tagName.toLowerCase(), type: el.type || '',
    question: question && question.dataset.questionId,
    name: name.replace(/\\s+/g, ' ').trim(), checked: Boolean(el.checked), value: el.value,
    option: el.tagName === 'SELECT' ? el.options[el.selectedIndex].text : null,
  };
}"""


def load(name: str) -> dict:
    return json.loads((GRAINS / name / "manifest.json").read_text(encoding="utf-8"))


def plain(rich: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", rich)).strip()


@pytest.fixture
def open_grain(browser, tmp_path):
    """Open a grain's standalone page offline; fail if anything but file: was requested."""
    contexts, pages, outside, errors = [], [], [], []

    def open_(name: str, *, manifest: dict | None = None, width: int = 1024):
        folder = tmp_path / f"{name}-{len(contexts)}"
        if (GRAINS / name / "media").is_dir():
            shutil.copytree(GRAINS / name / "media", folder / "media")
        folder.mkdir(exist_ok=True)
        page_file = folder / "index.html"
        page_file.write_text(render_standalone(manifest or load(name)), encoding="utf-8")
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        contexts.append(context)
        block_outside(context, LOCAL, outside)
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(COLLECT_RESULTS)
        page.goto(page_file.as_uri())
        page.wait_for_selector(".icp-question")
        pages.append(page)
        return page

    yield open_
    for page in pages:
        # the page's Content-Security-Policy blocks a request before it is made: count those too
        outside.extend(page.evaluate("window.__blocked"))
    for context in contexts:
        context.close()
    assert outside == [], f"the player tried the network: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


# ---- the keyboard alone


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, *, key: str = "Tab", limit: int = 150) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is the wanted one."""
    for _ in range(limit):
        page.keyboard.press(key)
        info = focused(page)
        if info and wanted(info):
            return info
    raise AssertionError(f"{key} never reached the element wanted; last focus: {focused(page)}")


def choose_option(page, text: str) -> None:
    """On a focused <select>, press ArrowDown until `text` is selected."""
    for _ in range(40):
        if focused(page)["option"] == text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option « {text} » not reached")


def order_texts(page, qid: str) -> list[str]:
    return page.eval_on_selector_all(
        f'[data-question-id="{qid}"] .icp-order-text', "els => els.map((e) => e.textContent)"
    )


def answer(page, q: dict, right: bool, strings: dict) -> None:
    """Answer question `q` rightly or wrongly, with the keyboard alone."""
    kind, qid = q["kind"], q["id"]

    def here(info):
        return info["question"] == qid

    if kind in ("single_choice", "true_false"):
        if kind == "true_false":
            target = strings["true"] if q["answer"] == right else strings["false"]
            count = 2
        else:
            target = plain(next(c for c in q["choices"] if c["correct"] == right)["text"])
            count = len(q["choices"])
        info = tab_to(page, lambda i: here(i) and i["type"] == "radio")
        for _ in range(count):
            if info["name"] == target:
                break
            page.keyboard.press("ArrowDown")
            info = focused(page)
        page.keyboard.press("Space")
        assert focused(page)["checked"] and focused(page)["name"] == target
    elif kind == "multiple_choice":
        for choice in q["choices"]:
            if choice["correct"] == right:
                text = plain(choice["text"])
                tab_to(
                    page, lambda i, t=text: here(i) and i["type"] == "checkbox" and i["name"] == t
                )
                page.keyboard.press("Space")
                assert focused(page)["checked"]
    elif kind == "fill_blanks":
        for n, blank in enumerate(re.findall(r"\*([^*]+)\*", q["text"]), start=1):
            label = strings["blank_label"].format(n=n)
            tab_to(page, lambda i, lb=label: here(i) and i["name"] == lb)
            # the last alternative, in capitals, with spaces: alternatives, case and trimming
            page.keyboard.type(f"  {blank.split('/')[-1].upper()} " if right else "zzz")
    elif kind == "drag_words":
        words = re.findall(r"\*([^*]+)\*", q["text"])
        others = q.get("distractors", []) + words
        for n, word in enumerate(words, start=1):
            label = strings["gap_label"].format(n=n)
            tab_to(page, lambda i, lb=label: here(i) and i["tag"] == "select" and i["name"] == lb)
            choose_option(page, word if right else next(o for o in others if o != word))
    elif kind == "matching":
        pairs = q["pairs"]
        for n, pair in enumerate(pairs):
            left = pair["left"]
            tab_to(page, lambda i, lb=left: here(i) and i["tag"] == "select" and i["name"] == lb)
            choose_option(page, pair["right"] if right else pairs[(n + 1) % len(pairs)]["right"])
    elif kind == "ordering":
        items = q["items"]
        arrange(page, q, items if right else items[1:] + items[:1], strings)
    elif kind == "flashcards":
        for n in range(len(q["cards"])):
            tab_to(page, lambda i: here(i) and i["name"] == strings["flip"], key="Shift+Tab")
            page.keyboard.press("Enter")
            if n < len(q["cards"]) - 1:
                tab_to(page, lambda i: here(i) and i["name"] == strings["next_card"])
                page.keyboard.press("Enter")


def arrange(page, q: dict, target: list[str], strings: dict) -> None:
    """Put the items of an ordering question in `target` order with the Move up buttons."""
    qid = q["id"]
    for position, text in enumerate(target):
        steps = order_texts(page, qid).index(text) - position
        if steps <= 0:
            continue
        name = strings["move_up_item"].format(item=text)
        tab_to(page, lambda i, nm=name: i["question"] == qid and i["name"] == nm)
        for _ in range(steps):
            page.keyboard.press("Enter")
        # the pressed button kept the focus while its item moved
        assert focused(page)["name"] == name
    assert order_texts(page, qid) == target


def check(page, q: dict, strings: dict) -> dict:
    """Press the question's Check button with Enter; return the result event's detail."""
    count = page.evaluate("window.__results.length")
    tab_to(
        page,
        lambda i: (
            i["question"] == q["id"] and i["tag"] == "button" and i["name"] == strings["check"]
        ),
    )
    page.keyboard.press("Enter")
    page.wait_for_function(f"window.__results.length > {count}")
    return last_result(page)


def last_result(page) -> dict:
    return page.evaluate("window.__results[window.__results.length - 1]")


def feedback_text(page, qid: str) -> str:
    return text_of(page, f'[data-question-id="{qid}"] .icp-feedback')


def text_of(page, selector: str) -> str:
    return norm(page.inner_text(selector))


# ---- every kind


@pytest.mark.parametrize("name", KINDS)
def test_right_answers_with_the_keyboard_alone_score_full_marks(open_grain, name):
    page = open_grain(name)
    q = load(name)["questions"][0]
    answer(page, q, True, FR)
    result = check(page, q, FR) if q["kind"] != "flashcards" else last_result(page)

    assert RESULT_KEYS <= result.keys()
    assert result["scaled"] == 1
    assert result["success"] is True
    assert result["completion"] == "completed"
    assert result["answered"] == result["total"] == 1
    if q["kind"] == "flashcards":
        assert result["max"] == 0, "flashcards alone carry no score"
        assert FR["cards_done"] in feedback_text(page, q["id"])
    else:
        assert result["raw"] == result["max"] == q.get("points", 1)
        assert FR["feedback_right"] in feedback_text(page, q["id"])
        assert result["perQuestion"][0]["correct"] is True


@pytest.mark.parametrize("name", SCORED)
def test_wrong_answers_score_zero_then_show_the_solution_and_retry(open_grain, name):
    page = open_grain(name)
    q = load(name)["questions"][0]
    assert axe_violations(page) == []

    answer(page, q, False, FR)
    result = check(page, q, FR)
    assert result["raw"] == 0
    assert result["scaled"] == 0
    assert result["success"] is False
    assert result["completion"] == "completed"
    assert FR["feedback_wrong"] in feedback_text(page, q["id"])

    # after the check the focus is on « Réessayer »; the solution is one Tab away
    assert focused(page)["name"] == FR["retry"]
    tab_to(page, lambda i: i["name"] == FR["show_solution"])
    page.keyboard.press("Enter")
    section = page.locator(f'[data-question-id="{q["id"]}"]')
    assert section.locator(
        ".icp-solution:visible, .icp-solution-block:visible, .is-solution"
    ).count()
    assert axe_violations(page) == []

    tab_to(page, lambda i: i["name"] == FR["retry"], key="Shift+Tab")
    page.keyboard.press("Enter")
    assert section.get_by_role("button", name=FR["check"], exact=True).is_visible()
    assert section.locator(".icp-feedback").inner_text() == ""


def test_flashcards_are_incomplete_until_every_card_is_turned(open_grain):
    page = open_grain("flashcards")
    tab_to(page, lambda i: i["name"] == FR["flip"])
    page.keyboard.press("Enter")
    # flashcards report once, when the last card is turned
    assert page.evaluate("window.__results.length") == 0
    assert text_of(page, ".icp-card-progress") == FR["cards_turned"].format(n=1, total=3)
    assert page.locator(".icp-card-face").inner_text() == "12"
    assert axe_violations(page) == []


def test_partial_scores_follow_the_documented_rules(open_grain):
    # multiple choice without weights: +1/2 per right choice, -1/2 per wrong one, floor 0
    page = open_grain("multiple_choice")
    q = load("multiple_choice")["questions"][0]
    tab_to(page, lambda i: i["name"] == "4")
    page.keyboard.press("Space")
    assert check(page, q, FR)["raw"] == 0.5
    assert FR["feedback_partial"] in feedback_text(page, q["id"])
    assert focused(page)["name"] == FR["retry"]
    page.keyboard.press("Enter")
    tab_to(page, lambda i: i["name"] == "7")
    page.keyboard.press("Space")
    assert check(page, q, FR)["raw"] == 0

    # fill the blanks: each blank counts alone
    page = open_grain("fill_blanks")
    q = load("fill_blanks")["questions"][0]
    tab_to(page, lambda i: i["name"] == FR["blank_label"].format(n=1))
    page.keyboard.type("chat")
    tab_to(page, lambda i: i["name"] == FR["blank_label"].format(n=2))
    page.keyboard.type("LAIT")
    tab_to(page, lambda i: i["name"] == FR["blank_label"].format(n=3))
    page.keyboard.type("tapis")
    page.keyboard.press("Enter")  # Enter in a blank checks, like the button
    page.wait_for_function("window.__results.length > 0")
    assert last_result(page)["raw"] == pytest.approx(2 / 3, abs=1e-6)
    assert last_result(page)["perQuestion"][0]["response"] == ["chat", "LAIT", "tapis"]


# ---- a question set


def test_question_set_right_then_wrong_with_the_keyboard_alone(open_grain):
    manifest = load("question_set")
    page = open_grain("question_set")
    for q in manifest["questions"]:
        answer(page, q, True, FR)
        if q["kind"] != "flashcards":
            check(page, q, FR)
    result = last_result(page)
    assert result["raw"] == result["max"] == 9
    assert (result["scaled"], result["success"], result["completion"]) == (1, True, "completed")
    assert result["answered"] == result["total"] == 8
    summary = text_of(page, ".icp-summary")
    assert FR["passed"] in summary
    assert FR["summary_answered"].format(n=8, total=8) in summary
    assert axe_violations(page) == []
    tab_to(page, lambda i: i["name"] == FR["start_again"])
    page.keyboard.press("Enter")
    assert FR["summary_answered"].format(n=0, total=8) in text_of(page, ".icp-summary")
    assert focused(page)["question"] == manifest["questions"][0]["id"]

    page = open_grain("question_set")
    for q in manifest["questions"]:
        if q["kind"] != "flashcards":
            answer(page, q, False, FR)
            check(page, q, FR)
    result = last_result(page)
    assert result["raw"] == 0
    assert result["success"] is False
    assert result["completion"] == "incomplete", "the cards were never turned"
    assert FR["in_progress"] in text_of(page, ".icp-summary")


def test_weighted_multiple_choice_in_a_set(open_grain):
    q = next(q for q in load("question_set")["questions"] if q["id"] == "multiples")
    page = open_grain("question_set")
    for text in ("10", "12"):  # +50 % and -50 %
        tab_to(page, lambda i, t=text: i["question"] == "multiples" and i["name"] == t)
        page.keyboard.press("Space")
    assert check(page, q, FR)["perQuestion"][1]["raw"] == 0
    page.keyboard.press("Enter")  # « Réessayer » has the focus
    tab_to(page, lambda i: i["question"] == "multiples" and i["name"] == "12")
    page.keyboard.press("Space")  # untick 12: 10 alone is worth half of 2 points
    assert check(page, q, FR)["perQuestion"][1]["raw"] == 1


# ---- languages, direction, names


def test_arabic_grain_plays_right_to_left(open_grain):
    manifest = load("arabic")
    ar = strings_for("ar")
    page = open_grain("arabic", width=360)
    root = page.locator("#imaginecole-player")
    assert root.get_attribute("dir") == "rtl"
    assert root.get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.icp-question')).direction")
        == "rtl"
    )
    assert page.get_by_role("button", name="تحقّق", exact=True).count() == len(manifest["questions"])
    assert axe_violations(page) == []

    for q in manifest["questions"]:
        answer(page, q, True, ar)
        check(page, q, ar)
    result = last_result(page)
    assert (result["scaled"], result["success"], result["completion"]) == (1, True, "completed")
    assert ar["passed"] in text_of(page, ".icp-summary")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_check_button_is_named_in_the_grain_language(open_grain):
    page = open_grain("true_false")
    assert page.get_by_role("button", name="Vérifier", exact=True).is_visible()
    assert page.locator("html").get_attribute("lang") == "fr"

    english = copy.deepcopy(load("true_false"))
    english["metadata"]["language"] = "en"
    page = open_grain("true_false", manifest=english)
    assert page.get_by_role("button", name="Check", exact=True).is_visible()
    assert page.get_by_role("group", name=re.compile("aigu")).count() == 1

    wolof = copy.deepcopy(load("true_false"))
    wolof["metadata"]["language"] = "wo"
    page = open_grain("true_false", manifest=wolof)
    assert page.get_by_role("button", name="Vérifier", exact=True).get_attribute("lang") == "fr"


def test_semantics_fieldsets_labels_and_media(open_grain):
    page = open_grain("question_set")
    manifest = load("question_set")
    assert page.locator("fieldset > legend").count() == len(manifest["questions"])
    assert (
        page.get_by_role("group", name=re.compile("Quelle forme")).get_by_role("radio").count() == 3
    )
    assert page.get_by_role("checkbox").count() == 4
    assert page.get_by_role("textbox", name="Blanc 2", exact=True).is_visible()
    assert page.get_by_role("combobox", name="Trou 1", exact=True).is_visible()
    assert page.get_by_role("combobox", name="Mali", exact=True).is_visible()
    assert page.get_by_role("button", name=re.compile(r"^Monter\s:\s")).count() == 4
    assert page.get_by_role("button", name=re.compile(r"^Descendre\s:\s")).count() == 4

    image = page.get_by_role("img", name="Un triangle vert sur un fond gris clair")
    assert image.count() == 1
    assert page.evaluate("document.querySelector('.icp-media img').naturalWidth") == 240
    audio = page.locator("audio")
    assert audio.first.get_attribute("controls") is not None
    transcript = page.locator("details.icp-transcript").first
    assert transcript.locator("summary").inner_text() == "Transcription"
    assert "son aigu" in transcript.locator("p").text_content()
    assert page.locator("[role=status]").count() >= len(manifest["questions"])


# ---- phones


@pytest.mark.parametrize("name", [*KINDS, "question_set", "arabic"])
def test_fits_a_360_px_phone_with_large_touch_targets(open_grain, name):
    page = open_grain(name, width=360)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == 360, f"horizontal scroll: {width}"
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.icp-btn, .icp-select, .icp-blank, .icp-choice-label, .icp details > summary'))
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.textContent.trim() || el.getAttribute('aria-label'),
                      el.getBoundingClientRect().height, el.getBoundingClientRect().width])
        .filter(([, h, w]) => h < 44 || w < 44)""")
    assert small == []


def test_solutions_still_fit_a_360_px_phone(open_grain):
    page = open_grain("question_set", width=360)
    for q in load("question_set")["questions"]:
        if q["kind"] != "flashcards":
            answer(page, q, False, FR)
            check(page, q, FR)
            tab_to(page, lambda i: i["name"] == FR["show_solution"])
            page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []


# ---- the shells' API and teacher text


def test_on_result_and_the_dom_event_carry_the_same_result(open_grain):
    page = open_grain("true_false")
    manifest = load("true_false")
    page.evaluate(
        """([manifest, strings]) => {
          window.__onResult = [];
          window.__player = ImaginecolePlayer.mount(document.getElementById('imaginecole-player'),
            manifest, {strings, mediaBase: './', onResult: (r) => window.__onResult.push(r)});
        }""",
        [manifest, FR],
    )
    before = page.evaluate("window.__player.result()")
    assert before["completion"] == "incomplete" and before["answered"] == 0
    q = manifest["questions"][0]
    answer(page, q, True, FR)
    detail = check(page, q, FR)
    assert page.evaluate("window.__onResult[window.__onResult.length - 1]") == detail
    assert page.evaluate("window.__player.result()") == detail
    assert detail["grain"] == manifest["id"]
    assert detail["perQuestion"] == [
        {"id": "son", "raw": 1, "max": 1, "response": True, "correct": True}
    ]
    page.evaluate("window.__player.reset()")
    assert page.evaluate("window.__player.result()")["answered"] == 0


def test_teacher_text_is_never_run(open_grain):
    manifest = copy.deepcopy(load("single_choice"))
    q = manifest["questions"][0]
    q["statement"] = (
        "<p>Quelle forme ?</p><script>window.__pwned = 1</script></script>"
        '<img src=x onerror="window.__pwned = 2"><a href="javascript:window.__pwned=3">lien</a>'
    )
    q["hint"] = '<b onclick="window.__pwned = 4">gras</b>'
    q["feedback"]["incorrect"] = '<img src=y onerror="window.__pwned = 5">'
    page = open_grain("single_choice", manifest=manifest)
    answer(page, q, False, FR)
    check(page, q, FR)
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".icp-legend script, .icp-legend img, .icp-hint b").count() == 0
    assert page.locator(".icp-legend a").get_attribute("href") is None
    assert '<img src=y onerror="window.__pwned = 5">' in feedback_text(page, q["id"])
    tab_to(page, lambda i: i["name"] == FR["hint"], key="Shift+Tab")
    page.keyboard.press("Enter")
    assert page.locator(".icp-hint p").inner_text() == q["hint"]


def test_pointer_drag_is_an_extra_on_top_of_the_keyboard(open_grain):
    def drag(page, source, target):
        start, end = source.bounding_box(), target.bounding_box()
        page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        page.mouse.down()
        page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
        page.mouse.up()

    page = open_grain("drag_words")
    drag(page, page.locator(".icp-chip", has_text="ouest"), page.locator(".icp-gap").nth(1))
    assert page.eval_on_selector_all("select", "els => els.map((e) => e.value)") == ["", "ouest"]

    page = open_grain("ordering")
    last = order_texts(page, "mil")[-1]
    drag(page, page.locator(".icp-grip").nth(3), page.locator(".icp-order-item").nth(0))
    assert order_texts(page, "mil")[0] == last
    assert norm(page.inner_text(".icp-vh[role=status]")) == FR["moved"].format(
        item=last, position=1, total=4
    )
