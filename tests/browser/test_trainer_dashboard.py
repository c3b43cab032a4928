"""The trainer dashboard through a real hub (`imaginecole up`, its proxy, the catalogue service)
in Chromium: a trainer follows the participants' servers and a team's submission, sends an
announcement that a teacher then sees on the hub's home page; a teacher who opens the
dashboard is refused by the hub (403), not by the page.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
import requests
from imaginecole.widgets.publish import PublishWidget

from ..integration.test_hub_catalogue import server_environment
from .conftest import axe_violations
from .voila import RENDER_TIMEOUT

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PASSWORD = "baobab-sous-le-soleil"
REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = "Tableau de bord du formateur.ipynb"
DASHBOARD = "voila/render/Tableau%20de%20bord%20du%20formateur.ipynb"
CATALOGUE = "/services/catalogue/"
SLUG = "hackathon-dakar"
LOGIN_TIMEOUT = 180_000  # ms: signing in starts the server when it is not running


@pytest.fixture(scope="module")
def workshop(hub, tmp_path_factory):
    """Moussa and the trainer signed in (servers running; Fatou's and Kofi's stopped), an
    open hackathon with its roster, and Moussa's grain submitted from the publish widget."""
    env = {}
    for name in ("moussa.ba", "formatrice"):
        hub.login(name, PASSWORD)
        hub.wait_server(name)
        env[name] = server_environment(hub, name)
    catalogue = env["formatrice"]["IMAGINECOLE_CATALOGUE_URL"]
    trainer = {"Authorization": f"token {env['formatrice']['JUPYTERHUB_API_TOKEN']}"}
    event = {
        "slug": SLUG,
        "title": "Hackathon de Dakar",
        "kind": "hackathon",
        "starts": "2026-12-05",
        "ends": "2026-12-06",
        "hours": 14,
        "deadline": "2099-12-06T18:00:00Z",
        "state": "open",
        "challenges": [{"slug": "geometrie", "title": "La géométrie au CE1", "brief": "Formes."}],
    }
    created = requests.post(f"{catalogue}api/events", json=event, headers=trainer, timeout=60)
    assert created.status_code == 201, created.text
    roster = "username,full_name,email,role,country,team\n"
    roster += (
        "moussa.ba,Moussa Ba,,teacher,SN,Les Baobabs\nfatou.sow,Fatou Sow,,teacher,SN,Les Baobabs\n"
    )
    imported = requests.post(
        f"{catalogue}api/events/{SLUG}/roster", json={"csv": roster}, headers=trainer, timeout=60
    )
    assert imported.status_code == 200, imported.text

    # Moussa's team submits from the workbench's publish widget, with his server's token
    folder = tmp_path_factory.mktemp("grains") / "triangles"
    shutil.copytree(REPO / "tests" / "fixtures" / "grains" / "single_choice", folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["id"] = str(uuid.uuid4())
    manifest["metadata"].update(
        title="Les triangles de Moussa",
        description="Reconnaître un triangle parmi des formes.",
        country="SN",
        level="ce1",
        subject="mathematiques",
        authors=[{"name": "Moussa Ba"}],
    )
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    widget = PublishWidget(
        folder,
        env["moussa.ba"]["IMAGINECOLE_CATALOGUE_URL"],
        env["moussa.ba"]["JUPYTERHUB_API_TOKEN"],
    )
    assert widget.event_choice.event.value == SLUG
    resource = widget.publish()
    assert resource is not None, widget.outcome.value
    assert resource["event"] == SLUG
    return env


def sign_in(page, hub, name: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.get_by_label("Nom d'utilisateur").fill(name)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(rf".*/user/{re.escape(name)}/.*"), timeout=LOGIN_TIMEOUT)


def test_only_trainers_get_the_dashboard_and_the_list_of_users(hub, workshop):
    homes = hub.data / "homes"
    assert (homes / "formatrice" / NOTEBOOK).exists()
    assert not (homes / "moussa.ba" / NOTEBOOK).exists()
    # enforced by the hub, on each server's own token: not only hidden from the page
    for name, status in (("formatrice", 200), ("moussa.ba", 403)):
        env = workshop[name]
        response = requests.get(
            env["JUPYTERHUB_API_URL"] + "/users",
            headers={"Authorization": f"token {env['JUPYTERHUB_API_TOKEN']}"},
            timeout=30,
        )
        assert response.status_code == status, (name, response.text)


def test_a_trainer_follows_the_workshop_and_sends_an_announcement(hub, workshop, browser, page):
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, hub, "formatrice")
    page.goto(f"{hub.url}/user/formatrice/{DASHBOARD}")
    table = page.locator("table.ictd-participants")
    table.wait_for(timeout=RENDER_TIMEOUT)

    # the participants: Moussa's server runs, the others are stopped; the trainer is not listed
    page.get_by_text("1 en marche, 0 inactif(s), 2 arrêté(s).").wait_for(timeout=10_000)
    moussa = table.locator('tr[data-user="moussa.ba"]')
    assert "En marche" in moussa.inner_text() and "Les Baobabs" in moussa.inner_text()
    assert "Arrêté" in table.locator('tr[data-user="fatou.sow"]').inner_text()
    assert table.locator('tr[data-user="formatrice"]').count() == 0
    headers = table.locator("thead th").all_inner_texts()
    assert headers == [
        "Participant",
        "Équipe",
        "Serveur",
        "Dernière activité",
        "Ressources réalisées",
        "Aider",
    ]
    # the resources made, per participant and per team, and the submission with its state
    assert "Les triangles de Moussa" in moussa.inner_text()
    teams = page.locator("table.ictd-teams")
    assert "Les triangles de Moussa" in teams.inner_text()
    submissions = page.locator("table.ictd-submissions")
    assert "Les triangles de Moussa" in submissions.inner_text()
    assert "La géométrie au CE1" in submissions.inner_text()
    assert "soumise" in submissions.inner_text()
    assert axe_violations(page) == []

    # « Ouvrir son serveur » opens Moussa's server for the trainer (JupyterHub's access:servers)
    link = moussa.get_by_role("link", name=re.compile("Ouvrir son serveur"))
    assert link.get_attribute("href") == "/user/moussa.ba/"
    with page.context.expect_page() as opened:
        link.click()
    helper = opened.value
    helper.wait_for_load_state()
    if "oauth2/authorize" in helper.url:  # the hub asks the trainer to confirm, once
        helper.locator("form input[type=submit], form button[type=submit]").first.click()
    helper.wait_for_url(re.compile(r".*/user/moussa\.ba/.*"), timeout=LOGIN_TIMEOUT)
    helper.close()

    # an announcement to everyone, by keyboard
    page.get_by_label("Titre de l'annonce").fill("Pause déjeuner")
    page.get_by_label("Message").fill("Nous reprenons à 14 h, en salle 2.")
    page.get_by_role("button", name="Envoyer une annonce à tous").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Envoyée : chaque participant voit « Pause déjeuner »").wait_for(
        timeout=60_000
    )

    # a teacher sees it on the hub's home page
    context = browser.new_context(locale="fr-FR")
    teacher = context.new_page()
    try:
        sign_in(teacher, hub, "moussa.ba")
        teacher.goto(f"{hub.url}/hub/home")
        box = teacher.get_by_role("region", name="Annonces des formateurs")
        box.wait_for(timeout=30_000)
        assert "Pause déjeuner" in box.inner_text()
        assert "Nous reprenons à 14 h, en salle 2." in box.inner_text()
        assert axe_violations(teacher) == []
    finally:
        context.close()


def test_a_teacher_opening_the_dashboard_is_refused_by_the_hub(hub, workshop, page):
    # a teacher who got the notebook anyway (copied from a colleague)
    home = hub.data / "homes" / "moussa.ba"
    copy = home / NOTEBOOK
    shutil.copy(REPO / "notebooks" / "fr" / NOTEBOOK, copy)
    owner = home.stat()
    shutil.chown(copy, owner.st_uid, owner.st_gid)
    sign_in(page, hub, "moussa.ba")
    page.goto(f"{hub.url}/user/moussa.ba/{DASHBOARD}")
    refusal = page.locator(".ictd-refusal")
    refusal.wait_for(timeout=RENDER_TIMEOUT)
    text = refusal.inner_text()
    assert "Ce tableau de bord est réservé aux formateurs de l'atelier." in text
    assert "(403)" in text
    assert page.locator("table.ictd-participants").count() == 0
    assert page.get_by_role("button", name="Envoyer une annonce à tous").is_hidden()
    assert axe_violations(page) == []


def test_a_trainer_creates_an_event_in_the_dashboard_by_keyboard(hub, workshop, page):
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, hub, "formatrice")
    page.goto(f"{hub.url}/user/formatrice/{DASHBOARD}")
    events = page.locator("table.ictd-events-list")
    events.wait_for(timeout=RENDER_TIMEOUT)
    assert "Hackathon de Dakar" in events.inner_text()

    def press(name: str) -> None:
        page.get_by_role("button", name=name).focus()  # (the icon is part of the name)
        page.keyboard.press("Enter")

    press("Nouvel événement")
    page.get_by_role("heading", name="Nouvel événement").wait_for(timeout=30_000)
    page.get_by_label("Titre", exact=True).fill("Atelier numérique de Thiès")
    page.get_by_label("Type d'événement").select_option(label="Atelier")
    page.get_by_label("Date de début (AAAA-MM-JJ)").fill("2099-12-05")
    page.get_by_label("Date de fin (AAAA-MM-JJ)").fill("2099-12-05")
    page.get_by_label("Pays (son programme donne les niveaux)").select_option(label="Sénégal (SN)")
    page.get_by_label("Date limite des soumissions : date (AAAA-MM-JJ)").fill("2099-12-05")
    page.get_by_label("heure, UTC (HH:MM)").fill("17:00")
    page.keyboard.press("Tab")
    page.get_by_text("Date limite : 2099-12-05 17:00 UTC, soit 2099-12-05 17:00 à Dakar.").wait_for(
        timeout=30_000
    )
    hours = page.get_by_label("Heures (sur les attestations)")
    hours.fill("0")
    hours.press("Tab")

    # refused by the server, next to the form and under the field; what was typed stays
    press("Enregistrer l'événement")
    problem = page.locator(".ictd-form-error")
    problem.wait_for(timeout=60_000)
    assert "Le champ « hours »" in problem.inner_text()
    assert page.get_by_label("Titre", exact=True).input_value() == "Atelier numérique de Thiès"
    assert axe_violations(page) == []

    hours.fill("6")
    hours.press("Tab")
    # a criterion of the trainer's own in the jury's rubric
    press("Ajouter un critère")
    page.get_by_label("Critère 6", exact=True).fill("Clarté des consignes")
    page.get_by_label("Poids du critère 6", exact=True).fill("2")
    page.keyboard.press("Tab")
    press("Enregistrer l'événement")
    page.get_by_text("Créé : « Atelier numérique de Thiès ».").wait_for(timeout=60_000)
    assert page.locator(".ictd-form-error").count() == 0
    page.locator('table.ictd-events-list tr[data-event="atelier-numerique-de-thies"]').wait_for(
        timeout=30_000
    )
    page.get_by_role("heading", name="Modifier « Atelier numérique de Thiès »").wait_for()

    # the workshop's participants (the hub's users and their teams), in one press
    press("Importer les participants de l'atelier")
    page.get_by_text("3 participant(s) de l'atelier ajouté(s) à l'événement.").wait_for(
        timeout=60_000
    )
    env = workshop["formatrice"]
    people = requests.get(
        env["IMAGINECOLE_CATALOGUE_URL"] + "api/events/atelier-numerique-de-thies/participants",
        headers={"Authorization": f"token {env['JUPYTERHUB_API_TOKEN']}"},
        timeout=60,
    ).json()
    teams = {p["username"]: p["team"] for p in people}
    assert teams["moussa.ba"] == teams["fatou.sow"] == "les-baobabs"
    event = requests.get(
        env["IMAGINECOLE_CATALOGUE_URL"] + "api/events/atelier-numerique-de-thies",
        headers={"Authorization": f"token {env['JUPYTERHUB_API_TOKEN']}"},
        timeout=60,
    ).json()
    assert event["rubric"][-1] == {
        "id": "clarte-des-consignes",
        "name": "Clarté des consignes",
        "weight": 2.0,
    }
    assert "formatrice" not in teams
    assert axe_violations(page) == []
