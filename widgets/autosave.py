"""Autosave of a grain being edited: never lose work, never publish a broken grain.

Every edit is saved shortly after it is made (:class:`Debouncer`, about a second):

- a manifest that validates is written to ``manifest.json`` by ``save_manifest``
  (atomic rename, previous version kept as ``manifest.json.bak``), and any draft is
  removed because it is now behind;
- a manifest with problems is written, sanitised, to ``manifest.draft.json`` with the same
  atomic write, and ``manifest.json`` keeps the last valid version. Exporters and the
  catalogue only ever read ``manifest.json``, so they never see a broken grain.

On reopening (:func:`open_bundle`) the draft wins when it is at least as new as
``manifest.json``: the teacher finds the grain exactly as left, problems included. A draft
older than ``manifest.json`` (the grain was saved valid later, by another tool) is ignored
and replaced at the next invalid save.

:class:`AutosavingEditor` is what the editors (QuizBuilder, ComicEditor) share around it:
opening, saving now or later, saving what waits when the kernel stops, and saying so.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..bundle import BundleError, Problem, load_manifest, sanitize_manifest, save_manifest
from ..bundle.model import MANIFEST, now_iso
from ..hub.workbenches import atomic_write
from ..i18n import LANGUAGES, N_, Message, gettext_for
from .form_fields import error_slot, show_errors, style_sheet
from .live_status import LiveStatus

DRAFT = "manifest.draft.json"
# editors with an autosave that may still be waiting when the kernel shuts down
_OPEN_EDITORS: weakref.WeakSet = weakref.WeakSet()


def draft_path(bundle_dir: Path | str) -> Path:
    return Path(bundle_dir) / DRAFT


def has_draft(bundle_dir: Path | str) -> bool:
    """True when the bundle's draft is the version to reopen (see open_bundle)."""
    draft, main = draft_path(bundle_dir), Path(bundle_dir) / MANIFEST
    try:
        if not draft.is_file():
            return False
        return not main.is_file() or draft.stat().st_mtime_ns >= main.stat().st_mtime_ns
    except OSError:
        return False


def open_bundle(bundle_dir: Path | str) -> tuple[dict[str, Any], bool]:
    """(manifest to edit, True if it is the draft), upgraded but not validated.

    Raises BundleError when neither the draft nor manifest.json can be read.
    """
    if has_draft(bundle_dir):
        try:
            return load_manifest(draft_path(bundle_dir), validate=False), True
        except BundleError:
            pass  # a damaged draft: the last valid manifest is still there
    return load_manifest(bundle_dir, validate=False), False


@dataclass
class SaveResult:
    """What an autosave did: `valid` -> manifest.json, else the draft; `error` if neither."""

    valid: bool
    problems: list[Problem] = field(default_factory=list)
    when: datetime = field(default_factory=datetime.now)
    error: str = ""


def write_draft(bundle_dir: Path | str, manifest: dict[str, Any]) -> Path:
    """Write `manifest` (sanitised, stamped) to manifest.draft.json atomically."""
    data = sanitize_manifest(manifest)
    meta = data.get("metadata")
    if isinstance(meta, dict):
        meta["modified"] = now_iso()
    payload = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    path = draft_path(bundle_dir)
    atomic_write(path, payload)
    return path


def autosave(bundle_dir: Path | str, manifest: dict[str, Any]) -> SaveResult:
    """Save `manifest`: manifest.json when valid, else the draft. Never raises OSError."""
    try:
        try:
            save_manifest(bundle_dir, manifest)
        except BundleError as exc:
            write_draft(bundle_dir, manifest)
            return SaveResult(valid=False, problems=list(exc.problems))
        draft_path(bundle_dir).unlink(missing_ok=True)
        return SaveResult(valid=True)
    except (OSError, TypeError, ValueError) as exc:
        return SaveResult(valid=False, error=str(exc))


class Debouncer:
    """Call `callback` once, `delay` seconds after the last `schedule()`.

    Inside a kernel the delay runs on its asyncio loop; with no running loop (a plain
    Python session, unit tests) or with `delay` 0 the call happens at once.
    """

    def __init__(self, callback: Callable[[], None], delay: float) -> None:
        self.callback = callback
        self.delay = delay
        self._handle: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def schedule(self) -> None:
        self.cancel()
        loop = None
        if self.delay > 0:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        if loop is None:
            self.callback()
            return
        self._handle = loop.call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.callback()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def flush(self) -> None:
        """Run a pending call now."""
        if self._handle is not None:
            self.cancel()
            self.callback()


@atexit.register
def flush_open_editors() -> None:
    """A kernel shut down (page closed) within a second of an edit still saves it."""
    for editor in list(_OPEN_EDITORS):
        try:
            editor.flush()
        except Exception:  # the other bundles must still be saved
            pass


class AutosavingEditor:
    """Opening, autosave and the save status of an editor widget (QuizBuilder, ComicEditor).

    Mixed in before the widget class. The editor has a `status` trait, and sets
    `bundle_dir`, `language`, `_` (its gettext), `manifest` (None until opened),
    `opened_draft`, `problems`, `last_result`, `_saver` (a Debouncer of save_now) and
    `status_line` (a LiveStatus). The messages are formatted with {time} and {count}.
    """

    UNREADABLE = N_("This grain cannot be opened.")
    DRAFT_SAVED = N_(
        "Draft saved at {time}, not valid yet: {count} problem(s) to fix, shown in red. The "
        "last valid version is kept."
    )
    OPENED_DRAFT = N_(
        "Draft reopened at {time}: {count} problem(s) to fix, shown in red. The last valid "
        "version is kept."
    )
    OPENED_WITH_PROBLEMS = N_("Opened at {time}: {count} problem(s) to fix, shown in red.")
    OPENED = N_("Opened at {time}; everything is saved.")

    @property
    def title(self) -> str:
        return str((self.manifest or {}).get("metadata", {}).get("title", ""))

    def _setup(self, css_class: str) -> None:
        """The state an editor starts with, before its bundle is opened: the language (fr
        when unknown), `_`, nothing opened yet, the autosave and the status lines."""
        if self.language not in LANGUAGES:
            self.language = "fr"
        self.add_class(css_class)
        self._ = gettext_for(self.language)
        self.manifest: dict[str, Any] | None = None
        self.opened_draft = False
        self.last_result: SaveResult | None = None
        self._saver = Debouncer(self.save_now, self.autosave_delay)
        self.status_line = LiveStatus()
        self.status_line.add_class("icb-status")
        self.notice = LiveStatus()

    def _open_as(self, grain_type: str, items: str, wrong: Message) -> dict[str, Any] | None:
        """The manifest to edit when it is a `grain_type` with a list of `items`, or None
        with the reason shown (`wrong` when it is another kind of grain)."""
        manifest = self._open()
        if manifest is None:
            return None
        if manifest.get("type") != grain_type or not isinstance(manifest.get(items), list):
            self._show_unreadable(BundleError(self.bundle_dir, [Problem("type", wrong)]))
            return None
        return manifest

    def _open(self) -> dict[str, Any] | None:
        """The manifest to edit (see open_bundle), or None with the reason shown."""
        try:
            manifest, self.opened_draft = open_bundle(self.bundle_dir)
        except BundleError as exc:
            self._show_unreadable(exc)
            return None
        _OPEN_EDITORS.add(self)
        return manifest

    def _show_unreadable(self, exc: BundleError) -> None:
        show = error_slot()
        show_errors(
            show,
            [self._(self.UNREADABLE)] + [p.render(self.language) for p in exc.problems],
        )
        self.children = [style_sheet(), show]

    def _on_delay(self, change: dict) -> None:
        self._saver.delay = change["new"]

    def _save_soon(self) -> None:
        """Save `autosave_delay` seconds after this edit, unless another one comes first."""
        self._saver.delay = self.autosave_delay
        self._saver.schedule()

    def save_now(self) -> SaveResult | None:
        """Save at once (manifest.json when valid, else the draft); returns what happened."""
        self._saver.cancel()
        if self.manifest is None:
            return None
        result = autosave(self.bundle_dir, self.manifest)
        self.last_result = result
        _ = self._
        at = result.when.strftime("%H:%M")
        if result.error:
            self._status(
                _(
                    "Could not save ({error}). Your changes stay in this page: try again, "
                    "or call the trainer."
                ).format(error=result.error),
                "error",
            )
        elif result.valid:
            self._status(_("Saved at {time}").format(time=at), "ok")
        else:
            self._status(_(self.DRAFT_SAVED).format(time=at, count=len(result.problems)), "warning")
        return result

    def flush(self) -> None:
        """Save now if an edit is waiting for its autosave."""
        saver = getattr(self, "_saver", None)
        if saver is not None and saver.pending:
            self.save_now()

    def close(self) -> None:
        self.flush()
        super().close()

    def _status(self, text: str, tone: str) -> None:
        self.status = text
        self.status_line.show(text, tone)

    def _opened_status(self) -> None:
        _ = self._
        at = datetime.now().strftime("%H:%M")
        if self.opened_draft:
            text, tone = self.OPENED_DRAFT, "warning"
        elif self.problems:
            text, tone = self.OPENED_WITH_PROBLEMS, "warning"
        else:
            text, tone = self.OPENED, "ok"
        self._status(_(text).format(time=at, count=len(self.problems)), tone)
