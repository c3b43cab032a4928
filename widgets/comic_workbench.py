"""ComicWorkbench: the « Créer une BD » app, no code.

The first screen lists the teacher's comics in ``comics/`` (beside the notebook: the
teacher's home on the hub) and offers to open one, to create one from a title, a language
(French, English, Arabic) and a template (``standard``: a page of panels to fill in;
``kindergarten``: large pictures, few words, a sound per panel), or to copy an example comic,
which becomes the teacher's own (a new id; the example stays as it was). The comic then
opens in the :class:`ComicEditor` (characters, pages, bubbles, export), with a button back
to the list.

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
from .comic_editor import ComicEditor
from .form_fields import button, choice_field, column, error_slot, heading, row, style_sheet
from .quiz_workbench import GrainsWorkbench, new_grain_folder, scan_bundles

COMICS_FOLDER = "comics"
# the language names are written in their own language: a teacher finds hers in any interface
LANGUAGE_NAMES = (("fr", "Français"), ("en", "English"), ("ar", "العربية"))
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


def comic_folder(comics_dir: Path | str, title: str) -> Path:
    """A folder in `comics_dir` named after `title`, not yet taken (-2, -3… if needed).

    A title without any Latin letter or digit (Arabic) gives « bd ».
    """
    return new_grain_folder(comics_dir, title, COMIC_SLUG)


def _examples_default() -> Path:
    # a checkout or an editable install: the repository's notebooks/examples
    shipped = Path(__file__).resolve().parents[1] / "notebooks" / "examples"
    if shipped.is_dir():
        return shipped
    return Path.cwd().parent / "examples"  # a notebook in notebooks/fr/ of a copied folder


class ComicWorkbench(GrainsWorkbench):
    """Open, create or copy a comic, then make it in a ComicEditor, for Voilà."""

    comics_dir = Unicode(help="Folder of the teacher's comics; default: comics/ in the cwd.")
    examples_dir = Unicode(
        help="Folder of the example comics offered to copy; default: notebooks/examples."
    )
    bundle_dir = Unicode("", help="The open comic's folder; empty until one is chosen.")

    @default("comics_dir")
    def _default_comics_dir(self) -> str:
        return str(Path.cwd() / COMICS_FOLDER)

    @default("examples_dir")
    def _default_examples_dir(self) -> str:
        return str(_examples_default())

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _ = self._
        self.editor: ComicEditor | None = None
        self.comics: list[ComicEntry] = []
        self.comic_line = self._where_line()
        self.back_button = button(
            _("Back to my comics"), self.back, icon="arrow-left", kind="quiet"
        )
        self.body = ipywidgets.VBox()
        self.body.add_class("icw-body")
        self._build_choose()
        self.children = [style_sheet(), self.comic_line, self.body]
        self.back()

    # -- the first screen -------------------------------------------------------------------

    def _build_choose(self) -> None:
        _ = self._
        self.comic_list, self.no_comic = self._build_open(
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
        self.new_language = choice_field(
            _("Language of the comic"),
            [(name, code) for code, name in LANGUAGE_NAMES],
            self.language,
            lambda _v: None,
        )
        self.new_template = choice_field(
            _("Template"),
            [
                (_("Standard: a page of four panels to fill in"), "standard"),
                (_("Kindergarten: large pictures, few words, a sound per panel"), "kindergarten"),
            ],
            "standard",
            lambda _v: None,
        )

        examples = self._examples()
        self.example_list = choice_field(
            _("Example comics"),
            [(c.title, str(c.path)) for c in examples] or [("", "")],
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
                "A copy of the example becomes your own comic: change everything you like, the "
                "example stays as it was."
            ),
        )
        example_box.layout.display = None if examples else "none"
        self.choose_panel = column(
            [
                heading(_("Choose or create a comic"), 2),
                self._section(_("Open one of your comics"), self.no_comic, self.open_box),
                self._section(
                    _("Create a new comic"),
                    self.new_title,
                    self.new_language,
                    self.new_template,
                    self.create_errors,
                    self.create_button,
                    help_text=_(
                        "The new comic starts with a page of example panels: replace them with "
                        "your story. Everything is saved as you go."
                    ),
                ),
                example_box,
            ],
            "icw-choose",
        )

    def _examples(self) -> list[ComicEntry]:
        """The example comics, those in the interface language first, then by title."""
        found = find_comics(self.examples_dir)
        return sorted(found, key=lambda c: (c.language != self.language, c.title))

    def refresh_comics(self) -> list[ComicEntry]:
        """List the teacher's comics again (newest first) in « Your comics »."""
        _ = self._
        comics = find_comics(self.comics_dir)
        self._list_bundles(
            comics,
            self.comic_list,
            self.no_comic,
            lambda c, date: _("{title} ({date})").format(title=c.title, date=date),
        )
        self.comics = comics
        return comics

    # -- opening ----------------------------------------------------------------------------

    def back(self) -> None:
        """Close the open comic (saved first) and show the list of comics."""
        if self.editor is not None:
            self.editor.close()
        self.editor = None
        self.bundle_dir = ""
        self.comic_line.value = ""
        self.refresh_comics()
        self.body.children = [self.choose_panel]

    def _open_chosen(self) -> None:
        if self.comic_list.value:
            self.open_comic(self.comic_list.value)

    def open_comic(self, bundle_dir: Path | str) -> ComicEditor:
        """Open the comic in `bundle_dir` in the editor."""
        if self.editor is not None:
            self.editor.close()
        self.bundle_dir = str(bundle_dir)
        self.editor = ComicEditor(bundle_dir, language=self.language, heading_level=3)
        self.comic_line.value = self._where(
            self._("Comic: « {title} », in the folder {folder}"),
            self.editor.title,
            bundle_dir,
            self.comics_dir,
        )
        self.body.children = [row([self.back_button], "icw-nav"), self.editor]
        return self.editor

    def create(
        self, title: str, template: str = "standard", language: str | None = None
    ) -> ComicEditor | None:
        """Create a comic titled `title` in the comics folder, and open it."""
        from ..comic import new_comic

        language = language or self.language
        folder = self._new_bundle(
            self.comics_dir,
            title,
            lambda short: new_comic(language, template, title=short),
            self._("Write a title for the comic first."),
            COMIC_SLUG,
        )
        return None if folder is None else self.open_comic(folder)

    def _create(self) -> None:
        self.create(self.new_title.value, self.new_template.value, self.new_language.value)

    def copy_example(self, example: Path | str) -> ComicEditor | None:
        """Copy the example comic in `example` into the comics folder (a new id), and open it."""
        source = Path(example)
        try:
            manifest = load_manifest(source)
            manifest["id"] = str(uuid.uuid4())
            title = str(manifest.get("metadata", {}).get("title") or source.name)
            folder = comic_folder(self.comics_dir, title)
            (folder / "media").mkdir(parents=True)
            try:
                # the media first: saving checks that every file the comic cites is there
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
        return self.open_comic(folder)

    def _copy_chosen(self) -> None:
        if self.example_list.value:
            self.copy_example(self.example_list.value)
