"""GIFT import (Moodle's plain-text quiz format) into one question_set grain.

Supported: multiple choice (``=right ~wrong``), multiple answers with weights
(``~%50%a ~%-100%b``), true/false (``{T}`` ``{FALSE}``), short answer
(``{=a =b}`` becomes fill_blanks with alternatives), matching (``{=a -> b}``),
missing word (text ``{~a =b}`` text), ``//`` comments, ``$CATEGORY:`` (into
keywords), ``::titles::``, ``#feedback``, ``####general feedback``, the escapes
``\\~ \\= \\# \\{ \\} \\: \\\\ \\n`` and the ``[html]`` ``[moodle]`` ``[plain]``
``[markdown]`` formats.

The result keeps what an exporter needs to write the same GIFT back: titles,
per-choice feedback and weights, general feedback (``feedback.general``).
Any error gives a line and a column, and nothing is created.
"""

from __future__ import annotations

import bisect
import html
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import ImaginecoleError, Message, gettext_for
from ..textfiles import read_teacher_file
from .model import DEFAULT_LICENCE, create_bundle, now_iso
from .richtext import plain_text, sanitize_rich_text
from .validate import MAX_MANIFEST_BYTES, SCHEMA_VERSION, validate_manifest

FORMATS = ("html", "moodle", "plain", "markdown")
_ESCAPE = re.compile(r"\\([\\:~=#{}n])")
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%(-?\d+(?:[.,]\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class GiftSyntaxError(ImaginecoleError):
    """A GIFT file that cannot be imported; `errors` holds (line, column, message)."""

    def __init__(self, source: str, errors: list[tuple[int, int, Message]]) -> None:
        self.source = source
        self.errors = sorted(errors, key=lambda e: (e[0], e[1]))
        self.line, self.column = self.errors[0][0], self.errors[0][1]
        self.message_id = "The GIFT file {file} has {count} error(s); nothing was created."
        self.values = {"file": source, "count": len(self.errors)}
        Exception.__init__(self, self.render("fr") + "\n\n[en]\n" + self.render("en"))

    def render(self, language: str) -> str:
        lines = [Message(self.message_id, **self.values).render(language)]
        for line, column, message in self.errors:
            lines.append(
                "- "
                + Message(
                    "line {line}, column {column}: {problem}",
                    line=line,
                    column=column,
                    problem=message,
                ).render(language)
            )
        return "\n".join(lines)


class _Error(Exception):
    def __init__(self, offset: int, message: Message) -> None:
        self.offset = offset
        self.message = message


@dataclass
class _Block:
    """Lines of one question (comments removed), with where each line came from."""

    text: str
    starts: list[int]  # offset of each line in `text`
    lines: list[int]  # 1-based line number of each line in the file

    def where(self, offset: int) -> tuple[int, int]:
        k = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return self.lines[k], offset - self.starts[k] + 1


def _blocks(text: str) -> list[_Block]:
    blocks, current = [], []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
        elif not line.lstrip().startswith("//"):
            current.append((number, line))
    if current:
        blocks.append(current)
    result = []
    for lines in blocks:
        starts, offset = [], 0
        for _n, line in lines:
            starts.append(offset)
            offset += len(line) + 1
        result.append(_Block("\n".join(line for _n, line in lines), starts, [n for n, _ in lines]))
    return result


def _find(text: str, needle: str, start: int = 0, end: int | None = None) -> int:
    """Offset of the first `needle` not escaped by a backslash, or -1."""
    end = len(text) if end is None else end
    i = start
    while i < end:
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _rich(text: str, fmt: str) -> str:
    """GIFT text in `fmt` as the rich-text subset."""
    text = _unescape(text).strip()
    if fmt == "plain":
        converted = html.escape(text, quote=False).replace("\n", "<br>")
    elif fmt == "markdown":
        import mistune  # already installed with nbconvert; only GIFT markdown needs it

        converted = mistune.html(text)
    elif fmt == "html":
        converted = text
    else:  # moodle auto-format: HTML allowed, line breaks kept
        converted = text.replace("\n", "<br>")
    cleaned = sanitize_rich_text(converted).strip()
    single = re.fullmatch(r"<p>((?:(?!</?p>).)*)</p>", cleaned, re.DOTALL)
    return single.group(1) if single else cleaned


def _plain(text: str, fmt: str) -> str:
    text = _unescape(text).strip()
    return text if fmt == "plain" else " ".join(plain_text(text).split())


@dataclass
class _Answer:
    marker: str  # "=" or "~"
    weight: float | None
    text: str
    feedback: str | None
    offset: int


def _answers(block: str, start: int, end: int) -> list[_Answer]:
    first = start
    while first < end and block[first].isspace():
        first += 1
    if block[first] not in "=~":
        raise _Error(first, Message("an answer starts with = (right) or ~ (wrong)"))
    cuts = [i for i in range(first, end) if block[i] in "=~" and not _escaped(block, i)]
    answers = []
    for n, cut in enumerate(cuts):
        stop = cuts[n + 1] if n + 1 < len(cuts) else end
        body_start, weight = cut + 1, None
        match = _WEIGHT.match(block, body_start, stop)
        if match:
            weight = float(match.group(1).replace(",", "."))
            body_start = match.end()
        elif block.startswith("%", body_start):
            raise _Error(body_start, Message("a weight is written %50% or %-100%"))
        sharp = _find(block, "#", body_start, stop)
        text = block[body_start : sharp if sharp >= 0 else stop]
        feedback = block[sharp + 1 : stop] if sharp >= 0 else None
        if not _unescape(text).strip():
            raise _Error(cut, Message("this answer is empty"))
        answers.append(_Answer(block[cut], weight, text, feedback, cut))
    return answers


def _escaped(text: str, i: int) -> bool:
    backslashes = 0
    while i - backslashes - 1 >= 0 and text[i - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _number(weight: float) -> int | float:
    return int(weight) if weight == int(weight) else round(weight, 5)


def _question(block: str, language: str) -> dict[str, Any]:
    i = len(block) - len(block.lstrip())
    question: dict[str, Any] = {}
    if block.startswith("::", i):
        close = _find(block, "::", i + 2)
        if close < 0:
            raise _Error(i, Message("the title opened with :: is not closed with ::"))
        question["title"] = " ".join(_unescape(block[i + 2 : close]).split())[:200]
        i = close + 2
    while i < len(block) and block[i].isspace():
        i += 1
    fmt = "moodle"
    match = _FORMAT.match(block, i)
    if match:
        fmt, i = match.group(1).lower(), match.end()
    open_ = _find(block, "{", i)
    if open_ < 0:
        raise _Error(
            len(block.rstrip()),
            Message(
                "no answer block {{…}}: every GIFT question needs one (write \\{{ for a brace)"
            ),
        )
    stray = _find(block, "}", i, open_)
    if stray >= 0:
        raise _Error(stray, Message("« }} » without « {{ »; write \\}} for a brace in the text"))
    close = _find(block, "}", open_ + 1)
    inner = _find(block, "{", open_ + 1, close if close >= 0 else None)
    if inner >= 0:
        raise _Error(inner, Message("« {{ » inside an answer block; write \\{{ for a brace"))
    if close < 0:
        raise _Error(open_, Message("the « {{ » opened here is never closed with « }} »"))
    for extra in (_find(block, "{", close + 1), _find(block, "}", close + 1)):
        if extra >= 0:
            raise _Error(extra, Message("only one answer block {{…}} per question"))
    before, after = block[i:open_], block[close + 1 :]
    missing_word = bool(after.strip())
    general_at = _find(block, "####", open_ + 1, close)
    end = general_at if general_at >= 0 else close
    if general_at >= 0:
        general = _plain(block[general_at + 4 : close], fmt)
        if general:
            question.setdefault("feedback", {})["general"] = general
    body = block[open_ + 1 : end]
    statement = before + ("____" + after if missing_word else "")
    stripped = body.strip()
    if not stripped:
        raise _Error(open_, Message("an empty answer block {{}} (essay) cannot be imported"))
    if stripped.startswith("#"):
        raise _Error(open_, Message("numerical questions {{#…}} cannot be imported yet"))

    sharp = _find(body, "#")
    head = (body[:sharp] if sharp >= 0 else body).strip().upper()
    if head in _TRUE_FALSE:
        parts = _split(body, "#")[1:]
        question.update(kind="true_false", statement=_rich(statement, fmt))
        question["answer"] = _TRUE_FALSE[head]
        # Moodle: the first feedback is for a wrong answer, the second for a right one
        for key, text in zip(("incorrect", "correct"), parts, strict=False):
            if _plain(text, fmt):
                question.setdefault("feedback", {})[key] = _plain(text, fmt)
        return _ordered(question)

    answers = _answers(block, open_ + 1, end)
    if any(_find(a.text, "->") >= 0 for a in answers):
        return _matching(question, answers, statement, fmt, block, missing_word, open_)
    if any(a.marker == "~" for a in answers):
        single = any(a.marker == "=" for a in answers)
        choices = []
        for n, a in enumerate(answers, 1):
            choice: dict[str, Any] = {"id": f"c{n}", "text": _rich(a.text, fmt)}
            if single:
                choice["correct"] = a.marker == "="
                if a.weight is not None and not (a.marker == "=" and a.weight == 100):
                    choice["weight"] = _number(a.weight)
            else:
                choice["correct"] = (a.weight or 0) > 0
                if a.weight is not None:
                    choice["weight"] = _number(a.weight)
            if a.feedback is not None and _plain(a.feedback, fmt):
                choice["feedback"] = _plain(a.feedback, fmt)
            choices.append(choice)
        question.update(
            kind="single_choice" if single else "multiple_choice",
            statement=_rich(statement, fmt),
            choices=choices,
        )
        return _ordered(question)

    # only "=" answers: a short answer, which becomes a blank with alternatives
    words = []
    for a in answers:
        if a.weight is not None and a.weight != 100:
            raise _Error(a.offset, Message("partial credit in short answers cannot be imported"))
        word = _plain(a.text, fmt)
        if "*" in word or "/" in word:
            raise _Error(a.offset, Message("a short answer cannot contain * or /"))
        words.append(word)
    blank = "*" + "/".join(words) + "*"
    if missing_word:
        text = f"{_plain(before, fmt)} {blank} {_plain(after, fmt)}".strip()
        instruction = question.get("title") or gettext_for(language)("Complete the text.")
        question.update(kind="fill_blanks", statement=_rich(instruction, "plain"), text=text)
    else:
        question.update(kind="fill_blanks", statement=_rich(before, fmt), text=blank)
    question["case_sensitive"] = False
    # fill_blanks has one feedback for a right answer: the first one written
    said = [_plain(a.feedback, fmt) for a in answers if a.feedback is not None]
    if any(said):
        question.setdefault("feedback", {})["correct"] = next(s for s in said if s)
    return _ordered(question)


def _split(text: str, sep: str) -> list[str]:
    parts, start = [], 0
    while (at := _find(text, sep, start)) >= 0:
        parts.append(text[start:at])
        start = at + len(sep)
    return [*parts, text[start:]]


def _matching(
    question: dict[str, Any],
    answers: list[_Answer],
    statement: str,
    fmt: str,
    block: str,
    missing_word: bool,
    open_: int,
) -> dict[str, Any]:
    if missing_word:
        raise _Error(open_, Message("a matching question cannot have text after its answers"))
    pairs = []
    for a in answers:
        if a.marker != "=":
            raise _Error(
                a.offset, Message("each matching pair starts with =, as in =left -> right")
            )
        arrow = _find(a.text, "->")
        if arrow < 0:
            raise _Error(a.offset, Message("each matching pair needs « -> », as in =left -> right"))
        left, right = _plain(a.text[:arrow], fmt), _plain(a.text[arrow + 2 :], fmt)
        if not left or not right:
            raise _Error(a.offset, Message("both sides of a matching pair must be written"))
        pairs.append({"left": left, "right": right})
    question.update(kind="matching", statement=_rich(statement, fmt), pairs=pairs)
    return _ordered(question)


def _ordered(question: dict[str, Any]) -> dict[str, Any]:
    # the schema's order, so the manifest reads naturally
    first = ("kind", "title", "statement")
    ordered = {k: question[k] for k in first if k in question}
    ordered.update({k: v for k, v in question.items() if k not in first and k != "feedback"})
    if "feedback" in question:
        ordered["feedback"] = question["feedback"]
    return ordered


def _keywords(category: str) -> list[str]:
    parts = [p.strip() for p in _unescape(category).split("/")]
    return [p[:60] for p in parts if p and not p.startswith("$") and p.lower() != "top"]


def parse_gift(
    text: str, *, title: str | None = None, language: str = "fr", source: str = "GIFT"
) -> dict[str, Any]:
    """A valid question_set manifest from GIFT `text`; raises GiftSyntaxError."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    errors: list[tuple[int, int, Message]] = []
    questions: list[dict[str, Any]] = []
    starts: list[tuple[int, int]] = []
    keywords: list[str] = []
    for block in _blocks(text):
        body = block.text
        first_line = body.split("\n", 1)[0].strip()
        if first_line.upper().startswith("$CATEGORY:"):
            keywords += _keywords(first_line[len("$CATEGORY:") :])
            cut = len(body.split("\n", 1)[0]) + 1
            if cut >= len(body):
                continue
            block = _Block(body[cut:], [s - cut for s in block.starts[1:]], block.lines[1:])
            body = block.text
        try:
            question = _question(body, language)
        except _Error as exc:
            errors.append((*block.where(exc.offset), exc.message))
            continue
        question = {"id": f"q{len(questions) + 1}", **question}
        questions.append(question)
        starts.append(block.where(len(body) - len(body.lstrip())))
    if not questions:
        raise GiftSyntaxError(
            source, errors or [(1, 1, Message("no question was found in this file"))]
        )
    stamp = now_iso()
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "type": "grain",
        "id": str(uuid.uuid4()),
        "kind": "question_set",
        "metadata": {
            "title": (title or (keywords[-1] if keywords else "") or Path(source).stem)[:200],
            "language": language,
            "resource_type": "questionnaire",
            "learning_time": "PT10M",
            "licence": DEFAULT_LICENCE,
            "created": stamp,
            "modified": stamp,
        },
        "questions": questions,
    }
    unique = list(dict.fromkeys(keywords))[:30]
    if unique:
        manifest["metadata"]["keywords"] = unique
    # what the grain schema refuses is reported where the question starts
    for problem in validate_manifest(manifest):
        index = re.match(r"questions\[(\d+)\]", problem.path)
        line, column = starts[int(index.group(1))] if index else (1, 1)
        message = Message("{field}: {problem}", field=problem.path, problem=problem.message)
        errors.append((line, column, message))
    if errors:
        raise GiftSyntaxError(source, errors)
    return manifest


def read_gift(path: Path | str) -> str:
    """The text of a GIFT file: UTF-8, or Windows-1252 as saved by old editors."""
    return read_teacher_file(
        path,
        MAX_MANIFEST_BYTES,
        lambda p: GiftSyntaxError(str(p), [(1, 1, Message("the file is larger than 2 MB"))]),
    )


def import_gift(
    path: Path | str, bundle_dir: Path | str, *, title: str | None = None, language: str = "fr"
) -> dict[str, Any]:
    """Import a GIFT file as a new question_set bundle in `bundle_dir` (must be new or empty)."""
    manifest = parse_gift(read_gift(path), title=title, language=language, source=str(path))
    return create_bundle(bundle_dir, manifest)
