"""The events' pages: the list, each event's public gallery, the jury's page, the results and
the certificate check (``evenements/…``, ``certificats/<code>``).

Rendered on the server like the catalogue's pages (base.html, no JavaScript, French by default,
English and Arabic right to left), from ``templates/events/`` then ``templates/catalogue/``.
"""

from __future__ import annotations

import asyncio
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from tornado import web

from ..catalogue.api import in_worker_thread
from ..catalogue.auth import WebError
from ..catalogue.web import PageHandler
from ..i18n import gettext_for
from . import api
from .certificates import template_dirs
from .service import blind_view, is_trainer

_ENVS: dict[int, Environment] = {}
ACTIONS = ("assign", "certificates", "close", "reopen")


def events_env(catalogue_env: Environment) -> Environment:
    """The catalogue's Jinja environment, with templates/events/ searched first."""
    key = id(catalogue_env)
    if key not in _ENVS:
        env = catalogue_env.overlay(
            loader=ChoiceLoader(
                [FileSystemLoader([str(d) for d in template_dirs()]), catalogue_env.loader]
            )
        )
        _ENVS[key] = env
    return _ENVS[key]


class EventPage(api.EventsHandlerMixin, PageHandler):
    @cached_property
    def settings(self) -> dict[str, Any]:  # type: ignore[override]
        settings = dict(self.application.settings)
        settings["jinja_env"] = events_env(settings["jinja_env"])
        return settings

    def page(self, template: str, **context: Any) -> None:
        css = f"{self.url('evenements/static/events.css')}"
        super().page(template, events_css=css, **context)

    def need_sign_in(self) -> None:
        """A visitor goes to the sign-in page first (and comes back)."""
        if self.principal.anonymous:
            self.redirect(self.get_login_url_with_next())
            raise web.Finish()

    def criterion_name(self, criterion: dict[str, Any]) -> str:
        return gettext_for(self.language)(criterion["name"])


class EventsListPage(EventPage):
    def get(self) -> None:
        self.page("events.html", items=self.events.list(self.principal))


class GalleryPage(EventPage):
    """The public page of an event: its challenges and submissions, the winners first."""

    def get(self, slug: str) -> None:
        event = self.events.get(slug, self.principal)
        roles = self.events.roles(event, self.principal)
        items = self.events._submissions(event)
        results = []
        if event.state == "closed":
            results = self.events.results(self.principal, slug)
            items = results
        hide = event.blind and event.state != "closed" and not roles["trainer"]
        if hide:
            items = [blind_view(s) for s in items]
        self.page(
            "event.html",
            event=event,
            roles=roles,
            items=items,
            winners=[r for r in results if r["prize"]],
            locked=event.locked(self.events.clock()),
            hide=hide,
            done=self.get_query_argument("fait", ""),
            criterion_name=self.criterion_name,
        )


class JuryPage(EventPage):
    """A juror's assigned submissions, each with its scoring form."""

    def get(self, slug: str) -> None:
        self.need_sign_in()
        event = self.events.get(slug, self.principal)
        self.page(
            "jury.html",
            event=event,
            items=self.events.jury(self.principal, slug),
            locked=event.locked(self.events.clock()),
            saved=self.get_query_argument("fait", "") == "score",
            criterion_name=self.criterion_name,
        )

    def post(self, slug: str) -> None:
        if self.principal.anonymous:
            raise WebError(401, "Please sign in: this needs an account.")
        event = self.events.get(slug, self.principal)
        try:
            submission = int(self.get_body_argument("submission", ""))
        except ValueError:
            raise WebError(400, "The form names no submission.") from None
        scores = {c["id"]: self.get_body_argument(f"score-{c['id']}", "") for c in event.rubric}
        comment = self.get_body_argument("comment", "")[:5000]
        self.events.score(self.principal, slug, submission, scores, comment)
        target = self.url(f"evenements/{slug}/jury")
        self.redirect(f"{target}?{urlencode({'fait': 'score'})}#s{submission}", status=303)


class ResultsPage(EventPage):
    def get(self, slug: str) -> None:
        self.need_sign_in()
        event = self.events.get(slug, self.principal)
        self.page(
            "results.html",
            event=event,
            items=self.events.results(self.principal, slug),
            trainer=is_trainer(self.principal),
            locked=event.locked(self.events.clock()),
            done=self.get_query_argument("fait", ""),
            criterion_name=self.criterion_name,
        )


class ActionPage(EventPage):
    """The trainers' buttons: assign the jury, make the certificates, publish the results."""

    async def post(self, slug: str) -> None:
        self.require("review")
        action = self.get_body_argument("action", "")
        if action not in ACTIONS:
            raise WebError(400, "Unknown action « {action} ».", action=action[:40])
        events, principal = self.events, self.principal
        if action == "assign":
            events.assign(principal, slug)
        elif action in ("close", "reopen"):
            events.update(principal, slug, {"state": "closed" if action == "close" else "judging"})
        else:
            from .certificates import make_certificates

            language = self.language

            def work() -> Any:
                return make_certificates(
                    events,
                    principal,
                    slug,
                    lambda code: self.absolute_url(f"certificats/{code}"),
                    language,
                )

            await asyncio.get_running_loop().run_in_executor(None, in_worker_thread, work)
        target = self.url(f"evenements/{slug}/resultats")
        self.redirect(f"{target}?{urlencode({'fait': action})}", status=303)


class CertificatePage(EventPage):
    def get(self, code: str) -> None:
        data = api.check_json(self, code)
        if not data["valid"]:
            self.set_status(404)
        self.page("certificate_check.html", data=data)


STATIC = Path(__file__).resolve().parents[2] / "templates" / "events" / "static"


def routes(at) -> list[tuple]:
    slug = api.SLUG
    return [
        (at("evenements/static/(.*)"), web.StaticFileHandler, {"path": str(STATIC)}),
        (at("evenements/?"), EventsListPage),
        (at(f"evenements/{slug}"), GalleryPage),
        (at(f"evenements/{slug}/jury"), JuryPage),
        (at(f"evenements/{slug}/resultats"), ResultsPage),
        (at(f"evenements/{slug}/actions"), ActionPage),
        (at(f"certificats/{api.CODE}"), CertificatePage),
        *api.routes(at),
    ]
