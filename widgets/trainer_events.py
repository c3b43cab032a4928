"""The « Events » section of the trainer dashboard: create, edit and run workshops and hackathons.

Everything goes through the catalogue's events API (docs/events.md), which checks every field
and every permission on the server: ``POST api/events`` creates, ``PATCH api/events/SLUG``
changes the fields that changed (and the state: open, close, publish the results),
``POST …/roster`` imports the participants, ``POST …/assignments`` assigns the jury,
``POST …/certificates`` makes the certificates.

A refusal of the server (its bilingual message names the field) is shown next to the form, in
the trainer's language, with the field marked; nothing typed in the form is lost.

The participants « of the workshop » are the hub's users (the workshop roster the hub was
started with), the trainers left out: their team and country come from the hub's groups
``team-…`` and ``country-…`` (see imaginecole.workshop.config.Workshop.groups).
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import ipywidgets

from ..events.rubric import DEFAULT_RUBRIC
from ..i18n import N_, Message, gettext_for
from .form_fields import button, html_block, row
from .live_status import LiveStatus
from .publish_client import CatalogueClient, CatalogueError

RESOURCE_KINDS = ("grain", "comic", "podcast", "notebook-app", "module", "parcours", "h5p", "scorm")
COUNTRY_ZONES = {
    "BJ": "Africa/Porto-Novo",
    "BF": "Africa/Ouagadougou",
    "CM": "Africa/Douala",
    "CI": "Africa/Abidjan",
    "GN": "Africa/Conakry",
    "ML": "Africa/Bamako",
    "NE": "Africa/Niamey",
    "SN": "Africa/Dakar",
    "TD": "Africa/Ndjamena",
    "TG": "Africa/Lome",
    "MR": "Africa/Nouakchott",
    "TN": "Africa/Tunis",
}
RUBRIC_HELP = N_(
    "The jurors score each criterion from 0 to 5; a weight of 0 leaves a criterion out. "
    "The rubric can change until the first score is given."
)
# the fields of the form, in the order a refusal naming several is shown
FORM_FIELDS = (
    "title",
    "slug",
    "kind",
    "starts",
    "ends",
    "hours",
    "country",
    "description",
    "deadline",
    "blind_jury",
    "jurors",
    "jurors_per_submission",
    "challenges",
    "rubric",
    "prizes",
)
_FIELD_IN_MESSAGE = re.compile(r"«\s*([a-z_]+)(?:\[\d+\][.a-z_]*)?\s*»")


def slugify(text: str, fallback: str = "evenement") -> str:
    """« Hackathon de Dakar 2026 » → hackathon-de-dakar-2026 (the API's slug rules)."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-")
    return slug if len(slug) >= 2 else fallback


def parse_prizes(text: str) -> list[dict[str, Any]]:
    """One prize a line: « 1: Premier prix », or just the title (its line gives the rank)."""
    out = []
    for number, line in enumerate((x.strip() for x in text.splitlines() if x.strip()), start=1):
        found = re.match(r"^(\d{1,3})\s*[:.)]\s*(.+)$", line)
        if found:
            out.append({"rank": int(found.group(1)), "title": found.group(2).strip()})
        else:
            out.append({"rank": number, "title": line})
    return out


def prizes_text(prizes: list[Mapping[str, Any]]) -> str:
    return "\n".join(f"{p['rank']}: {p['title']}" for p in prizes or [])


def refused_field(error: CatalogueError) -> str | None:
    """The field a refusal of the events API names (« hours », « challenges[1].levels » →
    challenges), from its English text; None when it names none of the form's."""
    reason = error.message.values.get("reason") if isinstance(error.message, Message) else None
    english = reason.render("en") if isinstance(reason, Message) else error.render("en")
    for name in _FIELD_IN_MESSAGE.findall(english or ""):
        if name in FORM_FIELDS:
            return name
    return None


def server_text(error: CatalogueError, language: str) -> str:
    """The server's own message in `language` for a refused field or state (400, 409), else
    the client's (which says what to do about 401, 403, 404, an unreachable catalogue)."""
    reason = error.message.values.get("reason") if isinstance(error.message, Message) else None
    if isinstance(reason, Message) and error.status in (400, 409, 422):
        text = reason.render(language)
        if text:
            return text
    return error.render(language)


def workshop_people(users: list[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """The hub's users as roster rows (trainers left out): team and country from the groups."""
    people = []
    for user in users or []:
        if user.get("admin") or "trainer" in (user.get("roles") or []):
            continue
        groups = user.get("groups") or []
        team = next((g[5:] for g in groups if g.startswith("team-")), "")
        country = next((g[8:].upper() for g in groups if g.startswith("country-")), "")
        people.append({"username": user["name"], "team": team, "country": country})
    return sorted(people, key=lambda p: p["username"])


def roster_csv(people: list[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["username", "full_name", "email", "role", "country", "team"])
    for p in people:
        writer.writerow([p["username"], p["username"], "", "teacher", p["country"], p["team"]])
    return out.getvalue()


def _labelled(widget: ipywidgets.Widget, kind: str) -> ipywidgets.Widget:
    widget.style.description_width = "initial"
    widget.add_class("icb-field")
    widget.add_class(kind)
    return widget


class CriterionRow(ipywidgets.HBox):
    """One criterion of the rubric: its name, its weight, a button that removes it.

    A default criterion keeps its translatable name (the English msgid the server stores)
    until the trainer renames it."""

    def __init__(self, editor: EventEditor, number: int, values: Mapping[str, Any]) -> None:
        super().__init__()
        self.add_class("icb-row")
        self.add_class("ictd-criterion")
        self.cid = str(values.get("id") or "")
        # the name as the server keeps it, and as the trainer reads it (translated)
        self.stored = str(values.get("name") or self.cid)
        self.shown = editor._(self.stored)
        self.name = _labelled(ipywidgets.Text(value=self.shown), "icb-text")
        self.weight = _labelled(
            ipywidgets.BoundedFloatText(
                value=float(values.get("weight", 1)), min=0, max=100, step=0.5
            ),
            "icb-number",
        )
        self.remove = button(
            editor._("Remove this criterion"), lambda: editor.remove_criterion(self)
        )
        self.renumber(editor, number)
        self.children = [self.name, self.weight, self.remove]

    def renumber(self, editor: EventEditor, number: int) -> None:
        _ = editor._
        self.name.description = _("Criterion {n}").format(n=number)
        self.weight.description = _("Weight of criterion {n}").format(n=number)
        self.remove.tooltip = _("Remove criterion {n}").format(n=number)

    def spec(self, taken: set[str]) -> dict[str, Any]:
        """{id, name, weight}; a new criterion gets an id none in `taken` has, and keeps it."""
        name = self.name.value.strip()
        if not self.cid:
            cid = base = slugify(name, "critere")[:36].strip("-") or "critere"
            n = 2
            while cid in taken:
                cid, n = f"{base}-{n}", n + 1
            taken.add(cid)
            self.cid = cid
        stored = self.stored if name == self.shown else name
        return {"id": self.cid, "name": stored, "weight": self.weight.value}


class ChallengeRow(ipywidgets.VBox):
    """One challenge: title, brief, expected kinds and levels of resource."""

    def __init__(self, editor: EventEditor, number: int, values: Mapping[str, Any]) -> None:
        super().__init__()
        _ = editor._
        self.slug = str(values.get("slug") or "")
        self.add_class("ictd-challenge")
        self.heading = html_block("")
        self.title = _labelled(
            ipywidgets.Text(value=values.get("title") or "", description=_("Challenge title")),
            "icb-text",
        )
        self.brief = _labelled(
            ipywidgets.Textarea(value=values.get("brief") or "", description=_("Brief"), rows=2),
            "icb-textarea",
        )
        self.kinds = _labelled(
            ipywidgets.SelectMultiple(
                options=[(editor.kind_label(k), k) for k in RESOURCE_KINDS],
                value=tuple(k for k in values.get("kinds") or [] if k in RESOURCE_KINDS),
                description=_("Expected kinds of resource"),
                rows=4,
            ),
            "icb-select",
        )
        self.levels = _labelled(
            ipywidgets.SelectMultiple(options=[], description=_("Levels"), rows=4),
            "icb-select",
        )
        self.set_levels(editor.level_options(), list(values.get("levels") or []))
        self.remove = button(_("Remove this challenge"), lambda: editor.remove_challenge(self))
        self.renumber(editor, number)
        self.children = [self.heading, self.title, self.brief, self.kinds, self.levels, self.remove]

    def renumber(self, editor: EventEditor, number: int) -> None:
        text = editor._("Challenge {n}").format(n=number)
        self.heading.value = f"<h5>{html.escape(text)}</h5>"
        self.remove.tooltip = editor._("Remove challenge {n}").format(n=number)

    def set_levels(self, options: list[tuple[str, str]], chosen: list[str]) -> None:
        known = {v for _label, v in options}
        # a level the country's curriculum does not have stays listed: the server names it
        extra = [(level, level) for level in chosen if level not in known]
        self.levels.options = options + extra
        self.levels.value = tuple(chosen)

    def spec(self, taken: set[str]) -> dict[str, Any]:
        title = self.title.value.strip()
        slug = self.slug or slugify(title, "defi")
        base, n = slug, 2
        while slug in taken:
            slug, n = f"{base[:75]}-{n}", n + 1
        taken.add(slug)
        return {
            "slug": slug,
            "title": title,
            "brief": self.brief.value.strip(),
            "kinds": list(self.kinds.value),
            "levels": list(self.levels.value),
        }


class EventEditor(ipywidgets.VBox):
    """The events of the catalogue, the form that creates or edits one, and its run buttons."""

    def __init__(
        self,
        client: CatalogueClient | None,
        *,
        language: str = "fr",
        link: Callable[[str], str] = lambda url: url,
        on_saved: Callable[[str], None] = lambda slug: None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.language = language
        self._ = _ = gettext_for(language)
        self.link = link
        self.on_saved = on_saved
        self.clock = clock or (lambda: datetime.now(UTC))
        self.events: list[dict[str, Any]] = []
        self.users: list[dict[str, Any]] | None = None
        self.editing: dict[str, Any] | None = None  # the event as the server last gave it
        self.add_class("ictd-events")

        self.list = html_block("")
        self.chosen = _labelled(
            ipywidgets.Dropdown(options=[(_("No event"), "")], description=_("Event to edit")),
            "icb-select",
        )
        self.new_button = button(_("New event"), self.new, icon="plus")
        self.edit_button = button(_("Edit this event"), self.edit_chosen, icon="pencil")

        # -- the form
        self.form_heading = html_block("")
        self.title = _labelled(ipywidgets.Text(description=_("Title")), "icb-text")
        self.slug = _labelled(
            ipywidgets.Text(
                description=_("Short name in addresses"),
                placeholder=_("made from the title if left empty"),
            ),
            "icb-text",
        )
        self.kind = _labelled(
            ipywidgets.Dropdown(
                options=[(_("Workshop"), "workshop"), (_("Hackathon"), "hackathon")],
                value="workshop",
                description=_("Kind of event"),
            ),
            "icb-select",
        )
        self.starts = _labelled(
            ipywidgets.Text(description=_("Start date (YYYY-MM-DD)"), placeholder="2026-12-05"),
            "icb-text",
        )
        self.ends = _labelled(
            ipywidgets.Text(description=_("End date (YYYY-MM-DD)"), placeholder="2026-12-06"),
            "icb-text",
        )
        self.hours = _labelled(
            ipywidgets.BoundedFloatText(
                value=0, min=0, max=1000, step=0.5, description=_("Hours (on the certificates)")
            ),
            "icb-number",
        )
        from ..workshop.countries import COUNTRIES

        self.country = _labelled(
            ipywidgets.Dropdown(
                options=[(_("Several countries"), "")]
                + [(f"{name} ({code})", code) for code, name in COUNTRIES.items()],
                value="",
                description=_("Country (its curriculum gives the levels)"),
            ),
            "icb-select",
        )
        self.description = _labelled(
            ipywidgets.Textarea(description=_("Description"), rows=3), "icb-textarea"
        )
        self.deadline_date = _labelled(
            ipywidgets.Text(
                description=_("Submission deadline: date (YYYY-MM-DD)"), placeholder="2026-12-06"
            ),
            "icb-text",
        )
        self.deadline_time = _labelled(
            ipywidgets.Text(value="18:00", description=_("time, UTC (HH:MM)"), placeholder="18:00"),
            "icb-text",
        )
        self.deadline_local = html_block("", "ictd-deadline-local")
        self.blind = ipywidgets.Checkbox(
            value=False,
            description=_("Blind jury: the jurors see neither authors nor teams"),
            indent=False,
        )
        self.blind.add_class("icb-check")
        self.jurors = _labelled(
            ipywidgets.SelectMultiple(options=[], description=_("Jurors"), rows=5),
            "icb-select",
        )
        self.per_submission = _labelled(
            ipywidgets.BoundedIntText(
                value=2, min=1, max=50, description=_("Jurors per submission")
            ),
            "icb-number",
        )
        self.challenge_rows: list[ChallengeRow] = []
        self.challenges_box = ipywidgets.VBox()
        self.add_challenge_button = button(
            _("Add a challenge"), lambda: self.add_challenge({}), icon="plus"
        )
        self.criteria: list[CriterionRow] = []
        self.rubric_box = ipywidgets.VBox()
        self.add_criterion_button = button(
            _("Add a criterion"), lambda: self.add_criterion({"weight": 1}), icon="plus"
        )
        self._fill_rubric(None)
        self.prizes = _labelled(
            ipywidgets.Textarea(
                description=_("Prizes, one a line (1: First prize)"),
                placeholder=_("1: First prize\n2: Audience prize"),
                rows=3,
            ),
            "icb-textarea",
        )
        self.slots = {name: html_block("", "ictd-field-error") for name in FORM_FIELDS}
        for slot in self.slots.values():
            slot.layout.display = "none"
        self.save_button = button(_("Save the event"), self.save, icon="save", kind="primary")
        self.cancel_button = button(_("Close the form"), self.close_form)
        self.problem = html_block("")
        self.save_status = LiveStatus()
        self.country.observe(lambda change: self._country_changed(), names=["value"])
        for widget in (self.deadline_date, self.deadline_time):
            widget.observe(lambda change: self.show_local_deadline(), names=["value"])

        def with_slot(name: str, *widgets: ipywidgets.Widget) -> list[ipywidgets.Widget]:
            return [*widgets, self.slots[name]]

        _h = html.escape
        self.form = ipywidgets.VBox(
            [
                self.form_heading,
                *with_slot("title", self.title),
                *with_slot("slug", self.slug),
                *with_slot("kind", self.kind),
                *with_slot("starts", self.starts),
                *with_slot("ends", self.ends),
                *with_slot("hours", self.hours),
                *with_slot("country", self.country),
                *with_slot("description", self.description),
                *with_slot(
                    "deadline",
                    row([self.deadline_date, self.deadline_time]),
                    self.deadline_local,
                ),
                html_block(f"<h5>{_h(_('Jury'))}</h5>"),
                *with_slot("blind_jury", self.blind),
                *with_slot("jurors", self.jurors),
                *with_slot("jurors_per_submission", self.per_submission),
                html_block(f"<h5>{_h(_('Challenges'))}</h5>"),
                self.challenges_box,
                self.add_challenge_button,
                self.slots["challenges"],
                html_block(
                    f"<h5>{_h(_('Rubric: the criteria and their weights'))}</h5>"
                    f"<p class='icb-help'>{_h(_(RUBRIC_HELP))}</p>"
                ),
                self.rubric_box,
                self.add_criterion_button,
                self.slots["rubric"],
                *with_slot("prizes", self.prizes),
                self.problem,
                row([self.save_button, self.cancel_button, self.save_status]),
            ]
        )
        self.form.add_class("ictd-form")
        self.form.layout.display = "none"

        # -- running the event
        self.run_heading = html_block("")
        self.import_button = button(
            _("Import the workshop's participants"), self.import_participants, icon="users"
        )
        self.open_button = button(
            _("Open the submissions"), lambda: self.set_state("open"), icon="unlock"
        )
        self.close_button = button(
            _("Close the submissions"), lambda: self.set_state("judging"), icon="lock"
        )
        self.assign_button = button(_("Assign the jury"), self.assign_jury, icon="gavel")
        self.publish_button = button(
            _("Publish the results"), lambda: self.set_state("closed"), icon="trophy"
        )
        self.certificates_button = button(
            _("Make the certificates"), self.make_certificates, icon="certificate"
        )
        self.run_status = LiveStatus()
        self.run_result = html_block("")
        self.run = ipywidgets.VBox(
            [
                self.run_heading,
                row([self.import_button]),
                row([self.open_button, self.close_button, self.assign_button]),
                row([self.publish_button, self.certificates_button]),
                self.run_status,
                self.run_result,
            ]
        )
        self.run.layout.display = "none"
        self.children = [
            self.list,
            row([self.chosen, self.edit_button, self.new_button]),
            self.form,
            self.run,
        ]

    # -- labels -------------------------------------------------------------------------------

    def kind_label(self, kind: str) -> str:
        _ = self._
        return {
            "grain": _("Quiz or exercise (grain)"),
            "comic": _("Comic"),
            "podcast": _("Podcast"),
            "notebook-app": _("Notebook app"),
            "module": _("Module"),
            "parcours": _("Learning path"),
            "h5p": "H5P",
            "scorm": "SCORM",
        }.get(kind, kind)

    def state_label(self, state: str) -> str:
        _ = self._
        return {
            "draft": _("draft"),
            "open": _("open"),
            "judging": _("judging"),
            "closed": _("results published"),
        }.get(state, state)

    def level_options(self) -> list[tuple[str, str]]:
        country = self.country.value if hasattr(self, "country") else ""
        if country:
            from ..curricula import levels

            try:
                found = levels(country)
            except Exception:  # noqa: BLE001 - no curriculum file: the server names the levels
                return []
            key = "name_en" if self.language == "en" else "name_fr"
            return [(f"{lv.get(key) or lv['id']} ({lv['id']})", lv["id"]) for lv in found]
        from ..events.countries_levels import all_levels

        return [(level, level) for level in all_levels()]

    # -- the list -----------------------------------------------------------------------------

    def show_events(self, events: list[dict[str, Any]], users: list[dict[str, Any]] | None) -> None:
        """Redraw the list of events and the jurors one may pick (the hub's users)."""
        _ = self._
        esc = html.escape
        self.events = list(events)
        self.users = users
        if users is not None:
            names = sorted(u["name"] for u in users)
            chosen = [n for n in self.jurors.value]
            options = names + [n for n in chosen if n not in names]
            if list(self.jurors.options) != options:
                self.jurors.options = options
                self.jurors.value = tuple(chosen)
        options = [(e["title"], e["slug"]) for e in events] or [(_("No event"), "")]
        if list(self.chosen.options) != options:
            keep = self.chosen.value
            self.chosen.options = options
            values = [v for _label, v in options]
            self.chosen.value = keep if keep in values else values[0]
        if not events:
            self.list.value = self._wrap(f"<p>{esc(_('No event yet: create one.'))}</p>")
            return
        body = []
        for e in events:
            deadline = parse_utc(e.get("deadline"))
            page = self.link(str(e.get("page") or ""))
            title = esc(str(e["title"]))
            cell = (
                f'<a href="{esc(page, quote=True)}" target="_blank" rel="noopener">{title}</a>'
                if page
                else title
            )
            kind = _("Hackathon") if e.get("kind") == "hackathon" else _("Workshop")
            body.append(
                f'<tr data-event="{esc(str(e["slug"]), quote=True)}">'
                f'<th scope="row">{cell}</th><td>{esc(kind)}</td>'
                f"<td>{esc(str(e.get('starts') or ''))} → {esc(str(e.get('ends') or ''))}</td>"
                f"<td>{esc(deadline.strftime('%Y-%m-%d %H:%M') if deadline else '')}</td>"
                f"<td>{esc(self.state_label(str(e.get('state'))))}</td></tr>"
            )
        head = "".join(
            f'<th scope="col">{esc(t)}</th>'
            for t in (_("Event"), _("Kind of event"), _("Dates"), _("Deadline (UTC)"), _("State"))
        )
        self.list.value = self._wrap(
            '<div class="ictd-table-wrap"><table class="ictd-events-list">'
            f"<caption>{esc(_('The events of the catalogue'))}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )

    def _wrap(self, body: str) -> str:
        direction = "rtl" if self.language == "ar" else "ltr"
        return f'<div class="ictd" lang="{self.language}" dir="{direction}">{body}</div>'

    # -- the form -----------------------------------------------------------------------------

    def new(self) -> None:
        """An empty form, to create an event."""
        self.editing = None
        self.fill({})
        self.form_heading.value = f"<h4>{html.escape(self._('New event'))}</h4>"
        self.slug.disabled = False
        self.form.layout.display = None
        self.run.layout.display = "none"

    def edit_chosen(self) -> None:
        event = next((e for e in self.events if e["slug"] == self.chosen.value), None)
        if event is None:
            self.save_status.show(self._("Choose an event first, or create one."), "warning")
            return
        self.edit(event)

    def edit(self, event: dict[str, Any]) -> None:
        """The form filled with `event` (as the API gives it), and its run buttons."""
        self.editing = event
        self.fill(event)
        title = self._("Edit « {title} »").format(title=event["title"])
        self.form_heading.value = f"<h4>{html.escape(title)}</h4>"
        self.slug.disabled = True
        self.form.layout.display = None
        self.show_run(event)

    def close_form(self) -> None:
        self.form.layout.display = "none"
        self.run.layout.display = "none"
        self.editing = None

    def fill(self, event: Mapping[str, Any]) -> None:
        self.clear_problems()
        self.save_status.show("", "ok")
        self.title.value = event.get("title") or ""
        self.slug.value = event.get("slug") or ""
        self.kind.value = event.get("kind") or "workshop"
        self.starts.value = str(event.get("starts") or "")
        self.ends.value = str(event.get("ends") or "")
        self.hours.value = float(event.get("hours") or 0)
        self.country.value = event.get("country") or ""
        self.description.value = event.get("description") or ""
        deadline = parse_utc(event.get("deadline"))
        self.deadline_date.value = deadline.strftime("%Y-%m-%d") if deadline else ""
        self.deadline_time.value = deadline.strftime("%H:%M") if deadline else "18:00"
        self.blind.value = bool(event.get("blind_jury"))
        jurors = list(event.get("jurors") or [])
        options = list(self.jurors.options)
        self.jurors.options = options + [j for j in jurors if j not in options]
        self.jurors.value = tuple(jurors)
        self.per_submission.value = int(event.get("jurors_per_submission") or 2)
        for challenge in self.challenge_rows:
            challenge.close()
        self.challenge_rows = []
        for item in event.get("challenges") or []:
            self.add_challenge(item)
        self._fill_rubric(event.get("rubric"))
        self.prizes.value = prizes_text(event.get("prizes") or [])
        self.show_local_deadline()

    def _fill_rubric(self, rubric: list[Mapping[str, Any]] | None) -> None:
        for criterion in self.criteria:
            criterion.close()
        self.criteria = []
        for item in rubric or DEFAULT_RUBRIC:
            self.add_criterion(item)

    def criterion(self, cid: str) -> CriterionRow:
        return next(c for c in self.criteria if c.cid == cid)

    def add_criterion(self, values: Mapping[str, Any]) -> CriterionRow:
        criterion = CriterionRow(self, len(self.criteria) + 1, values)
        self.criteria.append(criterion)
        self.rubric_box.children = list(self.criteria)
        return criterion

    def remove_criterion(self, criterion: CriterionRow) -> None:
        self.criteria.remove(criterion)
        self.rubric_box.children = list(self.criteria)
        criterion.close()
        for number, item in enumerate(self.criteria, start=1):
            item.renumber(self, number)

    def add_challenge(self, values: Mapping[str, Any]) -> ChallengeRow:
        challenge = ChallengeRow(self, len(self.challenge_rows) + 1, values)
        self.challenge_rows.append(challenge)
        self.challenges_box.children = list(self.challenge_rows)
        return challenge

    def remove_challenge(self, challenge: ChallengeRow) -> None:
        self.challenge_rows.remove(challenge)
        self.challenges_box.children = list(self.challenge_rows)
        challenge.close()
        for number, item in enumerate(self.challenge_rows, start=1):
            item.renumber(self, number)

    def _country_changed(self) -> None:
        options = self.level_options()
        for challenge in self.challenge_rows:
            known = {v for _label, v in options}
            challenge.set_levels(options, [v for v in challenge.levels.value if v in known])
        self.show_local_deadline()

    def show_local_deadline(self) -> None:
        """The deadline is UTC: say so, with the time it is in the event's country beside."""
        _ = self._
        moment = self.deadline_moment()
        if moment is None:
            text = _("The deadline is in UTC (universal time).")
        else:
            zone = COUNTRY_ZONES.get(self.country.value)
            utc_text = moment.strftime("%Y-%m-%d %H:%M")
            if zone:
                local = moment.astimezone(ZoneInfo(zone))
                text = _("Deadline: {utc} UTC, that is {local} in {place}.").format(
                    utc=utc_text,
                    local=local.strftime("%Y-%m-%d %H:%M"),
                    place=zone.split("/")[-1].replace("_", " "),
                )
            else:
                text = _("Deadline: {utc} UTC (universal time).").format(utc=utc_text)
        self.deadline_local.value = (
            f'<p class="icb-help ictd-deadline-local">{html.escape(text)}</p>'
        )

    def deadline_moment(self) -> datetime | None:
        day, hour = self.deadline_date.value.strip(), self.deadline_time.value.strip() or "00:00"
        try:
            return datetime.fromisoformat(f"{day}T{hour}").replace(tzinfo=UTC)
        except ValueError:
            return None

    def spec(self) -> dict[str, Any]:
        """The event as the form says it, in the API's shape (the server checks it)."""
        day, hour = self.deadline_date.value.strip(), self.deadline_time.value.strip() or "00:00"
        taken: set[str] = set()
        hours = self.hours.value
        data: dict[str, Any] = {
            "title": self.title.value.strip(),
            "kind": self.kind.value,
            "starts": self.starts.value.strip(),
            "ends": self.ends.value.strip(),
            "hours": int(hours) if float(hours).is_integer() else hours,
            "country": self.country.value or None,
            "description": self.description.value.strip(),
            "deadline": f"{day}T{hour}:00Z" if day and len(hour) == 5 else f"{day} {hour}".strip(),
            "blind_jury": bool(self.blind.value),
            "jurors": list(self.jurors.value),
            "jurors_per_submission": int(self.per_submission.value),
            "challenges": [c.spec(taken) for c in self.challenge_rows],
            "rubric": self.rubric_spec(),
            "prizes": parse_prizes(self.prizes.value),
        }
        if self.editing is None:
            data["slug"] = self.slug.value.strip() or slugify(data["title"])
        return data

    def rubric_spec(self) -> list[dict[str, Any]]:
        # the ids already given first: a new criterion never takes an existing one's id
        taken = {c.cid for c in self.criteria if c.cid}
        return [c.spec(taken) for c in self.criteria]

    def changes(self) -> dict[str, Any]:
        """What differs from the event being edited (the rubric only if a criterion changed:
        it cannot change once a juror has scored)."""
        assert self.editing is not None
        new = self.spec()
        old = self.editing
        out = {}
        for name, value in new.items():
            before = old.get(name)
            if name == "deadline":
                same = parse_utc(value) == parse_utc(before)
            elif name == "rubric":
                same = [(c["id"], c["name"], float(c["weight"])) for c in value] == [
                    (c["id"], c["name"], float(c["weight"])) for c in before or []
                ]
            elif name == "challenges":
                same = value == [
                    {k: c.get(k) for k in ("slug", "title", "brief", "kinds", "levels")}
                    for c in before or []
                ]
            elif name == "hours":
                same = float(value) == float(before or 0)
            elif name == "prizes":
                same = value == [{"rank": p["rank"], "title": p["title"]} for p in before or []]
            else:
                same = value == (before if before is not None else type(value)())
            if not same:
                out[name] = value
        return out

    def clear_problems(self) -> None:
        for slot in self.slots.values():
            slot.value = ""
            slot.layout.display = "none"
        self.problem.value = ""

    def show_problem(self, error: CatalogueError | Message) -> str:
        """The refusal next to the form (role alert), and under the field it names."""
        self.clear_problems()
        if isinstance(error, CatalogueError):
            text = server_text(error, self.language)
            field = refused_field(error)
        else:
            text, field = error.render(self.language), None
        esc = html.escape
        self.problem.value = self._wrap(
            f'<p class="icb-error ictd-form-error" role="alert">{esc(text)}</p>'
        )
        if field in self.slots:
            slot = self.slots[field]
            slot.value = (
                '<p class="icb-error"><span class="icb-error-icon" aria-hidden="true">⚠</span> '
                f"{esc(text)}</p>"
            )
            slot.layout.display = None
        return text

    def save(self) -> dict[str, Any] | None:
        """Create (POST) or change (PATCH) the event; None (the reason shown) if refused."""
        _ = self._
        if self.client is None:
            self.show_problem(Message("Not saved: no catalogue is set up here."))
            return None
        try:
            if self.editing is None:
                done = self.client.request("POST", "api/events", json=self.spec())
                message = _("Created: « {title} ».")
            else:
                changes = self.changes()
                if not changes:
                    self.clear_problems()
                    self.save_status.show(_("Nothing changed."), "ok")
                    return self.editing
                slug = self.editing["slug"]
                done = self.client.request("PATCH", f"api/events/{slug}", json=changes)
                message = _("Saved: « {title} ».")
        except CatalogueError as exc:
            self.show_problem(exc)
            self.save_status.show(_("Not saved: see the message above."), "error")
            return None
        self.clear_problems()
        self.edit(done)
        self.save_status.show(message.format(title=done["title"]), "ok")
        self.on_saved(done["slug"])
        return done

    # -- running ------------------------------------------------------------------------------

    def show_run(self, event: Mapping[str, Any]) -> None:
        _ = self._
        text = _("Run « {title} » ({state})").format(
            title=event["title"], state=self.state_label(str(event.get("state")))
        )
        self.run_heading.value = f"<h4>{html.escape(text)}</h4>"
        state = event.get("state")
        self.open_button.disabled = state == "open"
        self.close_button.disabled = state != "open"
        self.publish_button.disabled = state == "closed"
        self.run.layout.display = None

    def _act(self, doing: Callable[[], Any], done: Callable[[Any], str]) -> Any:
        if self.client is None or self.editing is None:
            self.run_status.show(self._("Choose an event first, or create one."), "warning")
            return None
        try:
            result = doing()
        except CatalogueError as exc:
            self.run_status.show(
                self._("Not done: {reason}").format(reason=server_text(exc, self.language)),
                "error",
            )
            return None
        self.run_status.show(done(result), "ok")
        return result

    def set_state(self, state: str) -> dict[str, Any] | None:
        """Open or close the submissions, publish the results (the event's state)."""
        _ = self._
        slug = self.editing["slug"] if self.editing else ""
        messages = {
            "open": _("The submissions are open."),
            "judging": _("The submissions are closed: the jury may work."),
            "closed": _("The results are published: the public gallery shows the winners."),
        }
        done = self._act(
            lambda: self.client.request("PATCH", f"api/events/{slug}", json={"state": state}),
            lambda result: messages[state],
        )
        if done is not None:
            self.editing = done
            self.show_run(done)
            self.on_saved(done["slug"])
        return done

    def assign_jury(self) -> dict[str, Any] | None:
        _ = self._
        slug = self.editing["slug"] if self.editing else ""

        def said(result: Mapping[str, Any]) -> str:
            text = _("The jury is assigned: {n} submission(s), {per} juror(s) each.").format(
                n=len(result.get("assignments") or {}), per=result.get("per_submission")
            )
            if result.get("short"):
                text += " " + _("{n} submission(s) have fewer jurors: name more jurors.").format(
                    n=len(result["short"])
                )
            return text

        return self._act(
            lambda: self.client.request("POST", f"api/events/{slug}/assignments", json={}), said
        )

    def make_certificates(self) -> list[dict[str, Any]] | None:
        _ = self._
        esc = html.escape
        slug = self.editing["slug"] if self.editing else ""
        made = self._act(
            lambda: self.client.request("POST", f"api/events/{slug}/certificates"),
            lambda result: _("{n} certificate(s) made.").format(n=len(result or [])),
        )
        if made is not None and self.client is not None:
            zipped = self.link(self.client.url + f"api/events/{slug}/certificates.zip")
            items = "".join(
                f'<li><a href="{esc(self.link(str(c.get("pdf") or "")), quote=True)}" '
                f'target="_blank" rel="noopener">{esc(str(c.get("full_name") or c["username"]))}'
                "</a></li>"
                for c in made
            )
            self.run_result.value = self._wrap(
                f'<p><a href="{esc(zipped, quote=True)}" download>'
                f"{esc(_('Download every certificate (ZIP)'))}</a></p>"
                f'<ul class="ictd-certificates" aria-label="{esc(_("Certificates"), quote=True)}">'
                f"{items}</ul>"
            )
        return made

    def import_participants(self) -> dict[str, Any] | None:
        """Add the workshop's participants (the hub's users) missing from the event."""
        _ = self._
        if self.users is None:
            self.run_status.show(
                _("The workshop's participants are only known in the workshop hub."), "warning"
            )
            return None
        slug = self.editing["slug"] if self.editing else ""
        if self.client is None or not slug:
            self.run_status.show(_("Choose an event first, or create one."), "warning")
            return None
        try:
            there = {
                p["username"]
                for p in self.client.request("GET", f"api/events/{slug}/participants") or []
            }
        except CatalogueError as exc:
            self.run_status.show(
                _("Not done: {reason}").format(reason=server_text(exc, self.language)), "error"
            )
            return None
        people = [p for p in workshop_people(self.users) if p["username"] not in there]
        if not people:
            self.run_status.show(
                _("Every participant of the workshop is already in the event."), "ok"
            )
            return {"participants": 0}
        done = self._act(
            lambda: self.client.request(
                "POST", f"api/events/{slug}/roster", json={"csv": roster_csv(people)}
            ),
            lambda result: _("{n} participant(s) of the workshop added to the event.").format(
                n=len(people)
            ),
        )
        if done is not None:
            self.on_saved(slug)
        return done


def parse_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date) or not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return found.astimezone(UTC) if found.tzinfo else found.replace(tzinfo=UTC)
