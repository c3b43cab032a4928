"""What an event is made of, as plain values, and the checks of what a trainer gives.

`clean_event` checks a whole event (creation, from JSON or a YAML file) or the fields of a
change; every refusal is an `ImaginecoleError` that names the field and says what to give.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from ..catalogue.model import RESOURCE_TYPES
from ..curricula import levels as curriculum_levels
from ..i18n import ImaginecoleError
from ..workshop.countries import COUNTRIES, country_code
from ..workshop.roster import SAFE_USERNAME
from .rubric import DEFAULT_RUBRIC, MAX_CRITERIA

KINDS = ("workshop", "hackathon")
STATES = ("draft", "open", "judging", "closed")  # closed: the results are public
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
MAX_SCORE = 5
FIELDS = (
    "slug",
    "title",
    "kind",
    "starts",
    "ends",
    "hours",
    "description",
    "country",
    "blind_jury",
    "deadline",
    "state",
    "rubric",
    "prizes",
    "jurors",
    "jurors_per_submission",
    "challenges",
)
REQUIRED = ("slug", "title", "kind", "starts", "ends", "hours", "deadline")


def field_error(field: str, message: str, **values: Any) -> ImaginecoleError:
    return ImaginecoleError("The field « {field} » " + message, field=field, **values)


def clean_event(spec: Any, *, partial: bool = False, country: str | None = None) -> dict[str, Any]:
    """The checked values of `spec` (a mapping of FIELDS). `partial`: a change of some fields.

    Dates become `date`, the deadline an aware UTC `datetime`, the rubric a list of
    {id, name, weight}, prizes a list of {rank, title} sorted by rank.
    """
    if not isinstance(spec, dict):
        raise ImaginecoleError(
            "An event is described by named fields ({fields}), not by a {type}.",
            fields=", ".join(REQUIRED),
            type=type(spec).__name__,
        )
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise ImaginecoleError(
            "Unknown event field(s): {names}. The fields are: {fields}.",
            names=", ".join(map(str, unknown)),
            fields=", ".join(FIELDS),
        )
    if not partial:
        missing = [f for f in REQUIRED if spec.get(f) in (None, "")]
        if missing:
            raise ImaginecoleError(
                "The event needs the field(s) {names}.", names=", ".join(missing)
            )
    out: dict[str, Any] = {}
    if "slug" in spec:
        slug = spec["slug"]
        if not isinstance(slug, str) or not SLUG.match(slug):
            raise field_error(
                "slug",
                "must be 2 to 80 lower-case letters, digits or '-', starting with a letter "
                "or digit (for instance hackathon-dakar-2026); « {value} » is not.",
                value=str(slug)[:100],
            )
        out["slug"] = slug
    if "title" in spec:
        out["title"] = _text(spec["title"], "title", 300, required=True)
    if "description" in spec:
        out["description"] = _text(spec["description"] or "", "description", 20000)
    if "kind" in spec:
        if spec["kind"] not in KINDS:
            raise field_error(
                "kind", "must be workshop or hackathon, not « {value} ».", value=spec["kind"]
            )
        out["kind"] = spec["kind"]
    if "state" in spec:
        if spec["state"] not in STATES:
            raise field_error(
                "state",
                "must be one of {allowed}, not « {value} ».",
                allowed=", ".join(STATES),
                value=spec["state"],
            )
        out["state"] = spec["state"]
    for name in ("starts", "ends"):
        if name in spec:
            out[name] = _date(spec[name], name)
    if "starts" in out and "ends" in out and out["ends"] < out["starts"]:
        raise field_error(
            "ends",
            "({ends}) is before the start ({starts}).",
            ends=out["ends"],
            starts=out["starts"],
        )
    if "hours" in spec:
        hours = spec["hours"]
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 1000:
            raise field_error(
                "hours",
                "must be a number of hours above 0 (for instance 12); « {value} » is not.",
                value=hours,
            )
        out["hours"] = float(hours)
    if "country" in spec:
        value = spec["country"]
        if value in (None, ""):
            out["country"] = None
        else:
            code = country_code(str(value))
            if code is None:
                raise field_error(
                    "country",
                    "names « {value} », which is not a country of the initiative; "
                    "use one of {codes}.",
                    value=value,
                    codes=", ".join(COUNTRIES),
                )
            out["country"] = code
    if "blind_jury" in spec:
        if not isinstance(spec["blind_jury"], bool):
            raise field_error("blind_jury", "must be true or false.")
        out["blind"] = spec["blind_jury"]
    if "deadline" in spec:
        out["deadline"] = _deadline(spec["deadline"])
    if "rubric" in spec:
        out["rubric"] = clean_rubric(spec["rubric"])
    if "prizes" in spec:
        out["prizes"] = clean_prizes(spec["prizes"])
    if "jurors" in spec:
        out["jurors"] = clean_usernames(spec["jurors"], "jurors")
    if "jurors_per_submission" in spec:
        n = spec["jurors_per_submission"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 50:
            raise field_error(
                "jurors_per_submission",
                "must be a whole number from 1 to 50, not « {value} ».",
                value=n,
            )
        out["jurors_per_submission"] = n
    if "challenges" in spec:
        out["challenges"] = clean_challenges(spec["challenges"], out.get("country", country))
    return out


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise field_error(field, "must be text.")
    value = value.strip()
    if required and not value:
        raise field_error(field, "is empty: write it.")
    if len(value) > limit:
        raise field_error(
            field, "is too long ({n} characters; at most {max}).", n=len(value), max=limit
        )
    return value


def _date(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise field_error(
            field,
            "must be a date written YYYY-MM-DD (for instance 2026-12-05); « {value} » is not.",
            value=value,
        ) from None


def _deadline(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise field_error(
                "deadline",
                "must be a date and time, UTC, written 2026-12-06T18:00:00Z; « {value} » is not.",
                value=value,
            ) from None
    if moment.tzinfo is None:  # a deadline without a zone is UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def clean_rubric(value: Any) -> list[dict[str, Any]]:
    """A list of {id, name, weight}; or {id: weight} to reweight the default criteria."""
    if value is None:
        return [dict(c) for c in DEFAULT_RUBRIC]
    if isinstance(value, dict):
        known = {c["id"]: c for c in DEFAULT_RUBRIC}
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise field_error(
                "rubric",
                "names unknown criteria ({names}); the default criteria are {known}, or give "
                "a list of {{id, name, weight}}.",
                names=", ".join(map(str, unknown)),
                known=", ".join(known),
            )
        value = [{**c, "weight": value.get(c["id"], c["weight"])} for c in DEFAULT_RUBRIC]
    if not isinstance(value, list) or not value:
        raise field_error("rubric", "must list the criteria, each with an id, a name and a weight.")
    if len(value) > MAX_CRITERIA:
        raise field_error(
            "rubric",
            "has {n} criteria; a rubric has at most {max}: merge or remove some.",
            n=len(value),
            max=MAX_CRITERIA,
        )
    out, seen = [], set()
    for i, item in enumerate(value, start=1):
        where = f"rubric[{i}]"
        if not isinstance(item, dict):
            raise field_error(where, "must have an id, a name and a weight.")
        cid = item.get("id")
        if not isinstance(cid, str) or not re.match(r"^[a-z0-9_-]{1,40}$", cid):
            raise field_error(
                where + ".id", "must be a short name in lower-case letters, digits, '-' or '_'."
            )
        if cid in seen:
            raise field_error(where + ".id", "uses « {id} » twice.", id=cid)
        seen.add(cid)
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise field_error(where + ".weight", "must be a number, 0 or more.")
        name = _text(item.get("name") or cid, where + ".name", 200, required=True)
        out.append({"id": cid, "name": name, "weight": float(weight)})
    if sum(c["weight"] for c in out) <= 0:
        raise field_error(
            "rubric", "has weights that add up to 0: give at least one weight above 0."
        )
    return out


def clean_prizes(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [{"rank": k, "title": v} for k, v in value.items()]
    if not isinstance(value, list):
        raise field_error("prizes", "must list the prizes, each with a rank and a title.")
    out, seen = [], set()
    for i, item in enumerate(value, start=1):
        where = f"prizes[{i}]"
        if not isinstance(item, dict):
            raise field_error(where, "must have a rank and a title.")
        try:
            rank = int(str(item.get("rank")))
        except ValueError:
            rank = 0
        if rank < 1:
            raise field_error(where + ".rank", "must be a rank: 1, 2, 3…")
        if rank in seen:
            raise field_error(where + ".rank", "gives rank {rank} two prizes.", rank=rank)
        seen.add(rank)
        out.append(
            {
                "rank": rank,
                "title": _text(item.get("title") or "", where + ".title", 200, required=True),
            }
        )
    return sorted(out, key=lambda p: p["rank"])


def clean_usernames(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise field_error(field, "must be a list of usernames.")
    out = []
    for name in value:
        name = name.strip()
        if not SAFE_USERNAME.match(name):
            raise field_error(
                field,
                "holds « {name} », which is not a username (lower-case letters, digits, '.', "
                "'_' or '-').",
                name=name[:80],
            )
        if name not in out:
            out.append(name)
    return out


def clean_challenges(value: Any, country: str | None) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise field_error("challenges", "must be a list of challenges.")
    if country:
        known_levels = [level["id"] for level in curriculum_levels(country)]
    else:
        from .countries_levels import all_levels

        known_levels = all_levels()
    out, seen = [], set()
    for i, item in enumerate(value, start=1):
        where = f"challenges[{i}]"
        if not isinstance(item, dict):
            raise field_error(where, "must have a slug, a title and a brief.")
        title = _text(item.get("title") or "", where + ".title", 300, required=True)
        slug = item.get("slug") or f"defi-{i}"
        if not isinstance(slug, str) or not SLUG.match(slug):
            raise field_error(
                where + ".slug", "must be lower-case letters, digits or '-' (for instance defi-bd)."
            )
        if slug in seen:
            raise field_error(where + ".slug", "uses « {slug} » twice.", slug=slug)
        seen.add(slug)
        kinds = item.get("kinds") or []
        if not isinstance(kinds, list) or any(k not in RESOURCE_TYPES for k in kinds):
            raise field_error(
                where + ".kinds",
                "must list kinds of resource among {allowed}; got {value}.",
                allowed=", ".join(RESOURCE_TYPES),
                value=kinds,
            )
        levels = item.get("levels") or []
        wrong = [lv for lv in levels if lv not in known_levels] if isinstance(levels, list) else 0
        if not isinstance(levels, list) or wrong:
            raise field_error(
                where + ".levels",
                "must list school levels of the curriculum ({allowed}); « {value} » is not one.",
                allowed=", ".join(known_levels),
                value=", ".join(map(str, wrong or [levels])),
            )
        out.append(
            {
                "slug": slug,
                "title": title,
                "brief": _text(item.get("brief") or "", where + ".brief", 20000),
                "kinds": list(dict.fromkeys(kinds)),
                "levels": list(dict.fromkeys(levels)),
            }
        )
    return out
