"""The metadata of outside resources: plain-text cleaning, licences, the delivery's CSV.

A delivery's metadata CSV completes or overrides what each package says about
itself. Its columns (French headings accepted too) are `COLUMNS`; a wrong
header refuses the file, every other problem stays on its row, named by its
spreadsheet row number. Text from outside is reduced to plain text with nh3.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from imaginecole.i18n import ImaginecoleError, Message
from imaginecole.textfiles import read_teacher_file

# plain-text fields and their length limits (grain.schema.json)
TEXT_LIMITS = {"title": 200, "description": 2000, "event": 120, "team": 120}
KEYWORD_LIMIT, MAX_KEYWORDS, AUTHOR_LIMIT, MAX_AUTHORS = 60, 30, 120, 50
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


# -- cleaning teacher text -----------------------------------------------------------------


@cache
def _stripper() -> Any:
    import nh3  # lazily: only inspection and import clean text

    return nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}, strip_comments=True)


def _strip_markup(text: str) -> str:
    # entities can hide markup (&lt;script&gt;): unescape and clean until nothing changes
    for _ in range(4):
        cleaned = html.unescape(_stripper().clean(text))
        if cleaned == text:
            break
        text = cleaned
    return text.replace("<", "‹") if re.search(r"<[A-Za-z!/?]", text) else text


def clean_text(value: Any, limit: int, *, multiline: bool = False) -> str:
    """Plain text: markup removed, control characters and runs of spaces dropped, capped."""
    text = _strip_markup(str(value))
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    if multiline:
        lines = (" ".join(line.split()) for line in text.splitlines())
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = " ".join(text.split())
    return text[:limit].strip()


def split_list(value: str, separators: str = "|;") -> list[str]:
    """A list cell: items separated by the first of `separators` found in it."""
    for sep in separators:
        if sep in value:
            return [item.strip() for item in value.split(sep) if item.strip()]
    return [value.strip()] if value.strip() else []


def clean_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """The bundle metadata keys of `meta`, every text cleaned and capped; empty ones dropped."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if key in TEXT_LIMITS:
            text = clean_text(value, TEXT_LIMITS[key], multiline=key == "description")
            if text:
                out[key] = text
        elif key == "keywords":
            words = [clean_text(w, KEYWORD_LIMIT) for w in value]
            words = list(dict.fromkeys(w for w in words if w))[:MAX_KEYWORDS]
            if words:
                out[key] = words
        elif key == "authors":
            names = [clean_text(a.get("name", ""), AUTHOR_LIMIT) for a in value]
            names = list(dict.fromkeys(n for n in names if n))[:MAX_AUTHORS]
            if names:
                out[key] = [{"name": n} for n in names]
        elif key == "language":
            code = str(value).strip()
            if _LANGUAGE.match(code):
                out[key] = code
        elif isinstance(value, str):
            if value.strip():
                out[key] = value.strip()
        else:
            out[key] = value
    return out


# -- licences ------------------------------------------------------------------------------


@cache
def _licence_forms() -> dict[str, str]:
    from imaginecole.bundle.validate import grain_schema
    from imaginecole.exports.lom import LICENCES as LOM_LICENCES

    forms = {}
    for spdx in grain_schema()["$defs"]["metadata"]["properties"]["licence"]["enum"]:
        forms[_licence_key(spdx)] = spdx
        short, url, fr, en = LOM_LICENCES.get(spdx, (spdx, "", spdx, spdx))
        for form in (short, url, fr, en):
            if form:
                forms[_licence_key(form)] = spdx
    return forms


def _licence_key(text: str) -> str:
    text = text.strip().lower()
    text = re.sub(r"^https?://(www\.)?", "", text).rstrip("/")
    text = re.sub(r"/(deed|legalcode)(\.[a-z-]+)?$", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


def licences() -> list[str]:
    """The licences the catalogue accepts (SPDX ids)."""
    return sorted(set(_licence_forms().values()))


def normalise_licence(text: str, version: str = "") -> str | None:
    """The SPDX id for « CC BY-SA 4.0 », « CC-BY-SA-4.0 », a deed URL…; None if unknown."""
    return _licence_forms().get(_licence_key(f"{text} {version}"))


def licence_in(text: str) -> str | None:
    """A licence named inside free text (a LOM rights description), by URL or short name."""
    for url in re.findall(r"https?://creativecommons\.org/[^\s<>\"']+", text):
        found = normalise_licence(url)
        if found:
            return found
    for short in re.findall(r"CC0 1\.0|CC(?: BY(?:-NC)?(?:-SA)?)+ 4\.0", text):
        found = normalise_licence(short)
        if found:
            return found
    return None


COLUMNS = (
    "file",
    "title",
    "description",
    "language",
    "country",
    "level",
    "subject",
    "licence",
    "authors",
    "keywords",
    "event",
)
# French headings, and common spellings, accepted too (compared folded, without spaces)
ALIASES = {
    "fichier": "file",
    "titre": "title",
    "langue": "language",
    "pays": "country",
    "niveau": "level",
    "matiere": "subject",
    "discipline": "subject",
    "license": "licence",
    "auteurs": "authors",
    "auteur": "authors",
    "author": "authors",
    "motscles": "keywords",
    "motcles": "keywords",
    "evenement": "event",
}
MAX_CSV_BYTES = 50 * 1024 * 1024


class Reason(Protocol):
    """Why an item is rejected, in any language (a Message, a Problem, a BundleError)."""

    def render(self, language: str) -> str: ...


# -- the metadata CSV ----------------------------------------------------------------------


@dataclass
class Row:
    """One row of the metadata CSV: its spreadsheet row number, file and parsed values."""

    number: int
    file: str
    values: dict[str, str]  # the non-empty cells, as written
    metadata: dict[str, Any] = field(default_factory=dict)  # parsed, bundle metadata keys
    problems: list[Reason] = field(default_factory=list)


def _header(name: str) -> str:
    from imaginecole.workshop.countries import fold

    key = "".join(ch for ch in fold(name) if ch.isalnum())
    return ALIASES.get(key, key)


def relative_name(text: str) -> str:
    """A delivery path as the CSV writes it: `/` separators, no leading ./ nor trailing /."""
    parts = [p for p in text.strip().replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts)


def read_metadata_csv(path: Path) -> list[Row]:
    """The rows of a metadata CSV (UTF-8 or Windows-1252, `,` `;` or tab separated).

    A wrong header refuses the whole file; every other problem stays on its row.
    """
    text = read_teacher_file(
        path,
        MAX_CSV_BYTES,
        lambda p: ImaginecoleError(
            "The metadata CSV {path} is larger than {mb} MB.", path=p, mb=MAX_CSV_BYTES >> 20
        ),
    ).lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first.count))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImaginecoleError(
            "The metadata CSV {path}, row {row}: {problem}",
            path=path,
            row=reader.line_num,
            problem=Message("CSV syntax error: {error}", error=str(exc)),
        ) from None
    header = [_header(h) for h in (records[0] if records else [])]
    unknown = [h for h in header if h and h not in COLUMNS]
    problem = None
    if unknown:
        problem = Message(
            "unknown column(s) {columns}; the columns are: {allowed}",
            columns=", ".join(unknown),
            allowed=", ".join(COLUMNS),
        )
    elif "file" not in header:
        problem = Message("missing column(s) {columns}", columns="file")
    if problem is not None:
        raise ImaginecoleError(
            "The metadata CSV {path}, row {row}: {problem}", path=path, row=1, problem=problem
        )
    rows: list[Row] = []
    first_row: dict[str, int] = {}
    for number, record in enumerate(records[1:], 2):
        cells = {
            header[i]: value.strip()
            for i, value in enumerate(record)
            if i < len(header) and header[i] and value.strip()
        }
        if not cells:
            continue  # blank lines are common at the end of spreadsheets
        row = Row(number, relative_name(cells.pop("file", "")), cells)
        _parse_row(row)
        if not row.file:
            row.problems.insert(0, Message("the « file » column is empty"))
        elif row.file in first_row:
            row.problems.insert(
                0,
                Message(
                    "« {file} » is already described at row {first}",
                    file=row.file,
                    first=first_row[row.file],
                ),
            )
        else:
            first_row[row.file] = number
        rows.append(row)
    return rows


def _parse_row(row: Row) -> None:
    meta, values = row.metadata, row.values
    for key in ("title", "description", "event"):
        if key in values:
            meta[key] = values[key]
    if "language" in values:
        primary, _sep, rest = values["language"].partition("-")
        code = primary.lower() + _sep + rest
        if _LANGUAGE.match(code):
            meta["language"] = code
        else:
            row.problems.append(
                Message(
                    "« {value} » is not a language code such as fr, en, ar or wo",
                    value=values["language"],
                )
            )
    if "country" in values:
        from imaginecole.workshop.countries import COUNTRIES, country_code

        code = country_code(values["country"])
        if code:
            meta["country"] = code
        else:
            row.problems.append(
                Message(
                    "unknown country « {value} »; use one of: {allowed}",
                    value=values["country"],
                    allowed=", ".join(COUNTRIES),
                )
            )
    if "licence" in values:
        spdx = normalise_licence(values["licence"])
        if spdx:
            meta["licence"] = spdx
        else:
            row.problems.append(
                Message(
                    "unknown licence « {value} »; use one of: {allowed}",
                    value=values["licence"],
                    allowed=", ".join(licences()),
                )
            )
    for key in ("level", "subject"):
        if key in values:
            meta[key] = values[key]  # checked against the country's curriculum once merged
    if "authors" in values:
        meta["authors"] = [{"name": n} for n in split_list(values["authors"])]
    if "keywords" in values:
        meta["keywords"] = split_list(values["keywords"], "|;,")


def curriculum_problems(meta: dict[str, Any], *, bad_country: bool = False) -> list[Reason]:
    """Level and subject brought to the ids of the country's curriculum (names accepted).

    With `bad_country` (the row's country is already refused) nothing more is said.
    """
    from imaginecole.bundle.validate import curriculum_checks
    from imaginecole.workshop.countries import fold

    problems: list[Reason] = []
    country = meta.get("country")
    for key, loader, message in curriculum_checks():
        value = meta.get(key)
        if not value:
            continue
        if not country and bad_country:
            continue
        if not country:
            problems.append(
                Message(
                    "« {value} »: a level or a subject needs a country; "
                    "fill in the « country » column",
                    value=value,
                )
            )
            continue
        entries = loader(country)
        wanted = fold(value)
        found = next(
            (
                e["id"]
                for e in entries
                if wanted in (fold(e["id"]), fold(e["name_fr"]), fold(e["name_en"]))
            ),
            None,
        )
        if found:
            meta[key] = found
        else:
            allowed = ", ".join(e["id"] for e in entries)
            problems.append(Message(message, value=value, country=country, allowed=allowed))
    return problems
