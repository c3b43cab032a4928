"""The publish widget's « Événement » and « Défi » choices: a team submits its grain to an event.

When the catalogue has events (workshops, hackathons) whose roster names the teacher, the
publish widget offers them: the grain then goes to the catalogue as usual and becomes the
team's submission to the chosen challenge (``POST api/resources?event=…&challenge=…``, see
imaginecole/events/hooks.py). After the deadline the widget says submissions are closed and
sends nothing to the event; the catalogue refuses it anyway (HTTP 409), on its own clock.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import ipywidgets

from ..i18n import Message, gettext_for
from .form_fields import html_block
from .publish_client import CatalogueClient, CatalogueError

NO_EVENT = ""


def parse_time(value: Any) -> datetime | None:
    """A hub or catalogue timestamp (ISO 8601, ``Z`` or offset, or naive UTC), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def deadline_text(event: dict[str, Any]) -> str:
    found = parse_time(event.get("deadline"))
    return found.strftime("%Y-%m-%d %H:%M") if found else "?"


def split_events(
    events: list[dict[str, Any]], now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(open to the teacher's team, closed by their deadline, joined without a team)."""
    mine = [e for e in events if (e.get("you") or {}).get("participant")]
    open_, closed, teamless = [], [], []
    for event in mine:
        if event.get("state") not in ("open", "judging"):
            continue
        deadline = parse_time(event.get("deadline"))
        if event.get("locked") or (deadline is not None and now >= deadline):
            closed.append(event)
        elif event.get("state") != "open":
            continue
        elif not (event.get("you") or {}).get("team"):
            teamless.append(event)
        else:
            open_.append(event)
    return open_, closed, teamless


class EventChoice(ipywidgets.VBox):
    """« Événement » and « Défi » drop-downs, with what the choice means; hidden if unused."""

    def __init__(
        self,
        client: CatalogueClient | None,
        *,
        language: str,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.language = language
        self.clock = clock or (lambda: datetime.now(UTC))
        self._ = _ = gettext_for(language)
        self.events: list[dict[str, Any]] = []
        self.open: list[dict[str, Any]] = []
        self.closed: list[dict[str, Any]] = []
        self.teamless: list[dict[str, Any]] = []
        self.event = ipywidgets.Dropdown(
            options=[(_("Do not submit to an event"), NO_EVENT)], description=_("Event")
        )
        self.challenge = ipywidgets.Dropdown(options=[], description=_("Challenge"))
        for field in (self.event, self.challenge):
            field.style.description_width = "initial"
            field.add_class("icb-field")
            field.add_class("icb-select")
        self.help = html_block("", "icp-event-help")
        self.notes = html_block("", "icp-event-notes")
        self.event.observe(lambda _change: self._chosen(), names=["value"])
        self.challenge.observe(lambda _change: self._describe(), names=["value"])
        self.children = [self.event, self.challenge, self.help, self.notes]
        self.add_class("icp-events")
        self.layout.display = "none"

    def load(self) -> list[dict[str, Any]]:
        """Ask the catalogue for its events; a catalogue without them hides the choice."""
        if self.client is None or not self.client.token:
            return []
        try:
            self.events = self.client.events()
        except CatalogueError:
            self.events = []  # an older catalogue, or none reachable: publishing still works
        self.show()
        return self.events

    def show(self) -> None:
        _ = self._
        esc = html.escape
        self.open, self.closed, self.teamless = split_events(self.events, self.clock())
        options = [(_("Do not submit to an event"), NO_EVENT)]
        options += [(e["title"], e["slug"]) for e in self.open]
        self.event.options = options
        self.event.value = self.open[0]["slug"] if self.open else NO_EVENT
        self.event.layout.display = None if self.open else "none"
        notes = []
        for event in self.closed:
            notes.append(
                _(
                    "Submissions to « {title} » closed at {deadline} (UTC): the grain can "
                    "still go to the catalogue, but no longer to the event."
                ).format(title=event["title"], deadline=deadline_text(event))
            )
        for event in self.teamless:
            notes.append(
                _(
                    "You take part in « {title} » but are in no team yet: ask the trainer to "
                    "put you in one, then you can submit."
                ).format(title=event["title"])
            )
        self.notes.value = (
            '<div role="status">'
            + "".join(f'<p class="icw-warning">{esc(n)}</p>' for n in notes)
            + "</div>"
            if notes
            else ""
        )
        self.layout.display = None if (self.open or notes) else "none"
        self._chosen()

    def chosen(self) -> dict[str, Any] | None:
        """The event the grain is to be submitted to, or None."""
        return next((e for e in self.open if e["slug"] == self.event.value), None)

    def _chosen(self) -> None:
        event = self.chosen()
        challenges = (event or {}).get("challenges") or []
        self.challenge.options = [(c["title"], c["slug"]) for c in challenges]
        if challenges:
            self.challenge.value = challenges[0]["slug"]
        self.challenge.layout.display = None if challenges else "none"
        self._describe()

    def _describe(self) -> None:
        _ = self._
        event = self.chosen()
        if event is None:
            self.help.value = ""
            return
        text = _(
            "Sent, the grain becomes the submission of your team « {team} » to « {title} ». "
            "Submissions close at {deadline} (UTC)."
        ).format(
            team=(event.get("you") or {}).get("team") or "",
            title=event["title"],
            deadline=deadline_text(event),
        )
        challenge = next(
            (c for c in event.get("challenges") or [] if c["slug"] == self.challenge.value), None
        )
        brief = ""
        if challenge and challenge.get("brief"):
            brief = "<br>" + html.escape(
                _("The challenge: {brief}").format(brief=challenge["brief"])
            )
        self.help.value = f"<p class='icb-help'>{html.escape(text)}{brief}</p>"

    def target(self) -> tuple[str | None, str | None]:
        """(event slug, challenge slug) to send; refuses (CatalogueError) once closed."""
        event = self.chosen()
        if event is None:
            return None, None
        deadline = parse_time(event.get("deadline"))
        if deadline is not None and self.clock() >= deadline:
            self.events = [dict(e, locked=True) if e is event else e for e in self.events]
            self.show()
            raise CatalogueError(
                Message(
                    "Submissions to « {title} » closed at {deadline} (UTC): the grain was not "
                    "sent. Press the button again to send it to the catalogue only.",
                    title=event["title"],
                    deadline=deadline_text(event),
                ),
                409,
            )
        return event["slug"], (self.challenge.value or None)

    def names_event(self, name: str | None) -> bool:
        """Whether `name` (the workshop's, sent as a tag) is the slug or title of an event:
        the catalogue would take the grain as a submission to it."""
        return bool(name) and any(name in (e.get("slug"), e.get("title")) for e in self.events)

    def outcome(self, resource: dict[str, Any], slug: str | None) -> str:
        """A line for the result, when the grain went to an event."""
        if not slug or resource.get("event") != slug:
            return ""
        event = next((e for e in self.events if e["slug"] == slug), {})
        text = self._("Submitted to « {title} » for your team « {team} ».").format(
            title=event.get("title", slug), team=(event.get("you") or {}).get("team") or ""
        )
        return f'<p class="icp-sent">{html.escape(text)}</p>'
