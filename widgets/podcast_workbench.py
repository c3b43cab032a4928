"""PodcastWorkbench: the « Créer un podcast » app, no code.

The first screen lists the teacher's podcasts in ``podcasts/`` (beside the notebook: the
teacher's home on the hub) and offers to open one, to create one from a title and a language
(French, English, Arabic), or to copy an example podcast, which becomes the teacher's own (a
new id; the example stays as it was). The podcast then opens in the :class:`PodcastStudio`
(record, upload, arrange and trim, jingle, build, export), with a button back to the list.

The workbench writes nothing until the teacher acts, so it runs in any folder, under nbval
too.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets
from traitlets import Unicode, default

from ..bundle import BundleError, load_manifest, save_manifest
from .comic_workbench import LANGUAGE_NAMES
from .form_fields import button, choice_field, column, error_slot, heading, row, style_sheet
from .quiz_workbench import GrainsWorkbench, new_grain_folder, scan_bundles

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


def podcast_folder(podcasts_dir: Path | str, title: str) -> Path:
    """A folder in `podcasts_dir` named after `title`, not yet taken (-2, -3… if needed).

    A title without any Latin letter or digit (Arabic) gives « podcast ».
    """
    return new_grain_folder(podcasts_dir, title, PODCAST_SLUG)


def _examples_default() -> Path:
    # a checkout or an editable install: the repository's notebooks/examples
    shipped = Path(__file__).resolve().parents[1] / "notebooks" / "examples"
    if shipped.is_dir():
        return shipped
    return Path.cwd().parent / "examples"  # a notebook in notebooks/fr/ of a copied folder


class PodcastWorkbench(GrainsWorkbench):
    """Open, create or copy a podcast, then make it in a PodcastStudio, for Voilà."""

    podcasts_dir = Unicode(help="Folder of the teacher's podcasts; default: podcasts/ in the cwd.")
    examples_dir = Unicode(
        help="Folder of the example podcasts offered to copy; default: notebooks/examples."
    )
    bundle_dir = Unicode("", help="The open podcast's folder; empty until one is chosen.")

    @default("podcasts_dir")
    def _default_podcasts_dir(self) -> str:
        return str(Path.cwd() / PODCASTS_FOLDER)

    @default("examples_dir")
    def _default_examples_dir(self) -> str:
        return str(_examples_default())

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _ = self._
        self.studio: Any = None  # the PodcastStudio of the open podcast
        self.podcasts: list[PodcastEntry] = []
        self.podcast_line = self._where_line()
        self.back_button = button(
            _("Back to my podcasts"), self.back, icon="arrow-left", kind="quiet"
        )
        self.body = ipywidgets.VBox()
        self.body.add_class("icw-body")
        self._build_choose()
        self.children = [style_sheet(), self.podcast_line, self.body]
        self.back()

    # -- the first screen -------------------------------------------------------------------

    def _build_choose(self) -> None:
        _ = self._
        self.podcast_list, self.no_podcast = self._build_open(
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
        self.new_language = choice_field(
            _("Language of the podcast"),
            [(name, code) for code, name in LANGUAGE_NAMES],
            self.language,
            lambda _v: None,
        )
        examples = self._examples()
        self.example_list = choice_field(
            _("Example podcasts"),
            [(p.title, str(p.path)) for p in examples] or [("", "")],
            str(examples[0].path) if examples else "",
            lambda _v: None,
        )
        self.copy_button = button(
            _("Copy this example and open it"), self._copy_chosen, icon="copy", kind="quiet"
        )
        self.copy_errors = error_slot()
        example_box = self._section(
            _("Start from an example"),
            self.example_list,
            self.copy_button,
            self.copy_errors,
            help_text=_(
                "A copy of the example becomes your own podcast: listen to it, replace the "
                "voices with your pupils' recordings, the example stays as it was."
            ),
        )
        example_box.layout.display = None if examples else "none"
        self.choose_panel = column(
            [
                heading(_("Choose or create a podcast"), 2),
                self._section(_("Open one of your podcasts"), self.no_podcast, self.open_box),
                self._section(
                    _("Create a new podcast"),
                    self.new_title,
                    self.new_language,
                    self.create_errors,
                    self.create_button,
                    help_text=_(
                        "The new podcast starts with one empty episode: record or upload its "
                        "parts. Everything is saved as you go."
                    ),
                ),
                example_box,
            ],
            "icw-choose",
        )

    def _examples(self) -> list[PodcastEntry]:
        """The example podcasts, those in the interface language first, then by title."""
        found = find_podcasts(self.examples_dir)
        return sorted(found, key=lambda p: (p.language != self.language, p.title))

    def refresh_podcasts(self) -> list[PodcastEntry]:
        """List the teacher's podcasts again (newest first) in « Your podcasts »."""
        _ = self._
        podcasts = find_podcasts(self.podcasts_dir)
        self._list_bundles(
            podcasts,
            self.podcast_list,
            self.no_podcast,
            lambda p, date: _("{title} ({date})").format(title=p.title, date=date),
        )
        self.podcasts = podcasts
        return podcasts

    # -- opening ----------------------------------------------------------------------------

    def back(self) -> None:
        """Close the open podcast (saved first) and show the list of podcasts."""
        if self.studio is not None:
            self.studio.close()
        self.studio = None
        self.bundle_dir = ""
        self.podcast_line.value = ""
        self.refresh_podcasts()
        self.body.children = [self.choose_panel]

    def _open_chosen(self) -> None:
        if self.podcast_list.value:
            self.open_podcast(self.podcast_list.value)

    def open_podcast(self, bundle_dir: Path | str) -> Any:
        """Open the podcast in `bundle_dir` in the studio; returns the PodcastStudio."""
        from .podcast_studio import PodcastStudio

        if self.studio is not None:
            self.studio.close()
        self.bundle_dir = str(bundle_dir)
        self.studio = PodcastStudio(bundle_dir, language=self.language, heading_level=3)
        self.podcast_line.value = self._where(
            self._("Podcast: « {title} », in the folder {folder}"),
            self.studio.title,
            bundle_dir,
            self.podcasts_dir,
        )
        self.body.children = [row([self.back_button], "icw-nav"), self.studio]
        return self.studio

    def create(self, title: str, language: str | None = None) -> Any:
        """Create a podcast titled `title` in the podcasts folder, and open it (None and the
        reason shown when it cannot be written)."""
        from ..podcast import new_podcast

        language = language or self.language
        folder = self._new_bundle(
            self.podcasts_dir,
            title,
            lambda short: new_podcast(language, title=short),
            self._("Write a title for the podcast first."),
            PODCAST_SLUG,
        )
        return None if folder is None else self.open_podcast(folder)

    def _create(self) -> None:
        self.create(self.new_title.value, self.new_language.value)

    def copy_example(self, example: Path | str) -> Any:
        """Copy the example podcast in `example` into the podcasts folder (a new id), and
        open it."""
        source = Path(example)
        try:
            manifest = load_manifest(source)
            manifest["id"] = str(uuid.uuid4())
            title = str(manifest.get("metadata", {}).get("title") or source.name)
            folder = podcast_folder(self.podcasts_dir, title)
            (folder / "media").mkdir(parents=True)
            try:
                # the media first: saving checks that every file the podcast cites is there
                for path in sorted((source / "media").glob("*")):
                    if path.is_file():
                        shutil.copy2(path, folder / "media" / path.name)
                save_manifest(folder, manifest)
            except (BundleError, OSError):
                shutil.rmtree(folder, ignore_errors=True)
                raise
        except (BundleError, OSError) as exc:
            self._report(self.copy_errors, exc)
            return None
        self._report(self.copy_errors)
        return self.open_podcast(folder)

    def _copy_chosen(self) -> None:
        if self.example_list.value:
            self.copy_example(self.example_list.value)
