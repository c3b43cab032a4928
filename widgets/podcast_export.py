"""The podcast studio's export buttons: one per podcast exporter of the registry.

The file is made from the last valid manifest.json (the studio saves first), refused with
the list of what to fix (``podcast_export_problems``), and given back as a download link,
or written beside the podcast when too large for the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets

from .export_buttons import export_as_download, exporters_for
from .form_fields import button, error_slot, heading, html_block, row, show_errors

if TYPE_CHECKING:
    from .podcast_studio import PodcastStudio

EXPORTS = ("mp3", "opus", "rss", "html", "kolibri")


def podcast_exporters() -> list[str]:
    """The exporters of the registry that take a podcast, in a fixed order."""
    return exporters_for("podcast", EXPORTS)


class PodcastExportForm(ipywidgets.VBox):
    """One button per podcast exporter; the file comes back as a download."""

    def __init__(self, studio: PodcastStudio) -> None:
        super().__init__()
        self.add_class("icpo-export")
        self.studio = studio
        _ = self._ = studio._
        self.labels = {
            "mp3": _("MP3 audio"),
            "opus": _("Opus audio (light)"),
            "rss": _("Podcast feed (RSS)"),
            "html": _("Offline page (HTML)"),
            "kolibri": _("Kolibri"),
        }
        self.buttons = [
            button(self.labels[name], self._export_to(name), icon="download", kind="quiet")
            for name in podcast_exporters()
        ]
        self.errors = error_slot()
        self.download = html_block("", "icw-download")
        self.children = [
            heading(_("Export the podcast"), studio.heading_level + 1),
            row(self.buttons, "icpo-export-buttons"),
            self.errors,
            self.download,
        ]

    def _export_to(self, name: str) -> Callable[[], None]:
        return lambda: self.export(name)

    def export(self, name: str) -> str:
        """Export the podcast as saved; returns the file name ("" when refused)."""
        _ = self._
        studio = self.studio
        show_errors(self.errors, [])
        self.download.value = ""
        studio.flush()
        problems = list(studio.problems)
        try:
            from ..podcast import podcast_export_problems

            problems += podcast_export_problems(studio.manifest, studio.bundle_dir)
        except ImportError:
            pass
        if problems:
            show_errors(
                self.errors,
                [_("The podcast cannot be exported yet:")]
                + [p.render(studio.language) for p in problems[:8]],
            )
            return ""
        return export_as_download(studio, name, self.errors, self.download, _)
