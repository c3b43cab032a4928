"""TrainerDashboard: the « Tableau de bord du formateur » Voilà app.

What a trainer running a workshop or a hackathon watches, refreshed on demand and every
30 seconds (never faster):

- the participants, from the hub's REST API called with the server's own token
  (``JUPYTERHUB_API_TOKEN``): each one's server running, idle (no activity for
  `IDLE_MINUTES` minutes) or stopped, with a link to open it to help (JupyterHub's
  ``access:servers`` scope, which trainers hold);
- the resources each participant and each team made for the chosen event, and the event's
  submissions with their state (the catalogue's events API);
- a form that sends an announcement to every participant: it is stored in the catalogue as
  a news item (``POST api/news``), which the hub's home page shows to everyone.

Nothing is hidden only in the page: the hub gives the list of users only to a token holding
``list:users`` (a trainer's server token; see `imaginecole.hub.config.DASHBOARD_TOKEN_SCOPES`)
and answers 403 to a teacher's, and the catalogue refuses events data and news to a teacher.
The dashboard then says so, instead of showing an empty table.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import ipywidgets

from ..i18n import LANGUAGES, Message, gettext_for
from .form_fields import button, heading, html_block, row, style_sheet
from .live_status import LiveStatus
from .publish_client import CatalogueClient, CatalogueError, default_public_url, default_token
from .publish_client import default_url as default_catalogue_url
from .publish_event import parse_time
from .publish_submissions import STATE_NAMES, error_markup
from .trainer_events import EventEditor

HERE = os.path.dirname(__file__)
REFRESH_SECONDS = 30  # the shortest automatic refresh: 30 trainers x 30 participants stay cheap
IDLE_MINUTES = 10  # a running server without activity for this long is « idle »
HUB_TIMEOUT = (5.0, 30.0)
SERVER_STATES = ("running", "idle", "starting", "stopped", "unknown")
log = logging.getLogger(__name__)


def data_table(css_class: str, caption: str, columns: tuple[str, ...], rows: list[str]) -> str:
    """A scrollable table with its caption and column headers; `rows` are ``<tr>`` markup
    already escaped, the other texts are escaped here."""
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
    return (
        f'<div class="ictd-table-wrap"><table class="{css_class}">'
        f"<caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


class HubRefused(Exception):
    """The hub answered 403 (or 401): this account may not list the participants."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class HubUnavailable(Exception):
    """The hub could not be asked (no hub here, network, server error)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def hub_users(api_url: str, token: str) -> list[dict[str, Any]]:
    """Every user of the hub, with their servers (``GET /users``), as the token may see them."""
    import requests

    if not api_url or not token:
        raise HubUnavailable(Message("The servers are only shown in the workshop hub."))
    try:
        response = requests.get(
            api_url.rstrip("/") + "/users",
            params={"limit": 1000},
            headers={"Authorization": f"token {token}"},
            timeout=HUB_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise HubUnavailable(
            Message("The hub cannot be reached ({url}); try again in a moment.", url=api_url)
        ) from exc
    if response.status_code in (401, 403):
        raise HubRefused(response.status_code)
    if response.status_code >= 400:
        raise HubUnavailable(
            Message(
                "The hub met an error ({status}); try again in a moment.",
                status=response.status_code,
            )
        )
    data = response.json()
    return data["items"] if isinstance(data, dict) else list(data)


def is_trainer(user: Mapping[str, Any]) -> bool:
    return bool(user.get("admin")) or "trainer" in (user.get("roles") or [])


def server_state(
    user: Mapping[str, Any], now: datetime, idle_after: timedelta = timedelta(minutes=IDLE_MINUTES)
) -> tuple[str, datetime | None]:
    """(running | idle | starting | stopped, last activity) of the user's default server."""
    server = (user.get("servers") or {}).get("")
    last = parse_time(user.get("last_activity"))
    if not server:
        return "stopped", last
    last = parse_time(server.get("last_activity")) or last
    if not server.get("ready"):
        return ("starting" if server.get("pending") else "stopped"), last
    if last is not None and now - last >= idle_after:
        return "idle", last
    return "running", last


def participant_rows(
    users: list[dict[str, Any]] | None,
    roster: list[dict[str, Any]],
    made: Mapping[str, list[dict[str, Any]]],
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per participant: the hub's users (trainers left out) and the event's roster.

    `users` None means the hub could not be asked: the roster alone, servers « unknown ».
    """
    by_name: dict[str, dict[str, Any]] = {}
    for user in users or []:
        if is_trainer(user):
            continue
        state, last = server_state(user, now)
        by_name[user["name"]] = {"name": user["name"], "state": state, "last_activity": last}
    for person in roster:
        name = person.get("username") or ""
        if not name:
            continue
        entry = by_name.setdefault(
            name,
            {
                "name": name,
                "state": "unknown" if users is None else "stopped",
                "last_activity": None,
            },
        )
        entry["full_name"] = person.get("full_name") or ""
        entry["team"] = person.get("team") or ""
    rows = []
    for entry in by_name.values():
        entry.setdefault("full_name", "")
        entry.setdefault("team", "")
        entry["resources"] = list(made.get(entry["name"], []))
        rows.append(entry)
    return sorted(rows, key=lambda r: (r["team"] == "", r["team"].casefold(), r["name"].casefold()))


def team_rows(
    roster: list[dict[str, Any]],
    made: Mapping[str, list[dict[str, Any]]],
    submissions: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One row per team: its members, the resources they made, its submissions."""
    teams: dict[str, dict[str, Any]] = {}
    for person in roster:
        team = person.get("team") or ""
        if team:
            entry = teams.setdefault(team, {"team": team, "members": [], "resources": []})
            entry["members"].append(person.get("full_name") or person.get("username"))
    for team, resources in made.items():
        if team in teams:
            kept = teams[team]["resources"]
            for resource in resources:
                if resource["uid"] not in {r["uid"] for r in kept}:
                    kept.append(resource)
    for entry in teams.values():
        entry["submissions"] = [s for s in submissions if s.get("team") == entry["team"]]
    return sorted(teams.values(), key=lambda t: t["team"].casefold())


def news_body(text: str) -> str:
    """A trainer's plain text as the news item's HTML: escaped, one paragraph per block."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(
        "<p>" + html.escape(b, quote=False).replace("\n", "<br>") + "</p>" for b in blocks
    )


class TrainerDashboard(ipywidgets.VBox):
    """Participants and their servers, resources made, submissions, announcements."""

    def __init__(
        self,
        *,
        language: str | None = None,
        hub_api_url: str | None = None,
        hub_token: str | None = None,
        hub_base_url: str | None = None,
        catalogue_url: str | None = None,
        catalogue_token: str | None = None,
        public_url: str | None = None,
        interval: float = REFRESH_SECONDS,
        auto_refresh: bool = True,
        clock=None,
    ) -> None:
        super().__init__()
        env = os.environ
        language = language or env.get("IMAGINECOLE_LANGUAGE", "fr")
        self.language = language if language in LANGUAGES else "fr"
        self._ = _ = gettext_for(self.language)
        self.hub_api_url = env.get("JUPYTERHUB_API_URL", "") if hub_api_url is None else hub_api_url
        self.hub_token = env.get("JUPYTERHUB_API_TOKEN", "") if hub_token is None else hub_token
        self.hub_base_url = (
            env.get("JUPYTERHUB_BASE_URL", "/") if hub_base_url is None else hub_base_url
        )
        url = default_catalogue_url() if catalogue_url is None else catalogue_url
        token = default_token() if catalogue_token is None else catalogue_token
        self.client = CatalogueClient(url, token) if url else None
        self.public_url = (default_public_url() or url) if public_url is None else public_url
        self.interval = max(float(interval), REFRESH_SECONDS)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.data: dict[str, Any] = {}
        self.refused = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._choosing = False
        self.add_class("ictd-widget")

        self.status = LiveStatus()
        self.refresh_button = button(_("Refresh"), self.refresh, icon="refresh")
        self.event_choice = ipywidgets.Dropdown(
            options=[(_("No event"), "")], description=_("Event")
        )
        self.event_choice.style.description_width = "initial"
        self.event_choice.add_class("icb-field")
        self.event_choice.add_class("icb-select")
        self.event_choice.observe(self._event_chosen, names=["value"])
        self.summary = html_block("", "ictd-summary-box")
        self.refusal = html_block("")
        self.participants = html_block("")
        self.teams = html_block("")
        self.submissions = html_block("")
        self.news = html_block("")
        self.title = ipywidgets.Text(
            description=_("Title of the announcement"),
            placeholder=_("For example: lunch break"),
        )
        self.message = ipywidgets.Textarea(
            description=_("Message"),
            placeholder=_("For example: we start again at 14:00, in room 2."),
            rows=3,
        )
        for field, kind in ((self.title, "icb-text"), (self.message, "icb-textarea")):
            field.style.description_width = "initial"
            field.add_class("icb-field")
            field.add_class(kind)
        self.send_button = button(
            _("Send an announcement to everyone"),
            self.send_announcement,
            icon="bullhorn",
            kind="primary",
        )
        self.send_status = LiveStatus()
        self.events = EventEditor(
            self.client,
            language=self.language,
            link=self.link,
            on_saved=self.refresh_to,
            clock=self.clock,
        )
        intro = _("Refreshed every {seconds} seconds, and when you press « {button} ».").format(
            seconds=int(self.interval), button=_("Refresh")
        )
        self.body = ipywidgets.VBox(
            [
                row([self.event_choice, self.refresh_button]),
                self.summary,
                heading(_("Participants and their servers"), 3),
                self.participants,
                heading(_("Teams"), 3),
                self.teams,
                heading(_("Submissions"), 3),
                self.submissions,
                heading(_("Announcements"), 3),
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(
                        _(
                            "Every participant sees it on the hub's home page, with the "
                            "three latest announcements."
                        )
                    )
                    + "</p>"
                ),
                self.title,
                self.message,
                row([self.send_button, self.send_status]),
                self.news,
                heading(_("Events"), 3),
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(
                        _(
                            "Create a workshop or a hackathon, change it, and run it: "
                            "participants, submissions, jury, results, certificates."
                        )
                    )
                    + "</p>"
                ),
                self.events,
            ]
        )
        self.children = [
            style_sheet(),
            html_block(f"<style>{self._css()}</style>", "icb-style"),
            heading(_("Trainer dashboard"), 2),
            html_block(f"<p class='icb-help'>{html.escape(intro)}</p>"),
            self.status,
            self.refusal,
            self.body,
        ]
        self.refresh()
        if auto_refresh:
            self.start_auto_refresh()

    @staticmethod
    def _css() -> str:
        with open(os.path.join(HERE, "trainer_dashboard.css"), encoding="utf-8") as fh:
            return fh.read()

    # -- reading ------------------------------------------------------------------------------

    def collect(self, event: str | None = None) -> dict[str, Any]:
        """Ask the hub and the catalogue; touches no widget (it may run in a worker thread)."""
        data: dict[str, Any] = {
            "users": None,
            "hub_refused": None,
            "hub_problem": None,
            "events": [],
            "event": None,
            "roster": [],
            "submissions": [],
            "made": {"participants": {}, "teams": {}},
            "news": [],
            "catalogue_problem": None,
            "now": self.clock(),
        }
        try:
            data["users"] = hub_users(self.hub_api_url, self.hub_token)
        except HubRefused as exc:
            data["hub_refused"] = exc.status
            return data
        except HubUnavailable as exc:
            data["hub_problem"] = exc.message
        if self.client is None or not self.client.token:
            data["catalogue_problem"] = Message("No catalogue is set up here.")
            return data
        try:
            events = self.client.request("GET", "api/events") or []
            data["events"] = events
            chosen = pick_event(events, event)
            data["event"] = chosen
            if chosen is not None:
                slug = chosen["slug"]
                data["roster"] = self.client.request("GET", f"api/events/{slug}/participants")
                data["submissions"] = self.client.request("GET", f"api/events/{slug}/submissions")
                data["made"] = self.client.request("GET", f"api/events/{slug}/resources")
            data["news"] = self.client.request(
                "GET", "api/news", params={"language": self.language}
            )[:3]
        except CatalogueError as exc:
            data["catalogue_problem"] = exc
        return data

    def refresh(self) -> dict[str, Any]:
        """Ask again now and redraw; returns what was read."""
        data = self.collect(self.event_choice.value or None)
        self.show(data)
        return data

    def refresh_to(self, slug: str) -> dict[str, Any]:
        """Redraw with the event `slug` chosen (after the events form saved it)."""
        data = self.collect(slug)
        self.show(data)
        return data

    # -- drawing ------------------------------------------------------------------------------

    def show(self, data: dict[str, Any]) -> None:
        _ = self._
        esc = html.escape
        self.data = data
        if data["hub_refused"]:
            self.refused = True
            self.refusal.value = (
                '<div class="ictd ictd-refusal" role="alert"><p><strong>'
                + esc(_("This dashboard is for the workshop's trainers."))
                + "</strong></p><p>"
                + esc(
                    _(
                        "The hub refused to list the participants ({status}): your account "
                        "is not a trainer's. Sign in with a trainer's account, or ask a trainer."
                    ).format(status=data["hub_refused"])
                )
                + "</p></div>"
            )
            self.body.layout.display = "none"
            self.status.show(
                _("Refused by the hub ({status}).").format(status=data["hub_refused"]), "error"
            )
            self.stop_auto_refresh()
            return
        self.refused = False
        self.refusal.value = ""
        self.body.layout.display = None
        self._show_events(data)
        self.events.show_events(data["events"] or [], data["users"])
        event = data["event"]
        made = data["made"] or {}
        rows = participant_rows(
            data["users"], data["roster"] or [], made.get("participants") or {}, data["now"]
        )
        self.participants.value = self._wrap(
            self._problem(data["hub_problem"]) + self.participants_table(rows, data["now"])
        )
        teams = team_rows(data["roster"] or [], made.get("teams") or {}, data["submissions"] or [])
        self.teams.value = self._wrap(self.teams_table(teams) if event else self._no_event())
        self.submissions.value = self._wrap(
            self._problem(data["catalogue_problem"])
            + (
                self.submissions_table(data["submissions"] or [], event)
                if event
                else self._no_event()
            )
        )
        self.news.value = self._wrap(self.news_list(data["news"] or []))
        self.status.show(
            _("Updated at {time} (UTC).").format(time=data["now"].strftime("%H:%M:%S")), "ok"
        )

    def _wrap(self, body: str) -> str:
        direction = "rtl" if self.language == "ar" else "ltr"
        return f'<div class="ictd" lang="{self.language}" dir="{direction}">{body}</div>'

    def _problem(self, problem: Any) -> str:
        if problem is None:
            return ""
        return error_markup(problem, self.language)

    def _no_event(self) -> str:
        return (
            "<p>"
            + html.escape(self._("No event is chosen: create one below, under « Events »."))
            + "</p>"
        )

    def _show_events(self, data: dict[str, Any]) -> None:
        _ = self._
        options = [(f"{e['title']} ({self.event_state(e)})", e["slug"]) for e in data["events"]]
        chosen = data["event"]["slug"] if data["event"] else ""
        self._choosing = True
        try:
            if not options:
                self.event_choice.options = [(_("No event"), "")]
                self.event_choice.value = ""
            else:
                if list(self.event_choice.options) != options:
                    self.event_choice.options = options
                self.event_choice.value = chosen
        finally:
            self._choosing = False
        event = data["event"]
        if event is None:
            self.summary.value = ""
            return
        deadline = parse_time(event.get("deadline"))
        when = deadline.strftime("%Y-%m-%d %H:%M") if deadline else "?"
        if event.get("locked"):
            text = _("Submissions closed at {deadline} (UTC).").format(deadline=when)
        else:
            text = _("Submissions are open until {deadline} (UTC).").format(deadline=when)
        page = self.link(str(event.get("page") or ""))
        link = (
            f' <a href="{html.escape(page, quote=True)}" target="_blank" rel="noopener">'
            f"{html.escape(_('The event in the catalogue'))}</a>"
            if page
            else ""
        )
        self.summary.value = self._wrap(f'<p class="ictd-summary">{html.escape(text)}{link}</p>')

    def _event_chosen(self, change: dict) -> None:
        if not self._choosing:
            self.refresh()

    def event_state(self, event: Mapping[str, Any]) -> str:
        _ = self._
        names = {
            "draft": _("draft"),
            "open": _("open"),
            "judging": _("judging"),
            "closed": _("results published"),
        }
        return names.get(str(event.get("state")), str(event.get("state")))

    def state_label(self, state: str) -> str:
        _ = self._
        return {
            "running": _("Running"),
            "idle": _("Idle"),
            "starting": _("Starting"),
            "stopped": _("Stopped"),
            "unknown": _("Unknown"),
        }[state]

    def ago(self, when: datetime | None, now: datetime) -> str:
        _ = self._
        if when is None:
            return _("Never")
        minutes = int((now - when).total_seconds() // 60)
        if minutes < 1:
            return _("less than a minute ago")
        if minutes < 60:
            return _("{n} min ago").format(n=minutes)
        if minutes < 48 * 60:
            return _("{n} h ago").format(n=minutes // 60)
        return _("{n} days ago").format(n=minutes // (24 * 60))

    def link(self, url: str) -> str:
        """A catalogue link as the trainer's browser reaches it (through the hub's proxy)."""
        if self.client and self.public_url and url.startswith(self.client.url):
            return self.public_url.rstrip("/") + "/" + url[len(self.client.url) :]
        return url

    def server_href(self, name: str) -> str:
        return self.hub_base_url.rstrip("/") + "/user/" + quote(name, safe="") + "/"

    def resources_cell(self, resources: list[dict[str, Any]]) -> str:
        if not resources:
            return "0"
        items = "".join(
            f"<li>{html.escape(str(r.get('title') or r.get('uid')))}</li>" for r in resources
        )
        return f"{len(resources)}<ul>{items}</ul>"

    def participants_table(self, rows: list[dict[str, Any]], now: datetime) -> str:
        _ = self._
        esc = html.escape
        if not rows:
            return f"<p>{esc(_('No participant yet.'))}</p>"
        counts = {s: sum(1 for r in rows if r["state"] == s) for s in SERVER_STATES}
        summary = _("{running} running, {idle} idle, {stopped} stopped.").format(
            running=counts["running"] + counts["starting"],
            idle=counts["idle"],
            stopped=counts["stopped"],
        )
        body = []
        for r in rows:
            name = esc(r["name"])
            who = f"<strong>{esc(r['full_name'])}</strong>{name}" if r["full_name"] else name
            if r["state"] in ("running", "idle"):
                action = (
                    f'<a href="{esc(self.server_href(r["name"]), quote=True)}" target="_blank" '
                    f'rel="noopener">{esc(_("Open their server"))}'
                    f'<span class="ictd-vh"> ({name})</span></a>'
                )
            else:
                action = "—"
            state = r["state"]
            body.append(
                f'<tr data-user="{esc(r["name"], quote=True)}">'
                f'<th scope="row">{who}</th>'
                f"<td>{esc(r['team']) or '—'}</td>"
                f'<td><span class="ictd-state ictd-state-{state}">{esc(self.state_label(state))}'
                "</span></td>"
                f"<td>{esc(self.ago(r['last_activity'], now))}</td>"
                f"<td>{self.resources_cell(r['resources'])}</td>"
                f"<td>{action}</td></tr>"
            )
        columns = (
            _("Participant"),
            _("Team"),
            _("Server"),
            _("Last activity"),
            _("Resources made"),
            _("Help"),
        )
        table = data_table("ictd-participants", _("Participants and their servers"), columns, body)
        return f'<p role="status">{esc(summary)}</p>{table}'

    def teams_table(self, teams: list[dict[str, Any]]) -> str:
        _ = self._
        esc = html.escape
        if not teams:
            return f"<p>{esc(_('No team yet: import the roster with a team column.'))}</p>"
        body = "".join(
            "<tr>"
            f'<th scope="row">{esc(t["team"])}</th>'
            f"<td>{esc(', '.join(m for m in t['members'] if m))}</td>"
            f"<td>{self.resources_cell(t['resources'])}</td>"
            f"<td>{len(t['submissions'])}</td></tr>"
            for t in teams
        )
        columns = (_("Team"), _("Members"), _("Resources made"), _("Submissions"))
        return data_table("ictd-teams", _("Resources made per team"), columns, [body])

    def submissions_table(self, items: list[dict[str, Any]], event: Mapping[str, Any]) -> str:
        _ = self._
        esc = html.escape
        if not items:
            return f"<p>{esc(_('No submission yet.'))}</p>"
        challenges = {c["slug"]: c["title"] for c in event.get("challenges") or []}
        body = []
        for s in items:
            href = self.link(str(event.get("page") or "")).rsplit("evenements/", 1)[0]
            href = f"{href}r/{quote(str(s['uid']), safe='')}" if href else ""
            title = esc(str(s.get("title") or s["uid"]))
            title_cell = (
                f'<a href="{esc(href, quote=True)}" target="_blank" rel="noopener">{title}</a>'
                if href
                else title
            )
            when = parse_time(s.get("submitted_at"))
            state = str(s.get("state") or "")
            body.append(
                "<tr>"
                f'<th scope="row">{title_cell}</th>'
                f"<td>{esc(s.get('team') or '—')}</td>"
                f"<td>{esc(challenges.get(s.get('challenge'), s.get('challenge') or '—'))}</td>"
                f"<td>{esc(s.get('submitted_by') or '')}</td>"
                f"<td>{esc(when.strftime('%Y-%m-%d %H:%M') if when else '')}</td>"
                f"<td>{esc(_(STATE_NAMES.get(state, state)))}</td></tr>"
            )
        columns = (
            _("Resource"),
            _("Team"),
            _("Challenge"),
            _("Submitted by"),
            _("Submitted at (UTC)"),
            _("State"),
        )
        return data_table("ictd-submissions", _("Submissions to the event"), columns, body)

    def news_list(self, items: list[dict[str, Any]]) -> str:
        _ = self._
        esc = html.escape
        if not items:
            return f"<p>{esc(_('No announcement yet.'))}</p>"
        entries = []
        for n in items:
            when = parse_time(n.get("published"))
            stamp = when.strftime("%Y-%m-%d %H:%M") if when else ""
            entries.append(
                f"<li><strong>{esc(str(n.get('title') or ''))}</strong> ({esc(stamp)})</li>"
            )
        label = esc(_("The latest announcements"), quote=True)
        return f'<ul class="ictd-news" aria-label="{label}">{"".join(entries)}</ul>'

    # -- acting -------------------------------------------------------------------------------

    def send_announcement(self) -> dict[str, Any] | None:
        """Store the announcement in the catalogue's news; None (reason shown) if refused."""
        _ = self._
        title = " ".join(self.title.value.split())
        text = self.message.value.strip()
        if not title or not text:
            self.send_status.show(_("Not sent: write a title and a message first."), tone="warning")
            return None
        if self.client is None:
            self.send_status.show(_("Not sent: no catalogue is set up here."), tone="error")
            return None
        try:
            done = self.client.request(
                "POST",
                "api/news",
                json={"title": title[:200], "body": news_body(text), "language": self.language},
                headers={"Content-Type": "application/json"},
            )
        except CatalogueError as exc:
            self.send_status.show(
                _("Not sent: {reason}").format(reason=exc.render(self.language)), "error"
            )
            return None
        self.title.value = ""
        self.message.value = ""
        self.send_status.show(
            _("Sent: every participant sees « {title} » on the hub's home page.").format(
                title=title
            ),
            "ok",
        )
        self.refresh()
        return done

    # -- refreshing by itself -----------------------------------------------------------------

    def start_auto_refresh(self) -> bool:
        """Refresh every `interval` seconds on the kernel's event loop; False without one."""
        if self.refused or self._timer is not None:
            return False
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self._timer = self._loop.call_later(self.interval, self._tick)
        return True

    def stop_auto_refresh(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        self._timer = None
        if self._closed or self._loop is None:
            return
        event = self.event_choice.value or None
        future = self._loop.run_in_executor(None, self.collect, event)
        future.add_done_callback(self._collected)

    def _collected(self, future: asyncio.Future) -> None:
        if self._closed:
            return
        try:
            self.show(future.result())
        except Exception:  # the next tick tries again; the page keeps the last tables
            log.exception("the trainer dashboard could not refresh")
        if not self.refused and self._loop is not None:
            self._timer = self._loop.call_later(self.interval, self._tick)

    def close(self) -> None:
        self._closed = True
        self.stop_auto_refresh()
        super().close()


def pick_event(events: list[dict[str, Any]], slug: str | None) -> dict[str, Any] | None:
    """The event named `slug`, else the first open one, else the newest."""
    if slug:
        for event in events:
            if event.get("slug") == slug:
                return event
    for event in events:
        if event.get("state") == "open":
            return event
    return events[0] if events else None
