from pathlib import Path

import pytest

from imaginecole.workshop import WorkshopError, load_workshop

EXAMPLES = Path(__file__).parents[2] / "hub_config" / "examples"


def write(tmp_path: Path, text: str, roster: str | None = None) -> Path:
    path = tmp_path / "workshop.yaml"
    path.write_text(text, encoding="utf-8")
    if roster is not None:
        (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    return path


def test_demo_workshop_loads_with_defaults():
    w = load_workshop(EXAMPLES / "demo-workshop.yaml")
    assert (w.slug, w.country, w.language) == ("demo", "SN", "fr")
    assert w.trainer_names == ["formatrice"]
    assert "aissatou.ndiaye" in w.teacher_names
    assert w.groups()["team-les-baobabs"] == ["moussa.ba", "fatou.sow"]
    assert w.groups()["country-tg"] == ["kofi.mensah"]
    assert w.resources["mem_guarantee"] == "256M"


def test_errors_name_field_and_line_in_french_and_english(tmp_path):
    path = write(
        tmp_path,
        "schema_version: 1\n"
        "workshop:\n"
        "  name: Atelier\n"
        "  country: FR\n"
        "  langage: fr\n"
        "auth:\n"
        "  mode: workshop-code\n"
        "  code: court\n",
    )
    with pytest.raises(WorkshopError) as err:
        load_workshop(path)
    problems = err.value.problems
    text = "\n".join(problems)
    assert "ligne 4, champ « workshop.country »" in text
    assert "[en] line 4, field « workshop.country »" in text
    assert "ligne 5, champ « workshop.langage »" in text
    assert "ligne 8, champ « auth.code »" in text
    assert "trainer_code" in text  # required with workshop-code
    assert len(problems) == 4
    assert problems[0].startswith("ligne 4")  # sorted by line


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    path = write(tmp_path, "schema_version: 1\nworkshop: [name\n")
    with pytest.raises(WorkshopError) as err:
        load_workshop(path)
    assert "ligne 3" in str(err.value) or "ligne 2" in str(err.value)
    assert "colonne" in str(err.value)


def test_roster_problems_surface_through_the_workshop(tmp_path):
    path = write(
        tmp_path,
        "schema_version: 1\nworkshop: {name: A, country: ML}\nroster: roster.csv\n"
        "auth: {mode: first-use}\n",
        roster="username,full_name,email,role,country,team\nawa,Awa,,teacher,XX,\n",
    )
    with pytest.raises(Exception) as err:
        load_workshop(path)
    assert "XX" in str(err.value) and "Ligne 2" in str(err.value)


def test_same_code_for_trainers_and_teachers_is_refused(tmp_path):
    path = write(
        tmp_path,
        "schema_version: 1\nworkshop: {name: A, country: TN, language: ar}\n"
        "auth: {mode: workshop-code, code: samecode-123, trainer_code: samecode-123}\n",
    )
    with pytest.raises(WorkshopError, match="trainer_code"):
        load_workshop(path)


def test_unsafe_trainer_username_is_refused_with_a_suggestion(tmp_path):
    path = write(
        tmp_path,
        "schema_version: 1\nworkshop: {name: A, country: BJ}\n"
        "trainers:\n  - username: Koffi Zinsou\nauth: {mode: first-use}\n",
    )
    with pytest.raises(WorkshopError) as err:
        load_workshop(path)
    assert "koffi.zinsou" in str(err.value) and "ligne 4" in str(err.value)
