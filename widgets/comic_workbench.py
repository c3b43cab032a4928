"""ComicWorkbench: the « Créer une BD » app, no code.

The first screen lists the teacher's comics in ``comics/`` (beside the notebook: the
teacher's home on the hub) and offers to open one, to create one from a title, a language
(French, English, Arabic) and a template (``standard``: a page of panels to fill in;
``kindergarten``: large pictures, few words, a sound per panel), or to copy an example comic,
which becomes the teacher's own (a new id; the example stays as it was). The comic then
opens in the :class:`ComicEditor` (characters, pages, bubbles, export), with a button back
to the list. What it shares with the podcast workbench is in :class:`BundleWorkbench`.

The workbench writes nothing until the teacher acts, so it runs in any folder, under nbval
too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from traitlets import Unicode, default

from .bundle_workbench import BundleWorkbench
from .comic_editor import ComicEditor
from .form_fields import choice_field
from .quiz_workbench import scan_bundles

COMICS_FOLDER = "comics"
TEMPLATES = ("standard", "kindergarten")
COMIC_SLUG = "bd"  # the folder name of a comic whose title has no Latin letter or digit


@dataclass(frozen=True)
class ComicEntry:
    """One comic found in a folder of comics."""

    path: Path
    title: str
    language: str
    modified: float


def find_comics(comics_dir: Path | str) -> list[ComicEntry]:
    """The comics in `comics_dir`, most recently changed first; grains and broken ones skipped."""
    return [
        ComicEntry(
            path, str(meta.get("title") or path.name), str(meta.get("language") or ""), modified
        )
        for path, manifest, meta, modified in scan_bundles(comics_dir)
        if manifest.get("type") == "comic"
    ]


class ComicWorkbench(BundleWorkbench):
    """Open, create or copy a comic, then make it in a ComicEditor, for Voilà."""

    comics_dir = Unicode(help="Folder of the teacher's comics; default: comics/ in the cwd.")
    slug = COMIC_SLUG

    @default("comics_dir")
    def _default_comics_dir(self) -> str:
        return str(Path.cwd() / COMICS_FOLDER)

    def _home(self) -> str:
        return self.comics_dir

    def _find(self, folder: str) -> list[ComicEntry]:
        return find_comics(folder)

    def _editor_for(self, bundle_dir: Path | str) -> ComicEditor:
        return ComicEditor(bundle_dir, language=self.language, heading_level=3)

    def _back_label(self) -> str:
        return self._("Back to my comics")

    def _where_template(self) -> str:
        return self._("Comic: « {title} », in the folder {folder}")

    def _build_choose(self) -> None:
        _ = self._
        self.bundle_list, self.no_bundle = self._build_open(
            _("Your comics"),
            _("Open this comic"),
            _("You have no comic yet: create your first one below."),
        )
        self._build_create(
            _("Title of the new comic"),
            _("For example: Awa's first day at school"),
            _("Create the comic"),
            lambda _v: None,
        )
        self.new_language = self._language_field(_("Language of the comic"))
        self.new_template = choice_field(
            _("Template"),
            [
                (_("Standard: a page of four panels to fill in"), "standard"),
                (_("Kindergarten: large pictures, few words, a sound per panel"), "kindergarten"),
            ],
            "standard",
            lambda _v: None,
        )
        self._choose(
            (
                _("Choose or create a comic"),
                _("Open one of your comics"),
                _("Create a new comic"),
            ),
            [self.new_language, self.new_template],
            _(
                "The new comic starts with a page of example panels: replace them with "
                "your story. Everything is saved as you go."
            ),
            _("Example comics"),
            _(
                "A copy of the example becomes your own comic: change everything you like, the "
                "example stays as it was."
            ),
        )

    def open_comic(self, bundle_dir: Path | str) -> ComicEditor:
        """Open the comic in `bundle_dir` in the editor."""
        return self.open_bundle(bundle_dir)

    def create(
        self, title: str, template: str = "standard", language: str | None = None
    ) -> ComicEditor | None:
        """Create a comic titled `title` in the comics folder, and open it."""
        from ..comic import new_comic

        language = language or self.language
        return self._create_and_open(
            title,
            lambda short: new_comic(language, template, title=short),
            self._("Write a title for the comic first."),
        )

    def _create(self) -> None:
        self.create(self.new_title.value, self.new_template.value, self.new_language.value)
