"""The comic editor's undo history: bounded stacks of whole manifests.

A manifest is small (a comic of 60 pages is a few hundred kilobytes), so each step keeps a
deep copy of the comic as it was: undo and redo are exact, whatever the operation.
"""

from __future__ import annotations

import copy
from typing import Any

HISTORY_LIMIT = 100


class History:
    """Bounded undo and redo stacks of whole manifests (deep copies)."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self.undo_stack: list[dict[str, Any]] = []
        self.redo_stack: list[dict[str, Any]] = []
        self.last_key: Any = None

    def push(self, before: dict[str, Any], key: Any = None) -> None:
        """Record the state before an edit; a new edit forgets what could be redone.

        Edits with the same `key` in a row (the letters typed in one text) are undone
        together: only the state before the first one is kept.
        """
        self.redo_stack.clear()
        if key is not None and key == self.last_key and self.undo_stack:
            return
        self.last_key = key
        self.undo_stack.append(copy.deepcopy(before))
        del self.undo_stack[: -self.limit]

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    def undo(self, current: dict[str, Any]) -> dict[str, Any] | None:
        self.last_key = None
        if not self.undo_stack:
            return None
        self.redo_stack.append(copy.deepcopy(current))
        return self.undo_stack.pop()

    def redo(self, current: dict[str, Any]) -> dict[str, Any] | None:
        self.last_key = None
        if not self.redo_stack:
            return None
        self.undo_stack.append(copy.deepcopy(current))
        del self.undo_stack[: -self.limit]
        return self.redo_stack.pop()


# typing in a form's text field sends one edit per key (marked "typing"): they are undone
# together; a text written in place on the page is one edit
TYPING_OPS = ("set_text", "set_alt", "set_image_alt", "set_gutter", "set_audio")


def history_key(op: dict[str, Any]) -> Any:
    """What makes consecutive edits one step of Undo (None: every edit is its own step)."""
    if op.get("op") in TYPING_OPS and op.get("typing"):
        return (op.get("op"), op.get("page"), op.get("panel"), op.get("el"))
    return None
