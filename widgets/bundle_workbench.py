"""BundleWorkbench: what « Créer une BD » and « Créer un podcast » share, no code.

The first screen lists the teacher's bundles of one type in a folder beside the notebook (the
teacher's home on the hub) and offers to open one, to create one, or to copy an example, which
becomes the teacher's own (a new id; the example stays as it was). The bundle then opens in its
editor, with a button back to the list. A subclass names the folder, finds its bundles, makes
the editor and writes the words of its screen.

The workbench writes nothing until the teacher acts, so it runs in any folder, under nbval
too.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets
from traitlets import Unicode, default

from ..bundle import BundleError, load_manifest, save_manifest
from .form_fields import button, choice_field, column, error_slot, heading, row, style_sheet
from .quiz_workbench import GrainsWorkbench, new_grain_folder

# the language names are written in their own language: a teacher finds hers in any interface
LANGUAGE_NAMES = (("fr", "Français"), ("en", "English"), ("ar", "العربية"))


def examples_default() -> Path:
    """The folder of the shipped examples."""
    # a checkout or an editable install: the repository's notebooks/examples
    shipped = Path(__file__).resolve().parents[1] / "notebooks" / "examples"
    if shipped.is_dir():
        return shipped
    return Path.cwd().parent / "examples"  # a notebook in notebooks/fr/ of a copied folder


class BundleWorkbench(GrainsWorkbench):
    """Open, create or copy a bundle of one type, then make it in its editor, for Voilà.

    Entries (see `_find`) have `path`, `title`, `language` and `modified`; the editor (see
    `_editor_for`) has `title` and `close()`.
    """

    examples_dir = Unicode(
        help="Folder of the examples offered to copy; default: notebooks/examples."
    )
    bundle_dir = Unicode("", help="The open bundle's folder; empty until one is chosen.")
    slug = "bundle"  # the folder name of a bundle whose title has no Latin letter or digit

    @default("examples_dir")
    def _default_examples_dir(self) -> str:
        return str(examples_default())

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.editor: Any = None  # the editor of the open bundle
        self.entries: list[Any] = []
        self.bundle_line = self._where_line()
        self.back_button = button(self._back_label(), self.back, icon="arrow-left", kind="quiet")
        self.body = ipywidgets.VBox()
        self.body.add_class("icw-body")
        self._build_choose()
        self.children = [style_sheet(), self.bundle_line, self.body]
        self.back()

    # -- what a subclass says -----------------------------------------------------------------

    def _home(self) -> str:
        """The folder of the teacher's bundles."""
        raise NotImplementedError

    def _find(self, folder: str) -> list[Any]:
        """The bundles of this type in `folder`, most recently changed first."""
        raise NotImplementedError

    def _editor_for(self, bundle_dir: Path | str) -> Any:
        """The editor of the bundle in `bundle_dir`."""
        raise NotImplementedError

    def _back_label(self) -> str:
        """The label of the button back to the list."""
        raise NotImplementedError

    def _where_template(self) -> str:
        """The line naming the open bundle: {title} and {folder}."""
        raise NotImplementedError

    def _build_choose(self) -> None:
        """The first screen, `choose_panel` (see _build_open, _build_create, _choose)."""
        raise NotImplementedError

    # -- the first screen -------------------------------------------------------------------

    def _language_field(self, label: str) -> ipywidgets.Dropdown:
        """The language of a new bundle, the interface's at first."""
        return choice_field(
            label, [(name, code) for code, name in LANGUAGE_NAMES], self.language, lambda _v: None
        )

    def _choose(
        self,
        titles: tuple[str, str, str],
        create_fields: Sequence[ipywidgets.Widget],
        create_help: str,
        examples_label: str,
        examples_help: str,
    ) -> None:
        """`choose_panel`: its heading and the open and create sections (`titles`), then the
        examples to copy (`example_list`, `copy_button`, `copy_errors`), hidden when none."""
        _ = self._
        heading_text, open_title, create_title = titles
        examples = self._examples()
        self.example_list = choice_field(
            examples_label,
            [(e.title, str(e.path)) for e in examples] or [("", "")],
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
            help_text=examples_help,
        )
        example_box.layout.display = None if examples else "none"
        self.choose_panel = column(
            [
                heading(heading_text, 2),
                self._section(open_title, self.no_bundle, self.open_box),
                self._section(
                    create_title,
                    self.new_title,
                    *create_fields,
                    self.create_errors,
                    self.create_button,
                    help_text=create_help,
                ),
                example_box,
            ],
            "icw-choose",
        )

    def _examples(self) -> list[Any]:
        """The examples, those in the interface language first, then by title."""
        found = self._find(self.examples_dir)
        return sorted(found, key=lambda e: (e.language != self.language, e.title))

    def refresh(self) -> list[Any]:
        """List the teacher's bundles again (newest first) on the first screen."""
        _ = self._
        entries = self._find(self._home())
        self._list_bundles(
            entries,
            self.bundle_list,
            self.no_bundle,
            lambda e, date: _("{title} ({date})").format(title=e.title, date=date),
        )
        self.entries = entries
        return entries

    # -- opening ----------------------------------------------------------------------------

    def back(self) -> None:
        """Close the open bundle (saved first) and show the list."""
        if self.editor is not None:
            self.editor.close()
        self.editor = None
        self.bundle_dir = ""
        self.bundle_line.value = ""
        self.refresh()
        self.body.children = [self.choose_panel]

    def _open_chosen(self) -> None:
        if self.bundle_list.value:
            self.open_bundle(self.bundle_list.value)

    def open_bundle(self, bundle_dir: Path | str) -> Any:
        """Open the bundle in `bundle_dir` in its editor; returns the editor."""
        if self.editor is not None:
            self.editor.close()
        self.bundle_dir = str(bundle_dir)
        self.editor = self._editor_for(bundle_dir)
        self.bundle_line.value = self._where(
            self._where_template(), self.editor.title, bundle_dir, self._home()
        )
        self.body.children = [row([self.back_button], "icw-nav"), self.editor]
        return self.editor

    def _create_and_open(
        self, title: str, manifest: Callable[[str], dict[str, Any]], no_title: str
    ) -> Any:
        """Create in the teacher's folder a bundle titled `title` from `manifest(title)` and
        open it; None and the reason (`no_title` for a blank title) shown when it cannot be
        written."""
        folder = self._new_bundle(self._home(), title, manifest, no_title, self.slug)
        return None if folder is None else self.open_bundle(folder)

    def copy_example(self, example: Path | str) -> Any:
        """Copy the example in `example` into the teacher's folder (a new id), and open it;
        None and the reason shown when it cannot be copied."""
        source = Path(example)
        try:
            manifest = load_manifest(source)
            manifest["id"] = str(uuid.uuid4())
            title = str(manifest.get("metadata", {}).get("title") or source.name)
            folder = new_grain_folder(self._home(), title, self.slug)
            (folder / "media").mkdir(parents=True)
            try:
                # the media first: saving checks that every file the bundle cites is there
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
        return self.open_bundle(folder)

    def _copy_chosen(self) -> None:
        if self.example_list.value:
            self.copy_example(self.example_list.value)
