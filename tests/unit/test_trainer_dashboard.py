"""The trainer dashboard's logic, and the publish widget's event choice, against a real
catalogue (`imaginecole catalogue serve`) on 127.0.0.1. The hub side (participants' servers,
the 403 a teacher gets) is tested through a real hub in tests/browser/test_trainer_dashboard.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
import requests
from imaginecole.widgets.publish import PublishWidget
from imaginecole.widgets.trainer_dashboard import (
    REFRESH_SECONDS,
    TrainerDashboard,
    news_body,
    participant_rows,
    pick_event,
    server_state,
    team_rows,
)

from .catalogue.webserver import catalogue_cli, catalogue_process

REPO = Path(__file__).resolve().parents[2]
GRAINS = REPO / "tests" / "fixtures" / "grains"
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
SLUG = "atelier-thies"
ROSTER = """username,full_name,email,role,country,team
awa,Awa Diop,,teacher,SN,Les Baobabs
kofi,Kofi Mensah,,teacher,SN,Les Baobabs
yao,Yao Kouassi,,teacher,CI,Les Fleuves
"""
ENV = (
    "IMAGINECOLE_CATALOGUE_URL",
    "IMAGINECOLE_CATALOGUE_PUBLIC_URL",
    "IMAGINECOLE_CATALOGUE_TOKEN",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTERHUB_API_URL",
    "IMAGINECOLE_WORKSHOP",
    "IMAGINECOLE_LANGUAGE",
)


def text(markup: str) -> str:
    inline = re.sub(r"</?(strong|em|span|a)\b[^>]*>", "", markup)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def stamp(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def user(name: str, *, ready=False, pending=None, active: datetime | None = None, roles=()):
    servers = {}
    if ready or pending:
        servers[""] = {
            "name": "",
            "ready": ready,
            "pending": pending,
            "last_activity": stamp(active) if active else None,
        }
    return {
        "name": name,
        "admin": False,
        "roles": ["user", *roles],
        "last_activity": stamp(active) if active else None,
        "servers": servers,
    }


# -- the logic, on the hub's and the catalogue's JSON ------------------------------------------


def test_a_server_is_running_idle_starting_or_stopped():
    assert server_state(user("a", ready=True, active=NOW - timedelta(minutes=2)), NOW)[0] == (
        "running"
    )
    state, last = server_state(user("b", ready=True, active=NOW - timedelta(minutes=25)), NOW)
    assert (state, last) == ("idle", NOW - timedelta(minutes=25))
    assert server_state(user("c", pending="spawn"), NOW)[0] == "starting"
    assert server_state(user("d"), NOW) == ("stopped", None)


def test_participants_join_the_hub_and_the_roster_without_the_trainers():
    users = [
        user("awa", ready=True, active=NOW),
        user("kofi"),
        user("formatrice", ready=True, active=NOW, roles=("trainer",)),
        user("visiteur"),
    ]
    roster = [
        {"username": "awa", "full_name": "Awa Diop", "team": "Les Baobabs"},
        {"username": "kofi", "full_name": "Kofi Mensah", "team": "Les Baobabs"},
    ]
    made = {"awa": [{"uid": "u1", "title": "Les triangles", "type": "grain"}]}
    rows = participant_rows(users, roster, made, NOW)
    assert [(r["name"], r["team"], r["state"]) for r in rows] == [
        ("awa", "Les Baobabs", "running"),
        ("kofi", "Les Baobabs", "stopped"),
        ("visiteur", "", "stopped"),
    ]
    assert rows[0]["resources"][0]["title"] == "Les triangles"
    # without the hub: the roster alone, servers unknown
    alone = participant_rows(None, roster, {}, NOW)
    assert [r["state"] for r in alone] == ["unknown", "unknown"]


def test_teams_count_their_resources_and_submissions():
    roster = [
        {"username": "awa", "full_name": "Awa Diop", "team": "Les Baobabs"},
        {"username": "yao", "full_name": "", "team": "Les Fleuves"},
        {"username": "seul", "full_name": "Seul", "team": ""},
    ]
    made = {"Les Baobabs": [{"uid": "u1", "title": "T"}, {"uid": "u1", "title": "T"}]}
    teams = team_rows(roster, made, [{"team": "Les Baobabs", "uid": "u1"}])
    assert [
        (t["team"], t["members"], len(t["resources"]), len(t["submissions"])) for t in teams
    ] == [
        ("Les Baobabs", ["Awa Diop"], 1, 1),
        ("Les Fleuves", ["yao"], 0, 0),
    ]


def test_an_announcement_is_escaped_text_in_paragraphs():
    assert news_body("Pause <b>café</b>\nà 10 h\n\nSalle 2") == (
        "<p>Pause &lt;b&gt;café&lt;/b&gt;<br>à 10 h</p><p>Salle 2</p>"
    )


def test_the_first_open_event_is_chosen_unless_one_is_named():
    events = [{"slug": "a", "state": "closed"}, {"slug": "b", "state": "open"}]
    assert pick_event(events, None)["slug"] == "b"
    assert pick_event(events, "a")["slug"] == "a"
    assert pick_event([], None) is None


def test_a_refusal_of_the_hub_hides_everything_and_says_why():
    board = TrainerDashboard(language="fr", hub_api_url="", catalogue_url="", auto_refresh=False)
    board.show(
        {
            **board.data,
            "hub_refused": 403,
        }
    )
    assert board.refused and board.body.layout.display == "none"
    refusal = text(board.refusal.value)
    assert "réservé aux formateurs" in refusal and "(403)" in refusal
    assert 'role="alert"' in board.refusal.value


def test_it_never_refreshes_faster_than_every_30_seconds():
    async def scenario():
        board = TrainerDashboard(hub_api_url="", catalogue_url="", interval=5)
        loop = asyncio.get_running_loop()
        delay = board._timer.when() - loop.time()
        board.close()
        return board.interval, delay, board._timer

    interval, delay, timer = asyncio.run(scenario())
    assert interval == REFRESH_SECONDS == 30
    assert REFRESH_SECONDS - 1 < delay <= REFRESH_SECONDS
    assert timer is None  # closing stops it


# -- against a real catalogue: an event, a team's submission from the workbench -------------


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    data = tmp_path_factory.mktemp("catalogue") / "data"
    tokens = {
        name: catalogue_cli("token", "--data", str(data), "--role", role, "--name", name)
        for name, role in (
            ("formatrice", "editor"),
            ("awa", "teacher"),
            ("kofi", "teacher"),
            ("yao", "teacher"),
        )
    }
    with catalogue_process(data) as url:
        trainer = {"Authorization": f"token {tokens['formatrice']}"}
        event = {
            "slug": SLUG,
            "title": "Atelier de Thiès",
            "kind": "workshop",
            "starts": "2026-12-05",
            "ends": "2026-12-06",
            "hours": 12,
            "deadline": "2099-12-06T18:00:00Z",
            "state": "open",
            "challenges": [
                {"slug": "geometrie", "title": "La géométrie", "brief": "Les formes."},
                {"slug": "lecture", "title": "La lecture", "brief": "Lire des syllabes."},
            ],
        }
        created = requests.post(url + "api/events", json=event, headers=trainer, timeout=60)
        assert created.status_code == 201, created.text
        roster = requests.post(
            url + f"api/events/{SLUG}/roster", json={"csv": ROSTER}, headers=trainer, timeout=60
        )
        assert roster.status_code == 200, roster.text
        yield {"url": url, "tokens": tokens, "trainer": trainer}


def grain(folder: Path, title: str) -> Path:
    shutil.copytree(GRAINS / "single_choice", folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["id"] = str(uuid.uuid4())
    manifest["metadata"].update(
        title=title,
        description="Reconnaître un triangle parmi des formes.",
        country="SN",
        level="ce1",
        subject="mathematiques",
        authors=[{"name": "Awa Diop"}],
    )
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def test_a_team_submits_a_grain_to_the_event_from_the_publish_widget(catalogue, tmp_path):
    url, tokens = catalogue["url"], catalogue["tokens"]
    widget = PublishWidget(grain(tmp_path / "triangles", "Les triangles d'Awa"), url, tokens["awa"])
    choice = widget.event_choice
    assert choice.layout.display is None
    assert choice.event.description == "Événement" and choice.challenge.description == "Défi"
    assert choice.event.options == (
        ("Ne pas soumettre à un événement", ""),
        ("Atelier de Thiès", SLUG),
    )
    assert choice.event.value == SLUG
    assert [v for _label, v in choice.challenge.options] == ["geometrie", "lecture"]
    choice.challenge.value = "lecture"
    help_text = text(choice.help.value)
    assert "votre équipe « Les Baobabs »" in help_text and "Lire des syllabes." in help_text

    resource = widget.publish()
    assert resource is not None, widget.outcome.value
    assert resource["event"] == SLUG and resource["state"] == "submitted"
    assert "Soumis à « Atelier de Thiès » pour votre équipe « Les Baobabs »" in text(
        widget.outcome.value
    )
    found = requests.get(
        url + f"api/events/{SLUG}/submissions", headers=catalogue["trainer"], timeout=60
    ).json()
    mine = [s for s in found if s["uid"] == resource["uid"]]
    assert [(s["team"], s["challenge"]) for s in mine] == [("Les Baobabs", "lecture")]


def test_no_event_choice_publishes_as_before(catalogue, tmp_path):
    url, tokens = catalogue["url"], catalogue["tokens"]
    # the workshop's name (sent as a tag) is the event's title: not a submission unless chosen
    widget = PublishWidget(
        grain(tmp_path / "carres", "Les carrés de Kofi"),
        url,
        tokens["kofi"],
        event="Atelier de Thiès",
    )
    widget.event_choice.event.value = ""
    assert widget.event_choice.challenge.layout.display == "none"
    resource = widget.publish()
    assert resource is not None and resource["event"] is None
    found = requests.get(
        url + f"api/events/{SLUG}/submissions", headers=catalogue["trainer"], timeout=60
    ).json()
    assert resource["uid"] not in [s["uid"] for s in found]


def test_after_the_deadline_the_widget_says_submissions_are_closed(catalogue, tmp_path):
    url, tokens = catalogue["url"], catalogue["tokens"]
    widget = PublishWidget(grain(tmp_path / "cercles", "Les cercles de Yao"), url, tokens["yao"])
    assert widget.event_choice.event.value == SLUG
    # the deadline passes while the page is open: nothing is sent, and the widget says why
    widget.event_choice.clock = lambda: datetime(2100, 1, 1, tzinfo=UTC)
    assert widget.publish() is None
    outcome = text(widget.outcome.value)
    assert (
        "Les soumissions à « Atelier de Thiès » sont closes depuis le 2099-12-06 18:00" in outcome
    )
    assert (
        requests.get(
            url + "api/me/submissions",
            headers={"Authorization": f"token {tokens['yao']}"},
            timeout=60,
        ).json()
        == []
    )
    # then only the catalogue is offered, with the reason
    assert widget.event_choice.event.layout.display == "none"
    assert "plus à l'événement" in text(widget.event_choice.notes.value)


def test_the_dashboard_lists_the_event_and_sends_an_announcement(catalogue, tmp_path):
    url, tokens = catalogue["url"], catalogue["tokens"]
    board = TrainerDashboard(
        language="fr",
        hub_api_url="",
        catalogue_url=url,
        catalogue_token=tokens["formatrice"],
        auto_refresh=False,
    )
    assert board.event_choice.value == SLUG
    assert "Les soumissions sont ouvertes jusqu'au 2099-12-06 18:00 (UTC)" in text(
        board.summary.value
    )
    participants = board.participants.value
    assert "Les serveurs ne sont visibles que dans le hub de l'atelier." in text(participants)
    assert '<th scope="col">Serveur</th>' in participants
    assert "Awa Diop" in participants and "Inconnu" in participants
    submissions = text(board.submissions.value)
    assert "Les triangles d'Awa" in submissions and "La lecture" in submissions
    assert "soumise" in submissions
    teams = text(board.teams.value)
    assert "Les Baobabs" in teams and "Les triangles d'Awa" in teams

    board.title.value = "Pause déjeuner"
    board.message.value = "Nous reprenons à 14 h.\nSalle <2>."
    assert board.send_announcement() is not None
    assert "chaque participant voit « Pause déjeuner »" in board.send_status.text
    news = requests.get(url + "api/news", params={"language": "fr"}, timeout=60).json()
    assert news[0]["title"] == "Pause déjeuner"
    assert "Salle &lt;2&gt;." in news[0]["body_html"]
    assert "Pause déjeuner" in text(board.news.value)

    # empty: nothing is sent
    assert board.send_announcement() is None
    assert "écrivez d'abord un titre" in board.send_status.text


def test_a_teacher_cannot_send_an_announcement(catalogue):
    board = TrainerDashboard(
        language="fr",
        hub_api_url="",
        catalogue_url=catalogue["url"],
        catalogue_token=catalogue["tokens"]["kofi"],
        auto_refresh=False,
    )
    board.title.value = "Fausse annonce"
    board.message.value = "Rentrez chez vous."
    assert board.send_announcement() is None
    assert "(403)" in board.send_status.text
    news = requests.get(catalogue["url"] + "api/news", timeout=60).json()
    assert "Fausse annonce" not in [n["title"] for n in news]
    # nor read what everyone made: that is for trainers
    made = requests.get(
        catalogue["url"] + f"api/events/{SLUG}/resources",
        headers={"Authorization": f"token {catalogue['tokens']['kofi']}"},
        timeout=60,
    )
    assert made.status_code == 403
    assert "(403)" in text(board.submissions.value)  # the dashboard says so, too


# -- the « Events » section: create, edit, run an event from the dashboard -----------------------

HUB_USERS = [
    {"name": "awa", "roles": ["user"], "groups": ["country-sn", "team-les-baobabs"]},
    {"name": "moussa", "roles": ["user"], "groups": ["country-sn"]},
    {"name": "jury.ba", "roles": ["user"], "groups": ["country-sn"]},
    {"name": "formatrice", "roles": ["user", "trainer"], "groups": []},
]


def board_for(catalogue, name="formatrice"):
    return TrainerDashboard(
        language="fr",
        hub_api_url="",
        catalogue_url=catalogue["url"],
        catalogue_token=catalogue["tokens"][name],
        auto_refresh=False,
    )


def test_a_trainer_creates_and_edits_an_event_in_the_dashboard(catalogue):
    board = board_for(catalogue)
    form = board.events
    # the jurors are picked among the hub's users (here given as the hub answers them)
    form.show_events(board.data.get("events") or [], HUB_USERS)
    assert "Atelier de Thiès" in text(form.list.value)
    form.new()
    assert form.form.layout.display is None and form.run.layout.display == "none"
    form.title.value = "Hackathon de Saint-Louis"
    form.kind.value = "hackathon"
    form.starts.value = "2026-12-10"
    form.ends.value = "2026-12-11"
    form.country.value = "TN"
    form.description.value = "Deux jours pour créer."
    form.deadline_date.value = "2026-12-11"
    form.deadline_time.value = "17:30"
    # UTC, said so, with the time in the event's country beside
    assert "Date limite : 2026-12-11 17:30 UTC, soit 2026-12-11 18:30 à Tunis." in text(
        form.deadline_local.value
    )
    form.blind.value = True
    assert "jury.ba" in form.jurors.options
    form.jurors.value = ("jury.ba", "formatrice")
    form.per_submission.value = 1
    challenge = form.add_challenge({})
    challenge.title.value = "La géométrie au CE1"
    challenge.brief.value = "Reconnaître les formes."
    challenge.kinds.value = ("grain", "comic")
    # the levels of the Tunisian curriculum
    assert challenge.levels.options[1] == ("1re année de base (1-base)", "1-base")
    assert [c.name.value for c in form.criteria][:2] == ["Qualité pédagogique", "Accessibilité"]
    form.criterion("pedagogy").weight.value = 2
    form.prizes.value = "Premier prix\n3: Prix du public"

    # refused by the server: the message names the field, next to the form, nothing is lost
    form.hours.value = 0
    assert form.save() is None
    problem = text(form.problem.value)
    assert "Le champ « hours »" in problem and 'role="alert"' in form.problem.value
    assert form.slots["hours"].layout.display is None
    assert "Le champ « hours »" in text(form.slots["hours"].value)
    assert "Pas enregistré" in form.save_status.text
    assert form.title.value == "Hackathon de Saint-Louis"
    assert challenge.title.value == "La géométrie au CE1"
    assert form.jurors.value == ("jury.ba", "formatrice")

    # a level the country's curriculum does not have is refused too, and named
    challenge.set_levels(form.level_options(), ["ce1"])
    form.hours.value = 14
    assert form.save() is None
    assert "challenges[1].levels" in text(form.problem.value)
    assert form.slots["challenges"].layout.display is None

    # fixed: created, listed, chosen in the dashboard
    challenge.set_levels(form.level_options(), ["2-base"])
    created = form.save()
    assert created is not None, form.problem.value
    slug = "hackathon-de-saint-louis"
    assert created["slug"] == slug and form.problem.value == ""
    assert "Créé : « Hackathon de Saint-Louis »." in form.save_status.text
    assert board.event_choice.value == slug
    assert 'data-event="hackathon-de-saint-louis"' in form.list.value
    trainer = catalogue["trainer"]
    stored = requests.get(catalogue["url"] + f"api/events/{slug}", headers=trainer, timeout=60)
    event = stored.json()
    assert event["deadline"] == "2026-12-11T17:30:00+00:00"
    assert event["hours"] == 14 and event["blind_jury"] is True and event["country"] == "TN"
    assert sorted(event["jurors"]) == ["formatrice", "jury.ba"]
    assert event["jurors_per_submission"] == 1
    assert [(c["slug"], c["kinds"], c["levels"]) for c in event["challenges"]] == [
        ("la-geometrie-au-ce1", ["grain", "comic"], ["2-base"])
    ]
    assert {c["id"]: c["weight"] for c in event["rubric"]}["pedagogy"] == 2
    assert event["prizes"] == [
        {"rank": 1, "title": "Premier prix"},
        {"rank": 3, "title": "Prix du public"},
    ]

    # now editing it: only what changed is sent; a wrong date is refused and named
    assert form.editing["slug"] == slug and form.slug.disabled
    assert form.run.layout.display is None
    form.title.value = "Hackathon de Saint-Louis 2026"
    form.starts.value = "10/12/2026"
    assert form.changes() == {"title": "Hackathon de Saint-Louis 2026", "starts": "10/12/2026"}
    assert form.save() is None
    assert "Le champ « starts »" in text(form.slots["starts"].value)
    assert form.title.value == "Hackathon de Saint-Louis 2026"
    form.starts.value = "2026-12-10"
    saved = form.save()
    assert saved is not None and saved["title"] == "Hackathon de Saint-Louis 2026"
    assert form.slots["starts"].layout.display == "none"
    assert "Enregistré" in form.save_status.text
    assert form.save() is form.editing and "Rien n'a changé." in form.save_status.text

    # the rubric: a criterion renamed, one removed, one added; the others keep their
    # translatable names
    form.criterion("originality").name.value = "Créativité"
    form.remove_criterion(form.criterion("technical"))
    added = form.add_criterion({"weight": 1})
    assert added.name.description == "Critère 5"
    assert added.weight.description == "Poids du critère 5"
    added.name.value = "Clarté des consignes"
    added.weight.value = 3
    assert set(form.changes()) == {"rubric"}
    assert form.save() is not None, form.problem.value
    rubric = requests.get(catalogue["url"] + f"api/events/{slug}", headers=trainer, timeout=60)
    assert [(c["id"], c["name"], c["weight"]) for c in rubric.json()["rubric"]] == [
        ("pedagogy", "Pedagogical quality", 2),
        ("accessibility", "Accessibility", 1),
        ("curriculum", "Fit with the curriculum", 1),
        ("originality", "Créativité", 1),
        ("clarte-des-consignes", "Clarté des consignes", 3),
    ]
    assert form.criterion("clarte-des-consignes").name.value == "Clarté des consignes"
    # more than twelve criteria: refused under the rubric, nothing lost
    for n in range(8):
        form.add_criterion({"weight": 1}).name.value = f"Critère en plus {n}"
    assert form.save() is None
    assert "au plus 12" in text(form.slots["rubric"].value)
    assert len(form.criteria) == 13 and form.criteria[-1].name.value == "Critère en plus 7"
    for extra in form.criteria[5:]:
        form.remove_criterion(extra)
    assert form.save() is form.editing and "Rien n'a changé." in form.save_status.text

    # run it: the participants of the workshop (the hub's users, trainers left out)
    form.users = HUB_USERS
    assert form.import_participants() is not None
    assert "3 participant(s) de l'atelier ajouté(s)" in form.run_status.text
    people = requests.get(
        catalogue["url"] + f"api/events/{slug}/participants", headers=trainer, timeout=60
    ).json()
    assert {(p["username"], p["team"]) for p in people} == {
        ("awa", "les-baobabs"),
        ("moussa", ""),
        ("jury.ba", ""),
    }
    form.users = HUB_USERS  # (the refresh without a hub forgot them)
    form.import_participants()
    assert "déjà dans l'événement" in form.run_status.text
    # close, then the jury before the deadline: the server's reason is shown
    assert form.set_state("judging")["state"] == "judging"
    assert form.close_button.disabled and not form.open_button.disabled
    assert form.assign_jury() is None
    assert "Pas fait" in form.run_status.text and "2026-12-11 17:30" in form.run_status.text
    assert form.set_state("closed")["state"] == "closed"
    assert "galerie publique" in form.run_status.text
    # the certificates, in one press (printed by Chromium), then linked
    made = form.make_certificates()
    assert made is not None and len(made) == 3, form.run_status.text
    assert "3 attestation(s) faite(s)." in form.run_status.text
    links = re.findall(r'href="([^"]+)"', form.run_result.value)
    assert links[0] == catalogue["url"] + f"api/events/{slug}/certificates.zip"
    assert len(links) == 4 and all(link.endswith(".pdf") for link in links[1:])
    pdf = requests.get(links[1], headers=trainer, timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_teacher_is_refused_by_the_server_in_the_events_form(catalogue):
    board = board_for(catalogue, "kofi")
    form = board.events
    form.new()
    form.title.value = "Faux événement"
    form.starts.value = form.ends.value = form.deadline_date.value = "2026-12-10"
    form.hours.value = 3
    assert form.save() is None
    assert "(403)" in text(form.problem.value) and "« review »" in text(form.problem.value)
    assert form.title.value == "Faux événement"
