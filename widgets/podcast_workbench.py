"""PodcastWorkbench: the « Créer un podcast » app, no code.

The first screen lists the teacher's podcasts in ``podcasts/`` (beside the notebook: the
teacher's home on the hub) and offers to open one, to create one from a title and a language
(French, English, Arabic), or to copy an example podcast, which becomes the teacher's own (a
new id; the example stays as it was). The podcast then opens in the :class:`PodcastStudio`
(record, upload, arrange and trim, jingle, build, export), with a button back to the list.
What it shares with the comic workbench is in :class:`BundleWorkbench`.

The workbench writes nothing until the teacher acts, so it runs in any folder, under nbval
too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets import Unicode, default

from .bundle_workbench import BundleWorkbench
from .quiz_workbench import scan_bundles

PODCASTS_FOLDER = "podcasts"
PODCAST_SLUG = "podcast"  # the folder name of a podcast whose title has no Latin letter or digit


@dataclass(frozen=True)
class PodcastEntry:
    """One podcast found in a folder of podcasts."""

    path: Path
    title: str
    language: str
    episodes: int
    modified: float


def find_podcasts(podcasts_dir: Path | str) -> list[PodcastEntry]:
    """The podcasts in `podcasts_dir`, most recently changed first; others and broken ones
    skipped."""
    return [
        PodcastEntry(
            path,
            str(meta.get("title") or path.name),
            str(meta.get("language") or ""),
            len(manifest.get("episodes") or []),
            modified,
        )
        for path, manifest, meta, modified in scan_bundles(podcasts_dir)
        if manifest.get("type") == "podcast"
    ]


class PodcastWorkbench(BundleWorkbench):
    """Open, create or copy a podcast, then make it in a PodcastStudio, for Voilà."""

    podcasts_dir = Unicode(help="Folder of the teacher's podcasts; default: podcasts/ in the cwd.")
    slug = PODCAST_SLUG

    @default("podcasts_dir")
    def _default_podcasts_dir(self) -> str:
        return str(Path.cwd() / PODCASTS_FOLDER)

    def _home(self) -> str:
        return self.podcasts_dir

    def _find(self, folder: str) -> list[PodcastEntry]:
        return find_podcasts(folder)

    def _editor_for(self, bundle_dir: Path | str) -> Any:
        from .podcast_studio import PodcastStudio

        return PodcastStudio(bundle_dir, language=self.language, heading_level=3)

    def _back_label(self) -> str:
        return self._("Back to my podcasts")

    def _where_template(self) -> str:
        return self._("Podcast: « {title} », in the folder {folder}")

    def _build_choose(self) -> None:
        _ = self._
        self.bundle_list, self.no_bundle = self._build_open(
            _("Your podcasts"),
            _("Open this podcast"),
            _("You have no podcast yet: create your first one below."),
        )
        self._build_create(
            _("Title of the new podcast"),
            _("For example: The school radio"),
            _("Create the podcast"),
            lambda _v: None,
        )
        self.new_language = self._language_field(_("Language of the podcast"))
        self._choose(
            (
                _("Choose or create a podcast"),
                _("Open one of your podcasts"),
                _("Create a new podcast"),
            ),
            [self.new_language],
            _(
                "The new podcast starts with one empty episode: record or upload its "
                "parts. Everything is saved as you go."
            ),
            _("Example podcasts"),
            _(
                "A copy of the example becomes your own podcast: listen to it, replace the "
                "voices with your pupils' recordings, the example stays as it was."
            ),
        )

    def open_podcast(self, bundle_dir: Path | str) -> Any:
        """Open the podcast in `bundle_dir` in the studio; returns the PodcastStudio."""
        return self.open_bundle(bundle_dir)

    def create(self, title: str, language: str | None = None) -> Any:
        """Create a podcast titled `title` in the podcasts folder, and open it (None and the
        reason shown when it cannot be written)."""
        from ..podcast import new_podcast

        language = language or self.language
        return self._create_and_open(
            title,
            lambda short: new_podcast(language, title=short),
            self._("Write a title for the podcast first."),
        )

    def _create(self) -> None:
        self.create(self.new_title.value, self.new_language.value)
