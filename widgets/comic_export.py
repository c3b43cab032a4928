"""The comic editor's export buttons: one per comic exporter of the registry.

The file is made from the last valid manifest.json (the editor saves first), refused with
the list of what to fix while a panel has no description (``comic_export_problems``), and
given back as a download link, or written beside the comic when too large for the page.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets

from .comic_forms import EditorForm, labelled
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
        from ..exports import get_exporter
        from ..exports.base import Bundle
        from .quiz_workbench import download_link, slugify

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
        try:
            bundle = Bundle.load(editor.bundle_dir)
            exporter = get_exporter(name)(paper=self.paper.value)
            with tempfile.TemporaryDirectory() as tmp:
                out = exporter.export(bundle, exporter.default_output(bundle, Path(tmp)))
                data, suffix = out.read_bytes(), out.suffix
        except Exception as exc:  # BundleError, ExportError, OSError…: said as it is
            render = getattr(exc, "render", None)
            show_errors(self.errors, [render(editor.language) if render else str(exc)])
            return ""
        file_name = slugify(editor.title or Path(editor.bundle_dir).name) + suffix
        self.download.value = download_link(
            data,
            file_name,
            "application/octet-stream",
            editor.language,
            Path(editor.bundle_dir).parent / "exports",
            "exports",
            _(
                "The file is too large to download from here ({size}). It was saved as "
                "{path}: download it from JupyterLab (right click, Download)."
            ),
        )
        return file_name


def comic_exporters() -> list[str]:
    """The exporters of the registry that take a comic, in a fixed order."""
    from ..exports import available, get_exporter

    found = []
    installed = set(available())
    for name in EXPORTS:
        if name not in installed:
            continue
        try:
            cls = get_exporter(name)
        except Exception:  # a broken plug-in must not hide the others
            continue
        if "comic" in getattr(cls, "bundle_types", ()):
            found.append(name)
    return found
