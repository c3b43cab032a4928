"""The events' JSON API under ``/api/events/`` (docs/events.md lists every call).

Handlers build on the catalogue's `ApiHandler` (tokens, hub OAuth, bilingual JSON errors);
every permission is checked by `Events`, on the server.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import date, datetime
from typing import Any

from ..catalogue.api import ApiHandler, content_disposition, in_worker_thread
from ..catalogue.auth import WebError
from .service import Event, Events, is_trainer

SLUG = r"([a-z0-9][a-z0-9-]{1,79})"
CODE = r"([A-Za-z0-9-]{4,40})"
MAX_ROSTER = 2 * 1024 * 1024


def plain(value: Any) -> Any:
    """`value` with dates and datetimes as ISO text, for JSON."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class EventsHandlerMixin:
    """`self.events` and the shapes the API returns."""

    @property
    def events(self) -> Events:
        return Events(self.catalogue)

    def event_json(self, event: Event) -> dict[str, Any]:
        roles = self.events.roles(event, self.principal)
        now = self.events.clock()
        data = {
            "slug": event.slug,
            "title": event.title,
            "kind": event.kind,
            "starts": event.starts,
            "ends": event.ends,
            "hours": event.hours,
            "description": event.description,
            "country": event.country,
            "blind_jury": event.blind,
            "deadline": event.deadline,
            "locked": event.locked(now),
            "state": event.state,
            "rubric": event.rubric,
            "prizes": event.prizes,
            "challenges": event.challenges,
            "jurors_per_submission": event.jurors_per_submission,
            "page": self.link_url(f"evenements/{event.slug}"),
            "api": self.link_url(f"api/events/{event.slug}"),
            "you": roles,
        }
        if roles["trainer"] or roles["juror"]:
            data["jurors"] = event.jurors
        return plain(data)

    def int_arg(self, data: dict[str, Any], name: str, default: int | None = None) -> int | None:
        value = data.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise WebError(400, "« {name} » must be a whole number.", name=name)
        return value


class EventsApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self) -> None:
        self.send_json([self.event_json(e) for e in self.events.list(self.principal)])

    def post(self) -> None:
        self.require("review")
        event = self.events.create(self.principal, self.json_body())
        self.set_header("Location", self.link_url(f"api/events/{event.slug}"))
        self.send_json(self.event_json(event), status=201)


class EventApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        self.send_json(self.event_json(self.events.get(slug, self.principal)))

    def patch(self, slug: str) -> None:
        self.require("review")
        self.send_json(self.event_json(self.events.update(self.principal, slug, self.json_body())))


class RosterApiHandler(EventsHandlerMixin, ApiHandler):
    """POST the roster CSV (text/csv), or JSON {"csv": "…"}."""

    def post(self, slug: str) -> None:
        self.require("review")
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype == "application/json":
            text = self.json_body().get("csv")
            if not isinstance(text, str):
                raise WebError(400, "Send the roster as « csv »: the text of the CSV file.")
        elif ctype in ("text/csv", "text/plain"):
            if len(self.request.body) > MAX_ROSTER:
                raise WebError(413, "The roster is larger than 2 MB.")
            from ..textfiles import decode_teacher_text

            text = decode_teacher_text(self.request.body)
        else:
            raise WebError(415, 'Send the roster as text/csv, or as JSON {{"csv": "…"}}.')
        report = self.events.import_roster(self.principal, slug, text)
        self.send_json(
            {
                "participants": len(report.participants),
                "changes": report.changes,
                "teams": sorted({p.team for p in report.participants if p.team}),
            }
        )


class ParticipantsApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        self.send_json(self.events.participants(self.principal, slug))


class ParticipantApiHandler(EventsHandlerMixin, ApiHandler):
    def patch(self, slug: str, username: str) -> None:
        self.require("review")
        data = self.json_body()
        if "team" not in data:
            raise WebError(400, "Give the participant's « team ».")
        self.events.set_team(self.principal, slug, username, data["team"])
        self.send_json({"username": username, "team": str(data["team"]).strip()})


class TeamsApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        self.send_json(self.events.teams(self.principal, slug))


class ResourcesMadeApiHandler(EventsHandlerMixin, ApiHandler):
    """Trainers: the resources each participant made at the event, and each team's (the
    trainer dashboard's « resources made »; the same list the certificates count)."""

    def get(self, slug: str) -> None:
        self.require("review")
        event = self.events.get(slug, self.principal)
        people: dict[str, list[dict[str, Any]]] = {}
        teams: dict[str, list[dict[str, Any]]] = {}
        for row in self.events.participant_rows(event):
            made = self.events.resources_made(event, row.username)
            people[row.username] = made
            if row.team:
                teams.setdefault(row.team, []).extend(made)
        self.send_json({"participants": people, "teams": teams})


class SubmissionsApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        self.send_json(plain(self.events.submissions(self.principal, slug)))

    def post(self, slug: str) -> None:
        self.require("write")
        data = self.json_body()
        uid = data.get("uid")
        if not isinstance(uid, str) or not uid:
            raise WebError(400, "Give the « uid » of the catalogue resource to submit.")
        challenge = data.get("challenge")
        if challenge is not None and not isinstance(challenge, str):
            raise WebError(400, "« challenge » must be the slug of a challenge.")
        item = self.events.submit(self.principal, slug, uid, challenge)
        self.send_json(plain(item), status=201)


class SubmissionApiHandler(EventsHandlerMixin, ApiHandler):
    def delete(self, slug: str, submission_id: str) -> None:
        if self.principal.anonymous:
            raise WebError(401, "Please sign in: this needs an account.")
        self.events.withdraw_submission(self.principal, slug, int(submission_id))
        self.set_status(204)
        self.finish()


class AssignmentsApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        self.require("review")
        found = self.events.assignments(self.principal, slug)
        self.send_json({str(k): v for k, v in found.items()})

    def post(self, slug: str) -> None:
        self.require("review")
        data = self.json_body() if self.request.body else {}
        done = self.events.assign(self.principal, slug, self.int_arg(data, "per_submission"))
        done["assignments"] = {str(k): v for k, v in done["assignments"].items()}
        self.send_json(done)


class JuryApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        if self.principal.anonymous:
            raise WebError(401, "Please sign in: this needs an account.")
        self.send_json(plain(self.events.jury(self.principal, slug)))


class ScoreApiHandler(EventsHandlerMixin, ApiHandler):
    def put(self, slug: str, submission_id: str) -> None:
        if self.principal.anonymous:
            raise WebError(401, "Please sign in: this needs an account.")
        data = self.json_body()
        comment = data.get("comment") or ""
        done = self.events.score(
            self.principal, slug, int(submission_id), data.get("scores"), comment
        )
        self.send_json(plain(done))

    post = put


class ResultsApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        self.send_json(plain(self.events.results(self.principal, slug)))


class ResultsCsvHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        data = self.events.results_csv(self.principal, slug, self.language)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", content_disposition(f"{slug}-resultats.csv"))
        self.finish(data)


class CertificatesApiHandler(EventsHandlerMixin, ApiHandler):
    """POST: make every participant's certificate (one click); GET: the list."""

    def get(self, slug: str) -> None:
        self.require("review")
        event = self.events.get(slug, self.principal)
        rows = self.events.certificate_rows(event)
        self.send_json(
            [
                plain(
                    {
                        "username": r.username,
                        "full_name": r.full_name,
                        "code": r.code,
                        "issued": r.issued,
                        "verify_url": self.link_url(f"certificats/{r.code}"),
                        "pdf": self.link_url(f"api/events/{slug}/certificates/{r.code}.pdf"),
                        **r.details,
                    }
                )
                for r in rows.values()
            ]
        )

    async def post(self, slug: str) -> None:
        self.require("review")
        from .certificates import make_certificates

        principal, language = self.principal, self.language
        events = self.events

        def work() -> list[dict[str, Any]]:
            return make_certificates(
                events,
                principal,
                slug,
                lambda code: self.absolute_url(f"certificats/{code}"),
                language,
            )

        made = await asyncio.get_running_loop().run_in_executor(None, in_worker_thread, work)
        for item in made:
            item["pdf"] = self.link_url(f"api/events/{slug}/certificates/{item['code']}.pdf")
        self.send_json(made, status=201)


class CertificatesZipHandler(EventsHandlerMixin, ApiHandler):
    def get(self, slug: str) -> None:
        self.require("review")
        event = self.events.get(slug, self.principal)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for username, row in sorted(self.events.certificate_rows(event).items()):
                if row.sha256:
                    with self.catalogue.open_file(row.sha256) as fh:
                        archive.writestr(f"{username}.pdf", fh.read())
        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", content_disposition(f"{slug}-certificats.zip"))
        self.finish(buffer.getvalue())


class CertificatePdfHandler(EventsHandlerMixin, ApiHandler):
    """One certificate's PDF: for trainers and for the participant it names."""

    def get(self, slug: str, code: str) -> None:
        found = self.events.certificate(code)
        if found is None or found["event"] != slug or not found["sha256"]:
            raise WebError(404, "There is nothing at this address.")
        if not (is_trainer(self.principal) or self.principal.name == found["username"]):
            if self.principal.anonymous:
                raise WebError(401, "Please sign in: this needs an account.")
            raise WebError(403, "Only the trainers and the participant it names download it.")
        with self.catalogue.open_file(found["sha256"]) as fh:
            data = fh.read()
        self.set_header("Content-Type", "application/pdf")
        self.set_header(
            "Content-Disposition", content_disposition(f"{found['username']}-certificat.pdf")
        )
        self.finish(data)


def check_json(handler: Any, code: str) -> dict[str, Any]:
    """What the verification of `code` tells anyone: valid or not, for whom, for what."""
    found = handler.events.certificate(code)
    if found is None:
        return {"valid": False, "code": code.strip().upper()}
    return plain(
        {
            "valid": True,
            "code": found["code"],
            "full_name": found["full_name"],
            "event": found["event"],
            "event_title": found["event_title"],
            "kind": found["kind"],
            "starts": found["starts"],
            "ends": found["ends"],
            "hours": found["hours"],
            "team": found["team"],
            "resources": found["resources"],
            "issued": found["issued"],
            "event_page": handler.link_url(f"evenements/{found['event']}"),
        }
    )


class CertificateCheckApiHandler(EventsHandlerMixin, ApiHandler):
    def get(self, code: str) -> None:
        data = check_json(self, code)
        self.send_json(data, status=200 if data["valid"] else 404)


def routes(at) -> list[tuple]:
    e = f"api/events/{SLUG}"
    return [
        (at("api/events"), EventsApiHandler),
        (at(e), EventApiHandler),
        (at(f"{e}/roster"), RosterApiHandler),
        (at(f"{e}/participants"), ParticipantsApiHandler),
        (at(f"{e}/participants/([a-z0-9][a-z0-9._-]{{0,63}})"), ParticipantApiHandler),
        (at(f"{e}/teams"), TeamsApiHandler),
        (at(f"{e}/resources"), ResourcesMadeApiHandler),
        (at(f"{e}/submissions"), SubmissionsApiHandler),
        (at(f"{e}/submissions/([0-9]{{1,12}})"), SubmissionApiHandler),
        (at(f"{e}/assignments"), AssignmentsApiHandler),
        (at(f"{e}/jury"), JuryApiHandler),
        (at(f"{e}/scores/([0-9]{{1,12}})"), ScoreApiHandler),
        (at(f"{e}/results"), ResultsApiHandler),
        (at(f"{e}/results.csv"), ResultsCsvHandler),
        (at(f"{e}/certificates"), CertificatesApiHandler),
        (at(f"{e}/certificates.zip"), CertificatesZipHandler),
        (at(f"{e}/certificates/{CODE}\\.pdf"), CertificatePdfHandler),
        (at(f"api/certificates/{CODE}"), CertificateCheckApiHandler),
    ]
