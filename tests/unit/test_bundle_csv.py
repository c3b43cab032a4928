"""CSV import: documented columns, every problem with its row, nothing created on error."""

from __future__ import annotations

import pytest

from imaginecole.bundle import load_manifest
from imaginecole.bundle.csv_import import COLUMNS, CsvImportError, import_csv, parse_csv

GOOD = (
    "kind;title;statement;choice_1;choice_2;choice_3;correct;feedback_correct;"
    "feedback_incorrect;hint;points\n"
    "qcu;;Combien font 2 + 2 ?;3;4;5;2;Bravo;Non;Compte sur tes doigts;1\n"
    'multiple_choice;;Nombres pairs ?;2;3;4;"1;3";;;;1,5\n'
    "vrai_faux;;Le Niger est un fleuve.;;;;vrai;;;;\n"
    "true_false;;Le Sahara est une forêt.;;;;FALSE;;;;\n"
    "fill_blanks;;Le soleil se lève à l'*est/Est*.;;;;;;;;\n"
    "drag_words;Placez les animaux.;Le *chat* mange la *souris*.;chien;;;;;;;\n"
    "matching;;Associez.;Sénégal -> Dakar;Mali -> Bamako;;;;;;\n"
    "ordering;;Rangez du plus petit au plus grand.;1;2;3;;;;;\n"
    "flashcards;;Révisez.;un -> 1;deux -> 2;;;;;;\n"
    ";;;;;;;;;;\n"
)


def test_good_file_gives_one_question_per_row():
    manifest = parse_csv(GOOD, source="exercices.csv")
    questions = manifest["questions"]
    assert manifest["kind"] == "question_set"
    assert manifest["metadata"]["title"] == "exercices"
    assert [q["kind"] for q in questions] == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "true_false",
        "fill_blanks",
        "drag_words",
        "matching",
        "ordering",
        "flashcards",
    ]
    sc, mc, tf, tf2, fb, dw, mt, od, fc = questions
    assert [c["correct"] for c in sc["choices"]] == [False, True, False]
    assert sc["feedback"] == {"correct": "Bravo", "incorrect": "Non"}
    assert sc["hint"] == "Compte sur tes doigts" and sc["points"] == 1
    assert [c["correct"] for c in mc["choices"]] == [True, False, True]
    assert mc["points"] == 1.5
    assert tf["answer"] is True and tf2["answer"] is False
    assert fb["text"] == "Le soleil se lève à l'*est/Est*."
    assert fb["statement"] == "Complétez le texte."
    assert dw["statement"] == "Placez les animaux." and dw["distractors"] == ["chien"]
    assert mt["pairs"][1] == {"left": "Mali", "right": "Bamako"}
    assert od["items"] == ["1", "2", "3"]
    assert fc["cards"][0] == {"front": "un", "back": "1"}


def test_comma_separated_utf8_bom_file(tmp_path):
    path = tmp_path / "quiz.csv"
    path.write_text(
        "\ufeffkind,statement,choice_1,choice_2,correct\n"
        'single_choice,"Capitale du Niger, au bord du fleuve ?",Niamey,Zinder,1\n',
        "utf-8",
    )
    manifest = import_csv(path, tmp_path / "grain")
    assert manifest["questions"][0]["statement"] == "Capitale du Niger, au bord du fleuve ?"
    assert load_manifest(tmp_path / "grain") == manifest


def test_excel_windows_1252_file(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "kind;statement;correct\nvrai_faux;Le Bénin est en Afrique.;vrai\n".encode("cp1252")
    )
    manifest = import_csv(path, tmp_path / "grain")
    assert manifest["questions"][0]["statement"] == "Le Bénin est en Afrique."


BAD = (
    "kind,statement,choice_1,choice_2,choice_3,correct,points,couleur\n"
    "qcu,Combien ?,3,4,,3,x,\n"
    "essai,Rédigez.,,,,,,\n"
    "vrai_faux,<p> </p>,,,,peut-être,,\n"
    "fill_blanks,Pas de marque,,,,,,\n"
    "matching,Associez.,Dakar,Mali -> Bamako,,,,\n"
    "multiple_choice,Lesquels ?,a,b,,,,\n"
    "single_choice,Lequel ?,a,b,c,1;2,,\n"
    "single_choice,Un seul choix,a,,,1,,\n"
)


def test_every_problem_is_listed_with_its_row_and_nothing_is_created(tmp_path):
    path = tmp_path / "erreurs.csv"
    path.write_text(BAD, "utf-8")
    with pytest.raises(CsvImportError) as err:
        import_csv(path, tmp_path / "grain")
    assert not (tmp_path / "grain").exists()
    rows = [row for row, _m in err.value.problems]
    assert rows == [1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9]
    french = err.value.render("fr")
    english = err.value.render("en")
    for expected in [
        "ligne 1 : colonne(s) inconnue(s) couleur",
        "ligne 2 : colonne « correct » : le choix 3 est vide",
        "ligne 2 : colonne « points » : « x » n'est pas un nombre",
        "ligne 3 : colonne « kind » : « essai » n'est pas permis",
        "ligne 4 : colonne « correct » : « peut-être » n'est ni vrai",
        "ligne 4 : colonne « statement » : l'énoncé est vide",
        "ligne 5 : colonne « statement » : marquez au moins un trou",
        "ligne 6 : colonne « choice_1 » : écrivez les deux côtés",
        "ligne 7 : colonne « correct » : donnez le numéro du bon choix",
        "ligne 8 : colonne « correct » : une question single_choice a une seule bonne réponse",
        "ligne 9 : colonne « choice_1 » : il faut au moins 2 élément(s), il y en a 1",
    ]:
        assert expected in french, expected
    assert "row 2: column « points »: « x » is not a number" in english
    assert "11 problem(s); nothing was created" in english


def test_missing_required_column():
    with pytest.raises(CsvImportError) as err:
        parse_csv("type,question\nqcu,Combien ?\n")
    assert "missing column(s) kind, statement" in err.value.render("en")


def test_too_many_cells_means_a_separator_problem():
    with pytest.raises(CsvImportError) as err:
        parse_csv("kind;statement;choice_1;choice_2;correct\nqcm;Pairs ?;2;3;1;2\n")
    assert err.value.problems[0][0] == 2
    assert "separators" in err.value.render("en")


def test_columns_are_documented():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "bundle-format.md").read_text("utf-8")
    for column in COLUMNS:
        if column.startswith("choice_") and column not in ("choice_1", "choice_6"):
            continue  # documented as choice_1 … choice_6
        assert f"`{column}`" in doc, column


def test_html_in_cells_is_sanitised_like_any_saved_text():
    manifest = parse_csv(
        "kind,statement,choice_1,choice_2,correct\n"
        'qcu,"Un <b>gras</b><script>alert(1)</script>",<i>a</i>,b,1\n'
    )
    question = manifest["questions"][0]
    assert question["statement"] == "Un <b>gras</b>"
    assert question["choices"][0]["text"] == "<i>a</i>"
