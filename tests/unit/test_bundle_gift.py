"""GIFT import: every construct, and errors with line and column."""

from __future__ import annotations

import pytest

from imaginecole.bundle import load_manifest, validate_manifest
from imaginecole.bundle.gift import GiftSyntaxError, import_gift, parse_gift


def one(text: str) -> dict:
    manifest = parse_gift(text)
    assert manifest["kind"] == "question_set"
    assert validate_manifest(manifest) == []
    assert len(manifest["questions"]) == 1
    return manifest["questions"][0]


def test_multiple_choice_with_feedback_and_general_feedback():
    q = one(
        "::Capitale::Quelle est la capitale du Sénégal ?{\n"
        "  =Dakar#Bravo !\n"
        "  ~Thiès#Non, c'est une autre ville.\n"
        "  ~Saint-Louis\n"
        "  ####Dakar est la capitale depuis 1960.\n"
        "}"
    )
    assert q["kind"] == "single_choice"
    assert q["title"] == "Capitale"
    assert q["statement"] == "Quelle est la capitale du Sénégal ?"
    assert [(c["text"], c["correct"]) for c in q["choices"]] == [
        ("Dakar", True),
        ("Thiès", False),
        ("Saint-Louis", False),
    ]
    assert q["choices"][0]["feedback"] == "Bravo !"
    assert q["choices"][1]["feedback"] == "Non, c'est une autre ville."
    assert "feedback" not in q["choices"][2]
    assert q["feedback"] == {"general": "Dakar est la capitale depuis 1960."}


def test_multiple_answers_with_weights():
    q = one("Quels nombres sont pairs ?{~%50%4 ~%50%12 ~%-100%7 ~%-100%9}")
    assert q["kind"] == "multiple_choice"
    assert [(c["text"], c["correct"], c["weight"]) for c in q["choices"]] == [
        ("4", True, 50),
        ("12", True, 50),
        ("7", False, -100),
        ("9", False, -100),
    ]


def test_partial_credit_in_a_single_choice_and_decimal_weights():
    q = one("Combien ?{=3 ~%50%3,0 ~2}")
    assert q["kind"] == "single_choice"
    assert q["choices"][1] == {"id": "c2", "text": "3,0", "correct": False, "weight": 50}
    q = one("Lesquels ?{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert q["choices"][0]["weight"] == 33.33333


@pytest.mark.parametrize(
    ("block", "answer"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False), ("{ true }", True)],
)
def test_true_false(block, answer):
    q = one(f"La Terre tourne autour du Soleil.{block}")
    assert q["kind"] == "true_false" and q["answer"] is answer


def test_true_false_feedback_is_wrong_then_right():
    q = one("Le Niger traverse le Mali.{T#Mais si !#Exact.}")
    assert q["feedback"] == {"incorrect": "Mais si !", "correct": "Exact."}


def test_short_answer_becomes_fill_blanks_with_alternatives():
    q = one("::Court::Capitale du Mali ?{=Bamako =bamako#Oui !}")
    assert q["kind"] == "fill_blanks"
    assert q["statement"] == "Capitale du Mali ?"
    assert q["text"] == "*Bamako/bamako*"
    assert q["feedback"]["correct"] == "Oui !"


def test_matching():
    q = one("Associez.{\n=Sénégal -> Dakar\n=Mali -> Bamako\n=Niger -> Niamey\n}")
    assert q["kind"] == "matching"
    assert q["pairs"] == [
        {"left": "Sénégal", "right": "Dakar"},
        {"left": "Mali", "right": "Bamako"},
        {"left": "Niger", "right": "Niamey"},
    ]


def test_missing_word_shows_the_blank_in_the_statement():
    q = one("Le fleuve {~Sénégal =Niger ~Congo} traverse Niamey.")
    assert q["kind"] == "single_choice"
    assert q["statement"] == "Le fleuve ____ traverse Niamey."
    assert [c["correct"] for c in q["choices"]] == [False, True, False]


def test_missing_word_short_answer_becomes_a_text_with_a_blank():
    q = one("Le chat {=mange =dévore} la souris.")
    assert q["kind"] == "fill_blanks"
    assert q["text"] == "Le chat *mange/dévore* la souris."
    assert q["statement"] == "Complétez le texte."


def test_comments_categories_and_blank_lines():
    manifest = parse_gift(
        "// Banque de questions de géographie\n"
        "$CATEGORY: $course$/top/Géographie/Capitales\n"
        "\n\n"
        "// un commentaire avant la question\n"
        "Capitale du Bénin ?{=Porto-Novo ~Cotonou}\n"
        "\n"
        "$CATEGORY: $course$/top/Géographie/Fleuves\n"
        "Le Niger est un fleuve.{T}\n"
    )
    assert [q["kind"] for q in manifest["questions"]] == ["single_choice", "true_false"]
    assert manifest["metadata"]["keywords"] == ["Géographie", "Capitales", "Fleuves"]
    assert manifest["metadata"]["title"] == "Fleuves"
    assert "commentaire" not in str(manifest["questions"])


def test_comment_inside_a_question_is_skipped_and_urls_are_not_comments():
    q = one("Voir http://exemple.org\n// note pour moi\n{=oui ~non}")
    assert q["statement"] == "Voir http://exemple.org"


def test_escapes():
    q = one(
        "::Les \\: et \\{\\}::Que vaut \\{a\\} \\~ b \\= c \\# d \\\\ e ?"
        "{=1 \\= 1#Oui \\# vrai ~2 \\~ 3}"
    )
    assert q["title"] == "Les : et {}"
    assert q["statement"] == "Que vaut {a} ~ b = c # d \\ e ?"
    assert [c["text"] for c in q["choices"]] == ["1 = 1", "2 ~ 3"]
    assert q["choices"][0]["feedback"] == "Oui # vrai"


def test_newline_escape():
    q = one("[plain]Ligne 1\\nLigne 2{T}")
    assert q["statement"] == "Ligne 1<br>Ligne 2"


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("[html]<p>Un <b>gras</b><script>x()</script></p>{T}", "Un <b>gras</b>"),
        ("[markdown]Un **gras** et *italique*{T}", "Un <strong>gras</strong> et <em>italique</em>"),
        ("[plain]Un <b>gras</b>{T}", "Un &lt;b&gt;gras&lt;/b&gt;"),
        ("[moodle]Deux\nlignes{T}", "Deux<br>lignes"),
        ("Sans format 3 < 5{T}", "Sans format 3 &lt; 5"),
    ],
)
def test_formats(text, statement):
    assert one(text)["statement"] == statement


def test_format_after_title_applies_to_answers():
    q = one("::T::[markdown]Lequel ?{=**gras** ~_non_}")
    assert [c["text"] for c in q["choices"]] == ["<strong>gras</strong>", "<em>non</em>"]


def test_the_parse_keeps_what_a_gift_export_needs():
    manifest = parse_gift(
        "::T1::Q ?{=a#bien ~%25%b#presque ~c####général}\n\n::T2::Vrai ?{F#faux#juste}\n"
    )
    first, second = manifest["questions"]
    assert first["title"] == "T1" and first["feedback"]["general"] == "général"
    assert first["choices"][1] == {
        "id": "c2",
        "text": "b",
        "correct": False,
        "weight": 25,
        "feedback": "presque",
    }
    assert second["title"] == "T2" and second["answer"] is False


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("// titre\nQuestion sans fin {=a ~b", 2, 19, "jamais fermée"),
        ("Q ?{T}\n\n::Titre sans fin Question {=a ~b}", 3, 1, "::"),
        ("Deux blocs {=a ~b} et {=c}", 1, 23, "un seul bloc"),
        ("Poids {~%abc%a =b}", 1, 9, "%50%"),
        ("Texte }bizarre {=a ~b}", 1, 7, "\\}"),
        ("Réponse {a ~b}", 1, 10, "= (juste)"),
        ("Essai {}", 1, 7, "question ouverte"),
        ("Nombre {#5:1}", 1, 8, "numériques"),
        ("Sans réponses.", 1, 15, "bloc de réponses"),
        ("Bloc {=a {=b}", 1, 10, "\\{"),
        ("Vide {=a ~}", 1, 10, "vide"),
        ("Court {=1/2}", 1, 8, "* ni /"),
        ("Associez {=a -> b =c}", 1, 19, "->"),
    ],
)
def test_syntax_errors_give_line_and_column(text, line, column, words):
    with pytest.raises(GiftSyntaxError) as err:
        parse_gift(text)
    assert (err.value.line, err.value.column) == (line, column)
    french = err.value.render("fr")
    assert f"ligne {line}, colonne {column}" in french
    assert words in french
    assert f"line {line}, column {column}" in err.value.render("en")


def test_every_error_of_the_file_is_listed():
    text = "Q1 {=a ~b\n\nQ2 {=a ~b}\n\nQ3 {~a ~b}\n\nQ4 {=a =b ~c}\n\n// fin\n"
    with pytest.raises(GiftSyntaxError) as err:
        parse_gift(text)
    where = [(line, column) for line, column, _m in err.value.errors]
    assert where == [(1, 4), (5, 1), (7, 1)]
    messages = err.value.render("en")
    assert "at least one answer must be correct" in messages  # Q3 (no =, no weight)
    assert "exactly one answer must be correct, found 2" in messages  # Q4


def test_empty_file():
    with pytest.raises(GiftSyntaxError) as err:
        parse_gift("// rien que des commentaires\n\n")
    assert "no question was found" in err.value.render("en")


def test_import_creates_the_bundle_or_nothing(tmp_path):
    good = tmp_path / "capitales.gift"
    good.write_text("Capitale du Togo ?{=Lomé ~Kara}\n\nLomé est au bord de la mer.{T}\n", "utf-8")
    bundle = tmp_path / "grain"
    manifest = import_gift(good, bundle)
    assert load_manifest(bundle) == manifest
    assert manifest["metadata"]["title"] == "capitales"

    bad = tmp_path / "faux.gift"
    bad.write_text("Capitale du Togo ?{=Lomé ~Kara\n", "utf-8")
    with pytest.raises(GiftSyntaxError):
        import_gift(bad, tmp_path / "autre")
    assert not (tmp_path / "autre").exists()


def test_windows_1252_file_is_read(tmp_path):
    path = tmp_path / "ancien.gift"
    path.write_bytes("Capitale du Bénin ?{=Porto-Novo ~Cotonou}".encode("cp1252"))
    manifest = import_gift(path, tmp_path / "grain", title="Capitales")
    assert manifest["questions"][0]["statement"] == "Capitale du Bénin ?"
    assert manifest["metadata"]["title"] == "Capitales"
