"""What the catalogue pages call things: countries, levels, subjects, kinds, licences, sizes.

Level and subject ids come from the curriculum files (`imaginecole/curricula/CC.yaml`), which
name them in French and English; Arabic pages show the French name, as the curricula do.
Country and language names come from Babel's CLDR data, in the page language.
Also reads the optional site settings in ``DATA/config.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from ..curricula import curriculum
from ..i18n import DEFAULT_LANGUAGE, N_, ImaginecoleError, gettext_for
from ..workshop.countries import COUNTRIES

TYPE_LABELS = {
    "grain": N_("Interactive grain"),
    "comic": N_("Digital comic"),
    "podcast": N_("Podcast"),
    "notebook-app": N_("Notebook app"),
    "module": N_("Module"),
    "parcours": N_("Learning path"),
    "h5p": N_("H5P package"),
    "scorm": N_("SCORM package"),
}
KIND_LABELS = {
    "single_choice": N_("Single choice"),
    "multiple_choice": N_("Multiple choice"),
    "true_false": N_("True or false"),
    "fill_blanks": N_("Fill in the blanks"),
    "drag_words": N_("Drag the words"),
    "matching": N_("Matching"),
    "ordering": N_("Ordering"),
    "flashcards": N_("Flashcards"),
    "question_set": N_("Question set (mixed kinds)"),
}
STATE_LABELS = {
    "submitted": N_("Submitted"),
    "in_review": N_("In review"),
    "published": N_("Published"),
    "changes_requested": N_("Changes requested"),
    "withdrawn": N_("Withdrawn"),
}
ACTION_LABELS = {
    "submit": N_("Submitted"),
    "start_review": N_("Review started"),
    "approve": N_("Approved"),
    "request_changes": N_("Changes requested"),
    "withdraw": N_("Withdrawn"),
    "comment": N_("Comment"),
}
FACET_LABELS = {
    "country": N_("Country"),
    "level": N_("Level"),
    "subject": N_("Subject"),
    "type": N_("Kind of resource"),
    "language": N_("Language"),
    "licence": N_("Licence"),
    "event": N_("Event"),
}
FORMAT_LABELS = {
    "bundle": N_("Source bundle (to edit in Imaginecole Studio)"),
    "html": N_("Offline web page"),
    "h5p": N_("H5P package"),
    "scorm12": "SCORM 1.2",
    "scorm2004": "SCORM 2004",
    "qti21": "QTI 2.1",
    "moodle-xml": N_("Moodle XML"),
    "gift": N_("GIFT (Moodle)"),
    "kolibri": N_("Kolibri"),
    "pdf": N_("Printable worksheet (PDF)"),
    "lom": N_("LOM metadata (ScoLOMFR)"),
    "app-html": N_("Offline version (web page)"),
    "app-lite": N_("Offline version with Python in the browser"),
    "thumbnail": N_("Thumbnail (PNG image)"),
}
LICENCES = {
    "CC-BY-SA-4.0": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC-BY-4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-NC-SA-4.0": ("CC BY-NC-SA 4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    "CC-BY-NC-4.0": ("CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
}


def country_name(code: str | None, language: str) -> str:
    if not code:
        return ""
    try:
        return Locale.parse(language).territories.get(code.upper(), code)
    except (ValueError, TypeError):
        return COUNTRIES.get(code.upper(), code)


def language_name(code: str | None, language: str) -> str:
    if not code:
        return ""
    base = code.replace("_", "-").split("-")[0].lower()
    name = Locale.parse(language).languages.get(base)
    return name or code


@cache
def _curriculum_names(kind: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(country, id) -> (French, English), and ("", id) for the first country naming it."""
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for code in COUNTRIES:
        try:
            entries = curriculum(code)[kind]
        except ImaginecoleError:
            continue
        for entry in entries:
            pair = (entry["name_fr"], entry["name_en"])
            names[(code, entry["id"])] = pair
            names.setdefault(("", entry["id"]), pair)
    return names


def curriculum_label(kind: str, value: str | None, language: str, country: str | None = None):
    """The name of a level or subject id (``kind`` is "levels" or "subjects")."""
    if not value:
        return ""
    names = _curriculum_names(kind)
    pair = names.get(((country or "").upper(), value)) or names.get(("", value))
    if not pair:
        return value
    return pair[1] if language == "en" else pair[0]


def licence_name(code: str) -> str:
    return LICENCES.get(code, (code, ""))[0]


def licence_url(code: str) -> str:
    return LICENCES.get(code, (code, ""))[1]


def facet_value_label(facet: str, value: str, language: str, country: str | None = None) -> str:
    """How a facet value reads in the page language."""
    _ = gettext_for(language)
    if facet == "country":
        return country_name(value, language)
    if facet == "level":
        return curriculum_label("levels", value, language, country)
    if facet == "subject":
        return curriculum_label("subjects", value, language, country)
    if facet == "type":
        return _(TYPE_LABELS[value]) if value in TYPE_LABELS else value
    if facet == "language":
        return language_name(value, language)
    if facet == "licence":
        return licence_name(value)
    return value


def format_label(fmt: str, language: str) -> str:
    label = FORMAT_LABELS.get(fmt)
    return gettext_for(language)(label) if label else fmt


def kind_label(kind: str, language: str) -> str:
    label = KIND_LABELS.get(kind)
    return gettext_for(language)(label) if label else kind


def state_label(state: str, language: str) -> str:
    label = STATE_LABELS.get(state)
    return gettext_for(language)(label) if label else state


def action_label(action: str, language: str) -> str:
    label = ACTION_LABELS.get(action)
    return gettext_for(language)(label) if label else action


def file_size(size: int, language: str) -> str:
    """« 1,2 Mo » / "1.2 MB" / Arabic digits as CLDR says."""
    _ = gettext_for(language)
    if size < 1000:
        return _("{n} bytes").format(n=format_decimal(size, locale=language))
    if size < 1_000_000:
        return _("{n} KB").format(n=format_decimal(round(size / 1000, 1), locale=language))
    return _("{n} MB").format(n=format_decimal(round(size / 1_000_000, 1), locale=language))


def date_label(value: datetime | None, language: str, *, with_time: bool = False) -> str:
    if value is None:
        return ""
    if with_time:
        return format_datetime(value, "medium", locale=language)
    return format_date(value, "long", locale=language)


# --- DATA/config.yaml -------------------------------------------------------------------------

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": True,  # other parts of the catalogue may read their own keys
    "properties": {
        "site_name": {"type": "string", "minLength": 1, "maxLength": 120},
        "public_url": {"type": "string", "pattern": "^https?://"},
        "max_upload_mb": {"type": "integer", "minimum": 1, "maximum": 4096},
        # where published notebook apps run live; {uid} is the resource's id
        "apps_url": {"type": "string", "pattern": "^(https?://|/)[^\\s]*\\{uid\\}"},
        "platforms": {
            "type": "object",
            "propertyNames": {"enum": sorted(COUNTRIES)},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 160},
                    "url": {"type": "string", "pattern": "^https?://"},
                },
            },
        },
    },
}


@dataclass
class Platform:
    country: str
    name: str  # "" -> the page names it after the country
    url: str  # "" -> the page links to the catalogue's own country view


@dataclass
class SiteConfig:
    site_name: str = ""
    public_url: str = ""
    max_upload_mb: int | None = None
    apps_url: str = ""  # "" -> no live version of the apps, only their offline files
    platforms: list[Platform] = field(default_factory=list)


def default_platforms() -> list[Platform]:
    """One entry per country of the initiative, in the order of the curricula."""
    return [Platform(code, "", "") for code in COUNTRIES]


def load_site_config(data_dir: Path | None) -> SiteConfig:
    """DATA/config.yaml when present; errors name the field and say what to do."""
    config = SiteConfig(platforms=default_platforms())
    path = Path(data_dir) / "config.yaml" if data_dir else None
    if path is None or not path.is_file():
        return config
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ImaginecoleError(
            "The catalogue settings {path} are not valid YAML: {error}", path=path, error=exc
        ) from exc
    errors = sorted(jsonschema.Draft202012Validator(CONFIG_SCHEMA).iter_errors(data), key=str)
    if errors:
        error = errors[0]
        raise ImaginecoleError(
            "The catalogue settings {path} are not valid: field « {field} »: {error}",
            path=path,
            field=".".join(str(p) for p in error.absolute_path) or "(root)",
            error=error.message,
        )
    config.site_name = data.get("site_name", "")
    config.public_url = data.get("public_url", "").rstrip("/")
    config.max_upload_mb = data.get("max_upload_mb")
    config.apps_url = data.get("apps_url", "")
    configured = data.get("platforms") or {}
    for platform in config.platforms:
        entry = configured.get(platform.country) or {}
        platform.name = entry.get("name", "")
        platform.url = entry.get("url", "")
    return config


__all__ = [
    "DEFAULT_LANGUAGE",
    "FACET_LABELS",
    "LICENCES",
    "Platform",
    "SiteConfig",
    "country_name",
    "facet_value_label",
    "load_site_config",
]
