"""Lists inside a question: choices, matching pairs, items to order, flashcards.

Each list is rebuilt when an entry is added, deleted or moved, never while the teacher
types, so the focus stays in the field being written. After a rebuild the focus goes to
the new entry or follows the moved one, once the page has drawn it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets

from ..i18n import gettext_for
from .form_fields import (
    button,
    check_field,
    close_tree,
    column,
    error_slot,
    first_control,
    html_block,
    later_focus,
    plain_from_rich,
    rich_from_plain,
    row,
    text_field,
)
from .media_upload import MediaDisclosure, MediaField

Changed = Callable[[], None]
Deleted = Callable[[str, Callable[[], None]], None]


def _new_id(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


class ListBody(ipywidgets.VBox):
    """A list inside a question (choices, pairs…): one row per entry, add and delete."""

    key = ""  # the question's field that holds the list
    maximum = 20

    def __init__(
        self,
        question: dict[str, Any],
        *,
        language: str,
        bundle_dir: Path,
        on_change: Changed,
        on_delete: Deleted,
    ) -> None:
        super().__init__()
        self.add_class("icb-list")
        self.question = question
        self.language = language
        self.bundle_dir = bundle_dir
        self._ = gettext_for(language)
        self._on_change, self._on_delete = on_change, on_delete
        self.list_errors = error_slot()
        self.rows = ipywidgets.VBox()
        self.rows.add_class("icb-rows")
        self.add_button = button(self.add_label(), self.add, icon="plus", kind="secondary")
        self.row_slots: dict[str, ipywidgets.HTML] = {}
        self.children = [self.intro(), self.rows, self.list_errors, self.add_button]
        self.rebuild()

    # -- to define per kind ---------------------------------------------------------------

    def intro(self) -> ipywidgets.Widget:
        return html_block("")

    def add_label(self) -> str:
        raise NotImplementedError

    def blank(self) -> Any:
        raise NotImplementedError

    def make_row(self, index: int, entry: Any) -> list[ipywidgets.Widget]:
        raise NotImplementedError

    def entry_name(self, index: int) -> str:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------

    @property
    def entries(self) -> list[Any]:
        value = self.question.get(self.key)
        if not isinstance(value, list):
            value = self.question[self.key] = []
        return value

    def rebuild(self) -> None:
        old = list(self.rows.children)
        self.row_slots = {}
        rows = []
        for index, entry in enumerate(self.entries):
            box = ipywidgets.VBox(self.make_row(index, entry))
            box.add_class("icb-entry")
            rows.append(box)
        self.rows.children = rows
        for widget in old:
            close_tree(widget)
        self.add_button.disabled = len(self.entries) >= self.maximum

    def add(self) -> None:
        if len(self.entries) >= self.maximum:
            return
        self.entries.append(self.blank())
        self.rebuild()
        self._on_change()
        self.focus_last()

    def focus_last(self) -> None:
        """Put the focus in the new entry (after the rebuild has reached the page)."""
        if self.rows.children:
            later_focus(first_control(self.rows.children[-1]))

    def delete(self, index: int) -> None:
        entries = self.entries
        if not 0 <= index < len(entries):
            return
        removed = entries.pop(index)
        label = self.entry_name(index)

        def restore() -> None:
            self.entries.insert(min(index, len(self.entries)), removed)

        self.rebuild()
        self._on_delete(label, restore)
        self._on_change()

    def move(self, index: int, step: int) -> None:
        entries = self.entries
        to = index + step
        if not (0 <= index < len(entries) and 0 <= to < len(entries)):
            return
        entries[index], entries[to] = entries[to], entries[index]
        self.rebuild()
        self._on_change()
        up, down = self.rows.children[to].children[-1].children[:2]
        # keep moving the same way with the same key, unless that end is reached
        if step < 0:
            later_focus(up if to > 0 else down)
        else:
            later_focus(down if to < len(entries) - 1 else up)

    def slot(self, key: str) -> ipywidgets.HTML:
        slot = error_slot()
        self.row_slots[key] = slot
        return slot

    def error_slots(self) -> dict[str, ipywidgets.HTML]:
        return {self.key: self.list_errors, **self.row_slots}

    def delete_button(self, index: int) -> ipywidgets.Button:
        _ = self._
        return button(
            _("Delete"),
            lambda: self.delete(index),
            icon="trash",
            tooltip=_("Delete {name}").format(name=self.entry_name(index)),
            kind="quiet",
        )

    def move_buttons(self, index: int) -> ipywidgets.HBox:
        _ = self._
        name = self.entry_name(index)
        up = button(
            _("Move up"),
            lambda: self.move(index, -1),
            icon="arrow-up",
            tooltip=_("Move up: {item}").format(item=name),
            kind="quiet",
        )
        down = button(
            _("Move down"),
            lambda: self.move(index, 1),
            icon="arrow-down",
            tooltip=_("Move down: {item}").format(item=name),
            kind="quiet",
        )
        up.disabled = index == 0
        down.disabled = index == len(self.entries) - 1
        return row([up, down, self.delete_button(index)], "icb-entry-actions")


class ChoicesBody(ListBody):
    key = "choices"
    maximum = 20

    def intro(self) -> ipywidgets.Widget:
        _ = self._
        text = (
            _("Write the answers and tick the right one.")
            if self.question.get("kind") == "single_choice"
            else _("Write the answers and tick every right one.")
        )
        return html_block(f"<p class='icb-help'>{html.escape(text)}</p>")

    def add_label(self) -> str:
        return self._("Add an answer")

    def rebuild(self) -> None:
        self._checks: dict[int, ipywidgets.Checkbox] = {}
        super().rebuild()

    def entry_name(self, index: int) -> str:
        return self._("answer {n}").format(n=index + 1)

    def blank(self) -> dict[str, Any]:
        taken = {c.get("id") for c in self.entries if isinstance(c, dict)}
        return {"id": _new_id("c", taken), "text": "", "correct": False}

    def make_row(self, index: int, entry: dict[str, Any]) -> list[ipywidgets.Widget]:
        _ = self._
        at = f"choices[{index}]"

        def set_text(text: str) -> None:
            entry["text"] = rich_from_plain(text)
            self._on_change()

        def set_feedback(text: str) -> None:
            if text.strip():
                entry["feedback"] = text
            else:
                entry.pop("feedback", None)
            self._on_change()

        def set_correct(value: bool) -> None:
            entry["correct"] = value
            if value and self.question.get("kind") == "single_choice":
                # one right answer: ticking one unticks the others
                for other_index, other in enumerate(self.entries):
                    if other is not entry and other.get("correct"):
                        other["correct"] = False
                        self._checks[other_index].value = False
            self._on_change()

        text = text_field(
            _("Answer {n}").format(n=index + 1),
            plain_from_rich(entry.get("text", "")),
            set_text,
            placeholder=_("Write an answer"),
        )
        correct = check_field(_("Right answer"), entry.get("correct", False), set_correct)
        self._checks[index] = correct
        feedback = text_field(
            _("Message if this answer is chosen (optional)"),
            entry.get("feedback", ""),
            set_feedback,
        )
        feedback.add_class("icb-secondary-field")
        return [
            text,
            self.slot(f"{at}.text"),
            row([correct, self.delete_button(index)], "icb-choice-row"),
            feedback,
            self.slot(f"{at}.feedback"),
        ]


class PairsBody(ListBody):
    key = "pairs"
    maximum = 20

    def intro(self) -> ipywidgets.Widget:
        text = self._("Write each item and its match. The player mixes the matches.")
        return html_block(f"<p class='icb-help'>{html.escape(text)}</p>")

    def add_label(self) -> str:
        return self._("Add a pair")

    def entry_name(self, index: int) -> str:
        return self._("pair {n}").format(n=index + 1)

    def blank(self) -> dict[str, str]:
        return {"left": "", "right": ""}

    def make_row(self, index: int, entry: dict[str, Any]) -> list[ipywidgets.Widget]:
        _ = self._
        at = f"pairs[{index}]"

        def setter(side: str) -> Callable[[str], None]:
            def set_side(text: str) -> None:
                entry[side] = text
                self._on_change()

            return set_side

        left = text_field(_("Item {n}").format(n=index + 1), entry.get("left", ""), setter("left"))
        right = text_field(
            _("Match {n}").format(n=index + 1), entry.get("right", ""), setter("right")
        )
        return [
            row(
                [
                    column([left, self.slot(f"{at}.left")], "icb-grow"),
                    column([right, self.slot(f"{at}.right")], "icb-grow"),
                ],
                "icb-pair",
            ),
            row([self.delete_button(index)], "icb-entry-actions"),
        ]


class ItemsBody(ListBody):
    key = "items"
    maximum = 20

    def intro(self) -> ipywidgets.Widget:
        text = self._(
            "Write the items in the right order, first at the top. The player mixes them."
        )
        return html_block(f"<p class='icb-help'>{html.escape(text)}</p>")

    def add_label(self) -> str:
        return self._("Add an item")

    def entry_name(self, index: int) -> str:
        return self._("item {n}").format(n=index + 1)

    def blank(self) -> str:
        return ""

    def make_row(self, index: int, entry: str) -> list[ipywidgets.Widget]:
        _ = self._

        def set_item(text: str) -> None:
            self.entries[index] = text
            self._on_change()

        field = text_field(_("Position {n}").format(n=index + 1), entry, set_item)
        return [field, self.slot(f"items[{index}]"), self.move_buttons(index)]


class CardsBody(ListBody):
    key = "cards"
    maximum = 100

    def intro(self) -> ipywidgets.Widget:
        text = self._("Each card has a front and a back; pupils turn it to check themselves.")
        return html_block(f"<p class='icb-help'>{html.escape(text)}</p>")

    def add_label(self) -> str:
        return self._("Add a card")

    def entry_name(self, index: int) -> str:
        return self._("card {n}").format(n=index + 1)

    def blank(self) -> dict[str, str]:
        return {"front": "", "back": ""}

    def make_row(self, index: int, entry: dict[str, Any]) -> list[ipywidgets.Widget]:
        _ = self._
        at = f"cards[{index}]"

        def setter(side: str) -> Callable[[str], None]:
            def set_side(text: str) -> None:
                entry[side] = rich_from_plain(text)
                self._on_change()

            return set_side

        front = text_field(
            _("Front of card {n}").format(n=index + 1),
            plain_from_rich(entry.get("front", "")),
            setter("front"),
            multiline=True,
            rows=2,
        )
        back = text_field(
            _("Back of card {n}").format(n=index + 1),
            plain_from_rich(entry.get("back", "")),
            setter("back"),
            multiline=True,
            rows=2,
        )
        media = MediaField(
            entry,
            card=True,
            bundle_dir=self.bundle_dir,
            language=self.language,
            on_change=self._on_change,
            on_delete=self._on_delete,
            owner=self.entry_name(index),
            slot_prefix=at,
        )
        self.row_slots.update(media.error_slots())
        return [
            front,
            self.slot(f"{at}.front"),
            back,
            self.slot(f"{at}.back"),
            MediaDisclosure(media, language=self.language),
            row([self.delete_button(index)], "icb-entry-actions"),
        ]
