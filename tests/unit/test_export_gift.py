"""The `gift` exporter: what parse_gift reads back is the grain that was written."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle, ExportError
from imaginecole.exports.gift import escape_gift, export_gift, gift_with_notes

from imaginecole.bundle import sanitize_rich_text, validate_manifest
from imaginecole.bundle.gift import parse_gift, read_gift

GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"


def fixture(name: str) -> dict:
    return json.loads((GRAINS / name / "manifest.json").read_text("utf-8"))


def grain(*questions: dict, language: str = "fr") -> dict:
    return {
        "schema_version": 1,
        "type": "grain",
        "id": "0b8f3a52-5d2e-4c1b-9a57-3e1f6c2d9aff",
        "kind": "question_set",
        "metadata": {"title": "Essai GIFT", "language": language, "licence": "CC-BY-SA-4.0"},
        "questions": list(questions),
    }


def rich(text: str) -> str:
    # the importer sanitises and unwraps a lone paragraph: the same text for a learner
    cleaned = sanitize_rich_text(text).strip()
    single = re.fullmatch(r"<p>((?:(?!</?p>).)*)</p>", cleaned, re.DOTALL)
    return single.group(1) if single else cleaned


def comparable(q: dict) -> dict:
    """What a round trip keeps: everything but ids, rich text compared as the learner sees it."""
    q = copy.deepcopy(q)
    q.pop("id")
    q["statement"] = rich(q["statement"])
    for c in q.get("choices", []):
        c.pop("id")
        c["text"] = rich(c["text"])
    if q["kind"] == "fill_blanks":
        q.setdefault("case_sensitive", False)
    return q


def round_trip(manifest: dict) -> list[dict]:
    assert validate_manifest(manifest) == [], "the test grain itself must be valid"
    back = parse_gift(export_gift(manifest))
    assert validate_manifest(back) == []
    return back["questions"]


@pytest.mark.parametrize("name", ["single_choice", "multiple_choice", "true_false", "matching"])
def test_native_kinds_of_the_fixtures_come_back_the_same(name):
    manifest = fixture(name)
    [back] = round_trip(manifest)
    original = comparable(manifest["questions"][0])
    # GIFT has no place for points, hints, media nor question-level feedback of choices and
    # matching: they are comments in the file (tested below), not part of the round trip
    for key in ("media", "hint", "points"):
        original.pop(key, None)
    if name in ("single_choice", "multiple_choice", "matching"):
        original.pop("feedback", None)
    if name == "multiple_choice":
        # unweighted choices come back with the weights that give the player's scores
        for c, weight in zip(original["choices"], [50, -50, 50, -50], strict=True):
            c["weight"] = weight
    assert comparable(back) == original


def test_weights_titles_and_every_feedback_come_back():
    questions = [
        {
            "id": "a",
            "kind": "single_choice",
            "title": "Capitale : Sénégal",
            "statement": "Quelle est la capitale du Sénégal ?",
            "choices": [
                {"id": "x", "text": "Dakar", "correct": True, "feedback": "Bravo !"},
                {"id": "y", "text": "Thiès", "correct": False, "weight": 50},
                {"id": "z", "text": "Saint-Louis", "correct": False, "weight": 0},
            ],
            "feedback": {"general": "Dakar est la capitale depuis 1960."},
        },
        {
            "id": "b",
            "kind": "multiple_choice",
            "statement": "Lesquels sont pairs ?",
            "choices": [
                {"id": "p", "text": "4", "correct": True, "weight": 33.33333},
                {"id": "q", "text": "6", "correct": True, "weight": 33.33333},
                {"id": "r", "text": "8", "correct": True, "weight": 33.33334},
                {"id": "s", "text": "7", "correct": False, "weight": -100, "feedback": "impair"},
            ],
        },
        {
            "id": "c",
            "kind": "true_false",
            "title": "Fleuve",
            "statement": "Le Niger traverse le Mali.",
            "answer": False,
            "feedback": {"incorrect": "Mais si !", "general": "Il traverse aussi le Niger."},
        },
        {
            "id": "d",
            "kind": "true_false",
            "statement": "La Terre est ronde.",
            "answer": True,
            "feedback": {"correct": "Exact."},
        },
        {
            "id": "e",
            "kind": "matching",
            "title": "Capitales",
            "statement": "Associez.",
            "pairs": [{"left": "Mali", "right": "Bamako"}, {"left": "Niger", "right": "Niamey"}],
            "feedback": {"general": "Voir la carte."},
        },
        {
            "id": "f",
            "kind": "fill_blanks",
            "statement": "Capitale du Mali ?",
            "text": "*Bamako/bamako*",
            "feedback": {"correct": "Oui !", "general": "Bamako, sur le Niger."},
        },
    ]
    back = round_trip(grain(*questions))
    assert [comparable(q) for q in back] == [comparable(q) for q in questions]


def test_weights_moodle_cannot_import_go_to_the_nearest_grade_with_a_note():
    q = {
        "id": "w",
        "kind": "multiple_choice",
        "statement": "Lesquels ?",
        "choices": [
            {"id": "a", "text": "a", "correct": True, "weight": 35},
            {"id": "b", "text": "b", "correct": True, "weight": 65},
            {"id": "c", "text": "c", "correct": False, "weight": -100},
        ],
    }
    text, notes = gift_with_notes(grain(q))
    [back] = parse_gift(text)["questions"]
    assert [c["weight"] for c in back["choices"]] == [33.33333, 66.66667, -100]
    assert len(notes) == 2 and "35" in str(notes[0])


def test_a_blank_inside_a_text_becomes_a_missing_word():
    q = {
        "id": "m",
        "kind": "fill_blanks",
        "statement": "Complétez la phrase.",
        "text": "Le chat boit du *lait/petit-lait* le matin.",
    }
    [back] = round_trip(grain(q))
    assert back["kind"] == "fill_blanks"
    assert back["statement"] == "Complétez la phrase."  # kept as the GIFT title
    assert back["title"] == "Complétez la phrase."
    assert back["text"] == "Le chat boit du *lait/petit-lait* le matin."


def test_several_blanks_become_one_question_each():
    manifest = fixture("fill_blanks")
    text, notes = gift_with_notes(manifest)
    back = parse_gift(text)["questions"]
    assert [q["kind"] for q in back] == ["fill_blanks"] * 3
    answers = [re.findall(r"\*([^*]+)\*", q["text"]) for q in back]
    assert answers == [["chat/chaton"], ["lait"], ["natte"]]
    assert back[0]["text"].startswith("Le *chat/chaton* boit du […].")
    assert [q["title"] for q in back] == [f"Complétez la phrase. ({n}/3)" for n in (1, 2, 3)]
    assert any("3" in str(n) and "phrase" in str(n) for n in notes)


def test_drag_words_become_missing_word_choices_one_per_gap():
    manifest = fixture("drag_words")
    back = parse_gift(export_gift(manifest))["questions"]
    assert [q["kind"] for q in back] == ["single_choice", "single_choice"]
    first, second = back
    assert first["statement"] == "Le soleil se lève à l'____ et se couche à l'[…]."
    assert [(c["text"], c["correct"]) for c in first["choices"]] == [
        ("est", True),
        ("ouest", False),
        ("nord", False),
        ("sud", False),
    ]
    assert [c["text"] for c in second["choices"] if c["correct"]] == ["ouest"]
    assert {c["text"] for c in second["choices"]} == {"est", "ouest", "nord", "sud"}


def test_what_gift_cannot_hold_is_a_comment_and_a_warning(tmp_path):
    bundle = Bundle.load(GRAINS / "question_set")
    out = get_exporter("gift")().export(bundle, tmp_path / "qs.gift")
    text = read_gift(out)
    back = parse_gift(text, source=str(out))
    kinds = [q["kind"] for q in back["questions"]]
    assert "ordering" not in kinds and "flashcards" not in kinds
    assert "// 1. Préparer le champ" in text
    assert "// 3 × 4 -> 12" in text
    assert "// points: 2" in text
    assert "// hint: Comptez les côtés de la forme." in text
    assert "// image: media/triangle.png" in text
    assert "// feedback.correct: Bravo, vous reconnaissez le triangle." in text
    warned = "\n".join(bundle.warnings)
    for question_id in ("mil", "revision", "multiples", "forme"):
        assert f"« {question_id} »" in warned
    # the category names the grain, and gives its title back
    assert "$CATEGORY: $course$/top/Évaluation : révisions de CM1" in text
    assert back["metadata"]["title"] == "Évaluation : révisions de CM1"


@pytest.mark.parametrize("name", ["flashcards", "ordering"])
def test_a_grain_with_nothing_gift_can_hold_is_refused(name):
    with pytest.raises(ExportError) as caught:
        export_gift(fixture(name))
    assert "GIFT" in str(caught.value)


def test_escape_of_every_special_character():
    assert escape_gift("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"


@pytest.mark.parametrize("markup", [False, True], ids=["default-format", "html-format"])
@pytest.mark.parametrize(
    "statement",
    [
        "Combien font 2 + 2 = ? {ou} 3 ~ 5 # \\ : fin",
        "// pas un commentaire",
        "[plain] pas un format",
        "::pas un titre:: non",
        "$CATEGORY: pas une catégorie",
        "Ligne 1<br>Ligne 2 &amp; 3 &lt; 4",
        "<p>Un</p>\n\n<p>Deux</p>",
    ],
)
def test_special_text_comes_back_unchanged(statement, markup):
    q = {
        "id": "s",
        "kind": "single_choice",
        "statement": statement,
        "choices": [
            {"id": "a", "text": "x = 1 : y", "correct": True, "feedback": "a#b ~c {d} \\e"},
            {"id": "b", "text": "%50% de rien", "correct": False},
            {"id": "c", "text": "T", "correct": False, "feedback": "<b>pas</b> & <"},
        ],
    }
    if markup:  # a tag or an entity anywhere in the question switches it to [html]
        q["choices"][0]["text"] = "x = 1 -> y"  # "->" would make a matching pair
        q["choices"][2]["text"] = "<em>T</em>"
    text = export_gift(grain(q))
    # "//" and "[" at the start of a line would read as a comment or a format: [html] guards
    guarded = statement.startswith(("//", "["))
    assert ("[html]" in text) is (markup or guarded or "<" in statement or "&" in statement)
    [back] = round_trip(grain(q))
    assert comparable(back) == comparable(q)


def test_special_text_in_titles_pairs_and_blanks():
    questions = [
        {
            "id": "t",
            "kind": "matching",
            "title": "Titre :: {spécial} = #1",
            "statement": "Associez.",
            "pairs": [
                {"left": "a -> b", "right": "x = y"},
                {"left": "c ~ d", "right": "<z> & {w}"},
            ],
        },
        {
            "id": "u",
            "kind": "fill_blanks",
            "title": "T",
            "statement": "Écrivez.",
            "text": "*a{b}#c\\d=e*",
        },
    ]
    back = round_trip(grain(*questions))
    assert [comparable(q) for q in back] == [comparable(q) for q in questions]


def test_rich_text_is_sanitised_on_the_way_out():
    q = {
        "id": "x",
        "kind": "true_false",
        "statement": 'Vrai ?<script>alert(1)</script> <b onclick="x()">gras</b>',
        "answer": True,
    }
    text = export_gift(grain(q))
    assert "script" not in text and "alert" not in text and "onclick" not in text
    [back] = parse_gift(text)["questions"]
    assert back["statement"] == "Vrai ? <b>gras</b>"


def test_arabic_question_set_keeps_its_text():
    manifest = fixture("arabic")
    back = parse_gift(export_gift(manifest), language="ar")["questions"]
    first = back[0]
    assert first["statement"] == "ما هي عاصمة موريتانيا؟"
    assert [c["text"] for c in first["choices"] if c["correct"]] == ["نواكشوط"]
    assert back[1]["kind"] == "true_false" and back[1]["answer"] is True


def test_same_grain_gives_the_same_bytes(tmp_path):
    bundle = Bundle.load(GRAINS / "question_set")
    one = get_exporter("gift")().export(bundle, tmp_path / "a.gift").read_bytes()
    two = get_exporter("gift")().export(bundle, tmp_path / "b.gift").read_bytes()
    assert one == two
    assert one.decode("utf-8").endswith("\n")
