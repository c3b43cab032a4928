"""The comic editor's export buttons: one per comic exporter of the registry.

The file is made from the last valid manifest.json (the editor saves first), refused with
the list of what to fix while a panel has no description (``comic_export_problems``), and
given back as a download link, or written beside the comic when too large for the page.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets

from .comic_forms import EditorForm, labelled
from .export_buttons import export_as_download, exporters_for
from .form_fields import button, error_slot, heading, html_block, row, show_errors

if TYPE_CHECKING:
    from .comic_editor import ComicEditor

EXPORTS = ("png", "pdf", "epub", "cbz", "html", "kolibri")


class ExportForm(EditorForm):
    """One button per comic exporter of the registry; the file comes back as a download."""

    def __init__(self, editor: ComicEditor) -> None:
        super().__init__(editor, "icce-export")
        _ = self._
        self.labels = {
            "png": _("Images (PNG)"),
            "pdf": _("PDF to print"),
            "epub": _("E-book (EPUB)"),
            "cbz": _("Comic archive (CBZ)"),
            "html": _("Offline reader (HTML)"),
            "kolibri": _("Kolibri"),
        }
        self.paper = labelled(
            ipywidgets.Dropdown(
                options=[(_("A4, one page per sheet"), "a4"), (_("A5 booklet"), "a5-booklet")],
                description=_("Paper for the PDF"),
            )
        )
        self.buttons = [
            button(self.labels[name], self._export_to(name), icon="download", kind="quiet")
            for name in comic_exporters()
        ]
        self.errors = error_slot()
        self.download = html_block("", "icw-download")
        help_text = _(
            "Every panel needs its description before export, so that every pupil can read "
            "the comic, with a screen reader too."
        )
        self.children = [
            heading(_("Export the comic"), editor.heading_level + 1),
            html_block(f"<p class='icb-help'>{html.escape(help_text)}</p>"),
            self.paper,
            row(self.buttons, "icce-export-buttons"),
            self.errors,
            self.download,
        ]

    def _export_to(self, name: str) -> Callable[[], None]:
        return lambda: self.export(name)

    def refresh(self) -> None:
        pass

    def export(self, name: str) -> str:
        """Export the comic as saved; returns the file name ("" when refused)."""
        from ..comic import comic_export_problems

        _ = self._
        editor = self.editor
        show_errors(self.errors, [])
        self.download.value = ""
        editor.flush()
        problems = comic_export_problems(editor.manifest, editor.bundle_dir)
        problems += [p for p in editor.problems if p not in problems]
        if problems:
            show_errors(
                self.errors,
                [_("The comic cannot be exported yet:")]
                + [p.render(editor.language) for p in problems[:8]],
            )
            return ""
        return export_as_download(
            editor, name, self.errors, self.download, _, paper=self.paper.value
        )


def comic_exporters() -> list[str]:
    """The exporters of the registry that take a comic, in a fixed order."""
    return exporters_for("comic", EXPORTS)
