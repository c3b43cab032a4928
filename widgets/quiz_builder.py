"""QuizBuilder: write a grain of any kind, see it played live, and never lose work.

``QuizBuilder(bundle_dir, language="fr")`` opens the grain in `bundle_dir` (its draft if
that is newer, see :mod:`imaginecole.widgets.autosave`) and shows:

- the questions, each with its own form (question_forms), up/down/delete buttons, and an
  « Ajouter une question » button (any kind in a question set);
- the settings (pass mark…), the grain's description (metadata_form) and, in the
  ``details`` view, the images and sounds of every question;
- beside them (below on a narrow screen) the live preview: the one player
  (PlayerPreview) playing the grain as edited;
- a status line: « Enregistré à 10:42 », or « Brouillon non valide enregistré à 10:42 »
  with every problem shown in red next to its field;
- « Annuler la suppression » after any deletion (question, answer, pair, item, card, media).

Every edit is validated at once, shown in the preview at once, and saved about a second
later (`autosave_delay`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets
from traitlets import Enum, Float, Int, List, Unicode

from ..bundle import Problem, sanitize_manifest, validate_manifest
from ..i18n import gettext_for
from .autosave import AutosavingEditor, Debouncer, SaveResult, flush_open_editors
from .form_fields import (
    button,
    choice_field,
    close_tree,
    column,
    error_slot,
    first_control,
    html_block,
    later_focus,
    relative,
    route_problems,
    row,
    show_errors,
    style_sheet,
)
from .live_status import LiveStatus
from .metadata_form import MetadataForm, SettingsForm, default_author
from .player_preview import PlayerPreview, media_references, preview_media
from .question_forms import QUESTION_KINDS, QuestionEditor, kind_labels, new_question

VIEWS = ("all", "questions", "details", "preview")
MAX_QUESTIONS = 200
# what atexit runs when the kernel shuts down: the name the tests know
_flush_open_builders = flush_open_editors


class QuizBuilder(AutosavingEditor, ipywidgets.VBox):
    """Editor of one grain bundle, with its live preview and autosave."""

    bundle_dir = Unicode(help="The grain's folder (manifest.json and media/).")
    language = Unicode("fr", help="Language of the interface: fr, en or ar.")
    view = Enum(
        list(VIEWS),
        default_value="all",
        help="What is shown: all; questions (questions and settings); details (media and "
        "description); preview (the preview alone, full width).",
    )
    autosave_delay = Float(
        1.0,
        help="Seconds between the last edit and the save; 0 saves at every edit. Without "
        "a running event loop (plain Python, tests) saves happen at once.",
    )
    heading_level = Int(2, help="HTML level of the section headings (questions one below).")
    status = Unicode(help="The save status as shown to the teacher (read-only).")
    problems = List(help="Problems of the grain as edited, as Problem objects (read-only).")

    def __init__(self, bundle_dir: Path | str, language: str = "fr", **kwargs: Any) -> None:
        super().__init__(bundle_dir=str(bundle_dir), language=language, **kwargs)
        self.add_class("icb")
        self._ = gettext_for(self.language)
        self.manifest: dict[str, Any] | None = None
        self.opened_draft = False
        self.editors: list[QuestionEditor] = []
        self.last_result: SaveResult | None = None
        self._deletion: tuple[str, Callable[[], None], dict | None] | None = None
        self._media_refs: tuple[str, ...] | None = None
        self._saver = Debouncer(self.save_now, self.autosave_delay)
        self.observe(self._on_delay, names=["autosave_delay"])
        self.status_line = LiveStatus()
        self.status_line.add_class("icb-status")
        manifest = self._open()
        if manifest is None:
            return
        self.manifest = self._normalised(manifest)
        self._build()
        self.observe(self._on_view, names=["view"])
        if self._prefill_author():
            self._changed()
        else:
            self._revalidate()
            self._update_preview()
        self._opened_status()

    # -- building ---------------------------------------------------------------------------

    @staticmethod
    def _normalised(manifest: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(manifest.get("metadata"), dict):
            manifest["metadata"] = {}
        if not isinstance(manifest.get("questions"), list):
            manifest["questions"] = []
        manifest["questions"] = [q for q in manifest["questions"] if isinstance(q, dict)]
        if not isinstance(manifest.get("settings"), dict):
            manifest["settings"] = {}
        return manifest

    def _build(self) -> None:
        _ = self._
        level = self.heading_level
        self.undo_button = button(_("Undo the deletion"), self.undo, icon="undo", kind="secondary")
        self.undo_button.layout.display = "none"
        self.notice = LiveStatus()
        toolbar = row([self.status_line, self.undo_button, self.notice], "icb-toolbar")
        self.global_errors = error_slot()

        # questions
        self.questions_box = ipywidgets.VBox()
        self.questions_box.add_class("icb-questions")
        labels = kind_labels(self.language)
        self.add_kind = None
        add_children: list[ipywidgets.Widget] = []
        if self.manifest["kind"] == "question_set":
            self.add_kind = choice_field(
                _("Kind of the new question"),
                [(labels[k], k) for k in QUESTION_KINDS],
                "single_choice",
                lambda _value: None,
            )
            add_children.append(self.add_kind)
        self.add_button = button(
            _("Add a question"), self.add_question, icon="plus", kind="primary"
        )
        add_children.append(self.add_button)
        self.questions_section = column(
            [
                self._heading(_("Questions"), level),
                self.questions_box,
                row(add_children, "icb-add-question"),
            ],
            "icb-section",
        )
        # settings
        self.settings_form = SettingsForm(
            self.manifest["settings"], language=self.language, on_change=self._changed
        )
        self.settings_section = column(
            [self._heading(_("How the grain plays"), level), self.settings_form], "icb-section"
        )
        # media overview
        self.media_box = ipywidgets.VBox()
        self.media_section = column(
            [
                self._heading(_("Images and sounds"), level),
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(
                        _(
                            "Each question can show an image or play a sound. Every image needs "
                            "an alternative text and every sound a transcript, for the pupils "
                            "who cannot see or hear them."
                        )
                    )
                    + "</p>"
                ),
                self.media_box,
            ],
            "icb-section",
        )
        # description
        self.metadata_form = MetadataForm(
            self.manifest["metadata"], language=self.language, on_change=self._changed
        )
        self.metadata_section = column(
            [self._heading(_("Description of the grain"), level), self.metadata_form],
            "icb-section",
        )
        # preview
        self.preview = PlayerPreview()
        self.preview.observe(self._on_result, names=["result"])
        self.result_line = html_block("", "icb-result")
        self.preview_section = column(
            [
                self._heading(_("Preview: what pupils will see"), level),
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(_("Try the grain here as a pupil would. Nothing is recorded."))
                    + "</p>"
                ),
                self.preview,
                self.result_line,
            ],
            "icb-section",
            "icb-preview",
        )
        self.editor_column = column(
            [
                self.questions_section,
                self.settings_section,
                self.media_section,
                self.metadata_section,
            ],
            "icb-editor",
        )
        self.columns = row([self.editor_column, self.preview_section], "icb-columns")
        self._build_editors()
        self.children = [style_sheet(), toolbar, self.global_errors, self.columns]
        self._apply_view()

    def _heading(self, text: str, level: int) -> ipywidgets.HTML:
        level = min(max(level, 2), 6)
        return html_block(f"<h{level}>{html.escape(text)}</h{level}>", "icb-heading")

    def _build_editors(self) -> None:
        old = list(self.editors)
        self.editors = [self._editor(q) for q in self.manifest["questions"]]
        self._place_editors()
        for editor in old:
            close_tree(editor)

    def _editor(self, question: dict[str, Any]) -> QuestionEditor:
        return QuestionEditor(
            question,
            language=self.language,
            bundle_dir=self.bundle_dir,
            on_change=self._changed,
            on_delete=self._record_deletion,
            on_move=self.move_question,
            on_remove=self.delete_question,
            heading_level=min(self.heading_level + 1, 6),
        )

    def _place_editors(self) -> None:
        labels = kind_labels(self.language)
        total = len(self.editors)
        for index, editor in enumerate(self.editors):
            editor.set_position(index, total, labels.get(editor.kind, editor.kind))
        self.questions_box.children = list(self.editors)
        self.add_button.disabled = total >= MAX_QUESTIONS
        self._build_media_overview()

    def _build_media_overview(self) -> None:
        _ = self._
        level = min(self.heading_level + 1, 6)
        children = []
        for index, editor in enumerate(self.editors):
            title = _("Question {n}").format(n=index + 1)
            children += [
                html_block(f"<h{level}>{html.escape(title)}</h{level}>", "icb-heading"),
                editor.media,
            ]
        self.media_box.children = children

    # -- views ------------------------------------------------------------------------------

    def _on_view(self, _change: dict) -> None:
        self._apply_view()

    def _apply_view(self) -> None:
        shown = {
            "all": ("questions", "settings", "metadata", "preview"),
            "questions": ("questions", "settings", "preview"),
            "details": ("media", "metadata", "preview"),
            "preview": ("preview",),
        }[self.view]
        for name in ("questions", "settings", "media", "metadata", "preview"):
            section = getattr(self, f"{name}_section")
            section.layout.display = None if name in shown else "none"
        self.editor_column.layout.display = "none" if self.view == "preview" else None
        if self.view == "preview":
            self.columns.add_class("icb-preview-only")
        else:
            self.columns.remove_class("icb-preview-only")

    # -- editing ----------------------------------------------------------------------------

    def _changed(self) -> None:
        """After every edit: validate, show the problems, update the preview, save soon."""
        self._revalidate()
        self._update_preview()
        self._save_soon()

    def _revalidate(self) -> list[Problem]:
        problems = validate_manifest(self.manifest, self.bundle_dir)
        self.problems = problems
        pairs = [(p.path, p.message) for p in problems]
        claimed = set()
        for index, editor in enumerate(self.editors):
            prefix = f"questions[{index}]"
            mine = relative(pairs, prefix)
            route_problems(editor.error_slots(), mine, self.language)
            claimed.update(p for p, _m in pairs if p == prefix or p.startswith(prefix + "."))
            claimed.update(p for p, _m in pairs if p.startswith(prefix + "["))
        for prefix, form in (("metadata", self.metadata_form), ("settings", self.settings_form)):
            route_problems(form.error_slots(), relative(pairs, prefix), self.language)
            claimed.update(p for p, _m in pairs if p == prefix or p.startswith(prefix + "."))
        rest = [self._whole(p) for p in problems if p.path not in claimed]
        show_errors(self.global_errors, rest)
        return problems

    def _whole(self, problem: Problem) -> str:
        if problem.path == "questions":
            return problem.message.render(self.language)
        return problem.render(self.language)

    def _update_preview(self) -> None:
        self.preview.manifest = sanitize_manifest(self.manifest)
        refs = tuple(dict.fromkeys(media_references(self.manifest)))
        if refs != self._media_refs:
            self._media_refs = refs
            media, skipped = preview_media(self.bundle_dir, self.manifest)
            self.preview.media = media
            existing = [s for s in skipped if (Path(self.bundle_dir) / s).is_file()]
            self.preview.note = (
                self._(
                    "Too large for the preview, not shown here (they are in the exported "
                    "page): {names}"
                ).format(names=", ".join(s.removeprefix("media/") for s in existing))
                if existing
                else ""
            )

    def add_question(self) -> QuestionEditor | None:
        """Add a working example question of the grain's kind (or the chosen kind)."""
        questions = self.manifest["questions"]
        if len(questions) >= MAX_QUESTIONS:
            return None
        grain_kind = self.manifest.get("kind")
        kind = self.add_kind.value if self.add_kind is not None else grain_kind
        if kind not in QUESTION_KINDS:
            kind = "single_choice"
        language = self.manifest["metadata"].get("language", "fr")
        taken = {q.get("id") for q in questions}
        question = new_question(kind, language, taken)
        questions.append(question)
        editor = self._editor(question)
        self.editors.append(editor)
        self._place_editors()
        self._changed()
        self.notice.show(self._("Question {n} added.").format(n=len(questions)))
        later_focus(editor.statement)
        return editor

    def move_question(self, editor: QuestionEditor, step: int) -> None:
        """Move a question up (step -1) or down (+1)."""
        i = self.editors.index(editor)
        j = i + step
        questions = self.manifest["questions"]
        if not 0 <= j < len(questions):
            return
        questions[i], questions[j] = questions[j], questions[i]
        self.editors[i], self.editors[j] = self.editors[j], self.editors[i]
        self._place_editors()
        self._changed()
        total = len(questions)
        self.notice.show(
            self._("The question is now number {n} of {total}.").format(n=j + 1, total=total)
        )
        # the same key keeps moving it the same way, unless it has reached the end
        if step < 0:
            later_focus(editor.up if j > 0 else editor.down)
        else:
            later_focus(editor.down if j < total - 1 else editor.up)

    def delete_question(self, editor: QuestionEditor) -> None:
        questions = self.manifest["questions"]
        if len(questions) <= 1:
            return
        i = self.editors.index(editor)
        removed = questions.pop(i)
        self.editors.pop(i)
        self._place_editors()
        close_tree(editor)

        def restore() -> None:
            self.manifest["questions"].insert(min(i, len(self.manifest["questions"])), removed)

        self._record_deletion(self._("question {n}").format(n=i + 1), restore, removed)
        self._changed()

    def _record_deletion(
        self, label: str, restore: Callable[[], None], question: dict | None = None
    ) -> None:
        self._deletion = (label, restore, question)
        self.undo_button.layout.display = None
        self.undo_button.tooltip = self._("Undo the deletion of {what}").format(what=label)
        self.notice.show(self._("Deleted: {what}.").format(what=label))
        later_focus(self.undo_button)

    def undo(self) -> bool:
        """Put back what the last deletion removed; False if there is nothing to undo."""
        if self._deletion is None:
            return False
        label, restore, question = self._deletion
        self._deletion = None
        restore()
        self.undo_button.layout.display = "none"
        self._build_editors()
        self._changed()
        self.notice.show(self._("Put back: {what}.").format(what=label))
        target = next((e for e in self.editors if e.question is question), None)
        if target is not None:
            later_focus(first_control(target.body_box))
        return True

    @property
    def can_undo(self) -> bool:
        return self._deletion is not None

    def _prefill_author(self) -> bool:
        meta = self.manifest["metadata"]
        author = default_author()
        if meta.get("authors") or author is None:
            return False
        meta["authors"] = [author]
        self.metadata_form.authors.value = author["name"]
        return True

    # -- preview result ---------------------------------------------------------------------

    def _on_result(self, change: dict) -> None:
        result = change["new"] or {}
        if not result or not result.get("max"):
            self.result_line.value = ""
            return
        text = self._("Last try in the preview: {raw} out of {max}.").format(
            raw=_number(result.get("raw", 0)), max=_number(result.get("max", 0))
        )
        self.result_line.value = f"<p class='icb-help'>{html.escape(text)}</p>"

    # -- for the workbench and tests ----------------------------------------------------------

    def problems_at(self, path: str) -> list[str]:
        """Messages (interface language) of the problems whose path starts with `path`."""
        return [
            p.message.render(self.language)
            for p in self.problems
            if p.path == path or p.path.startswith((path + ".", path + "["))
        ]


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)
