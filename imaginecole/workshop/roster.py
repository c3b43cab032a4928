"""Reading the participants' roster (CSV) into safe JupyterHub usernames.

Every problem is collected and reported at once, with its row number, and
nothing is created from a roster that has errors.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import ImaginecoleError, bilingual
from ..textfiles import decode_teacher_text
from .countries import country_code, fold

REQUIRED_COLUMNS = ("username", "full_name", "email", "role", "country", "team")
ROLES = {
    "teacher": "teacher",
    "enseignant": "teacher",
    "enseignante": "teacher",
    "trainer": "trainer",
    "formateur": "trainer",
    "formatrice": "trainer",
}
USERNAME_MAX = 32
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
SAFE_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
MAX_ROSTER_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Participant:
    username: str
    full_name: str
    email: str = ""
    role: str = "teacher"
    country: str = ""
    team: str = ""


@dataclass
class RosterReport:
    participants: list[Participant] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


class RosterError(ImaginecoleError):
    """A roster with one or more problems; `problems` lists them all."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.problems = problems
        head = bilingual(
            "The roster {path} has {count} problem(s); nothing was created. "
            "Correct the file and start again.",
            path=path,
            count=len(problems),
        )
        Exception.__init__(self, head + "\n" + "\n".join(f"- {p}" for p in problems))


def safe_username(raw: str) -> str:
    """Lower case, no accents, only letters, digits, '.', '_' and '-'."""
    text = _UNSAFE.sub("-", fold(raw).replace(" ", "."))
    text = re.sub(r"([._-])[._-]+", r"\1", text).strip("._-")
    return text[:USERNAME_MAX].rstrip("._-")


def parse_roster(path: Path | str, default_country: str) -> RosterReport:
    """Parse a roster CSV (',' or ';' separated, UTF-8 or Windows-1252)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImaginecoleError(
            "Cannot read the roster {path}: {error}. "
            "Check the 'roster' field of the workshop file.",
            path=path,
            error=exc.strerror,
        ) from exc
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError(path, [bilingual("The file is larger than 2 MB.")])
    return parse_roster_text(decode_teacher_text(data), default_country, source=str(path))


def parse_roster_text(text: str, default_country: str, source: str = "roster") -> RosterReport:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RosterError(
            source,
            [
                bilingual(
                    "Line 1: missing column(s) {missing}. The header must be: {expected}.",
                    missing=", ".join(missing),
                    expected=",".join(REQUIRED_COLUMNS),
                )
            ],
        )
    reader.fieldnames = header
    report = RosterReport()
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        raw_name = values["username"] or values["full_name"]
        if not raw_name:
            problems.append(bilingual("Line {line}: the username is empty.", line=line))
            continue
        username = safe_username(raw_name)
        if not username:
            problems.append(
                bilingual(
                    "Line {line}: « {name} » gives no usable username. Use letters or digits.",
                    line=line,
                    name=raw_name,
                )
            )
            continue
        if username != raw_name:
            report.changes.append(
                bilingual(
                    "Line {line}: username « {raw} » becomes « {safe} ».",
                    line=line,
                    raw=raw_name,
                    safe=username,
                )
            )
        if username in seen:
            problems.append(
                bilingual(
                    "Line {line}: the username « {name} » is already used on line {first}.",
                    line=line,
                    name=username,
                    first=seen[username],
                )
            )
            continue
        seen[username] = line
        role = ROLES.get(fold(values["role"]) or "teacher")
        if role is None:
            problems.append(
                bilingual(
                    "Line {line}: unknown role « {role} ». Use teacher or trainer.",
                    line=line,
                    role=values["role"],
                )
            )
            continue
        country = country_code(values["country"]) if values["country"] else default_country
        if country is None:
            problems.append(
                bilingual(
                    "Line {line}: unknown country « {country} ». "
                    "Use one of BJ, BF, CM, CI, GN, ML, NE, SN, TD, TG, MR, TN.",
                    line=line,
                    country=values["country"],
                )
            )
            continue
        report.participants.append(
            Participant(
                username=username,
                full_name=values["full_name"] or raw_name,
                email=values["email"],
                role=role,
                country=country,
                team=values["team"],
            )
        )
    if problems:
        raise RosterError(source, problems)
    return report
