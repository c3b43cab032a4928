"""QuizWorkbench: the « Créer un quiz » app, five guided steps and no code.

1. choose a grain in ``grains/`` (beside the notebook: the teacher's home on the hub) or
   create one from a kind and a title (the title gives the folder name);
2. write the questions; 3. images, sounds and description; 4. try it as a pupil
   (three views of one QuizBuilder, which saves as the teacher goes);
5. export: download the offline package of the `html` exporter (media inlined, or a zip)
   made from the last valid manifest.json. Publishing to the catalogue belongs to the
   catalogue workbench, which the page says plainly.

The workbench opens on step 1 and writes nothing until the teacher acts, so it runs in
any folder, under nbval too.
"""

from __future__ import annotations

import base64
import html
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets
from traitlets import Int, Unicode, default

from ..bundle import BundleError, create_bundle, grain_kinds, new_grain
from ..bundle.model import MANIFEST
from ..i18n import LANGUAGES, Message, gettext_for
from .autosave import DRAFT, open_bundle
from .form_fields import (
    button,
    choice_field,
    column,
    error_slot,
    heading,
    html_block,
    row,
    show_errors,
    style_sheet,
    text_field,
)
from .live_status import LiveStatus
from .question_forms import kind_labels
from .quiz_builder import QuizBuilder

GRAINS_FOLDER = "grains"
MAX_SLUG = 60
# a bigger page is written to grains/exports/ instead of travelling through the websocket
MAX_DOWNLOAD_BYTES = 8 * 1024 * 1024
STEPS = (1, 2, 3, 4, 5)
BUILDER_VIEWS = {2: "questions", 3: "details", 4: "preview"}


def slugify(title: str, fallback: str = "grain") -> str:
    """An ASCII folder name from a title: « Les capitales d'Afrique » -> les-capitales-d-afrique.

    A title without any Latin letter or digit (Arabic) gives `fallback`.
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return slug[:MAX_SLUG].strip("-") or fallback


def new_grain_folder(grains_dir: Path | str, title: str, fallback: str = "grain") -> Path:
    """A folder in `grains_dir` named after `title`, not yet taken (-2, -3… if needed)."""
    base = slugify(title, fallback)
    folder = Path(grains_dir) / base
    n = 2
    while folder.exists():
        folder = Path(grains_dir) / f"{base}-{n}"
        n += 1
    return folder


@dataclass(frozen=True)
class GrainEntry:
    """One grain found in the grains folder."""

    path: Path
    title: str
    kind: str
    modified: float


def scan_bundles(folder: Path | str) -> list[tuple[Path, dict[str, Any], dict[str, Any], float]]:
    """(folder, manifest, metadata, last change) of every bundle in `folder` (its draft if
    newer), most recently changed first; unreadable ones skipped."""
    try:
        entries = sorted(
            p for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith(".")
        )
    except OSError:
        return []
    found = []
    for path in entries:
        files = [f for f in (path / MANIFEST, path / DRAFT) if f.is_file()]
        if not files:
            continue
        try:
            manifest, _draft = open_bundle(path)
        except BundleError:
            continue
        meta = manifest.get("metadata") if isinstance(manifest.get("metadata"), dict) else {}
        found.append((path, manifest, meta, max(f.stat().st_mtime for f in files)))
    return sorted(found, key=lambda entry: entry[3], reverse=True)


def find_grains(grains_dir: Path | str) -> list[GrainEntry]:
    """The grains in `grains_dir`, most recently changed first; unreadable ones skipped."""
    return [
        GrainEntry(path, str(meta.get("title") or path.name), str(manifest.get("kind")), modified)
        for path, manifest, meta, modified in scan_bundles(grains_dir)
    ]


def offline_package(bundle_dir: Path | str) -> tuple[bytes, str, dict[str, Any]]:
    """(bytes, file suffix, manifest) of the `html` export of the last valid manifest.json.

    Through the exporter registry, like the CLI: one page with the media inlined, or a
    zip with the media beside it when they are too large to inline.
    """
    from ..exports import get_exporter
    from ..exports.base import Bundle

    bundle = Bundle.load(bundle_dir)
    exporter = get_exporter("html")()
    with tempfile.TemporaryDirectory() as tmp:
        out = exporter.export(bundle, exporter.default_output(bundle, Path(tmp)))
        return out.read_bytes(), out.suffix, bundle.manifest


class GrainsWorkbench(ipywidgets.VBox):
    """What every workbench on the teacher's grains shares: language, grains folder, gettext."""

    language = Unicode("fr", help="Language of the interface: fr, en or ar.")
    grains_dir = Unicode(help="Folder of the teacher's grains; default: grains/ in the cwd.")

    @default("grains_dir")
    def _default_grains_dir(self) -> str:
        return str(Path.cwd() / GRAINS_FOLDER)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.language not in LANGUAGES:
            self.language = "fr"
        self.add_class("icw")
        self._ = gettext_for(self.language)

    # -- what the workbenches on a folder of bundles share ----------------------------------

    def _build_open(
        self, list_label: str, open_label: str, empty: str
    ) -> tuple[ipywidgets.Dropdown, ipywidgets.HTML]:
        """The list of the teacher's bundles and the note shown when there is none.

        Makes `open_button` (calls `_open_chosen`) and `open_box` (the list and the button).
        """
        chosen = choice_field(list_label, [("", "")], "", lambda _v: None)
        self.open_button = button(open_label, self._open_chosen, icon="folder-open", kind="primary")
        none_yet = html_block("<p class='icb-help'>" + html.escape(empty) + "</p>")
        self.open_box = column([chosen, self.open_button], "icw-open")
        return chosen, none_yet

    def _open_chosen(self) -> None:
        """Open the bundle chosen in the list (see _build_open)."""

    def _build_create(
        self,
        title_label: str,
        placeholder: str,
        create_label: str,
        on_title: Callable[[str], None],
    ) -> None:
        """`new_title`, `create_errors` and `create_button` (calls `_create`) of a new bundle."""
        self.new_title = text_field(title_label, "", on_title, placeholder=placeholder)
        self.create_errors = error_slot()
        self.create_button = button(create_label, self._create, icon="plus", kind="primary")

    def _create(self) -> None:
        """Create the bundle described by the fields of _build_create."""

    def _section(
        self, title: str, *children: ipywidgets.Widget, help_text: str = ""
    ) -> ipywidgets.VBox:
        """A part of the first screen: its heading, its help line if any, and `children`."""
        top = [heading(title, 3)]
        if help_text:
            top.append(html_block("<p class='icb-help'>" + html.escape(help_text) + "</p>"))
        return column([*top, *children], "icb-section")

    def _list_bundles(
        self,
        entries: list[Any],
        chosen: ipywidgets.Dropdown,
        none_yet: ipywidgets.HTML,
        label: Callable[[Any, str], str],
    ) -> None:
        """Show `entries` (newest first) in the list `chosen`; `label(entry, date)` names one."""
        options = [
            (label(e, datetime.fromtimestamp(e.modified).strftime("%d/%m %H:%M")), str(e.path))
            for e in entries
        ]
        if options:
            chosen.options = options
            chosen.value = options[0][1]
        self.open_box.layout.display = None if options else "none"
        none_yet.layout.display = "none" if options else None

    def _where_line(self) -> ipywidgets.HTML:
        """The line that names the open bundle and its folder (see _where)."""
        return html_block("", "icw-grain")

    def _where(self, template: str, title: str, bundle_dir: Path | str, home: Path | str) -> str:
        """The line naming the open bundle and its folder (relative to `home`'s parent)."""
        where = Path(bundle_dir)
        try:
            shown = where.relative_to(Path(home).parent)
        except ValueError:
            shown = where
        text = template.format(title=title or where.name, folder=shown.as_posix())
        return f"<p class='icw-grain-text'>{html.escape(text)}</p>"

    def _report(self, slot: ipywidgets.HTML, exc: BundleError | OSError | None = None) -> None:
        """Show in `slot` why a bundle could not be written, or nothing when `exc` is None."""
        if exc is None:
            show_errors(slot, [])
            return
        message = exc.render(self.language) if isinstance(exc, BundleError) else str(exc)
        show_errors(slot, [message])

    def _new_bundle(
        self,
        home: Path | str,
        title: str,
        manifest: Callable[[str], dict[str, Any]],
        no_title: str,
        fallback: str = "grain",
    ) -> Path | None:
        """Create in `home` a bundle named after `title` from `manifest(title)`; its folder,
        or None with the reason (`no_title` for a blank title) shown in `create_errors`.
        Empties `new_title` when done."""
        title = title.strip()
        if not title:
            show_errors(self.create_errors, [no_title])
            return None
        folder = new_grain_folder(home, title, fallback)
        try:
            Path(home).mkdir(parents=True, exist_ok=True)
            create_bundle(folder, manifest(title[:200]))
        except (BundleError, OSError) as exc:
            self._report(self.create_errors, exc)
            return None
        self._report(self.create_errors)
        self.new_title.value = ""
        return folder


class QuizWorkbench(GrainsWorkbench):
    """Five guided steps around a QuizBuilder, for Voilà."""

    step = Int(1, help="The step shown, 1 to 5; steps 2 to 5 need an open grain.")
    bundle_dir = Unicode("", help="The open grain's folder; empty until one is chosen.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _ = self._
        self.builder: QuizBuilder | None = None
        self.step_buttons = [
            button(label, self._goto(n), kind="quiet")
            for n, label in zip(
                STEPS,
                (
                    _("1. Choose"),
                    _("2. Questions"),
                    _("3. Media and description"),
                    _("4. Try it"),
                    _("5. Export"),
                ),
                strict=True,
            )
        ]
        stepper = row(self.step_buttons, "icw-steps")
        self.step_heading = html_block("", "icw-heading")
        self.step_status = LiveStatus()
        self.step_status.add_class("icw-vh")
        self.grain_line = self._where_line()
        self.body = ipywidgets.VBox()
        self.body.add_class("icw-body")
        self.previous_button = button(
            _("Previous step"), lambda: self._go(self.step - 1), icon="arrow-left", kind="quiet"
        )
        self.next_button = button(
            _("Next step"), lambda: self._go(self.step + 1), icon="arrow-right", kind="primary"
        )
        nav = row([self.previous_button, self.next_button], "icw-nav")
        self.children = [
            style_sheet(),
            stepper,
            self.step_heading,
            self.step_status,
            self.grain_line,
            self.body,
            nav,
        ]
        self._build_choose()
        self._build_export()
        self.observe(self._on_step, names=["step"])
        self._show()

    # -- navigation -------------------------------------------------------------------------

    def _goto(self, n: int):
        return lambda: self._go(n)

    def _go(self, n: int) -> None:
        if n < 1 or n > 5 or (n > 1 and self.builder is None):
            return
        self.step = n

    def _on_step(self, _change: dict) -> None:
        self._show()

    def _titles(self) -> dict[int, str]:
        _ = self._
        return {
            1: _("Choose or create a grain"),
            2: _("Write the questions"),
            3: _("Images, sounds and description"),
            4: _("Try the grain as a pupil"),
            5: _("Export the grain"),
        }

    def _show(self) -> None:
        _ = self._
        title = _("Step {n} of {total}: {title}").format(
            n=self.step, total=len(STEPS), title=self._titles()[self.step]
        )
        self.step_heading.value = f"<h2>{html.escape(title)}</h2>"
        self.step_status.text = title
        for n, widget in zip(STEPS, self.step_buttons, strict=True):
            widget.disabled = n > 1 and self.builder is None
            if n == self.step:
                widget.add_class("icw-current")
                widget.tooltip = _("Current step")
            else:
                widget.remove_class("icw-current")
                widget.tooltip = self._titles()[n]
        self.previous_button.disabled = self.step == 1
        self.next_button.disabled = self.step == 5 or self.builder is None
        if self.builder is not None:
            self.builder.flush()
        if self.step == 1:
            self.refresh_grains()
            self.body.children = [self.choose_panel]
        elif self.step in BUILDER_VIEWS:
            self.builder.view = BUILDER_VIEWS[self.step]
            self.body.children = [self.builder]
        else:
            self.prepare_export()
            self.body.children = [self.export_panel]
        self._show_grain_line()

    def _show_grain_line(self) -> None:
        _ = self._
        if self.builder is None:
            self.grain_line.value = ""
            return
        self.grain_line.value = self._where(
            _("Grain: « {title} », in the folder {folder}"),
            self.builder.title,
            self.bundle_dir,
            self.grains_dir,
        )

    # -- step 1: choose or create -----------------------------------------------------------

    def _build_choose(self) -> None:
        _ = self._
        labels = kind_labels(self.language)
        self.grain_list, self.no_grain = self._build_open(
            _("Your grains"),
            _("Open this grain"),
            _("You have no grain yet: create your first one below."),
        )
        self._build_create(
            _("Title of the new grain"),
            _("For example: The capitals of West Africa"),
            _("Create the grain"),
            lambda _t: show_errors(self.create_errors, []),
        )
        self.new_kind = choice_field(
            _("Kind of grain"),
            [(labels[k], k) for k in grain_kinds()],
            "single_choice",
            lambda _v: None,
        )
        self.choose_panel = column(
            [
                self._section(_("Open one of your grains"), self.no_grain, self.open_box),
                self._section(
                    _("Create a new grain"),
                    self.new_title,
                    self.create_errors,
                    self.new_kind,
                    self.create_button,
                    help_text=_(
                        "The new grain starts with an example question: replace it "
                        "with yours. Everything is saved as you type."
                    ),
                ),
            ],
            "icw-choose",
        )

    def refresh_grains(self) -> list[GrainEntry]:
        """List the grains again (newest first) in the « Your grains » list."""
        _ = self._
        labels = kind_labels(self.language)
        grains = find_grains(self.grains_dir)
        self._list_bundles(
            grains,
            self.grain_list,
            self.no_grain,
            lambda g, date: _("{title} ({kind}, {date})").format(
                title=g.title, kind=labels.get(g.kind, g.kind), date=date
            ),
        )
        self.grains = grains
        return grains

    def _open_chosen(self) -> None:
        if self.grain_list.value:
            self.open_grain(self.grain_list.value)

    def open_grain(self, bundle_dir: Path | str, step: int = 2) -> QuizBuilder:
        """Open the grain in `bundle_dir` and go to `step` (the questions by default)."""
        if self.builder is not None:
            self.builder.close()
        self.bundle_dir = str(bundle_dir)
        self.builder = QuizBuilder(bundle_dir, language=self.language, heading_level=3)
        if self.step == step:
            self._show()
        else:
            self.step = step
        return self.builder

    def create(self, title: str, kind: str) -> QuizBuilder | None:
        """Create a grain of `kind` titled `title` in the grains folder, and open it."""
        _ = self._
        language = "en" if self.language == "en" else "fr"
        folder = self._new_bundle(
            self.grains_dir,
            title,
            lambda short: new_grain(kind, language, title=short),
            _("Write a title for the grain first."),
        )
        return None if folder is None else self.open_grain(folder)

    def _create(self) -> None:
        self.create(self.new_title.value, self.new_kind.value)

    # -- step 5: export ---------------------------------------------------------------------

    def _build_export(self) -> None:
        _ = self._
        self.export_warning = html_block("", "icw-export-warning")
        self.download = html_block("", "icw-download")
        self.export_errors = error_slot()
        self.refresh_export = button(
            _("Prepare the file again"), self.prepare_export, icon="refresh", kind="quiet"
        )
        offline = _(
            "This page works without internet: open it in any browser, on a computer or a "
            "phone, or copy it to a USB stick for your pupils."
        )
        catalogue = _(
            "To share this grain with other teachers, open the « Publish to the catalogue » "
            "workbench from your home page: it checks the description, then sends the grain "
            "for review."
        )
        self.export_panel = column(
            [
                column(
                    [
                        heading(_("Download the offline page"), 3),
                        html_block(f"<p>{html.escape(offline)}</p>"),
                        self.export_warning,
                        self.download,
                        self.export_errors,
                        self.refresh_export,
                    ],
                    "icb-section",
                ),
                column(
                    [
                        heading(_("Publish to the catalogue"), 3),
                        html_block(f"<p>{html.escape(catalogue)}</p>"),
                    ],
                    "icb-section",
                ),
            ],
            "icw-export",
        )

    def prepare_export(self) -> str:
        """Make the download link of the offline package; returns its file name ("" if none)."""
        _ = self._
        show_errors(self.export_errors, [])
        self.export_warning.value = ""
        self.download.value = ""
        if self.builder is None:
            return ""
        self.builder.flush()
        if self.builder.problems:
            text = _(
                "The grain still has {count} problem(s), shown in red at steps 2 and 3. The "
                "page below holds the last valid version; fix the problems to export what "
                "you see now."
            ).format(count=len(self.builder.problems))
            self.export_warning.value = f"<p class='icw-warning'>{html.escape(text)}</p>"
        try:
            data, suffix, manifest = offline_package(self.bundle_dir)
        except BundleError as exc:
            show_errors(
                self.export_errors,
                [_("There is no valid version of this grain to export yet.")]
                + [
                    Message("{field}: {problem}", field=p.path, problem=p.message).render(
                        self.language
                    )
                    for p in exc.problems[:5]
                ],
            )
            return ""
        name = slugify(manifest["metadata"].get("title", "")) + suffix
        self.download.value = download_link(
            data,
            name,
            "application/zip" if suffix == ".zip" else "text/html;charset=utf-8",
            self.language,
            Path(self.grains_dir) / "exports",
            f"{GRAINS_FOLDER}/exports",
            _(
                "The page is too large to download from here ({size}). It was saved as "
                "{path}: download it from JupyterLab (right click, Download)."
            ),
        )
        return name


def download_link(
    data: bytes,
    name: str,
    mime: str,
    language: str,
    exports_dir: Path,
    shown_dir: str,
    too_large: str,
) -> str:
    """HTML of a link that downloads `data` as `name`.

    Data larger than MAX_DOWNLOAD_BYTES does not travel through the websocket: it is written
    to `exports_dir`/`name`, and `too_large` (with {size} and {path}, `shown_dir`/`name`)
    says where.
    """
    _ = gettext_for(language)
    size = _size(len(data), language)
    if len(data) > MAX_DOWNLOAD_BYTES:
        target = exports_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        text = too_large.format(size=size, path=f"{shown_dir}/{name}")
        return f"<p>{html.escape(text)}</p>"
    href = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
    label = _("Download {name} ({size})").format(name=name, size=size)
    attr = html.escape(name, quote=True)
    return (
        f'<a class="icw-download-link" href="{href}" download="{attr}">'
        f'<span aria-hidden="true">⬇</span> {html.escape(label)}</a>'
    )


def _size(n: int, language: str) -> str:
    _ = gettext_for(language)
    if n < 1024 * 1024:
        return _("{n} KB").format(n=max(1, round(n / 1024)))
    return _("{n} MB").format(
        n=f"{n / 1024 / 1024:.1f}".replace(".", "," if language == "fr" else ".")
    )
