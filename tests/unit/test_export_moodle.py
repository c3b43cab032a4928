"""The `moodle-xml` exporter: a question bank Moodle's XML import accepts.

There is no Moodle here: the checks are the rules Moodle's import and question types
apply (required elements per type, fractions, drag boxes, cloze syntax, embedded files).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle
from imaginecole.exports.gift import MOODLE_GRADES, split_marked
from lxml import etree

GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"
ALL = sorted(p.name for p in GRAINS.iterdir() if (p / "manifest.json").exists())
TYPES = {
    "single_choice": "multichoice",
    "multiple_choice": "multichoice",
    "true_false": "truefalse",
    "drag_words": "ddwtos",
    "matching": "matching",
    "ordering": "ddwtos",
    "flashcards": "description",
}
CLOZE = re.compile(r"\{(\d+):(SHORTANSWER(?:_C)?):((?:\\.|[^\\}])*)\}")


def export(bundle: Bundle, tmp_path: Path, name: str = "bank") -> etree._Element:
    out = get_exporter("moodle-xml")().export(bundle, tmp_path / f"{name}.xml")
    return etree.parse(str(out)).getroot()


def text(element: etree._Element, path: str | None = None) -> str:
    """The <text> of `element` (or of its child `path`), as Moodle reads it."""
    holder = element if path is None else element.find(path)
    assert holder is not None, f"<{element.tag}> has no <{path}>"
    found = holder.find("text")
    assert found is not None, f"<{holder.tag}> has no <text>"
    return found.text or ""


def value(element: etree._Element, tag: str) -> str:
    found = element.find(tag)
    assert found is not None, f"<{element.tag}> has no <{tag}>"
    return found.text or ""


def moodle_type(q: dict) -> str:
    if q["kind"] == "fill_blanks":
        blanks = [s for s in split_marked(q["text"], True) if isinstance(s, list)]
        return "shortanswer" if len(blanks) == 1 else "cloze"
    return TYPES[q["kind"]]


def cloze_answers(body: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(kind, [(credit, answer)]) of each {n:TYPE:…} of a cloze text, escapes removed."""
    out = []
    for match in CLOZE.finditer(body):
        options = re.split(r"(?<!\\)~", match.group(3))
        parsed = []
        for option in options:
            answer = re.split(r"(?<!\\)#", option)[0]
            credit = "=" if answer.startswith("=") else ""
            parsed.append((credit, re.sub(r"\\(.)", r"\1", answer.lstrip("="))))
        out.append((match.group(2), parsed))
    return out


@pytest.mark.parametrize("name", ALL)
def test_every_question_has_what_its_moodle_type_requires(name, tmp_path):
    bundle = Bundle.load(GRAINS / name)
    quiz = export(bundle, tmp_path)
    assert quiz.tag == "quiz"
    questions = quiz.findall("question")
    category, rest = questions[0], questions[1:]
    assert category.get("type") == "category"
    assert text(category, "category") == f"$course$/top/{bundle.title}"
    assert len(rest) == len(bundle.manifest["questions"])

    for q, question in zip(bundle.manifest["questions"], rest, strict=True):
        qtype = question.get("type")
        assert qtype == moodle_type(q), q["id"]
        assert text(question, "name").strip()
        assert question.find("questiontext").get("format") == "html"
        body = text(question, "questiontext")
        assert body.strip()
        assert question.find("generalfeedback") is not None
        assert value(question, "idnumber") == q["id"]
        if qtype not in ("cloze", "description"):
            assert float(value(question, "defaultgrade")) == q.get("points", 1)
        answers = question.findall("answer")
        for answer in answers:
            assert answer.find("text") is not None and text(answer).strip(), q["id"]
            # Moodle's import refuses a question with a grade off its list
            fraction = abs(float(answer.get("fraction")))
            assert min(abs(fraction - g) for g in MOODLE_GRADES) <= 0.001, q["id"]
        if qtype == "multichoice":
            fractions = [float(a.get("fraction")) for a in answers]
            assert len(answers) == len(q["choices"])
            if q["kind"] == "single_choice":
                assert value(question, "single") == "true"
                assert fractions.count(100) == 1
                assert all(0 <= f < 100 for f in fractions if f != 100)
                right = next(c for c in q["choices"] if c["correct"])
                assert text(answers[fractions.index(100)]) == right["text"]
            else:
                assert value(question, "single") == "false"
                assert sum(f for f in fractions if f > 0) == pytest.approx(100, abs=0.01)
                for c, f in zip(q["choices"], fractions, strict=True):
                    assert (f > 0) is c["correct"]
        elif qtype == "truefalse":
            by_text = {text(a): float(a.get("fraction")) for a in answers}
            assert by_text == {
                "true": 100.0 if q["answer"] else 0.0,
                "false": 0.0 if q["answer"] else 100.0,
            }
        elif qtype == "shortanswer":
            blank = next(s for s in split_marked(q["text"], True) if isinstance(s, list))
            right = [text(a) for a in answers if a.get("fraction") == "100"]
            assert right == blank
            assert all(text(a) == "*" for a in answers if a.get("fraction") != "100")
        elif qtype == "cloze":
            blanks = [s for s in split_marked(q["text"], True) if isinstance(s, list)]
            found = cloze_answers(body)
            assert [[a for credit, a in opts if credit == "="] for _k, opts in found] == blanks
        elif qtype == "ddwtos":
            boxes = [text(b) for b in question.findall("dragbox")]
            assert all(b.findtext("group") == "1" for b in question.findall("dragbox"))
            slots = [int(n) for n in re.findall(r"\[\[(\d+)\]\]", body)]
            placed = [boxes[n - 1] for n in slots]
            if q["kind"] == "ordering":
                assert placed == q["items"]
                assert len(boxes) == len(q["items"])
            else:
                marked = [s[0] for s in split_marked(q["text"], False) if isinstance(s, list)]
                assert placed == marked
                assert set(q.get("distractors", [])) <= set(boxes)
        elif qtype == "matching":
            pairs = [
                {"left": text(s), "right": text(s.find("answer"))}
                for s in question.findall("subquestion")
            ]
            assert pairs == q["pairs"]
        elif qtype == "description":
            assert float(value(question, "defaultgrade")) == 0
            for card in q["cards"]:
                assert card["back"] in body


def test_embedded_files_are_the_media_and_every_reference_has_its_file(tmp_path):
    bundle = Bundle.load(GRAINS / "question_set")
    quiz = export(bundle, tmp_path)
    seen = set()
    for question in quiz.findall("question")[1:]:
        questiontext = question.find("questiontext")
        files = {f.get("name"): f for f in questiontext.findall("file")}
        for name in re.findall(r"@@PLUGINFILE@@/([^\"'<>\s]+)", text(questiontext)):
            assert name in files, f"{question.findtext('idnumber')}: {name} is not embedded"
            f = files[name]
            assert f.get("encoding") == "base64" and f.get("path") == "/"
            assert base64.b64decode(f.text) == bundle.media_bytes(f"media/{name}")
            seen.add(name)
    assert seen == {"triangle.png", "son-aigu.wav"}
    forme = next(q for q in quiz.findall("question") if q.findtext("idnumber") == "forme")
    assert 'alt="Un triangle vert sur un fond gris clair"' in text(forme, "questiontext")


def test_feedback_hint_and_penalty(tmp_path):
    quiz = export(Bundle.load(GRAINS / "single_choice"), tmp_path)
    question = quiz.findall("question")[1]
    assert text(question.find("correctfeedback")) == "Bravo, vous reconnaissez le triangle."
    assert text(question.find("incorrectfeedback")) == "Regardez bien les côtés de la forme."
    assert text(question.find("hint")) == "Comptez les côtés de la forme."
    feedback = [text(a.find("feedback")) for a in question.findall("answer")]
    assert feedback == ["Oui : il a trois côtés.", "Un carré a quatre côtés.", ""]
    assert 0 < float(value(question, "penalty")) <= 1


def test_multiple_choice_without_weights_gets_the_player_shares(tmp_path):
    quiz = export(Bundle.load(GRAINS / "multiple_choice"), tmp_path)
    fractions = [float(a.get("fraction")) for a in quiz.findall("question")[1].findall("answer")]
    assert fractions == [50, -50, 50, -50]


def test_weights_moodle_cannot_import_go_to_the_nearest_grade_with_a_warning(tmp_path):
    manifest = json.loads((GRAINS / "multiple_choice/manifest.json").read_text("utf-8"))
    for c, weight in zip(manifest["questions"][0]["choices"], [35, -100, 65, -100], strict=True):
        c["weight"] = weight
    bundle = Bundle(tmp_path, manifest)
    quiz = export(bundle, tmp_path)
    fractions = [a.get("fraction") for a in quiz.findall("question")[1].findall("answer")]
    assert fractions == ["33.33333", "-100", "66.66667", "-100"]
    assert "35" in "\n".join(bundle.warnings) and "« pairs »" in bundle.warnings[0]


def test_a_word_for_several_gaps_is_an_infinite_drag_box(tmp_path):
    manifest = json.loads((GRAINS / "drag_words/manifest.json").read_text("utf-8"))
    manifest["questions"][0]["text"] = "*Le* chat et *le* chien, *un* ami."
    manifest["questions"][0]["distractors"] = ["la"]
    question = export(Bundle(tmp_path, manifest), tmp_path).findall("question")[1]
    boxes = {text(b): b.find("infinite") is not None for b in question.findall("dragbox")}
    assert boxes == {"Le": False, "le": False, "un": False, "la": False}
    manifest["questions"][0]["text"] = "*le* chat et *le* chien."
    question = export(Bundle(tmp_path, manifest), tmp_path, "again").findall("question")[1]
    boxes = {text(b): b.find("infinite") is not None for b in question.findall("dragbox")}
    assert boxes == {"le": True, "la": False}
    assert re.findall(r"\[\[(\d)\]\]", text(question, "questiontext")) == ["1", "1"]


def test_fill_blanks_wrong_answer_feedback_and_case(tmp_path):
    manifest = json.loads((GRAINS / "fill_blanks/manifest.json").read_text("utf-8"))
    q = manifest["questions"][0]
    q["case_sensitive"] = True
    quiz = export(Bundle(tmp_path, manifest), tmp_path, "cloze")
    body = text(quiz.findall("question")[1], "questiontext")
    kinds = [kind for kind, _ in cloze_answers(body)]
    assert kinds == ["SHORTANSWER_C"] * 3
    assert "*#Relisez la phrase en entier." in body

    q["text"] = "*Bamako/bamako*"
    q["case_sensitive"] = False
    quiz = export(Bundle(tmp_path, manifest), tmp_path, "short")
    question = quiz.findall("question")[1]
    assert question.get("type") == "shortanswer"
    assert value(question, "usecase") == "0"
    answers = [
        (a.get("fraction"), text(a), text(a.find("feedback"))) for a in question.findall("answer")
    ]
    assert answers == [
        ("100", "Bamako", "Très bien !"),
        ("100", "bamako", "Très bien !"),
        ("0", "*", "Relisez la phrase en entier."),
    ]


def test_cloze_answers_escape_moodle_special_characters(tmp_path):
    manifest = json.loads((GRAINS / "fill_blanks/manifest.json").read_text("utf-8"))
    manifest["questions"][0]["text"] = 'Un *a}b#c~d"e\\f* et un *x & y<z*.'
    manifest["questions"][0].pop("feedback")
    quiz = export(Bundle(tmp_path, manifest), tmp_path)
    body = text(quiz.findall("question")[1], "questiontext")
    assert cloze_answers(body) == [
        ("SHORTANSWER", [("=", 'a}b#c~d"e\\f')]),
        ("SHORTANSWER", [("=", "x &amp; y&lt;z")]),  # HTML text, as Moodle reads it
    ]


def test_teacher_text_is_sanitised_and_escaped(tmp_path):
    manifest = json.loads((GRAINS / "single_choice/manifest.json").read_text("utf-8"))
    q = manifest["questions"][0]
    q.pop("media")
    q["statement"] = "<p>Tom &amp; Jerry &lt;3</p><script>alert(1)</script>]]> fin"
    q["choices"][1]["text"] = '<img src=x onerror="alert(2)">carré'
    q["feedback"]["correct"] = "<b>pas du HTML</b> & ]]>"
    q["title"] = "Titre <i>brut</i> & ]]>"
    out = get_exporter("moodle-xml")().export(Bundle(tmp_path, manifest), tmp_path / "x.xml")
    data = out.read_bytes()
    assert b"alert" not in data and b"<script" not in data and b"onerror" not in data
    question = etree.fromstring(data).findall("question")[1]
    assert text(question, "questiontext") == "<p>Tom &amp; Jerry &lt;3</p>]]&gt; fin"
    assert text(question.find("correctfeedback")) == "&lt;b&gt;pas du HTML&lt;/b&gt; &amp; ]]&gt;"
    # "]]>" cannot sit in CDATA: that text is written escaped, and reads back the same
    assert text(question, "name") == "Titre <i>brut</i> & ]]>"
    assert text(question.findall("answer")[1]) == "carré"


def test_same_bundle_gives_the_same_bytes(tmp_path):
    bundle = Bundle.load(GRAINS / "question_set")
    one = get_exporter("moodle-xml")().export(bundle, tmp_path / "a.xml").read_bytes()
    two = get_exporter("moodle-xml")().export(bundle, tmp_path / "b.xml").read_bytes()
    assert one == two
