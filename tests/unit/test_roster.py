from pathlib import Path

import pytest

from imaginecole.workshop.roster import RosterError, parse_roster, parse_roster_text, safe_username

HEADER = "username,full_name,email,role,country,team\n"


def test_accents_and_spaces_become_safe_usernames_and_each_change_is_reported():
    report = parse_roster_text(
        HEADER + "Aïssatou Ndiaye,Aïssatou Ndiaye,,enseignante,Sénégal,A\n"
        "Jean-Éric  O'Brien,Jean-Éric O'Brien,,teacher,CI,\n",
        default_country="SN",
    )
    names = [p.username for p in report.participants]
    assert names == ["aissatou.ndiaye", "jean-eric.o-brien"]
    assert report.participants[0].country == "SN"
    assert report.participants[1].country == "CI"
    assert len(report.changes) == 2
    assert "Ligne 2" in report.changes[0] and "aissatou.ndiaye" in report.changes[0]
    assert "[en] Line 2" in report.changes[0]


def test_every_problem_is_listed_at_once_with_row_numbers():
    text = HEADER + (
        "awa,Awa,,teacher,SN,\n"
        "Awa,Awa bis,,teacher,SN,\n"  # duplicate after normalisation
        "moussa,Moussa,,teacher,Atlantide,\n"  # unknown country
        "kofi,Kofi,,directeur,TG,\n"  # unknown role
        "!!!,,,teacher,SN,\n"  # nothing usable
    )
    with pytest.raises(RosterError) as err:
        parse_roster_text(text, default_country="SN")
    problems = err.value.problems
    assert len(problems) == 4
    assert "Ligne 3" in problems[0] and "ligne 2" in problems[0]
    assert "Ligne 4" in problems[1] and "Atlantide" in problems[1]
    assert "Ligne 5" in problems[2] and "directeur" in problems[2]
    assert "Ligne 6" in problems[3]
    assert "nothing was created" in str(err.value)


def test_missing_columns_are_named():
    with pytest.raises(RosterError) as err:
        parse_roster_text("username,full_name\nawa,Awa\n", default_country="SN")
    message = str(err.value)
    assert "email, role, country, team" in message
    assert "Ligne 1" in message


def test_semicolon_and_windows_1252_from_french_excel(tmp_path: Path):
    path = tmp_path / "roster.csv"
    text = "username;full_name;email;role;country;team\r\nfatou;Fatou Sów;;formatrice;sn;É1\r\n"
    path.write_bytes(text.encode("cp1252"))
    report = parse_roster(path, default_country="TG")
    (person,) = report.participants
    assert (person.username, person.full_name, person.role, person.country, person.team) == (
        "fatou",
        "Fatou Sów",
        "trainer",
        "SN",
        "É1",
    )


def test_unreadable_roster_names_the_file(tmp_path: Path):
    with pytest.raises(Exception) as err:
        parse_roster(tmp_path / "absent.csv", default_country="SN")
    assert "absent.csv" in str(err.value)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Ibrahima SALL", "ibrahima.sall"),
        ("ça--va", "ca-va"),
        ("a" * 40, "a" * 32),
        ("../etc", "etc"),
    ],
)
def test_safe_username(raw, safe):
    assert safe_username(raw) == safe
