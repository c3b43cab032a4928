"""`Events`: every operation on workshops and hackathons, each with its permission check.

Roles, enforced here (the pages, the API and the CLI all come through this class):

- **trainers** hold the catalogue's « review » permission (reviewer or editor tokens; on the
  hub, the trainers' custom:catalogue:review scope). They create and change events, import the
  roster, edit teams, assign the jury, read every result and make the certificates;
- **jurors** are named per event (usernames): they see and score only the submissions assigned
  to them, without authors or teams when the event is blind;
- **participants** come from the roster: a team member submits their own resources for their
  team, and sees their own team.

Submissions lock at the deadline, on the server's clock (`clock`): submitting, replacing or
withdrawing is then refused with `Conflict` (HTTP 409).
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..catalogue.db import utcnow
from ..catalogue.errors import Conflict, NotFound, PermissionDenied
from ..catalogue.model import WITHDRAWN, Principal
from ..catalogue.records import R
from ..i18n import N_, ImaginecoleError, Message, _
from ..workshop.roster import RosterReport, parse_roster_text
from . import db as t
from . import scoring
from .model import MAX_SCORE, clean_event, clean_rubric, field_error

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
DEFAULT_JURORS_PER_SUBMISSION = 2


@dataclass
class Event:
    id: int
    slug: str
    title: str
    kind: str
    starts: date
    ends: date
    hours: float
    description: str
    country: str | None
    blind: bool
    deadline: datetime
    state: str
    rubric: list[dict[str, Any]]
    prizes: list[dict[str, Any]]
    jurors_per_submission: int
    created_by: str
    jurors: list[str] = field(default_factory=list)
    challenges: list[dict[str, Any]] = field(default_factory=list)

    def locked(self, now: datetime) -> bool:
        """Whether submissions are locked: the deadline has passed."""
        return now >= self.deadline

    def challenge(self, slug: str | None) -> dict[str, Any] | None:
        return next((c for c in self.challenges if c["slug"] == slug), None)


def is_trainer(principal: Principal) -> bool:
    return not principal.anonymous and principal.can("review")


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Events:
    """The events of one catalogue (its database and file store)."""

    def __init__(self, catalogue: Any, clock: Callable[[], datetime] = utcnow) -> None:
        self.catalogue = catalogue
        self.db = catalogue.db
        self.clock = clock

    # -- reading events -----------------------------------------------------------------------

    def _load(self, conn: Connection, slug: str) -> Event | None:
        row = conn.execute(select(t.events).where(t.events.c.slug == slug)).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values.pop("created")
        event = Event(**values)
        event.jurors = list(
            conn.execute(
                select(t.jurors.c.username)
                .where(t.jurors.c.event_id == event.id)
                .order_by(t.jurors.c.username)
            ).scalars()
        )
        event.challenges = [
            {k: c._mapping[k] for k in ("slug", "title", "brief", "kinds", "levels")}
            for c in conn.execute(
                select(t.challenges)
                .where(t.challenges.c.event_id == event.id)
                .order_by(t.challenges.c.id)
            )
        ]
        return event

    def _event(self, conn: Connection, slug: str, principal: Principal) -> Event:
        event = self._load(conn, slug)
        if event is None or (event.state == "draft" and not is_trainer(principal)):
            raise NotFound("No event « {slug} » in the catalogue.", slug=slug)
        return event

    def get(self, slug: str, principal: Principal) -> Event:
        with self.db.read() as conn:
            return self._event(conn, slug, principal)

    def find(self, name: str) -> Event | None:
        """The event whose slug or title is `name` (as a publish request names it), or None."""
        name = (name or "").strip()
        if not name:
            return None
        with self.db.read() as conn:
            slug = conn.execute(
                select(t.events.c.slug).where(
                    or_(t.events.c.slug == name, t.events.c.title == name)
                )
            ).scalar()
            return self._load(conn, slug) if slug else None

    def list(self, principal: Principal) -> list[Event]:
        """Events newest first; drafts only for trainers."""
        stmt = select(t.events.c.slug).order_by(t.events.c.starts.desc(), t.events.c.id.desc())
        if not is_trainer(principal):
            stmt = stmt.where(t.events.c.state != "draft")
        with self.db.read() as conn:
            return [self._load(conn, slug) for slug in conn.execute(stmt).scalars()]

    def roles(self, event: Event, principal: Principal) -> dict[str, Any]:
        """What `principal` is in `event`: trainer, juror, participant (and team)."""
        if principal.anonymous:
            return {"trainer": False, "juror": False, "participant": False, "team": None}
        with self.db.read() as conn:
            row = self._participant(conn, event, principal.name)
        return {
            "trainer": is_trainer(principal),
            "juror": principal.name in event.jurors,
            "participant": row is not None,
            "team": (row.team or None) if row is not None else None,
        }

    # -- making and changing events -----------------------------------------------------------

    def _require_trainer(self, principal: Principal) -> None:
        if principal.anonymous:
            raise PermissionDenied("Sign in: only trainers may run events.")
        if not is_trainer(principal):
            raise PermissionDenied(
                "Only trainers (the « review » permission) may create or run events."
            )

    def create(self, principal: Principal, spec: dict[str, Any]) -> Event:
        self._require_trainer(principal)
        values = clean_event(spec)
        values.setdefault("description", "")
        values.setdefault("country", None)
        values.setdefault("blind", False)
        values.setdefault("state", "open")
        values.setdefault("rubric", clean_rubric(None))
        values.setdefault("prizes", [])
        values.setdefault("jurors_per_submission", DEFAULT_JURORS_PER_SUBMISSION)
        jurors = values.pop("jurors", [])
        challenges = values.pop("challenges", [])
        values |= {"created_by": principal.name, "created": utcnow()}
        try:
            with self.db.write() as conn:
                event_id = conn.execute(
                    insert(t.events).values(**values).returning(t.events.c.id)
                ).scalar_one()
                self._set_jurors(conn, event_id, jurors)
                self._set_challenges(conn, event_id, challenges)
        except IntegrityError:
            raise Conflict(
                "An event « {slug} » already exists: choose another slug.", slug=values["slug"]
            ) from None
        return self.get(values["slug"], principal)

    def update(self, principal: Principal, slug: str, changes: dict[str, Any]) -> Event:
        """Change some fields; changing the slug is not possible (links use it)."""
        self._require_trainer(principal)
        if "slug" in changes and changes["slug"] != slug:
            raise field_error("slug", "cannot change: links and certificates use it.")
        with self.db.write() as conn:
            event = self._event(conn, slug, principal)
            values = clean_event(
                {k: v for k, v in changes.items() if k != "slug"},
                partial=True,
                country=event.country,
            )
            starts, ends = values.get("starts", event.starts), values.get("ends", event.ends)
            if ends < starts:
                raise field_error(
                    "ends", "({ends}) is before the start ({starts}).", ends=ends, starts=starts
                )
            if (
                "rubric" in values
                and conn.execute(
                    select(t.scores.c.juror)
                    .join(t.submissions, t.submissions.c.id == t.scores.c.submission_id)
                    .where(t.submissions.c.event_id == event.id)
                    .limit(1)
                ).first()
            ):
                raise Conflict(
                    "The jury has started scoring « {title} »: its rubric can no longer change.",
                    title=event.title,
                )
            if "jurors" in values:
                self._set_jurors(conn, event.id, values.pop("jurors"))
            if "challenges" in values:
                self._set_challenges(conn, event.id, values.pop("challenges"))
            if values:
                conn.execute(update(t.events).where(t.events.c.id == event.id).values(**values))
        return self.get(slug, principal)

    def _set_jurors(self, conn: Connection, event_id: int, names: list[str]) -> None:
        conn.execute(delete(t.jurors).where(t.jurors.c.event_id == event_id))
        if names:
            conn.execute(insert(t.jurors), [{"event_id": event_id, "username": n} for n in names])
        # an assignment to someone no longer a juror goes (their scores stay, unused)
        subs = select(t.submissions.c.id).where(t.submissions.c.event_id == event_id)
        conn.execute(
            delete(t.assignments).where(
                t.assignments.c.submission_id.in_(subs), t.assignments.c.juror.not_in(names or [""])
            )
        )

    def _set_challenges(self, conn: Connection, event_id: int, items: list[dict]) -> None:
        conn.execute(delete(t.challenges).where(t.challenges.c.event_id == event_id))
        if items:
            conn.execute(insert(t.challenges), [{"event_id": event_id, **c} for c in items])

    # -- participants and teams ---------------------------------------------------------------

    def _participant(self, conn: Connection, event: Event, username: str) -> Any:
        return conn.execute(
            select(t.participants).where(
                t.participants.c.event_id == event.id, t.participants.c.username == username
            )
        ).first()

    def import_roster(
        self, principal: Principal, slug: str, text: str, source: str = "roster.csv"
    ) -> RosterReport:
        """Add (or update) the participants of the roster CSV (imaginecole.workshop.roster):
        all its problems are reported at once and nothing changes if there is one."""
        self._require_trainer(principal)
        event = self.get(slug, principal)
        report = parse_roster_text(text, event.country or "SN", source=source)
        with self.db.write() as conn:
            for p in report.participants:
                values = {
                    "full_name": p.full_name[:200],
                    "email": p.email[:200],
                    "role": p.role,
                    "country": p.country,
                    "team": p.team[:200],
                }
                done = conn.execute(
                    update(t.participants)
                    .where(
                        t.participants.c.event_id == event.id,
                        t.participants.c.username == p.username,
                    )
                    .values(**values)
                ).rowcount
                if not done:
                    conn.execute(
                        insert(t.participants).values(
                            event_id=event.id, username=p.username, **values
                        )
                    )
        return report

    def participants(self, principal: Principal, slug: str) -> list[dict[str, Any]]:
        """Trainers: everyone; a participant: the members of their team; others: refused."""
        with self.db.read() as conn:
            event = self._event(conn, slug, principal)
            stmt = select(t.participants).where(t.participants.c.event_id == event.id)
            if not is_trainer(principal):
                me = None if principal.anonymous else self._participant(conn, event, principal.name)
                if me is None:
                    raise PermissionDenied(
                        "Only the trainers and the participants of « {title} » see its "
                        "participants.",
                        title=event.title,
                    )
                stmt = stmt.where(t.participants.c.team == me.team)
            rows = conn.execute(stmt.order_by(t.participants.c.team, t.participants.c.username))
            out = []
            for row in rows:
                item = dict(row._mapping)
                item.pop("event_id")
                if not is_trainer(principal):
                    item.pop("email")
                out.append(item)
            return out

    def teams(self, principal: Principal, slug: str) -> dict[str, list[str]]:
        teams: dict[str, list[str]] = defaultdict(list)
        for p in self.participants(principal, slug):
            if p["team"]:
                teams[p["team"]].append(p["username"])
        return dict(teams)

    def set_team(self, principal: Principal, slug: str, username: str, team: str) -> None:
        self._require_trainer(principal)
        if not isinstance(team, str) or len(team.strip()) > 200:
            raise field_error("team", "must be a team name of at most 200 characters.")
        with self.db.write() as conn:
            event = self._event(conn, slug, principal)
            done = conn.execute(
                update(t.participants)
                .where(t.participants.c.event_id == event.id, t.participants.c.username == username)
                .values(team=team.strip())
            ).rowcount
            if not done:
                raise NotFound(
                    "« {name} » is not a participant of « {title} »: import them with the roster.",
                    name=username,
                    title=event.title,
                )

    # -- submissions --------------------------------------------------------------------------

    def _check_open(self, event: Event) -> None:
        if event.locked(self.clock()):
            raise Conflict(
                "The submissions to « {title} » closed at {deadline} (UTC): submitting, "
                "replacing or withdrawing a submission is no longer possible.",
                title=event.title,
                deadline=event.deadline.strftime("%Y-%m-%d %H:%M"),
            )
        if event.state != "open":
            raise Conflict(
                "« {title} » does not take submissions now (it is « {state} »).",
                title=event.title,
                state=event.state,
            )

    def check_may_submit(
        self, principal: Principal, event: Event, uid: str | None, challenge: str | None
    ) -> tuple[str, str | None]:
        """(team, challenge slug) if `principal` may submit `uid` now; else the refusal."""
        if principal.anonymous:
            raise PermissionDenied("Sign in to submit to an event.")
        self._check_open(event)
        with self.db.read() as conn:
            me = self._participant(conn, event, principal.name)
            if me is None or not me.team:
                raise PermissionDenied(
                    "You are not in a team of « {title} »: ask the trainer to add you to the "
                    "roster with your team, then submit again.",
                    title=event.title,
                )
            if uid is not None:
                row = conn.execute(
                    select(R.c.owner, R.c.title, R.c.state).where(R.c.uid == uid)
                ).first()
                if row is not None and row.owner != principal.name:
                    raise PermissionDenied(
                        "« {title} » is not yours: a team member submits their own resources.",
                        title=row.title,
                    )
                taken = conn.execute(
                    select(t.submissions.c.team).where(
                        t.submissions.c.event_id == event.id, t.submissions.c.resource_uid == uid
                    )
                ).scalar()
                if taken is not None and taken != me.team:
                    raise Conflict("This resource is already submitted by another team.")
        if challenge:
            if event.challenge(challenge) is None:
                raise field_error(
                    "challenge",
                    "names « {value} », which is not a challenge of « {title} »; "
                    "its challenges are: {known}.",
                    value=challenge,
                    title=event.title,
                    known=", ".join(c["slug"] for c in event.challenges) or "-",
                )
        elif len(event.challenges) == 1:
            challenge = event.challenges[0]["slug"]
        return me.team, challenge or None

    def submit(
        self, principal: Principal, slug: str, uid: str, challenge: str | None = None
    ) -> dict[str, Any]:
        """Submit the principal's catalogue resource `uid` for their team (again: update it)."""
        event = self.get(slug, principal)
        team, challenge = self.check_may_submit(principal, event, uid, challenge)
        with self.db.read() as conn:
            row = conn.execute(select(R.c.state).where(R.c.uid == uid)).first()
        if row is None:
            raise NotFound("No resource « {uid} » in the catalogue, or it is not public.", uid=uid)
        if row.state == WITHDRAWN:
            raise Conflict("This resource is withdrawn: publish it again before submitting it.")
        return self.record_submission(principal, event, uid, team, challenge)

    def record_submission(
        self, principal: Principal, event: Event, uid: str, team: str, challenge: str | None
    ) -> dict[str, Any]:
        now = self.clock()
        with self.db.write() as conn:
            done = conn.execute(
                update(t.submissions)
                .where(t.submissions.c.event_id == event.id, t.submissions.c.resource_uid == uid)
                .values(challenge=challenge, submitted_by=principal.name, submitted_at=now)
            ).rowcount
            if not done:
                conn.execute(
                    insert(t.submissions).values(
                        event_id=event.id,
                        resource_uid=uid,
                        team=team,
                        challenge=challenge,
                        submitted_by=principal.name,
                        submitted_at=now,
                    )
                )
        return next(s for s in self._submissions(event) if s["uid"] == uid)

    def withdraw_submission(self, principal: Principal, slug: str, submission_id: int) -> None:
        """Take a submission out of the event (the resource stays in the catalogue)."""
        event = self.get(slug, principal)
        with self.db.read() as conn:
            row = conn.execute(
                select(t.submissions).where(
                    t.submissions.c.event_id == event.id, t.submissions.c.id == submission_id
                )
            ).first()
            me = None if principal.anonymous else self._participant(conn, event, principal.name)
        if row is None:
            raise NotFound(
                "No submission {id} in « {title} ».", id=submission_id, title=event.title
            )
        if not is_trainer(principal) and (me is None or me.team != row.team):
            raise PermissionDenied(
                "Only the team that submitted it, or a trainer, may withdraw it."
            )
        self._check_open(event)
        with self.db.write() as conn:
            conn.execute(delete(t.submissions).where(t.submissions.c.id == submission_id))

    def check_new_version(self, principal: Principal, uid: str) -> None:
        """A new version of a resource submitted to an event whose deadline passed would change
        what the jury judges: refused until the event is closed."""
        with self.db.read() as conn:
            row = locked_submission(conn, uid, self.clock())
        if row is not None:
            raise Conflict(
                "This resource is submitted to « {title} », whose submissions closed at "
                "{deadline} (UTC): a new version would change what the jury judges. "
                "Publish it again once the results are out.",
                title=row.title,
                deadline=row.deadline.strftime("%Y-%m-%d %H:%M"),
            )

    def _submissions(self, event: Event, ids: set[int] | None = None) -> list[dict[str, Any]]:
        """Every submission of `event` with its resource's title, type and state."""
        with self.db.read() as conn:
            stmt = (
                select(
                    t.submissions,
                    R.c.title,
                    R.c.type,
                    R.c.kind,
                    R.c.state,
                    R.c.public,
                    R.c.authors,
                    R.c.owner,
                    R.c.level,
                    R.c.language,
                )
                .join(R, R.c.uid == t.submissions.c.resource_uid, isouter=True)
                .where(t.submissions.c.event_id == event.id)
                .order_by(t.submissions.c.id)
            )
            out = []
            for row in conn.execute(stmt):
                if ids is not None and row.id not in ids:
                    continue
                out.append(
                    {
                        "id": row.id,
                        "uid": row.resource_uid,
                        "title": row.title or row.resource_uid,
                        "type": row.type,
                        "kind": row.kind,
                        "level": row.level,
                        "language": row.language,
                        "state": row.state,
                        "public": bool(row.public),
                        "team": row.team,
                        "challenge": row.challenge,
                        "submitted_by": row.submitted_by,
                        "submitted_at": row.submitted_at,
                        "authors": list(row.authors or []),
                        "owner": row.owner,
                    }
                )
            return out

    def submissions(self, principal: Principal, slug: str) -> list[dict[str, Any]]:
        """Trainers: all; a participant: their team's; others: refused (jurors: `jury`)."""
        event = self.get(slug, principal)
        if is_trainer(principal):
            return self._submissions(event)
        roles = self.roles(event, principal)
        if not roles["participant"]:
            raise PermissionDenied(
                "Only the trainers and the teams of « {title} » see its submissions; jurors "
                "see theirs on the jury page.",
                title=event.title,
            )
        return [s for s in self._submissions(event) if s["team"] == roles["team"]]

    # -- the jury -----------------------------------------------------------------------------

    def _check_locked(self, event: Event, doing: str) -> None:
        if not event.locked(self.clock()):
            raise Conflict(
                "The submissions to « {title} » are open until {deadline} (UTC): {doing} once "
                "they are locked.",
                title=event.title,
                deadline=event.deadline.strftime("%Y-%m-%d %H:%M"),
                doing=Message(doing),
            )

    def assign(
        self, principal: Principal, slug: str, per_submission: int | None = None
    ) -> dict[str, Any]:
        """Give each submission N jurors, balancing the load, never a juror of its own team.

        Assignments already scored are kept; the others are made again."""
        self._require_trainer(principal)
        event = self.get(slug, principal)
        self._check_locked(event, N_("assign the jury"))
        n = per_submission or event.jurors_per_submission
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 50:
            raise field_error("per_submission", "must be a whole number from 1 to 50.")
        if not event.jurors:
            raise field_error(
                "jurors",
                "is empty: name the jurors of « {title} » (their usernames) first.",
                title=event.title,
            )
        subs = self._submissions(event)
        with self.db.write() as conn:
            teams = dict(
                conn.execute(
                    select(t.participants.c.username, t.participants.c.team).where(
                        t.participants.c.event_id == event.id,
                        t.participants.c.username.in_(event.jurors),
                    )
                ).all()
            )
            ids = [s["id"] for s in subs]
            scored = set(
                conn.execute(
                    select(t.scores.c.submission_id, t.scores.c.juror).where(
                        t.scores.c.submission_id.in_(ids or [0])
                    )
                ).all()
            )
            conn.execute(delete(t.assignments).where(t.assignments.c.submission_id.in_(ids or [0])))
            load: Counter[str] = Counter()
            plan: dict[int, list[str]] = {}
            for s in subs:
                plan[s["id"]] = [j for j in event.jurors if (s["id"], j) in scored]
                load.update(plan[s["id"]])
            short = []
            for s in subs:
                have = plan[s["id"]]
                eligible = [
                    j
                    for j in event.jurors
                    if j not in have and not (teams.get(j) and teams.get(j) == s["team"])
                ]
                eligible.sort(key=lambda j: (load[j], event.jurors.index(j)))
                chosen = eligible[: max(0, n - len(have))]
                have.extend(chosen)
                load.update(chosen)
                if len(have) < n:
                    short.append(s["id"])
            rows = [{"submission_id": sid, "juror": j} for sid, js in plan.items() for j in js]
            if rows:
                conn.execute(insert(t.assignments), rows)
        return {"per_submission": n, "assignments": plan, "short": short, "load": dict(load)}

    def assignments(self, principal: Principal, slug: str) -> dict[int, list[str]]:
        self._require_trainer(principal)
        event = self.get(slug, principal)
        return self._assignments(event)

    def _assignments(self, event: Event) -> dict[int, list[str]]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(t.assignments.c.submission_id, t.assignments.c.juror)
                .join(t.submissions, t.submissions.c.id == t.assignments.c.submission_id)
                .where(t.submissions.c.event_id == event.id)
                .order_by(t.assignments.c.submission_id, t.assignments.c.juror)
            ).all()
        out: dict[int, list[str]] = defaultdict(list)
        for sid, juror in rows:
            out[sid].append(juror)
        return dict(out)

    def jury(self, principal: Principal, slug: str) -> list[dict[str, Any]]:
        """The submissions assigned to the juror `principal`, with their own scores; without
        authors or teams when the event is blind."""
        event = self.get(slug, principal)
        if principal.anonymous or principal.name not in event.jurors:
            raise PermissionDenied(
                "Only the jurors of « {title} » have a jury page.", title=event.title
            )
        mine = {sid for sid, js in self._assignments(event).items() if principal.name in js}
        with self.db.read() as conn:
            given = {
                r.submission_id: {"scores": r.scores, "comment": r.comment, "at": r.at}
                for r in conn.execute(
                    select(t.scores).where(
                        t.scores.c.juror == principal.name,
                        t.scores.c.submission_id.in_(mine or {0}),
                    )
                )
            }
        out = []
        for s in self._submissions(event, mine):
            item = blind_view(s) if event.blind else s
            item["my_score"] = given.get(s["id"])
            out.append(item)
        return out

    def score(
        self,
        principal: Principal,
        slug: str,
        submission_id: int,
        scores: Any,
        comment: str = "",
    ) -> dict[str, Any]:
        event = self.get(slug, principal)
        if principal.anonymous or principal.name not in event.jurors:
            raise PermissionDenied(
                "Only the jurors of « {title} » score its submissions.", title=event.title
            )
        if submission_id not in {
            sid for sid, js in self._assignments(event).items() if principal.name in js
        }:
            raise PermissionDenied(
                "This submission is not assigned to you: a juror scores only the submissions "
                "assigned to them."
            )
        self._check_locked(event, N_("score the submissions"))
        if event.state == "closed":
            raise Conflict(
                "The results of « {title} » are published: scores can no longer change.",
                title=event.title,
            )
        clean = clean_scores(scores, event.rubric)
        if not isinstance(comment, str) or len(comment) > 5000:
            raise field_error("comment", "must be text of at most 5000 characters.")
        values = {"scores": clean, "comment": comment.strip(), "at": self.clock()}
        with self.db.write() as conn:
            done = conn.execute(
                update(t.scores)
                .where(
                    t.scores.c.submission_id == submission_id, t.scores.c.juror == principal.name
                )
                .values(**values)
            ).rowcount
            if not done:
                conn.execute(
                    insert(t.scores).values(
                        submission_id=submission_id, juror=principal.name, **values
                    )
                )
        return {"submission": submission_id, **values}

    # -- results ------------------------------------------------------------------------------

    def may_see_results(self, event: Event, principal: Principal) -> bool:
        return (
            event.state == "closed"
            or is_trainer(principal)
            or (not principal.anonymous and principal.name in event.jurors)
        )

    def results(self, principal: Principal, slug: str) -> list[dict[str, Any]]:
        """Every submission, best first, with rank (ties share it), prize, raw and normalised
        scores and the mean of each criterion. Trainers and jurors; everyone once closed."""
        event = self.get(slug, principal)
        if not self.may_see_results(event, principal):
            raise PermissionDenied(
                "The results of « {title} » are for its trainers and jurors until they are "
                "published.",
                title=event.title,
            )
        subs = self._submissions(event)
        assigned = self._assignments(event)
        with self.db.read() as conn:
            given = [
                (r.submission_id, r.juror, r.scores)
                for r in conn.execute(
                    select(t.scores)
                    .join(t.submissions, t.submissions.c.id == t.scores.c.submission_id)
                    .join(
                        t.assignments,
                        and_(
                            t.assignments.c.submission_id == t.scores.c.submission_id,
                            t.assignments.c.juror == t.scores.c.juror,
                        ),
                    )
                    .where(t.submissions.c.event_id == event.id)
                )
                if all(c["id"] in r.scores for c in event.rubric)
            ]
        by_id = {s["id"]: s for s in subs}
        hide = event.blind and event.state != "closed" and not is_trainer(principal)
        out = []
        for result in scoring.results([s["id"] for s in subs], given, event.rubric):
            s = by_id[result.submission]
            item = blind_view(s) if hide else dict(s)
            item |= {
                "rank": result.rank,
                "tied": result.tied,
                "prize": scoring.prize_for(result.rank, event.prizes),
                "raw": None if result.raw is None else round(result.raw, 4),
                "normalised": None if result.normalised is None else round(result.normalised, 4),
                "scored_by": result.jurors,
                "assigned": len(assigned.get(s["id"], [])),
                "criteria": {k: round(v, 4) for k, v in result.criteria.items()},
            }
            out.append(item)
        return out

    def results_csv(self, principal: Principal, slug: str, language: str = "fr") -> bytes:
        event = self.get(slug, principal)
        rows = self.results(principal, slug)
        tr = lambda m: _(m, language)  # noqa: E731
        header = [
            tr("Rank"),
            tr("Prize"),
            tr("Title"),
            tr("Team"),
            tr("Challenge"),
            tr("Normalised score"),
            tr("Raw score (0-5)"),
            tr("Jurors who scored"),
            *(tr(c["name"]) for c in event.rubric),
            tr("Identifier"),
        ]
        body = [
            [
                r["rank"] if r["rank"] is not None else "",
                r["prize"],
                r["title"],
                r.get("team", ""),
                r["challenge"] or "",
                r["normalised"] if r["normalised"] is not None else "",
                r["raw"] if r["raw"] is not None else "",
                r["scored_by"],
                *(r["criteria"].get(c["id"], "") for c in event.rubric),
                r["uid"],
            ]
            for r in rows
        ]
        return scoring.to_csv(header, body)

    # -- resources made, for the dashboard and the certificates --------------------------------

    def resources_made(self, event: Event, username: str) -> list[dict[str, Any]]:
        """The catalogue resources `username` made at `event`: submitted to it, or tagged with
        it (its slug or title); withdrawn ones left out."""
        with self.db.read() as conn:
            submitted = select(t.submissions.c.resource_uid).where(
                t.submissions.c.event_id == event.id
            )
            rows = conn.execute(
                select(R.c.uid, R.c.title, R.c.type)
                .where(
                    R.c.owner == username,
                    R.c.state != WITHDRAWN,
                    or_(R.c.uid.in_(submitted), R.c.event.in_([event.slug, event.title])),
                )
                .order_by(R.c.title_key, R.c.id)
            ).all()
        return [{"uid": r.uid, "title": r.title, "type": r.type} for r in rows]

    def certificate(self, code: str) -> dict[str, Any] | None:
        """The certificate of `code` (as printed), or None: what the verification page shows."""
        code = (code or "").strip().upper()
        with self.db.read() as conn:
            row = conn.execute(
                select(t.certificates, t.events.c.slug)
                .join(t.events, t.events.c.id == t.certificates.c.event_id)
                .where(t.certificates.c.code == code)
            ).first()
        if row is None:
            return None
        return {
            "code": row.code,
            "event": row.slug,
            "username": row.username,
            "full_name": row.full_name,
            "issued": row.issued,
            "sha256": row.sha256,
            **row.details,
        }

    def certificate_rows(self, event: Event) -> dict[str, Any]:
        with self.db.read() as conn:
            return {
                r.username: r
                for r in conn.execute(
                    select(t.certificates).where(t.certificates.c.event_id == event.id)
                )
            }

    def save_certificate(
        self,
        event: Event,
        username: str,
        full_name: str,
        details: dict,
        sha256: str | None,
        code: str | None,
    ) -> str:
        now = self.clock()
        with self.db.write() as conn:
            if code is not None:
                conn.execute(
                    update(t.certificates)
                    .where(t.certificates.c.code == code)
                    .values(full_name=full_name, details=details, sha256=sha256, issued=now)
                )
                return code
            for _attempt in range(5):
                code = new_code()
                if conn.execute(
                    select(t.certificates.c.code).where(t.certificates.c.code == code)
                ).first():
                    continue
                conn.execute(
                    insert(t.certificates).values(
                        code=code,
                        event_id=event.id,
                        username=username,
                        full_name=full_name,
                        details=details,
                        sha256=sha256,
                        issued=now,
                    )
                )
                return code
        raise ImaginecoleError("Could not make a unique certificate code; try again.")

    def participant_rows(self, event: Event) -> list[Any]:
        with self.db.read() as conn:
            return conn.execute(
                select(t.participants)
                .where(t.participants.c.event_id == event.id)
                .order_by(t.participants.c.username)
            ).all()


def locked_submission(conn: Connection, uid: str, now: datetime) -> Any:
    """The first event (title, deadline) that `uid` is submitted to whose deadline has passed
    and whose results are not out yet (not « closed »): the jury judges the resource as it
    is. None when there is none."""
    rows = conn.execute(
        select(t.events.c.title, t.events.c.deadline)
        .join(t.submissions, t.submissions.c.event_id == t.events.c.id)
        .where(t.submissions.c.resource_uid == uid, t.events.c.state != "closed")
        .order_by(t.events.c.deadline)
    ).all()
    return next((row for row in rows if now >= row.deadline), None)


def blind_view(submission: dict[str, Any]) -> dict[str, Any]:
    """A submission as a juror of a blind event sees it: no team, author or owner."""
    return {
        k: v for k, v in submission.items() if k not in ("team", "authors", "owner", "submitted_by")
    }


def clean_scores(scores: Any, rubric: list[dict[str, Any]]) -> dict[str, float]:
    """{criterion: 0..5} for every criterion of the rubric; refusals name the criterion."""
    if not isinstance(scores, dict):
        raise field_error("scores", "must give a score from 0 to 5 for each criterion.")
    ids = [c["id"] for c in rubric]
    unknown = sorted(set(scores) - set(ids))
    if unknown:
        raise field_error(
            "scores",
            "names unknown criteria ({names}); the criteria are {known}.",
            names=", ".join(map(str, unknown)),
            known=", ".join(ids),
        )
    out = {}
    for cid in ids:
        value = scores.get(cid)
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "."))
            except ValueError:
                value = None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (0 <= value <= MAX_SCORE)
        ):
            raise field_error(
                f"scores.{cid}", "needs a score from 0 to 5; « {value} » is not one.", value=value
            )
        out[cid] = float(value)
    return out
