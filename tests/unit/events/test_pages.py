"""The events' pages over real HTTP: a juror scores through the form, the trainer publishes the
results with a button, the public gallery highlights the winner (in Arabic, right to left)."""

from __future__ import annotations

import re

import pytest
import requests

from imaginecole.catalogue.service import Catalogue
from imaginecole.events.service import Events

from ..catalogue.webserver import Served, auth, login, make_bundle, xsrf_of

ROSTER = "username,full_name,email,role,country,team\nawa,Awa Diop,,teacher,SN,Les Baobabs\n"
CRITERIA = ("pedagogy", "accessibility", "curriculum", "originality", "technical")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("events-pages")
    catalogue = Catalogue.open(folder / "data")
    tokens, people = {}, {}
    for name, role in (("formatrice", "editor"), ("awa", "teacher"), ("jury.sy", "teacher")):
        tokens[name], people[name] = catalogue.create_token(role, name=name)
    events = Events(catalogue)
    events.create(
        people["formatrice"],
        {
            "slug": "atelier-bd",
            "title": "Atelier BD de Lomé",
            "kind": "workshop",
            "starts": "2026-11-20",
            "ends": "2026-11-20",
            "hours": 6,
            "country": "TG",
            "deadline": "2099-01-01T00:00:00Z",
            "blind_jury": True,
            "jurors": ["jury.sy"],
            "jurors_per_submission": 1,
            "prizes": [{"rank": 1, "title": "Bulle d'or"}],
        },
    )
    events.import_roster(people["formatrice"], "atelier-bd", ROSTER)
    uid = catalogue.publish(
        people["awa"], make_bundle(folder / "b", title="La BD des couleurs", country="TG")
    ).uid
    submission = events.submit(people["awa"], "atelier-bd", uid)
    events.update(people["formatrice"], "atelier-bd", {"deadline": "2020-01-01T00:00:00Z"})
    events.assign(people["formatrice"], "atelier-bd")
    served = Served(catalogue).start()
    yield served.url, tokens, submission
    served.stop()
    catalogue.close()


def test_a_juror_scores_through_the_form_without_seeing_the_team(site):
    base, tokens, submission = site
    session = login(base, tokens["jury.sy"])
    page = base + "evenements/atelier-bd/jury"
    html = session.get(page + "?lang=fr").text
    assert "La BD des couleurs" in html and "Les Baobabs" not in html
    for criterion in CRITERIA:  # every input has its label
        field = f"score-{submission['id']}-{criterion}"
        assert f'for="{field}"' in html and f'id="{field}"' in html
    form = {f"score-{c}": "4" for c in CRITERIA} | {"submission": str(submission["id"])}
    form |= {"comment": "Belles couleurs", "_xsrf": xsrf_of(session, page)}
    response = session.post(page, data={**form, "score-originality": "4,5"})
    assert response.status_code == 200 and "Vos notes sont enregistrées." in response.text
    assert 'value="4.5"' in response.text and "Belles couleurs" in response.text
    bad = session.post(page, data={**form, "score-technical": "9"})
    assert bad.status_code == 400 and "scores.technical" in bad.text


def test_visitors_sign_in_first_and_others_are_refused(site):
    base, tokens, _submission = site
    response = requests.get(base + "evenements/atelier-bd/jury", allow_redirects=False)
    assert response.status_code == 302 and "connexion" in response.headers["Location"]
    refused = requests.get(base + "evenements/atelier-bd/jury", headers=auth(tokens["awa"]))
    assert refused.status_code == 403
    assert (
        requests.get(
            base + "evenements/atelier-bd/resultats", headers=auth(tokens["awa"])
        ).status_code
        == 403
    )


def test_the_trainer_publishes_the_results_and_the_gallery_shows_the_winner(site):
    base, tokens, _submission = site
    session = login(base, tokens["formatrice"])
    results = base + "evenements/atelier-bd/resultats"
    html = session.get(results).text
    assert "<caption>Résultats du jury</caption>" in html and "Les Baobabs" in html
    response = session.post(
        base + "evenements/atelier-bd/actions",
        data={"action": "close", "_xsrf": xsrf_of(session, results)},
    )
    assert response.status_code == 200 and "Dépublier les résultats" in response.text
    gallery = requests.get(base + "evenements/atelier-bd?lang=ar")
    assert re.search(r'<html lang="ar" dir="rtl">', gallery.text)
    assert "الفائزون" in gallery.text and "Bulle d'or" in gallery.text.replace("&#39;", "'")
    assert "Les Baobabs" in gallery.text  # results out: the teams are shown
    listing = requests.get(base + "evenements/?lang=en").text
    assert "Atelier BD de Lomé" in listing and "Workshop" in listing
