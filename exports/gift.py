"""`gift`: a GIFT text file (Moodle's plain-text question format).

Written so that `imaginecole.bundle.gift.parse_gift` reads the same questions back:

- single_choice ``{=right ~%50%partly ~wrong#feedback}``, multiple_choice with weights
  ``{~%50%a ~%-100%b}`` (unweighted ones get the player's own shares: +100/k, -100/k),
  true_false ``{TRUE#if wrong#if right}``, matching ``{=left -> right}``, general
  feedback ``####``, titles ``::title::``: native, lossless.
- fill_blanks: a text that is one blank is a short answer ``statement{=a =b}``; one blank in
  a text is a missing word ``before {=a =b} after`` whose ``::title::`` is the question's
  title or else its statement (GIFT has no other place for it); n blanks become n such
  questions, the other blanks shown as ``[…]``.
- drag_words: one missing-word choice question per gap (``{=word ~other ~distractor}``).
- ordering and flashcards: GIFT cannot hold them; they are written as ``//`` comments, and a
  grain with nothing else is refused.

What GIFT cannot hold (points, hint, media, question-level feedback of choice and matching
questions, case-sensitive blanks, wrong-answer feedback of blanks) is written as a ``//``
comment before its question and reported in `Bundle.warnings`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, Message

from .base import Bundle, Exporter, ExportError, write_output

_MARK = re.compile(r"\*([^*]+)\*")
_GIFT_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "~": "\\~",
        "=": "\\=",
        "#": "\\#",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
    }
)
OTHER_BLANK = "[…]"
# The only grades Moodle imports (question_bank::fraction_options_full), in percent; an
# import refuses a question whose grade is more than 0.001 % away from all of them.
MOODLE_GRADES = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
                 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)  # fmt: skip


def moodle_grade(percent: float) -> float:
    """`percent` if Moodle accepts it, else the nearest grade it does (sign kept)."""
    nearest = min(MOODLE_GRADES, key=lambda g: abs(g - abs(percent)))
    if abs(nearest - abs(percent)) <= 0.001:
        return percent
    return -nearest if percent < 0 else nearest


def split_marked(text: str, alternatives: bool) -> list[str | list[str]]:
    """`text` as plain-text runs and blanks, as player.js parseMarked reads it.

    A blank is the list of its accepted answers (``*a/b*`` gives ``["a", "b"]`` when
    `alternatives`, else ``["a/b"]``), trimmed and never empty.
    """
    segments: list[str | list[str]] = []
    for i, part in enumerate(_MARK.split(text)):
        if i % 2 == 0:
            if part:
                segments.append(part)
            continue
        answers = [a.strip() for a in (part.split("/") if alternatives else [part])]
        answers = [a for a in answers if a]
        if answers:
            segments.append(answers)
    return segments


def escape_gift(text: str) -> str:
    """`text` with GIFT's special characters ``~ = # { } :`` and ``\\`` escaped, lines as \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_GIFT_SPECIAL)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.5f}".rstrip("0").rstrip(".")


def _one_line(text: str) -> str:
    from imaginecole.bundle.richtext import plain_text

    return " ".join(plain_text(text).split())


class _Writer:
    """One question's GIFT text; `fmt` is "[html]" when a rich field needs it."""

    def __init__(self, rich_fields: list[str]) -> None:
        from imaginecole.bundle.richtext import sanitize_rich_text

        self._sanitize = sanitize_rich_text
        cleaned = [sanitize_rich_text(t) for t in rich_fields]
        needs_html = any(c != html.escape(c, quote=False) or "\n" in c for c in cleaned)
        self.fmt = "[html]" if needs_html else ""

    def rich(self, text: str) -> str:
        # the rich subset is HTML already; sanitising again keeps a forged manifest harmless
        out = escape_gift(self._sanitize(text).strip())
        return " " + out if out.startswith("%") else out  # "%" would start a weight

    @staticmethod
    def plain(text: str, collapse: bool = True) -> str:
        # the importer reads plain fields as HTML text: entities survive, tags cannot sneak in
        text = " ".join(text.split()) if collapse else " ".join(text.splitlines())
        out = escape_gift(html.escape(text, quote=False))
        return " " + out if out.startswith("%") else out

    def head(self, title: str | None, statement: str, rich: bool = True) -> str:
        text = self.rich(statement) if rich else self.plain(statement)
        fmt = self.fmt
        if not fmt and not title and text.lstrip().startswith(("//", "[")):
            fmt = "[html]"  # else a comment line or a format marker
        return (f"::{escape_gift(' '.join(title.split()))}::" if title else "") + fmt + text


def moodle_grade_note(q: dict[str, Any], weight: float, grade: float) -> Message:
    return Message(
        "Moodle: question « {id} »: the weight {weight} % becomes {grade} %, "
        "the nearest grade Moodle accepts.",
        id=q["id"],
        weight=_number(weight),
        grade=_number(grade),
    )


def _comment(text: str) -> str:
    return "// " + " ".join(text.split())


class _Export:
    def __init__(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        self.language = manifest.get("metadata", {}).get("language", "fr")
        self.notes: list[Message] = []
        self.chunks: list[list[str]] = []
        self.count = 0  # GIFT questions written

    def lost(self, q: dict[str, Any], what: str, lines: list[str], text: str) -> None:
        lines.append(_comment(f"{what}: {text}"))
        self.notes.append(
            Message(
                "GIFT: question « {id} »: {what} cannot be written in GIFT; "
                "it is kept as a comment.",
                id=q["id"],
                what=what,
            )
        )

    def grade(self, q: dict[str, Any], weight: float) -> float:
        grade = moodle_grade(weight)
        if grade != weight:
            self.notes.append(moodle_grade_note(q, weight, grade))
        return grade

    def common_comments(self, q: dict[str, Any], question_feedback: bool) -> list[str]:
        lines = [_comment(f"Imaginecole: {q['kind']} « {q['id']} »")]
        if q.get("points", 1) != 1:
            self.lost(q, "points", lines, _number(q["points"]))
        if q.get("hint"):
            self.lost(q, "hint", lines, q["hint"])
        media = q.get("media", {})
        if "image" in media:
            self.lost(q, "image", lines, f"{media['image']['src']} ({media['image']['alt']})")
        if "audio" in media:
            audio = media["audio"]
            self.lost(q, "audio", lines, f"{audio['src']} ({audio['transcript']})")
        feedback = q.get("feedback", {})
        for key in ("correct", "incorrect") if question_feedback else ():
            if feedback.get(key):
                self.lost(q, f"feedback.{key}", lines, feedback[key])
        return lines

    def add(self, lines: list[str]) -> None:
        self.chunks.append(lines)
        self.count += 1

    # -- kinds ----------------------------------------------------------------------------

    def choices(self, q: dict[str, Any]) -> None:
        lines = self.common_comments(q, question_feedback=True)
        w = _Writer([q["statement"], *(c["text"] for c in q["choices"])])
        lines.append(w.head(q.get("title"), q["statement"]) + "{")
        single = q["kind"] == "single_choice"
        weighted = any(isinstance(c.get("weight"), int | float) for c in q["choices"])
        right = sum(1 for c in q["choices"] if c["correct"]) or 1
        for c in q["choices"]:
            if single:
                marker = "=" if c["correct"] else "~"
                weight = c.get("weight")
                if c["correct"] and weight == 100:
                    weight = None
            else:
                marker = "~"
                # without weights, the player gives +1/k per right tick and -1/k per wrong one
                weight = c.get("weight") if weighted else (100 if c["correct"] else -100) / right
            line = "\t" + marker
            if weight is not None:
                weight = self.grade(q, weight)
                line += f"%{_number(weight)}%"
            body = w.rich(c["text"])
            line += body.lstrip() if weight is not None else body
            if c.get("feedback"):
                line += "#" + w.plain(c["feedback"])
            lines.append(line)
        self.close(q, w, lines)

    def close(self, q: dict[str, Any], w: _Writer, lines: list[str], after: str = "") -> None:
        general = q.get("feedback", {}).get("general")
        if general:
            lines.append("\t####" + w.plain(general))
        lines.append("}" + after)
        self.add(lines)

    def true_false(self, q: dict[str, Any]) -> None:
        lines = self.common_comments(q, question_feedback=False)
        w = _Writer([q["statement"]])
        feedback = q.get("feedback", {})
        body = "TRUE" if q["answer"] else "FALSE"
        wrong, right = feedback.get("incorrect", ""), feedback.get("correct", "")
        if wrong or right:
            # Moodle's order: the feedback for a wrong answer first, then for a right one
            body += "#" + (w.plain(wrong) if wrong else "")
            if right:
                body += "#" + w.plain(right)
        if feedback.get("general"):
            body += "####" + w.plain(feedback["general"])
        lines.append(w.head(q.get("title"), q["statement"]) + "{" + body + "}")
        self.add(lines)

    def matching(self, q: dict[str, Any]) -> None:
        lines = self.common_comments(q, question_feedback=True)
        w = _Writer([q["statement"]])
        lines.append(w.head(q.get("title"), q["statement"]) + "{")
        for pair in q["pairs"]:
            lines.append(f"\t={w.plain(pair['left'])} -> {w.plain(pair['right'])}")
        self.close(q, w, lines)

    def fill_blanks(self, q: dict[str, Any]) -> None:
        segments = split_marked(q["text"], alternatives=True)
        blanks = [s for s in segments if isinstance(s, list)]
        lines = self.common_comments(q, question_feedback=False)
        if q.get("case_sensitive"):
            self.lost(q, "case_sensitive", lines, "true")
        feedback = q.get("feedback", {})
        if feedback.get("incorrect"):
            self.lost(q, "feedback.incorrect", lines, feedback["incorrect"])

        def answers(words: list[str], w: _Writer) -> list[str]:
            out = []
            for n, word in enumerate(words):
                line = "\t=" + w.plain(word)
                if n == 0 and feedback.get("correct"):
                    line += "#" + w.plain(feedback["correct"])
                out.append(line)
            return out

        if len(segments) == 1 and blanks:  # the text is one blank: a short answer
            w = _Writer([q["statement"]])
            lines.append(w.head(q.get("title"), q["statement"]) + "{")
            lines += answers(blanks[0], w)
            self.close(q, w, lines)
            return
        self.missing_words(q, segments, lines, lambda k, w: answers(blanks[k], w))

    def drag_words(self, q: dict[str, Any]) -> None:
        segments = split_marked(q["text"], alternatives=False)
        words = [s[0] for s in segments if isinstance(s, list)]
        bank = list(dict.fromkeys([*words, *(d.strip() for d in q.get("distractors", []))]))
        lines = self.common_comments(q, question_feedback=True)
        self.notes.append(
            Message(
                "GIFT: question « {id} » (drag_words) becomes one multiple-choice "
                "missing-word question per gap.",
                id=q["id"],
            )
        )

        def answers(k: int, w: _Writer) -> list[str]:
            right = words[k]
            return ["\t=" + w.plain(right)] + [
                "\t~" + w.plain(other) for other in bank if other and other != right
            ]

        self.missing_words(q, segments, lines, answers)

    def missing_words(
        self,
        q: dict[str, Any],
        segments: list[str | list[str]],
        lines: list[str],
        answers: Callable[[int, _Writer], list[str]],
    ) -> None:
        """One missing-word question per blank; the others show as OTHER_BLANK."""
        blanks = [i for i, s in enumerate(segments) if isinstance(s, list)]
        base = q.get("title") or _one_line(q["statement"])
        if len(blanks) > 1:
            self.notes.append(
                Message(
                    "GIFT: question « {id} » has {n} blanks; GIFT has one per question, "
                    "so it becomes {n} questions.",
                    id=q["id"],
                    n=len(blanks),
                )
            )

        def run(parts: list[str | list[str]]) -> str:
            joined = "".join(OTHER_BLANK if isinstance(p, list) else p for p in parts)
            return _Writer.plain(joined, collapse=False)  # keep the spaces around the blank

        for k, at in enumerate(blanks):
            w = _Writer([])
            title = base if len(blanks) == 1 else f"{base} ({k + 1}/{len(blanks)})"
            chunk = list(lines) if k == 0 else [_comment(f"Imaginecole: « {q['id']} » {k + 1}")]
            chunk.append(w.head(title, "", rich=False) + run(segments[:at]) + "{")
            chunk += answers(k, w)
            self.close(q, w, chunk, after=run(segments[at + 1 :]))

    def comment_only(self, q: dict[str, Any]) -> None:
        reason = {
            "ordering": "GIFT has no ordering question",
            "flashcards": "flashcards are not assessed",
        }[q["kind"]]
        lines = [
            _comment(f"Imaginecole: {q['kind']} « {q['id']} » — not exported: {reason}."),
            _comment(_one_line(q["statement"])),
        ]
        if q["kind"] == "ordering":
            lines += [_comment(f"{n}. {item}") for n, item in enumerate(q["items"], 1)]
        else:
            lines += [
                _comment(f"{_one_line(c['front'])} -> {_one_line(c['back'])}") for c in q["cards"]
            ]
        self.chunks.append(lines)
        self.notes.append(
            Message(
                "GIFT: question « {id} » ({kind}) cannot be written in GIFT; "
                "it is kept as a comment only.",
                id=q["id"],
                kind=q["kind"],
            )
        )

    def run(self) -> str:
        title = self.manifest.get("metadata", {}).get("title", "Imaginecole")
        category = " ".join(title.split()).replace("/", "//")
        header = [
            _comment(f"Imaginecole Studio — GIFT: {title}"),
            _comment(f"grain {self.manifest.get('id', '')} ({self.language})"),
        ]
        handlers = {
            "single_choice": self.choices,
            "multiple_choice": self.choices,
            "true_false": self.true_false,
            "matching": self.matching,
            "fill_blanks": self.fill_blanks,
            "drag_words": self.drag_words,
            "ordering": self.comment_only,
            "flashcards": self.comment_only,
        }
        for q in self.manifest["questions"]:
            handlers[q["kind"]](q)
        if not self.count:
            raise ExportError(
                "The grain « {title} » holds no question GIFT can write "
                "(ordering and flashcards cannot be); choose another format, such as qti21 "
                "or moodle-xml.",
                title=title,
            )
        parts = [header, [f"$CATEGORY: $course$/top/{category}"], *self.chunks]
        return "\n\n".join("\n".join(lines) for lines in parts) + "\n"


def gift_with_notes(manifest: dict[str, Any]) -> tuple[str, list[Message]]:
    """The GIFT text of `manifest` and what could not be written in GIFT."""
    export = _Export(manifest)
    return export.run(), export.notes


def export_gift(manifest: dict[str, Any]) -> str:
    """The GIFT text of a grain manifest; raises ExportError when nothing can be written."""
    return gift_with_notes(manifest)[0]


class GiftExporter(Exporter):
    name = "gift"
    extension = ".gift"
    description = N_("GIFT questions for Moodle (text file)")

    def export(self, bundle: Bundle, out: Path) -> Path:
        text, notes = gift_with_notes(bundle.manifest)
        bundle.warnings.extend(str(note) for note in notes)
        return write_output(out, text.encode("utf-8"))
