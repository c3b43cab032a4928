"""The form of one question, for every question kind of grain.schema.json.

A :class:`QuestionEditor` edits its question dict in place (the very object inside the
builder's manifest) and calls back: `on_change` after every edit, `on_delete(label,
restore)` after a deletion that « Annuler la suppression » can undo, `on_move(editor,
step)` and `on_remove(editor)` for its own place in the grain. Lists inside a question
(choices, pairs, items, cards) are rebuilt on add and delete only, never while typing, so
the focus stays where the teacher writes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets

from ..bundle.model import question_kinds
from ..bundle.starters import starter_questions
from ..i18n import gettext_for
from .form_fields import (
    button,
    check_field,
    choice_field,
    close_tree,
    column,
    error_slot,
    html_block,
    number_field,
    plain_from_rich,
    rich_from_plain,
    row,
    text_field,
)
from .media_upload import MediaDisclosure, MediaField
from .question_lists import CardsBody, ChoicesBody, ItemsBody, PairsBody

QUESTION_KINDS = question_kinds()
Changed = Callable[[], None]
Deleted = Callable[[str, Callable[[], None]], None]


def kind_labels(language: str) -> dict[str, str]:
    """Teacher-facing names of the grain kinds."""
    _ = gettext_for(language)
    return {
        "single_choice": _("Single choice"),
        "multiple_choice": _("Multiple choice"),
        "true_false": _("True or false"),
        "fill_blanks": _("Fill in the blanks"),
        "drag_words": _("Drag the words"),
        "matching": _("Matching"),
        "ordering": _("Ordering"),
        "flashcards": _("Flashcards"),
        "question_set": _("Question set (mixed kinds)"),
    }


def new_question(kind: str, language: str, taken: set[str]) -> dict[str, Any]:
    """A working example question of `kind` (to replace), with an id not in `taken`."""
    question = starter_questions(kind, language)[0]
    n = 1
    while f"q{n}" in taken:
        n += 1
    question["id"] = f"q{n}"
    return question


class TrueFalseBody(ipywidgets.VBox):
    def __init__(self, question: dict[str, Any], *, language: str, on_change: Changed, **_kw):
        super().__init__()
        _ = gettext_for(language)

        def set_answer(value: bool) -> None:
            question["answer"] = value
            on_change()

        self.answer = choice_field(
            _("The statement is"),
            [(_("True"), True), (_("False"), False)],
            question.get("answer", True),
            set_answer,
        )
        self.errors = error_slot()
        self.children = [self.answer, self.errors]

    def error_slots(self) -> dict[str, ipywidgets.HTML]:
        return {"answer": self.errors}


class MarkedTextBody(ipywidgets.VBox):
    """fill_blanks and drag_words: a text whose *marked* words are the answers."""

    def __init__(self, question: dict[str, Any], *, language: str, on_change: Changed, **_kw):
        super().__init__()
        _ = gettext_for(language)
        self.question = question
        blanks = question.get("kind") == "fill_blanks"
        if blanks:
            label = _("Text with blanks")
            help_text = _(
                "Put each answer between asterisks: Le fleuve *Niger*. Separate accepted "
                "variants with a slash: *Niger/niger*."
            )
        else:
            label = _("Text with the words to place")
            help_text = _("Put each word to place between asterisks: Le *baobab* est un arbre.")

        def set_text(text: str) -> None:
            question["text"] = text
            on_change()

        self.text = text_field(label, question.get("text", ""), set_text, multiline=True, rows=4)
        self.text_errors = error_slot()
        children = [
            self.text,
            html_block(f"<p class='icb-help'>{html.escape(help_text)}</p>"),
            self.text_errors,
        ]
        self.extra_errors = error_slot()
        if blanks:

            def set_case(value: bool) -> None:
                if value:
                    question["case_sensitive"] = True
                else:
                    question.pop("case_sensitive", None)
                on_change()

            children.append(
                check_field(
                    _("Capital letters count (Niger is not niger)"),
                    question.get("case_sensitive", False),
                    set_case,
                )
            )
        else:

            def set_distractors(text: str) -> None:
                words = [w.strip() for w in re.split(r"[,;\n]", text) if w.strip()]
                if words:
                    question["distractors"] = words
                else:
                    question.pop("distractors", None)
                on_change()

            children.append(
                text_field(
                    _("Extra words that do not fit (optional, separated by commas)"),
                    ", ".join(question.get("distractors") or []),
                    set_distractors,
                )
            )
        children.append(self.extra_errors)
        self.children = children

    def error_slots(self) -> dict[str, ipywidgets.HTML]:
        extra = "case_sensitive" if self.question.get("kind") == "fill_blanks" else "distractors"
        return {"text": self.text_errors, extra: self.extra_errors}


BODIES: dict[str, type] = {
    "single_choice": ChoicesBody,
    "multiple_choice": ChoicesBody,
    "true_false": TrueFalseBody,
    "fill_blanks": MarkedTextBody,
    "drag_words": MarkedTextBody,
    "matching": PairsBody,
    "ordering": ItemsBody,
    "flashcards": CardsBody,
}


class QuestionEditor(ipywidgets.VBox):
    """One question: header with its place and actions, statement, media, kind, options."""

    def __init__(
        self,
        question: dict[str, Any],
        *,
        language: str,
        bundle_dir: Path | str,
        on_change: Changed,
        on_delete: Callable[[str, Callable[[], None], dict[str, Any]], None],
        on_move: Callable[[QuestionEditor, int], None],
        on_remove: Callable[[QuestionEditor], None],
        heading_level: int = 3,
    ) -> None:
        super().__init__()
        self.add_class("icb-question")
        self.question = question
        self.language = language
        self.bundle_dir = Path(bundle_dir)
        self.heading_level = heading_level
        self._on_change = on_change
        # the builder learns which question a deletion belongs to, to focus it after an undo
        self._on_delete = lambda label, restore: on_delete(label, restore, question)
        self._ = _ = gettext_for(language)
        self.heading = html_block("", "icb-question-heading")
        self.up = button(_("Move up"), lambda: on_move(self, -1), icon="arrow-up", kind="quiet")
        self.down = button(
            _("Move down"), lambda: on_move(self, 1), icon="arrow-down", kind="quiet"
        )
        self.remove = button(
            _("Delete the question"), lambda: on_remove(self), icon="trash", kind="danger"
        )
        self.actions = row([self.up, self.down, self.remove], "icb-question-actions")
        self.errors = error_slot()
        self.body_box = ipywidgets.VBox()
        self.children = [self.heading, self.errors, self.body_box, self.actions]
        self.build()

    @property
    def kind(self) -> str:
        return str(self.question.get("kind", ""))

    def build(self) -> None:
        """(Re)build the fields from the question dict, e.g. after an undo."""
        _ = self._
        q = self.question
        old = list(self.body_box.children)
        self.slots: dict[str, ipywidgets.HTML] = {"": self.errors}

        def set_statement(text: str) -> None:
            q["statement"] = rich_from_plain(text)
            self._on_change()

        kind = self.kind
        statement_label = (
            _("Instruction")
            if kind in ("fill_blanks", "drag_words", "flashcards")
            else _("Question")
        )
        statement = text_field(
            statement_label,
            plain_from_rich(q.get("statement", "")),
            set_statement,
            multiline=True,
            rows=2,
            placeholder=_("Write the question as pupils will read it"),
        )
        statement.add_class("icb-statement")
        self.statement = statement
        self.slots["statement"] = error_slot()
        body_cls = BODIES.get(kind)
        self.body = None
        if body_cls is not None:
            self.body = body_cls(
                q,
                language=self.language,
                bundle_dir=self.bundle_dir,
                on_change=self._on_change,
                on_delete=self._on_delete,
            )
        self.media = MediaField(
            q,
            card=False,
            bundle_dir=self.bundle_dir,
            language=self.language,
            on_change=self._on_change,
            on_delete=self._on_delete,
            owner=_("question {n}").format(n=1),
            slot_prefix="media",
        )
        options = self._options()
        children = [statement, self.slots["statement"]]
        if self.body is not None:
            children.append(self.body)
        else:
            children.append(
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(_("This kind of question cannot be edited here."))
                    + "</p>"
                )
            )
        self.media_disclosure = MediaDisclosure(self.media, language=self.language)
        children += [self.media_disclosure, options]
        self.body_box.children = children
        for widget in old:
            close_tree(widget)

    def _options(self) -> ipywidgets.VBox:
        _ = self._
        q = self.question

        def set_hint(text: str) -> None:
            if text.strip():
                q["hint"] = text
            else:
                q.pop("hint", None)
            self._on_change()

        def set_points(value: float) -> None:
            q["points"] = value
            self._on_change()

        def set_feedback(key: str) -> Callable[[str], None]:
            def set_text(text: str) -> None:
                feedback = q.setdefault("feedback", {})
                if text.strip():
                    feedback[key] = text
                else:
                    feedback.pop(key, None)
                if not feedback:
                    q.pop("feedback")
                self._on_change()

            return set_text

        feedback = q.get("feedback") if isinstance(q.get("feedback"), dict) else {}
        fields: list[ipywidgets.Widget] = [
            html_block(f"<p class='icb-subtitle'>{html.escape(_('Messages and points'))}</p>")
        ]
        if self.kind != "flashcards":
            for key, label in (
                ("correct", _("Message after a right answer")),
                ("incorrect", _("Message after a wrong answer")),
            ):
                fields.append(text_field(label, feedback.get(key, ""), set_feedback(key)))
                self.slots[f"feedback.{key}"] = error_slot()
                fields.append(self.slots[f"feedback.{key}"])
        fields.append(
            text_field(
                _("Hint (optional)"),
                q.get("hint", ""),
                set_hint,
                placeholder=_("A clue pupils can open before answering"),
            )
        )
        self.slots["hint"] = error_slot()
        fields.append(self.slots["hint"])
        points = q.get("points", 1)
        fields.append(
            number_field(
                _("Points"),
                points if isinstance(points, int | float) and points > 0 else 1,
                set_points,
                minimum=0.1,
                maximum=100,
                step=0.1,
            )
        )
        self.slots["points"] = error_slot()
        fields.append(self.slots["points"])
        box = column(fields, "icb-options")
        return box

    def set_position(self, index: int, total: int, kind_label: str) -> None:
        """Show the question's number, and enable the moves that make sense there."""
        _ = self._
        level = self.heading_level
        title = _("Question {n} of {total}").format(n=index + 1, total=total)
        self.heading.value = (
            f"<h{level} class='icb-question-title'>{html.escape(title)}"
            f" <span class='icb-kind'>{html.escape(kind_label)}</span></h{level}>"
        )
        self.up.disabled = index == 0
        self.down.disabled = index == total - 1
        self.remove.disabled = total <= 1
        name = _("question {n}").format(n=index + 1)
        self.up.tooltip = _("Move up: {item}").format(item=name)
        self.down.tooltip = _("Move down: {item}").format(item=name)
        self.remove.tooltip = (
            _("A grain needs at least one question")
            if total <= 1
            else _("Delete {name}").format(name=name)
        )
        for slot in self.media.slots.values():
            slot.owner = name

    def error_slots(self) -> dict[str, ipywidgets.HTML]:
        slots = dict(self.slots)
        if self.body is not None:
            slots.update(self.body.error_slots())
        slots.update(self.media.error_slots())
        return slots
