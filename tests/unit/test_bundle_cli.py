"""`imaginecole grain …`: exit codes, French and English output, documentation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imaginecole.bundle import load_manifest
from imaginecole.cli import build_parser, main

DOC = Path(__file__).parents[2] / "docs" / "bundle-format.md"


def test_new_then_validate(tmp_path, capsys):
    folder = tmp_path / "quiz"
    assert (
        main(
            [
                "grain",
                "new",
                "single_choice",
                str(folder),
                "--title",
                "Les tables",
                "--country",
                "sn",
            ]
        )
        == 0
    )
    manifest = load_manifest(folder)
    assert manifest["metadata"]["title"] == "Les tables"
    assert manifest["metadata"]["country"] == "SN"
    assert "écrit dans" in capsys.readouterr().out

    assert main(["grain", "validate", str(folder)]) == 0
    assert "grain valide « Les tables » (single_choice, 1 question(s))" in capsys.readouterr().out
    assert main(["grain", "validate", str(folder), "--lang", "en"]) == 0
    assert "valid grain « Les tables »" in capsys.readouterr().out


def test_new_refuses_an_existing_non_empty_folder(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("à garder", "utf-8")
    assert main(["grain", "new", "true_false", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "existe déjà et n'est pas vide" in err and "already exists and is not empty" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_new_in_an_existing_empty_folder_and_in_english(tmp_path, capsys):
    assert main(["grain", "new", "flashcards", str(tmp_path), "--language", "en"]) == 0
    assert load_manifest(tmp_path)["metadata"]["title"] == "New flashcards"


def test_new_with_a_bad_country_creates_nothing(tmp_path, capsys):
    folder = tmp_path / "quiz"
    assert main(["grain", "new", "true_false", str(folder), "--country", "FR"]) == 1
    assert "metadata.country" in capsys.readouterr().err
    assert not folder.exists()


def test_validate_lists_every_problem_with_its_path(tmp_path, capsys):
    folder = tmp_path / "quiz"
    assert main(["grain", "new", "question_set", str(folder)]) == 0
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["questions"][0]["choices"][0]["correct"] = False
    manifest["questions"][1]["statement"] = "<script>alert(1)</script>"
    manifest["questions"][2]["media"] = {"image": {"src": "media/../x.png"}}
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    capsys.readouterr()

    assert main(["grain", "validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "n'est pas valide (4 problème(s))" in err
    assert "questions[0].choices : exactement une réponse doit être correcte, il y en a 0" in err
    assert "questions[1].statement : les scripts" in err
    assert "questions[2].media.image : le champ obligatoire « alt » manque" in err
    assert "questions[2].media.image.src : « media/../x.png » doit être un fichier" in err
    assert "[en]" not in err  # one language, as asked

    assert main(["grain", "validate", str(folder), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "questions[0].choices: exactly one answer must be correct, found 0" in err
    assert "is not valid (4 problem(s))" in err


def test_validate_a_folder_without_a_grain(tmp_path, capsys):
    assert main(["grain", "validate", str(tmp_path), "--lang", "en"]) == 1
    assert "no readable manifest.json" in capsys.readouterr().err


def test_import_gift_and_its_errors(tmp_path, capsys):
    gift = tmp_path / "quiz.gift"
    gift.write_text("Capitale du Tchad ?{=N'Djamena ~Moundou}\n\nLe lac Tchad.{T}\n", "utf-8")
    assert main(["grain", "import-gift", str(gift), str(tmp_path / "g")]) == 0
    assert "(question_set, 2 question(s))" in capsys.readouterr().out

    gift.write_text("Capitale du Tchad ?{=N'Djamena ~Moundou\n", "utf-8")
    assert main(["grain", "import-gift", str(gift), str(tmp_path / "h")]) == 1
    err = capsys.readouterr().err
    assert "ligne 1, colonne 20" in err and "line 1, column 20" in err
    assert not (tmp_path / "h").exists()

    gift.write_text("Capitale du Tchad ?{=N'Djamena ~Moundou}\n", "utf-8")
    assert main(["grain", "import-gift", str(gift), str(tmp_path / "g")]) == 1
    assert "n'est pas vide" in capsys.readouterr().err


def test_import_csv_and_its_errors(tmp_path, capsys):
    csv_file = tmp_path / "quiz.csv"
    csv_file.write_text("kind;statement;correct\nvrai_faux;Le Niger est un fleuve.;vrai\n", "utf-8")
    assert (
        main(["grain", "import-csv", str(csv_file), str(tmp_path / "g"), "--title", "Fleuves"]) == 0
    )
    assert load_manifest(tmp_path / "g")["metadata"]["title"] == "Fleuves"
    capsys.readouterr()

    csv_file.write_text("kind;statement;correct\nvrai_faux;;peut-être\nqcx;Q;1\n", "utf-8")
    assert main(["grain", "import-csv", str(csv_file), str(tmp_path / "h")]) == 1
    err = capsys.readouterr().err
    assert "ligne 2" in err and "ligne 3" in err and "row 3" in err
    assert not (tmp_path / "h").exists()


def _grain_options() -> dict[str, set[str]]:
    parser = build_parser()
    grain = next(a for a in parser._subparsers._group_actions if "grain" in a.choices)
    options = {}
    for name, sub in grain.choices["grain"]._subparsers._group_actions[0].choices.items():
        options[name] = {s for a in sub._actions for s in a.option_strings if s.startswith("--")}
        options[name].discard("--help")
    return options


def test_every_grain_command_and_option_is_documented():
    doc = DOC.read_text("utf-8")
    commands = re.findall(r"^imaginecole grain (\S+)(.*)$", doc, re.MULTILINE)
    documented: dict[str, set[str]] = {}
    for name, rest in commands:
        documented.setdefault(name, set()).update(re.findall(r"--[a-z-]+", rest))
    options = _grain_options()
    assert set(options) == set(documented)
    for name, opts in options.items():
        assert opts == documented[name], name


def test_help_is_in_french(capsys):
    with pytest.raises(SystemExit):
        main(["grain", "new", "--help"])
    assert "le dossier du nouveau grain" in capsys.readouterr().out
