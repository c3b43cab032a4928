"""CSV import: one question per row, from a spreadsheet, into one question_set grain.

Columns (first row; any order; only ``kind`` and ``statement`` are required):
``kind, title, statement, choice_1 … choice_6, correct, feedback_correct,
feedback_incorrect, hint, points``. See docs/bundle-format.md. Commas,
semicolons (French Excel) and tabs are all accepted as separators. Every
problem is listed with its row at once, and nothing is created.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path
from typing import Any

from ..i18n import ImaginecoleError, Message, gettext_for
from ..textfiles import read_teacher_file
from ..workshop.countries import fold
from .model import DEFAULT_LICENCE, create_bundle, now_iso, question_kinds
from .richtext import sanitize_rich_text
from .validate import MAX_MANIFEST_BYTES, SCHEMA_VERSION, validate_manifest

CHOICE_COLUMNS = tuple(f"choice_{n}" for n in range(1, 7))
COLUMNS = (
    "kind",
    "title",
    "statement",
    *CHOICE_COLUMNS,
    "correct",
    "feedback_correct",
    "feedback_incorrect",
    "hint",
    "points",
)
KINDS = question_kinds()
# French names teachers type in a spreadsheet
KIND_ALIASES = {
    "qcu": "single_choice",
    "choix_unique": "single_choice",
    "qcm": "multiple_choice",
    "choix_multiple": "multiple_choice",
    "vrai_faux": "true_false",
    "vrai_ou_faux": "true_false",
    "texte_a_trous": "fill_blanks",
    "trous": "fill_blanks",
    "mots_a_placer": "drag_words",
    "glisser_mots": "drag_words",
    "association": "matching",
    "appariement": "matching",
    "classement": "ordering",
    "ordre": "ordering",
    "cartes": "flashcards",
    "cartes_memoire": "flashcards",
}
TRUTH = {
    "vrai": True,
    "v": True,
    "true": True,
    "t": True,
    "faux": False,
    "f": False,
    "false": False,
}


class CsvImportError(ImaginecoleError):
    """A CSV file that cannot be imported; `problems` holds (row, message)."""

    def __init__(self, source: str, problems: list[tuple[int, Message]]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda p: p[0])
        self.message_id = "The CSV file {file} has {count} problem(s); nothing was created."
        self.values = {"file": source, "count": len(self.problems)}
        Exception.__init__(self, self.render("fr") + "\n\n[en]\n" + self.render("en"))

    def render(self, language: str) -> str:
        lines = [Message(self.message_id, **self.values).render(language)]
        for row, message in self.problems:
            lines.append(
                "- " + Message("row {row}: {problem}", row=row, problem=message).render(language)
            )
        return "\n".join(lines)


def _column(name: str, message: Message) -> Message:
    return Message("column « {column} »: {problem}", column=name, problem=message)


def _kind(value: str) -> str | None:
    key = re.sub(r"[\s-]+", "_", fold(value))
    return key if key in KINDS else KIND_ALIASES.get(key)


def _split_pair(cell: str) -> tuple[str, str] | None:
    left, arrow, right = cell.partition("->")
    return (left.strip(), right.strip()) if arrow and left.strip() and right.strip() else None


def _question(
    row: dict[str, str], kind: str, language: str
) -> tuple[dict[str, Any], list[Message]]:
    """The question of one row, and the problems found in its cells."""
    problems: list[Message] = []
    statement = row.get("statement", "")
    cells = [row.get(c, "") for c in CHOICE_COLUMNS]
    filled = [(n, c) for n, c in enumerate(cells, 1) if c]
    correct = row.get("correct", "")
    q: dict[str, Any] = {"kind": kind}
    if row.get("title"):
        q["title"] = row["title"]
    tr = gettext_for(language)
    if kind in ("fill_blanks", "drag_words"):
        # the statement cell holds the text with *marks*; the instruction is generic
        default = "Complete the text." if kind == "fill_blanks" else "Put each word in its place."
        q["statement"] = row.get("title") or tr(default)
        q["text"] = statement
        if kind == "drag_words" and filled:
            q["distractors"] = [c for _n, c in filled]
    else:
        q["statement"] = sanitize_rich_text(statement)
    if kind in ("single_choice", "multiple_choice"):
        numbers: list[int] = []
        for part in [p for p in re.split(r"[;,\s]+", correct) if p]:
            if not part.isdigit() or not 1 <= int(part) <= 6:
                problems.append(
                    _column(
                        "correct",
                        Message("« {value} » is not a choice number from 1 to 6", value=part),
                    )
                )
            elif not cells[int(part) - 1]:
                problems.append(
                    _column(
                        "correct",
                        Message("choice {n} is empty, so it cannot be the right answer", n=part),
                    )
                )
            else:
                numbers.append(int(part))
        if not correct:
            problems.append(
                _column(
                    "correct", Message("give the number of the right choice, such as 1, or 1;3")
                )
            )
        elif kind == "single_choice" and len(set(numbers)) > 1:
            problems.append(
                _column(
                    "correct",
                    Message(
                        "a single_choice question has one right choice; use multiple_choice "
                        "for several"
                    ),
                )
            )
        q["choices"] = [
            {"id": f"c{n}", "text": sanitize_rich_text(c), "correct": n in numbers}
            for n, c in filled
        ]
    elif kind == "true_false":
        value = TRUTH.get(fold(correct))
        if value is None:
            problems.append(
                _column(
                    "correct",
                    Message("« {value} » is not vrai, faux, true or false", value=correct),
                )
            )
        q["answer"] = bool(value)
    elif kind in ("matching", "flashcards"):
        pairs = []
        for n, cell in filled:
            pair = _split_pair(cell)
            if pair is None:
                problems.append(
                    _column(
                        f"choice_{n}",
                        Message("write both sides with « -> », as in Dakar -> Sénégal"),
                    )
                )
            else:
                pairs.append(pair)
        if kind == "matching":
            q["pairs"] = [{"left": a, "right": b} for a, b in pairs]
        else:
            q["cards"] = [
                {"front": sanitize_rich_text(a), "back": sanitize_rich_text(b)} for a, b in pairs
            ]
    elif kind == "ordering":
        q["items"] = [c for _n, c in filled]
    if row.get("hint"):
        q["hint"] = row["hint"]
    if row.get("points"):
        try:
            q["points"] = float(row["points"].replace(",", "."))
            q["points"] = int(q["points"]) if q["points"].is_integer() else q["points"]
        except ValueError:
            problems.append(
                _column("points", Message("« {value} » is not a number", value=row["points"]))
            )
    feedback = {
        k: row[f"feedback_{k}"] for k in ("correct", "incorrect") if row.get(f"feedback_{k}")
    }
    if feedback:
        q["feedback"] = feedback
    return q, problems


def _csv_column(field: str, filled: list[int]) -> str:
    """The spreadsheet column a manifest field came from (``choices[1].text`` -> choice_2)."""
    if field in ("text", "statement", "") or field.startswith("text"):
        return "statement"
    match = re.match(r"(choices|pairs|cards|items|distractors)\[(\d+)\]", field)
    if match and int(match.group(2)) < len(filled):
        return f"choice_{filled[int(match.group(2))] + 1}"
    if match or field in ("choices", "pairs", "cards", "items", "distractors"):
        return "choice_1"
    if field.startswith("feedback."):
        return "feedback_" + field.split(".", 1)[1]
    return field


def _delimiter(first_line: str) -> str:
    return max(",;\t", key=first_line.count)


def parse_csv(
    text: str, *, title: str | None = None, language: str = "fr", source: str = "CSV"
) -> dict[str, Any]:
    """A valid question_set manifest from CSV `text`; raises CsvImportError."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    problems: list[tuple[int, Message]] = []
    try:
        header = [fold(h).replace(" ", "_") for h in next(reader, [])]
    except csv.Error as exc:
        raise CsvImportError(
            source, [(1, Message("CSV syntax error: {error}", error=str(exc)))]
        ) from None
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        problems.append(
            (
                1,
                Message(
                    "unknown column(s) {columns}; the columns are: {allowed}",
                    columns=", ".join(unknown),
                    allowed=", ".join(COLUMNS),
                ),
            )
        )
    missing = [c for c in ("kind", "statement") if c not in header]
    if missing:
        problems.append((1, Message("missing column(s) {columns}", columns=", ".join(missing))))
        raise CsvImportError(source, problems)
    questions: list[dict[str, Any]] = []
    rows: list[int] = []  # the spreadsheet row of each question
    columns: list[list[int]] = []  # the choice columns each question's list came from
    number = 1
    try:
        for record in reader:
            number += 1
            cells = {h: v.strip() for h, v in zip(header, record, strict=False) if h}
            if not any(cells.values()):
                continue
            if len(record) > len(header) and any(v.strip() for v in record[len(header) :]):
                problems.append(
                    (number, Message("more cells than columns; check the separators in this row"))
                )
            kind = _kind(cells.get("kind", ""))
            if kind is None:
                problems.append(
                    (
                        number,
                        _column(
                            "kind",
                            Message(
                                "« {value} » is not allowed; use one of: {allowed}",
                                value=cells.get("kind", ""),
                                allowed=", ".join(KINDS),
                            ),
                        ),
                    )
                )
                continue
            question, found = _question(cells, kind, language)
            problems += [(number, p) for p in found]
            questions.append({"id": f"q{len(questions) + 1}", **question})
            rows.append(number)
            columns.append([n for n, c in enumerate(cells.get(k, "") for k in CHOICE_COLUMNS) if c])
    except csv.Error as exc:
        problems.append((number + 1, Message("CSV syntax error: {error}", error=str(exc))))
    if not questions and not problems:
        problems.append((2, Message("no question was found in this file")))
    stamp = now_iso()
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "type": "grain",
        "id": str(uuid.uuid4()),
        "kind": "question_set",
        "metadata": {
            "title": (title or Path(source).stem)[:200] or "CSV",
            "language": language,
            "resource_type": "questionnaire",
            "learning_time": "PT10M",
            "licence": DEFAULT_LICENCE,
            "created": stamp,
            "modified": stamp,
        },
        "questions": questions,
    }
    if questions:
        flagged = {row for row, _p in problems}
        for problem in validate_manifest(manifest):
            index = re.match(r"questions\[(\d+)\]\.?(.*)", problem.path)
            if not index:
                problems.append(
                    (1, Message("{field}: {problem}", field=problem.path, problem=problem.message))
                )
                continue
            row, rest = rows[int(index.group(1))], index.group(2)
            if row in flagged and rest.startswith(("choices", "answer", "pairs", "cards")):
                continue  # the cell problem already said it, in the spreadsheet's terms
            problems.append(
                (row, _column(_csv_column(rest, columns[int(index.group(1))]), problem.message))
            )
    if problems:
        raise CsvImportError(source, problems)
    return manifest


def read_csv(path: Path | str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), or Windows-1252 from Excel."""
    return read_teacher_file(
        path,
        MAX_MANIFEST_BYTES,
        lambda p: CsvImportError(str(p), [(1, Message("the file is larger than 2 MB"))]),
    )


def import_csv(
    path: Path | str, bundle_dir: Path | str, *, title: str | None = None, language: str = "fr"
) -> dict[str, Any]:
    """Import a CSV file as a new question_set bundle in `bundle_dir` (must be new or empty)."""
    manifest = parse_csv(read_csv(path), title=title, language=language, source=str(path))
    return create_bundle(bundle_dir, manifest)
