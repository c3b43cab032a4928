"""Loading and validating `workshop.yaml`.

Errors name the field and the line, in French and in English.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..i18n import ImaginecoleError, Message, bilingual
from .countries import fold
from .roster import SAFE_USERNAME, Participant, RosterReport, parse_roster, safe_username

SCHEMA_VERSION = 1
MAX_WORKSHOP_BYTES = 256 * 1024


@cache
def workshop_schema() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "workshop.schema.json").read_text("utf-8"))


class WorkshopError(ImaginecoleError):
    """A workshop file with problems; `problems` lists each one."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.problems = problems
        head = bilingual(
            "The workshop file {path} is not valid ({count} problem(s)):",
            path=path,
            count=len(problems),
        )
        Exception.__init__(self, head + "\n" + "\n".join(f"- {p}" for p in problems))


@dataclass
class Workshop:
    """A validated workshop, with the schema's defaults filled in."""

    path: Path
    name: str
    slug: str
    country: str
    language: str
    auth: dict[str, Any]
    trainers: list[Participant]
    participants: list[Participant]
    resources: dict[str, Any]
    idle_timeout_minutes: int
    landing: str
    spawn: dict[str, Any]
    kubernetes: dict[str, Any]
    roster_changes: list[str] = field(default_factory=list)
    catalogue: dict[str, Any] = field(default_factory=lambda: {"enabled": True})
    apps: dict[str, Any] = field(default_factory=lambda: {"enabled": True})
    https: dict[str, Any] = field(default_factory=lambda: {"mode": "auto", "names": []})

    @property
    def everyone(self) -> list[Participant]:
        return self.trainers + self.participants

    @property
    def trainer_names(self) -> list[str]:
        return [p.username for p in self.everyone if p.role == "trainer"]

    @property
    def teacher_names(self) -> list[str]:
        return [p.username for p in self.everyone if p.role == "teacher"]

    def groups(self) -> dict[str, list[str]]:
        """One group per team and per country, named `team-…` and `country-…`."""
        groups: dict[str, list[str]] = {}
        for person in self.everyone:
            groups.setdefault(f"country-{person.country.lower()}", []).append(person.username)
            if person.team:
                groups.setdefault(f"team-{team_slug(person.team)}", []).append(person.username)
        return groups


def team_slug(team: str) -> str:
    return safe_username(team).replace(".", "-") or "team"


def _line_of(root: yaml.Node | None, path: list[Any]) -> int | None:
    """The 1-based line of the node at `path`, or of its nearest parent."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        else:
            child = None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _field_name(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(racine/root)"


def _describe(error: jsonschema.ValidationError) -> Message | str:
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return Message("required field « {field} » is missing", field=", ".join(missing))
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        return Message("unknown field(s) {fields}; check the spelling", fields=", ".join(extra))
    if error.validator == "enum":
        return Message(
            "« {value} » is not allowed; use one of: {allowed}",
            value=error.instance,
            allowed=", ".join(str(v) for v in error.validator_value),
        )
    if error.validator == "minLength":
        return Message("too short: at least {n} character(s) are needed", n=error.validator_value)
    if error.validator == "type":
        return Message("expected a value of type {type}", type=error.validator_value)
    if error.validator == "pattern":
        return Message("« {value} » does not have the expected form", value=error.instance)
    if error.validator in ("minimum", "maximum", "exclusiveMinimum"):
        return Message(
            "« {value} » is out of range ({rule} {limit})",
            value=error.instance,
            rule=error.validator,
            limit=error.validator_value,
        )
    if error.validator == "const":
        return Message("must be {value}", value=error.validator_value)
    return error.message


def _schema_problems(data: Any, root: yaml.Node | None) -> list[str]:
    validator = jsonschema.Draft202012Validator(workshop_schema())
    found: list[tuple[int, str]] = []
    for error in validator.iter_errors(data):
        if error.validator in ("if", "then"):
            continue
        path = list(error.absolute_path)
        if error.validator == "additionalProperties":
            path += re.findall(r"'([^']+)'", error.message)[:1]
        line = _line_of(root, path) or 1
        found.append(
            (
                line,
                bilingual(
                    "line {line}, field « {field} »: {problem}",
                    line=line,
                    field=_field_name(path),
                    problem=_describe(error),
                ),
            )
        )
    problems = [text for _line, text in sorted(found, key=lambda item: item[0])]
    return problems


def _defaults(schema: dict[str, Any], section: str) -> dict[str, Any]:
    props = schema["properties"][section]["properties"]
    return {k: v["default"] for k, v in props.items() if "default" in v}


def load_workshop(path: Path | str) -> Workshop:
    """Read, validate and complete a workshop file and its roster."""
    path = Path(path).resolve()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImaginecoleError(
            "Cannot read the workshop file {path}: {error}.", path=path, error=exc.strerror
        ) from exc
    if len(raw) > MAX_WORKSHOP_BYTES:
        raise WorkshopError(path, [bilingual("The file is larger than 256 KB.")])
    text = raw.decode("utf-8", errors="replace")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise WorkshopError(
            path,
            [
                bilingual(
                    "line {line}, column {column}: YAML syntax error ({problem})",
                    line=mark.line + 1 if mark else "?",
                    column=mark.column + 1 if mark else "?",
                    problem=exc.problem,
                )
            ],
        ) from exc
    if not isinstance(data, dict):
        raise WorkshopError(path, [bilingual("the file must be a mapping of fields")])
    problems = _schema_problems(data, root)
    if problems:
        raise WorkshopError(path, problems)

    schema = workshop_schema()
    info = data["workshop"]
    language = info.get("language", "fr")
    trainers = []
    for index, item in enumerate(data.get("trainers", [])):
        name = item["username"]
        if not SAFE_USERNAME.match(name):
            problems.append(
                bilingual(
                    "line {line}, field « {field} »: « {name} » is not a safe username; "
                    "use « {safe} »",
                    line=_line_of(root, ["trainers", index, "username"]),
                    field=f"trainers[{index}].username",
                    name=name,
                    safe=safe_username(name),
                )
            )
            continue
        trainers.append(
            Participant(
                username=name,
                full_name=item.get("full_name", name),
                email=item.get("email", ""),
                role="trainer",
                country=info["country"],
            )
        )
    report = RosterReport()
    if "roster" in data:
        report = parse_roster(path.parent / data["roster"], default_country=info["country"])
    names = {t.username for t in trainers}
    for person in report.participants:
        if person.username in names:
            problems.append(
                bilingual(
                    "roster: « {name} » is also listed under trainers; keep one entry",
                    name=person.username,
                )
            )
    auth = {"min_password_length": 8, **data["auth"]}
    if auth["mode"] == "workshop-code" and auth["code"] == auth["trainer_code"]:
        problems.append(
            bilingual(
                "line {line}, field « auth.trainer_code »: must differ from auth.code",
                line=_line_of(root, ["auth", "trainer_code"]),
            )
        )
    if problems:
        raise WorkshopError(path, problems)
    return Workshop(
        path=path,
        name=info["name"],
        slug=info.get("slug") or (team_slug(fold(info["name"]))[:40].strip("-") or "atelier"),
        country=info["country"],
        language=language,
        auth=auth,
        trainers=trainers,
        participants=report.participants,
        resources={**_defaults(schema, "resources"), **data.get("resources", {})},
        idle_timeout_minutes=data.get("idle_timeout_minutes", 60),
        landing=data.get("landing", "launcher"),
        spawn={**_defaults(schema, "spawn"), **data.get("spawn", {})},
        kubernetes={**_defaults(schema, "kubernetes"), **data.get("kubernetes", {})},
        roster_changes=report.changes,
        catalogue={**_defaults(schema, "catalogue"), **data.get("catalogue", {})},
        apps={**_defaults(schema, "apps"), **data.get("apps", {})},
        https={**_defaults(schema, "https"), **data.get("https", {})},
    )
