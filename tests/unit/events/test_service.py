"""Events on a real catalogue (SQLite): checks that name the field, roles refused on the
server, the deadline lock on the server's clock, blind jury, balanced assignment, migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imaginecole.catalogue.errors import Conflict, NotFound, PermissionDenied
from imaginecole.catalogue.service import Catalogue
from imaginecole.events.service import Events
from imaginecole.i18n import ImaginecoleError
from imaginecole.workshop.roster import RosterError

from ..catalogue.webserver import make_bundle

DEADLINE = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
ROSTER = """username,full_name,email,role,country,team
awa,Awa Diop,awa@example.org,enseignante,SN,Les Baobabs
kofi,Kofi Mensah,,teacher,SN,Les Baobabs
mariam,Mariam Traoré,,teacher,ML,Les Fleuves
yao,Yao Kouassi,,teacher,CI,Les Fleuves
jury.ba,Fatou Ba,,formatrice,SN,Les Fleuves
"""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(tmp_path):
    catalogue = Catalogue.open(tmp_path / "data")
    people = {}
    for name, role in (
        ("formatrice", "editor"),
        ("awa", "teacher"),
        ("kofi", "teacher"),
        ("mariam", "teacher"),
        ("yao", "teacher"),
        ("jury.ba", "teacher"),
        ("jury.sy", "teacher"),
        ("jury.ndiaye", "teacher"),
        ("intrus", "teacher"),
    ):
        people[name] = catalogue.create_token(role, name=name)[1]
    clock = Clock(DEADLINE - timedelta(hours=2))
    events = Events(catalogue, clock=clock)
    events.create(
        people["formatrice"],
        {
            "slug": "hack-dakar",
            "title": "Hackathon de Dakar",
            "kind": "hackathon",
            "starts": "2026-12-05",
            "ends": "2026-12-06",
            "hours": 14,
            "country": "SN",
            "deadline": DEADLINE.isoformat(),
            "blind_jury": True,
            "jurors": ["jury.ba", "jury.sy", "jury.ndiaye"],
            "challenges": [
                {
                    "slug": "geometrie",
                    "title": "La géométrie",
                    "kinds": ["grain"],
                    "levels": ["ce1"],
                }
            ],
        },
    )
    events.import_roster(people["formatrice"], "hack-dakar", ROSTER)
    yield catalogue, events, people, clock, tmp_path
    catalogue.close()


def publish(catalogue, principal, folder, title):
    return catalogue.publish(principal, make_bundle(folder, title=title)).uid


def test_wrong_fields_are_refused_with_the_field_named(world):
    _catalogue, events, people, _clock, _tmp = world
    trainer = people["formatrice"]
    cases = {
        "hours": {"hours": 0},
        "ends": {"ends": "2026-12-01"},
        "deadline": {"deadline": "vendredi"},
        "rubric": {
            "rubric": {
                "pedagogy": 0,
                "accessibility": 0,
                "curriculum": 0,
                "originality": 0,
                "technical": 0,
            }
        },
        "challenges[1].levels": {"challenges": [{"title": "X", "levels": ["licence"]}]},
        "challenges[1].kinds": {"challenges": [{"title": "X", "kinds": ["film"]}]},
        "prizes[1].rank": {"prizes": [{"rank": 0, "title": "Rien"}]},
        "jurors": {"jurors": ["Pas Un Nom"]},
        "kind": {"kind": "concours"},
    }
    for field, change in cases.items():
        with pytest.raises(ImaginecoleError) as caught:
            events.update(trainer, "hack-dakar", change)
        assert f"« {field} »" in str(caught.value), (field, str(caught.value))
        assert "[en]" in str(caught.value), "the refusal is not translated into French"
    with pytest.raises(Conflict):
        events.create(trainer, {**_spec(), "slug": "hack-dakar"})


def _spec():
    return {
        "slug": "atelier",
        "title": "Atelier",
        "kind": "workshop",
        "starts": "2026-12-01",
        "ends": "2026-12-01",
        "hours": 6,
        "deadline": "2026-12-01T17:00:00Z",
    }


def test_only_trainers_run_events(world):
    _catalogue, events, people, _clock, _tmp = world
    with pytest.raises(PermissionDenied):
        events.create(people["awa"], _spec())
    with pytest.raises(PermissionDenied):
        events.update(people["awa"], "hack-dakar", {"deadline": "2020-01-01T00:00:00Z"})
    with pytest.raises(PermissionDenied):
        events.import_roster(people["jury.sy"], "hack-dakar", ROSTER)
    with pytest.raises(PermissionDenied):
        events.assign(people["awa"], "hack-dakar")


def test_roster_problems_are_all_reported_and_nothing_changes(world):
    _catalogue, events, people, _clock, _tmp = world
    bad = (
        "username,full_name,email,role,country,team\nzed,Zed,,pilote,SN,A\nawa,Awa,,teacher,XX,B\n"
    )
    with pytest.raises(RosterError) as caught:
        events.import_roster(people["formatrice"], "hack-dakar", bad)
    assert len(caught.value.problems) == 2
    assert events.teams(people["formatrice"], "hack-dakar") == {
        "Les Baobabs": ["awa", "kofi"],
        "Les Fleuves": ["jury.ba", "mariam", "yao"],
    }
    # a participant sees their own team only, without e-mails; an outsider nothing
    seen = events.participants(people["kofi"], "hack-dakar")
    assert {p["username"] for p in seen} == {"awa", "kofi"}
    assert all("email" not in p for p in seen)
    with pytest.raises(PermissionDenied):
        events.participants(people["intrus"], "hack-dakar")
    events.set_team(people["formatrice"], "hack-dakar", "yao", "Les Baobabs")
    assert "yao" in events.teams(people["formatrice"], "hack-dakar")["Les Baobabs"]


def test_participants_submit_their_own_resources_for_their_team_only(world):
    catalogue, events, people, _clock, tmp = world
    mine = publish(catalogue, people["awa"], tmp / "a", "Les triangles")
    with pytest.raises(PermissionDenied, match="not yours"):
        events.submit(people["kofi"], "hack-dakar", mine)
    outsider = publish(catalogue, people["intrus"], tmp / "i", "Hors jeu")
    with pytest.raises(PermissionDenied, match="not in a team"):
        events.submit(people["intrus"], "hack-dakar", outsider)
    with pytest.raises(ImaginecoleError, match="« challenge »"):
        events.submit(people["awa"], "hack-dakar", mine, "cuisine")
    done = events.submit(people["awa"], "hack-dakar", mine)
    assert (done["team"], done["challenge"], done["state"]) == (
        "Les Baobabs",
        "geometrie",
        "submitted",
    )
    # the other team does not see it; the own team does
    assert events.submissions(people["mariam"], "hack-dakar") == []
    assert [s["uid"] for s in events.submissions(people["kofi"], "hack-dakar")] == [mine]


def test_the_deadline_locks_submitting_replacing_and_withdrawing(world):
    catalogue, events, people, clock, tmp = world
    first = publish(catalogue, people["awa"], tmp / "a", "Les carrés")
    second = publish(catalogue, people["awa"], tmp / "b", "Les cercles")
    sub = events.submit(people["awa"], "hack-dakar", first)
    with pytest.raises(Conflict, match="open until"):
        events.assign(people["formatrice"], "hack-dakar")
    clock.now = DEADLINE  # on the dot: closed
    with pytest.raises(Conflict, match="closed at 2026-12-06 18:00") as caught:
        events.submit(people["awa"], "hack-dakar", second)
    assert "[en]" in str(caught.value)
    with pytest.raises(Conflict):
        events.submit(people["awa"], "hack-dakar", first)  # replacing (again, or a new challenge)
    with pytest.raises(Conflict):
        events.withdraw_submission(people["awa"], "hack-dakar", sub["id"])
    with pytest.raises(Conflict):
        events.check_new_version(people["awa"], first)  # a new version of what the jury judges
    events.check_new_version(people["awa"], second)  # not submitted: free
    # moving the deadline reopens; a team member withdraws, the other team may not
    events.update(people["formatrice"], "hack-dakar", {"deadline": "2026-12-07T18:00:00+00:00"})
    with pytest.raises(PermissionDenied):
        events.withdraw_submission(people["mariam"], "hack-dakar", sub["id"])
    events.withdraw_submission(people["kofi"], "hack-dakar", sub["id"])
    assert events.submissions(people["formatrice"], "hack-dakar") == []


def test_assignment_is_balanced_never_own_team_and_jurors_score_only_theirs_blind(world):
    catalogue, events, people, clock, tmp = world
    subs = []
    for i, (who, title) in enumerate(
        [("awa", "Triangles"), ("kofi", "Carrés"), ("mariam", "Cercles"), ("yao", "Losanges")]
    ):
        uid = publish(catalogue, people[who], tmp / f"r{i}", title)
        subs.append(events.submit(people[who], "hack-dakar", uid))
    clock.now = DEADLINE + timedelta(minutes=1)
    done = events.assign(people["formatrice"], "hack-dakar", per_submission=2)
    plan = done["assignments"]
    assert done["short"] == []
    assert all(len(js) == 2 for js in plan.values())
    fleuves = [s["id"] for s in subs if s["team"] == "Les Fleuves"]
    for sid in fleuves:  # jury.ba is in Les Fleuves: never on their submissions
        assert "jury.ba" not in plan[sid]
    load = done["load"]
    assert sum(load.values()) == 8 and max(load.values()) - min(load.values()) <= 1

    view = events.jury(people["jury.sy"], "hack-dakar")
    assert view and all(not ({"team", "authors", "owner", "submitted_by"} & set(s)) for s in view)
    mine = {s["id"] for s in view}
    other = next(s["id"] for s in subs if s["id"] not in mine)
    five = {c: 4 for c in ("pedagogy", "accessibility", "curriculum", "originality", "technical")}
    with pytest.raises(PermissionDenied, match="not assigned"):
        events.score(people["jury.sy"], "hack-dakar", other, five)
    with pytest.raises(PermissionDenied):
        events.score(people["awa"], "hack-dakar", subs[0]["id"], five)
    with pytest.raises(ImaginecoleError, match="« scores.originality »"):
        events.score(people["jury.sy"], "hack-dakar", min(mine), {**five, "originality": 6})
    events.score(people["jury.sy"], "hack-dakar", min(mine), five, "Très clair")
    # blind: a juror reads the results without teams; the trainer with them
    assert all("team" not in r for r in events.results(people["jury.sy"], "hack-dakar"))
    assert all("team" in r for r in events.results(people["formatrice"], "hack-dakar"))
    with pytest.raises(PermissionDenied):
        events.results(people["awa"], "hack-dakar")  # not public until closed
    with pytest.raises(NotFound):
        events.get("nothing-here", people["awa"])


def test_migration_0005_goes_down_and_up_again(world):
    catalogue, events, _people, _clock, _tmp = world
    from alembic import command
    from sqlalchemy import inspect

    from imaginecole.catalogue.db import alembic_config

    def tables():
        return set(inspect(catalogue.db.engine).get_table_names())

    assert {"events", "event_submissions", "event_scores", "event_certificates"} <= tables()
    config = alembic_config()
    with catalogue.db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    assert not {t for t in tables() if t.startswith("event")}
    catalogue.db.migrate()
    assert catalogue.db.revision() == "0005"
    assert events.list(_people["formatrice"]) == []
