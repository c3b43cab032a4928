"""The catalogue's own withdraw (API, page button) respects an event's deadline lock, as the
events API does: a submission the jury judges stays until the results are published."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from imaginecole.catalogue.db import utcnow
from imaginecole.catalogue.errors import Conflict
from imaginecole.i18n import Message

from ..catalogue.webserver import Served
from .test_service import publish, world  # noqa: F401 - the fixture


def set_deadline(events, people, deadline):
    events.update(people["formatrice"], "hack-dakar", {"deadline": deadline.isoformat()})
    return deadline.strftime("%Y-%m-%d %H:%M")


def test_a_submission_cannot_be_withdrawn_from_the_catalogue_after_the_deadline(world):  # noqa: F811
    catalogue, events, people, _clock, tmp = world
    submitted = publish(catalogue, people["awa"], tmp / "a", "Les carrés")
    other = publish(catalogue, people["awa"], tmp / "b", "Les cercles")
    events.submit(people["awa"], "hack-dakar", submitted)
    # the catalogue withdraws on its server's clock: the deadline is set around it
    shown = set_deadline(events, people, utcnow() - timedelta(hours=1))
    for who in ("awa", "formatrice"):  # neither the owner nor an editor
        with pytest.raises(Conflict) as caught:
            catalogue.withdraw(people[who], submitted, "plus besoin")
        error = caught.value
        for language in ("fr", "en"):
            text = Message(error.message_id, **error.values).render(language)
            assert "Hackathon de Dakar" in text and shown in text and "Les carrés" in text
        assert "[en]" in str(error), "the refusal is not translated into French"
    # the same through the catalogue's API (the page's button calls the same withdraw)
    token, _awa = catalogue.create_token("teacher", name="awa")
    served = Served(catalogue).start()
    try:
        answer = requests.post(
            f"{served.url}api/resources/{submitted}/review",
            json={"action": "withdraw"},
            headers={"Authorization": f"token {token}"},
            timeout=30,
        )
    finally:
        served.stop()
    assert answer.status_code == 409, answer.text
    messages = answer.json()["messages"]
    assert "Hackathon de Dakar" in messages["fr"] and shown in messages["en"]
    assert messages["fr"] != messages["en"]
    assert catalogue.get(submitted, people["awa"]).state == "submitted"
    assert [s["uid"] for s in events.submissions(people["formatrice"], "hack-dakar")] == [submitted]
    # a resource that is not submitted is withdrawn as before
    assert catalogue.withdraw(people["awa"], other).state == "withdrawn"
    # results published (closed): free again
    events.update(people["formatrice"], "hack-dakar", {"state": "closed"})
    assert catalogue.withdraw(people["awa"], submitted).state == "withdrawn"


def test_a_submission_is_withdrawn_from_the_catalogue_before_the_deadline(world):  # noqa: F811
    catalogue, events, people, _clock, tmp = world
    submitted = publish(catalogue, people["awa"], tmp / "a", "Les carrés")
    events.submit(people["awa"], "hack-dakar", submitted)
    set_deadline(events, people, utcnow() + timedelta(days=1))
    assert catalogue.withdraw(people["awa"], submitted).state == "withdrawn"
