"""The grain's description (metadata, LOM/ScoLOMFR) and its settings, from pick-lists.

Country first: its levels and subjects (imaginecole/curricula/CC.yaml) fill the next two
lists, and are filtered again when the country changes, dropping a level or a subject the
new country does not have. Every form edits its dict of the manifest in place and calls
`on_change` after each edit.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable
from typing import Any

import ipywidgets

from ..curricula import levels, subjects
from ..i18n import gettext_for
from ..workshop.countries import COUNTRIES, fold
from .form_fields import check_field, choice_field, error_slot, html_block, number_field, text_field

LICENCES = ("CC-BY-SA-4.0", "CC-BY-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-4.0", "CC0-1.0")
RESOURCE_TYPES = (
    "exercice",
    "questionnaire",
    "autoevaluation",
    "jeu-educatif",
    "evaluation",
    "fiche-memo",
)
LEARNING_TIMES = ("PT5M", "PT10M", "PT15M", "PT20M", "PT30M", "PT45M", "PT1H", "PT1H30M", "PT2H")
GRAIN_LANGUAGES = ("fr", "en", "ar")
OTHER = "other"
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_USERNAME = 32


def default_author(environ: dict[str, str] | None = None) -> dict[str, str] | None:
    """The teacher signed in to the hub ($JUPYTERHUB_USER) as an author, or None."""
    env = os.environ if environ is None else environ
    user = env.get("JUPYTERHUB_USER", "").strip()
    if not user:
        return None
    author = {"name": user}
    if len(user) <= MAX_USERNAME:
        author["username"] = user
    return author


def _duration_label(code: str, _) -> str:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", code)
    if not match:
        return code
    hours, minutes = int(match.group(1) or 0), int(match.group(2) or 0)
    if hours and minutes:
        return _("{h} h {m} min").format(h=hours, m=minutes)
    if hours:
        return _("{h} h").format(h=hours)
    return _("{m} minutes").format(m=minutes)


class MetadataForm(ipywidgets.VBox):
    """Title, description, country → level and subject, language, type, time, licence…"""

    def __init__(
        self, metadata: dict[str, Any], *, language: str, on_change: Callable[[], None]
    ) -> None:
        super().__init__()
        self.add_class("icb-form")
        self.meta = metadata
        self.language = language
        self._on_change = on_change
        self._quiet = False
        self._ = _ = gettext_for(language)
        self.slots: dict[str, ipywidgets.HTML] = {"": error_slot()}
        m = metadata

        self.title = self._text("title", _("Title of the grain"), m.get("title", ""))
        self.description = self._text(
            "description",
            _("Description (optional)"),
            m.get("description", ""),
            multiline=True,
            placeholder=_("What pupils will learn or practise"),
        )

        countries = sorted(COUNTRIES.items(), key=lambda item: fold(item[1]))
        self.country = choice_field(
            _("Country"),
            [(_("— Choose a country —"), "")] + [(name, code) for code, name in countries],
            m.get("country", ""),
            self._set_country,
        )
        self.level = choice_field(_("Level"), [("", "")], "", self._setter("level"))
        self.subject = choice_field(_("Subject"), [("", "")], "", self._setter("subject"))
        self._fill_curriculum()

        grain_language = m.get("language", "fr")
        known = grain_language in GRAIN_LANGUAGES
        self.grain_language = choice_field(
            _("Language of the grain"),
            [
                (_("French"), "fr"),
                (_("English"), "en"),
                (_("Arabic"), "ar"),
                (_("Another language…"), OTHER),
            ],
            grain_language if known else OTHER,
            self._set_language_choice,
        )
        self.language_code = text_field(
            _("Language code (such as wo, bm, ff, ha, mos)"),
            "" if known else grain_language,
            self._set_language_code,
        )
        self.language_code.layout.display = None if not known else "none"

        self.resource_type = choice_field(
            _("Kind of resource"),
            [
                (_("Exercise"), "exercice"),
                (_("Questionnaire"), "questionnaire"),
                (_("Self-assessment"), "autoevaluation"),
                (_("Educational game"), "jeu-educatif"),
                (_("Assessment"), "evaluation"),
                (_("Memo sheet"), "fiche-memo"),
            ],
            m.get("resource_type", "exercice"),
            self._setter("resource_type"),
        )
        times = list(LEARNING_TIMES)
        current_time = m.get("learning_time", "PT10M")
        if isinstance(current_time, str) and current_time not in times:
            times.append(current_time)
        self.learning_time = choice_field(
            _("Learning time"),
            [(_duration_label(code, _), code) for code in times],
            current_time,
            self._setter("learning_time"),
        )
        self.licence = choice_field(
            _("Licence"),
            [
                (_("CC BY-SA 4.0 (recommended)"), "CC-BY-SA-4.0"),
                (_("CC BY 4.0"), "CC-BY-4.0"),
                (_("CC BY-NC-SA 4.0 (no commercial use)"), "CC-BY-NC-SA-4.0"),
                (_("CC BY-NC 4.0 (no commercial use)"), "CC-BY-NC-4.0"),
                (_("CC0 1.0 (public domain)"), "CC0-1.0"),
            ],
            m.get("licence", "CC-BY-SA-4.0"),
            self._setter("licence"),
        )
        licence_help = _(
            "CC BY-SA 4.0: anyone may reuse and adapt the grain, naming its authors and "
            "sharing it under the same licence."
        )
        self.keywords = self._text(
            "keywords",
            _("Keywords (separated by commas)"),
            ", ".join(m.get("keywords") or []),
            setter=self._set_keywords,
        )
        self.authors = self._text(
            "authors",
            _("Authors (separated by commas)"),
            ", ".join(a.get("name", "") for a in m.get("authors") or [] if isinstance(a, dict)),
            setter=self._set_authors,
        )
        self.team = self._text("team", _("Team (optional)"), m.get("team", ""))
        self.event = self._text("event", _("Workshop or event (optional)"), m.get("event", ""))

        def slot(key: str) -> ipywidgets.HTML:
            return self.slots.setdefault(key, error_slot())

        self.children = [
            self.slots[""],
            self.title, slot("title"),
            self.description, slot("description"),
            self.country, slot("country"),
            self.level, slot("level"),
            self.subject, slot("subject"),
            self.grain_language, self.language_code, slot("language"),
            self.resource_type, slot("resource_type"),
            self.learning_time, slot("learning_time"),
            self.licence, html_block(f"<p class='icb-help'>{html.escape(licence_help)}</p>"),
            slot("licence"),
            self.keywords, slot("keywords"),
            self.authors, slot("authors"),
            self.team, slot("team"),
            self.event, slot("event"),
        ]  # fmt: skip

    # -- fields -----------------------------------------------------------------------------

    def _text(self, key, label, value, *, multiline=False, placeholder="", setter=None):
        return text_field(
            label,
            value if isinstance(value, str) else "",
            setter or self._setter(key),
            multiline=multiline,
            placeholder=placeholder,
        )

    def _setter(self, key: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            if self._quiet:
                return
            if value in ("", None) and key != "title":
                self.meta.pop(key, None)
            else:
                self.meta[key] = value
            self._on_change()

        return set_value

    def _curriculum_options(self, country: str) -> tuple[list, list]:
        _ = self._
        name = "name_en" if self.language == "en" else "name_fr"
        if not country:
            placeholder = [(_("— Choose the country first —"), "")]
            return placeholder, placeholder
        choose = [(_("— Choose —"), "")]
        return (
            choose + [(item[name], item["id"]) for item in levels(country)],
            choose + [(item[name], item["id"]) for item in subjects(country)],
        )

    def _fill_curriculum(self) -> None:
        """Offer the levels and subjects of the chosen country; drop those it lacks."""
        country = self.meta.get("country", "")
        country = country if country in COUNTRIES else ""
        level_options, subject_options = self._curriculum_options(country)
        self._quiet = True
        try:
            for key, widget, options in (
                ("level", self.level, level_options),
                ("subject", self.subject, subject_options),
            ):
                ids = [value for _label, value in options]
                current = self.meta.get(key, "")
                widget.options = options
                widget.value = current if current in ids else ""
                widget.disabled = not country
        finally:
            self._quiet = False

    def _set_country(self, code: str) -> None:
        if self._quiet:
            return
        if code:
            self.meta["country"] = code
        else:
            self.meta.pop("country", None)
        for key in ("level", "subject"):
            current = self.meta.get(key)
            allowed = (
                {item["id"] for item in (levels if key == "level" else subjects)(code)}
                if code
                else set()
            )
            if current is not None and current not in allowed:
                self.meta.pop(key)
        self._fill_curriculum()
        self._on_change()

    def _set_language_choice(self, value: str) -> None:
        if self._quiet:
            return
        other = value == OTHER
        self.language_code.layout.display = None if other else "none"
        if other:
            code = self.language_code.value.strip()
            self.meta["language"] = code
        else:
            self.meta["language"] = value
        self._on_change()

    def _set_language_code(self, text: str) -> None:
        if self._quiet or self.grain_language.value != OTHER:
            return
        self.meta["language"] = text.strip()
        self._on_change()

    def _set_keywords(self, text: str) -> None:
        words = list(dict.fromkeys(w.strip() for w in re.split(r"[,;\n]", text) if w.strip()))
        if words:
            self.meta["keywords"] = words
        else:
            self.meta.pop("keywords", None)
        self._on_change()

    def _set_authors(self, text: str) -> None:
        # keep what is known of an author (email, username) while the name stays the same
        known = {a.get("name"): a for a in self.meta.get("authors") or [] if isinstance(a, dict)}
        names = list(dict.fromkeys(n.strip() for n in re.split(r"[,;\n]", text) if n.strip()))
        if names:
            self.meta["authors"] = [known.get(name, {"name": name}) for name in names]
        else:
            self.meta.pop("authors", None)
        self._on_change()

    def error_slots(self) -> dict[str, ipywidgets.HTML]:
        return dict(self.slots)


class SettingsForm(ipywidgets.VBox):
    """How the grain plays: pass mark, mixing, retries, solutions."""

    def __init__(
        self, settings: dict[str, Any], *, language: str, on_change: Callable[[], None]
    ) -> None:
        super().__init__()
        self.add_class("icb-form")
        self.settings = settings
        self._on_change = on_change
        _ = gettext_for(language)
        self.slots: dict[str, ipywidgets.HTML] = {"": error_slot()}
        s = settings
        pass_mark = s.get("pass_mark", 0.5)
        self.pass_mark = number_field(
            _("Score needed to pass (%)"),
            round(pass_mark * 100) if isinstance(pass_mark, int | float) else 50,
            self._set_pass_mark,
            minimum=0,
            maximum=100,
            step=5,
            integer=True,
        )
        self.slots["pass_mark"] = error_slot()
        flags = [
            ("shuffle_questions", _("Mix the order of the questions"), False),
            ("shuffle_choices", _("Mix the order of the answers"), False),
            ("allow_retry", _("Pupils may try again"), True),
            ("show_solutions", _("Pupils may see the solution"), True),
        ]
        checks = []
        for key, label, fallback in flags:
            checks.append(check_field(label, s.get(key, fallback), self._flag(key)))
        self.children = [self.slots[""], self.pass_mark, self.slots["pass_mark"], *checks]

    def _set_pass_mark(self, value: int) -> None:
        self.settings["pass_mark"] = round(value / 100, 4)
        self._on_change()

    def _flag(self, key: str) -> Callable[[bool], None]:
        def set_flag(value: bool) -> None:
            self.settings[key] = bool(value)
            self._on_change()

        return set_flag

    def error_slots(self) -> dict[str, ipywidgets.HTML]:
        return dict(self.slots)
