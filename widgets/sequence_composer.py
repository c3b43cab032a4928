"""The composer of modules and parcours, for teachers who never code (JupyterLab and Voilà).

`SequenceWorkbench` is the « Composer un module ou un parcours » app: its first screen lists
the teacher's modules (``modules/``) and parcours (``parcours/``) beside the notebook, and
creates a new one; the chosen one opens in a `SequenceComposer`:

- its description (the grain's metadata form: title, country, level, subject, language…),
  introduction, objectives, duration and, for a module, its completion rule;
- its parts in order (`SequenceList`, an anywidget): drag a row by its handle, or use the
  Move up / Move down buttons of each row (each move is announced to screen readers);
  Remove; for a parcours, each module's prerequisites as check boxes of the earlier modules;
- the teacher's own resources to add (grains, comics, podcasts, apps; modules for a
  parcours), with a filter box, and the catalogue's search (its JSON API): a resource taken
  from the catalogue is downloaded into ``catalogue/<name>/`` and added with its page address;
- « Preview »: the whole module or parcours in the sequence player, in a frame; the
  problems `resolve` finds (a missing part…) are listed instead;
- the exports that take a module or a parcours, as download links.

Every change is saved at once through `imaginecole.sequence` (a text being typed, a moment
after the last key). A change that would make the manifest invalid is refused and said next
to its field, in the teacher's language; the last valid manifest.json stays on disk.
"""

from __future__ import annotations

import copy
import html
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import anywidget
import ipywidgets
from traitlets import Dict, Int, List, Unicode, default

from ..bundle import BundleError, load_manifest, save_manifest
from ..bundle.model import MANIFEST
from ..i18n import ImaginecoleError, Message, gettext_for
from ..sequence import MODULE, PARCOURS, add_item, move_item, remove_item, resolve
from ..sequence.validate import items_key
from . import widget_module
from .autosave import Debouncer
from .bundle_workbench import BundleWorkbench
from .export_buttons import exporters_for
from .form_fields import (
    button,
    choice_field,
    close_tree,
    column,
    error_slot,
    heading,
    html_block,
    number_field,
    plain_from_rich,
    relative,
    rich_from_plain,
    route_problems,
    row,
    show_errors,
    style_sheet,
    text_field,
)
from .live_status import LiveStatus
from .metadata_form import MetadataForm
from .publish_client import CatalogueClient, CatalogueError, default_public_url, default_token
from .publish_client import default_url as default_catalogue_url
from .question_forms import kind_labels
from .quiz_workbench import new_grain_folder, scan_bundles

HERE = Path(__file__).parent
MODULES_FOLDER, PARCOURS_FOLDER, CATALOGUE_FOLDER = "modules", "parcours", "catalogue"
# where the teacher's resources of each type live in the home
PART_FOLDERS = {
    "grain": "grains",
    "comic": "comics",
    "podcast": "podcasts",
    "notebook-app": "apps",
}
PART_TYPES = tuple(PART_FOLDERS)
EXPORTS = ("site", "scorm2004", "scorm12", "kolibri", "imscc", "lom")
CATALOGUE_BUNDLE = "api/resources/{uid}/files/bundle"
MAX_CATALOGUE_BUNDLE = 200 * 1024 * 1024
MAX_RESULTS = 20
SEQUENCE_SLUG = "module"


# -- what the home holds --------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One bundle of the teacher's home: a part for a module, or a module for a parcours."""

    path: Path
    id: str
    type: str
    kind: str  # a grain's kind (multiple_choice…); "" for the others
    title: str
    country: str
    level: str
    modified: float


def find_resources(home: Path | str, types: tuple[str, ...]) -> list[Resource]:
    """The bundles of `types` in the home (grains/, comics/, podcasts/, apps/, modules/ and
    catalogue/), most recently changed first; unreadable ones skipped."""
    home = Path(home)
    folders = [PART_FOLDERS[t] for t in types if t in PART_FOLDERS]
    if MODULE in types:
        folders.append(MODULES_FOLDER)
    folders.append(CATALOGUE_FOLDER)
    found: dict[str, Resource] = {}
    for name in folders:
        for path, manifest, meta, modified in scan_bundles(home / name):
            kind = str(manifest.get("type") or "grain")
            uid = manifest.get("id")
            if kind not in types or not isinstance(uid, str) or uid in found:
                continue
            found[uid] = Resource(
                path,
                uid,
                kind,
                str(manifest.get("kind") or "") if kind == "grain" else "",
                str(meta.get("title") or path.name),
                str(meta.get("country") or ""),
                str(meta.get("level") or ""),
                modified,
            )
    return sorted(found.values(), key=lambda r: r.modified, reverse=True)


@dataclass(frozen=True)
class SequenceEntry:
    """One module or parcours of the home."""

    path: Path
    title: str
    type: str
    language: str
    modified: float


def find_sequences(home: Path | str) -> list[SequenceEntry]:
    """The modules and parcours of the home, most recently changed first."""
    found = []
    for name, kind in ((MODULES_FOLDER, MODULE), (PARCOURS_FOLDER, PARCOURS)):
        for path, manifest, meta, modified in scan_bundles(Path(home) / name):
            if manifest.get("type") == kind:
                title = str(meta.get("title") or path.name)
                found.append(
                    SequenceEntry(path, title, kind, str(meta.get("language") or ""), modified)
                )
    return sorted(found, key=lambda e: e.modified, reverse=True)


def type_labels(language: str) -> dict[str, str]:
    _ = gettext_for(language)
    return {
        "grain": _("Grain"),
        "comic": _("Comic"),
        "podcast": _("Podcast"),
        "notebook-app": _("App"),
        MODULE: _("Module"),
        PARCOURS: _("Parcours"),
    }


@cache
def _level_names(country: str, language: str) -> dict[str, str]:
    from ..curricula import levels

    name = "name_en" if language == "en" else "name_fr"
    try:
        return {item["id"]: item[name] for item in levels(country)}
    except (ImaginecoleError, KeyError, OSError, ValueError):
        return {}


def level_name(country: str, level: str, language: str) -> str:
    """The name of a curriculum level (« CM1 »), or its id when the country is not known."""
    if not level:
        return ""
    return _level_names(country, language).get(level, level) if country else level


def describe(kind: str, grain_kind: str, country: str, level: str, language: str) -> str:
    """« Grain: Multiple choice, CM1 »: what a resource is, for its line in a list."""
    _ = gettext_for(language)
    what = type_labels(language).get(kind, kind)
    if kind == "grain" and grain_kind:
        what = _("{type}: {kind}").format(
            type=what, kind=kind_labels(language).get(grain_kind, grain_kind)
        )
    shown = level_name(country, level, language)
    return _("{what}, {level}").format(what=what, level=shown) if shown else what


def error_text(exc: BaseException, language: str) -> str:
    """What went wrong, for the teacher, in `language`: never a traceback."""
    render = getattr(exc, "render", None)
    if callable(render):
        return str(render(language))
    if isinstance(exc, ImaginecoleError):
        return Message(exc.message_id, **exc.values).render(language)
    if isinstance(exc, OSError):
        return Message(
            "The file {name} could not be read or written ({reason}). Check the folder, then "
            "try again.",
            name=exc.filename or "",
            reason=exc.strerror or type(exc).__name__,
        ).render(language)
    return str(exc)


# -- the ordered list (anywidget) -----------------------------------------------------------


def list_strings(language: str, kind: str) -> dict[str, str]:
    _ = gettext_for(language)
    return {
        "list_label": _("Parts of the module, in order")
        if kind == MODULE
        else _("Modules of the parcours, in order"),
        "help": _(
            "To change the order, drag a row by its handle ⠿, or use the « Move up » and "
            "« Move down » buttons."
        ),
        "empty": _("Nothing yet: add resources below.")
        if kind == MODULE
        else _("No module yet: add modules below."),
        "drag": _("Drag to move"),
        "tools_label": _("“{title}”, position {n} of {total}"),
        "up": _("Move “{title}” up"),
        "down": _("Move “{title}” down"),
        "remove": _("Remove “{title}”"),
        "up_short": _("Move up"),
        "down_short": _("Move down"),
        "remove_short": _("Remove"),
        "needs": _("“{title}” needs first:"),
    }


class SequenceList(anywidget.AnyWidget):
    """The items of a module or parcours, reordered by drag and drop or by buttons.

    Sends {op: "move", id, position}, {op: "remove", id} and {op: "prerequisites", id,
    needs} to Python (see SequenceComposer.handle)."""

    _esm = widget_module("sequence_composer.js")
    _css = HERE / "sequence_composer.css"
    items = List(
        help="The rows: {id, title, detail, missing, prerequisites, earlier: [{id, title}]}."
    ).tag(sync=True)
    strings = Dict(help="The words of the list, in the teacher's language.").tag(sync=True)
    announce = Unicode("", help="The last change, for screen readers.").tag(sync=True)
    announce_count = Int(
        0, help="Counts announcements, so that the same words are read again."
    ).tag(sync=True)

    def say(self, text: str) -> None:
        self.announce = text
        self.announce_count += 1


# -- the composer ---------------------------------------------------------------------------


class SequenceComposer(ipywidgets.VBox):
    """Edit one module or parcours: description, parts, rules, preview and exports."""

    bundle_dir = Unicode(help="The module's or parcours' folder.")
    home = Unicode(help="The teacher's home (grains/, comics/…); default: two folders up.")
    language = Unicode("fr", help="Language of the interface: fr, en or ar.")
    kind = Unicode("", help="module or parcours (read-only).")
    status = Unicode("", help="The save status as shown to the teacher (read-only).")
    catalogue_url = Unicode(help="The catalogue's address ($IMAGINECOLE_CATALOGUE_URL).")
    public_url = Unicode(help="The catalogue's address for the browser (pages' links).")
    token = Unicode(help="Access key of the catalogue (kept in the kernel).")
    heading_level = Int(3, help="HTML level of the section headings.")

    @default("home")
    def _default_home(self) -> str:
        return str(Path(self.bundle_dir).resolve().parent.parent)

    def __init__(
        self,
        bundle_dir: Path | str,
        language: str = "fr",
        *,
        autosave_delay: float = 0.6,
        catalogue_url: str | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(bundle_dir=str(bundle_dir), language=language, **kwargs)
        self.catalogue_url = default_catalogue_url() if catalogue_url is None else catalogue_url
        self.token = default_token() if token is None else token
        if not self.public_url:
            self.public_url = default_public_url() if catalogue_url is None else self.catalogue_url
        self._ = _ = gettext_for(self.language)
        self.add_class("icw")
        self.add_class("icsq")
        self._saver = Debouncer(self._save_edits, autosave_delay)
        self._dirty = False
        self.resources: list[Resource] = []
        self.results: dict[str, dict[str, Any]] = {}
        self.last_error = ""  # why the last change was refused ("" when it was saved)
        self.status_line = LiveStatus()
        self.errors = error_slot()
        try:
            self.manifest = load_manifest(self.bundle_dir)
            if self.manifest.get("type") not in (MODULE, PARCOURS):
                raise BundleError(self.bundle_dir, [], kind=str(self.manifest.get("type")))
        except BundleError as exc:
            self.manifest = {}
            show_errors(
                self.errors,
                [_("This module or parcours cannot be opened."), error_text(exc, language)],
            )
            self.children = [style_sheet(), self.errors]
            return
        self.kind = self.manifest["type"]
        self.section, self.key = items_key(self.kind)
        self._build()
        self.refresh_items()
        self.refresh_resources()
        self.status_line.show(_("Opened; everything is saved."), "ok")
        self.status = self.status_line.text

    # -- building ---------------------------------------------------------------------------

    def _h(self, text: str) -> ipywidgets.HTML:
        return heading(text, self.heading_level)

    def _box(
        self, title: str, *children: ipywidgets.Widget, help_text: str = ""
    ) -> ipywidgets.VBox:
        top: list[ipywidgets.Widget] = [self._h(title)]
        if help_text:
            top.append(html_block("<p class='icb-help'>" + html.escape(help_text) + "</p>"))
        return column([*top, *children], "icb-section")

    def _build(self) -> None:
        _ = self._
        body = self.manifest[self.section]
        module = self.kind == MODULE
        # the description: the grain's form, named for a module or parcours
        self.form = self._metadata_form()
        self.slots: dict[str, ipywidgets.HTML] = {"": self.errors}

        def slot(key: str) -> ipywidgets.HTML:
            return self.slots.setdefault(f"{self.section}.{key}", error_slot())

        self.introduction = text_field(
            _("Introduction (shown before the first part)"),
            plain_from_rich(body.get("introduction", "")),
            self._set_introduction,
            multiline=True,
            rows=4,
            placeholder=_("What this is about, and how to go through it"),
        )
        self.objectives_box = column([], "icsq-objectives")
        self.add_objective_button = button(
            _("Add an objective"), self.add_objective, icon="plus", kind="quiet"
        )
        self._objectives = [str(t) for t in body.get("objectives") or []]
        self._draw_objectives()
        texts = [
            self.introduction,
            slot("introduction"),
            self._h(_("Objectives")),
            html_block(
                "<p class='icb-help'>"
                + html.escape(_("What the pupil can do at the end, one sentence each."))
                + "</p>"
            ),
            self.objectives_box,
            slot("objectives"),
            self.add_objective_button,
        ]
        rules: list[ipywidgets.Widget] = []
        if module:
            self.duration = number_field(
                _("Planned duration in minutes (0: not said)"),
                int(body.get("duration_minutes") or 0),
                self._set_duration,
                minimum=0,
                maximum=100000,
                step=5,
                integer=True,
            )
            completion = body.get("completion") or {"rule": "all"}
            self.rule = choice_field(
                _("The module is completed when"),
                [
                    (_("every part is completed"), "all"),
                    (_("at least a number of parts are completed"), "count"),
                    (_("every part is completed with a mean score of at least…"), "score"),
                ],
                completion.get("rule", "all"),
                lambda _v: self._set_completion(),
            )
            self.count = number_field(
                _("Number of parts to complete"),
                int(completion.get("count") or 1),
                lambda _v: self._set_completion(),
                minimum=1,
                maximum=60,
                step=1,
                integer=True,
            )
            self.score = number_field(
                _("Mean score needed (%)"),
                round(float(completion.get("score", 0.5)) * 100),
                lambda _v: self._set_completion(),
                minimum=0,
                maximum=100,
                step=5,
                integer=True,
            )
            self._show_rule()
            rules = [
                self._box(
                    _("Duration and completion"),
                    self.duration,
                    slot("duration_minutes"),
                    self.rule,
                    self.count,
                    self.score,
                    slot("completion"),
                    help_text=_(
                        "The score is the mean of the parts that give one (quizzes); the "
                        "others count once completed."
                    ),
                )
            ]
        # the parts
        self.parts_list = SequenceList(strings=list_strings(self.language, self.kind))
        self.parts_list.on_msg(self._on_list_message)
        self.list_errors = error_slot()
        parts_title = _("Parts, in order") if module else _("Modules, in order")
        # the teacher's own resources
        self.filter = text_field(
            _("Filter by words of the title"),
            "",
            lambda _t: self._show_resources(),
            placeholder=_("For example: fractions"),
        )
        self.resource_list = ipywidgets.Select(options=[], description=_("Your resources"), rows=8)
        self.resource_list.style.description_width = "initial"
        self.resource_list.add_class("icb-field")
        self.resource_list.add_class("icsq-resources")
        self.add_button = button(_("Add"), self.add_chosen, icon="plus", kind="primary")
        self.add_errors = error_slot()
        self.refresh_button = button(
            _("List my resources again"), self.refresh_resources, icon="refresh", kind="quiet"
        )
        self.no_resource = html_block("", "icb-help")
        own = self._box(
            _("Add one of your resources") if module else _("Add one of your modules"),
            self.filter,
            self.no_resource,
            self.resource_list,
            self.add_errors,
            row([self.add_button, self.refresh_button]),
            help_text=_("Your grains, comics, podcasts and apps, newest first.")
            if module
            else _("Your modules, newest first."),
        )
        # the catalogue
        self.search_text = text_field(
            _("Search the catalogue"), "", lambda _t: None, placeholder=_("For example: fractions")
        )
        self.search_button = button(_("Search"), self.search, icon="search", kind="quiet")
        self.result_list = ipywidgets.Select(
            options=[], description=_("Found in the catalogue"), rows=6
        )
        self.result_list.style.description_width = "initial"
        self.result_list.add_class("icb-field")
        self.result_list.layout.display = "none"
        self.catalogue_note = html_block("", "icb-help")
        self.catalogue_errors = error_slot()
        self.take_button = button(
            _("Add from the catalogue"), self.take_chosen, icon="download", kind="primary"
        )
        self.take_button.layout.display = "none"
        catalogue = self._box(
            _("Add from the catalogue"),
            self.search_text,
            self.search_button,
            self.catalogue_note,
            self.result_list,
            self.catalogue_errors,
            self.take_button,
            help_text=_(
                "A resource from the catalogue is copied into your folder « catalogue », "
                "then added with the address of its page."
            ),
        )
        if not self.catalogue_url:
            self.search_text.disabled = self.search_button.disabled = True
            self._note(self.catalogue_note, _("No catalogue is set up on this server."))
        # preview and exports
        self.preview_button = button(_("Preview"), self.preview, icon="eye", kind="primary")
        self.preview_errors = error_slot()
        self.preview_frame = html_block("", "icsq-preview")
        self.export_errors = error_slot()
        self.download = html_block("", "icw-download")
        names = exporters_for(self.kind, EXPORTS)
        labels = self._export_labels()
        self.export_buttons = [
            button(labels.get(n, n), self._exporter(n), icon="download", kind="quiet")
            for n in names
        ]
        exports_note = (
            "" if names else _("No export of modules and parcours is installed on this server yet.")
        )
        # publishing: the publish widget, in place of the description while it is open
        self.publisher: Any = None
        self.publish_button = button(
            _("Publish to the catalogue…"), self.open_publisher, icon="upload", kind="quiet"
        )
        self.publish_box = column([], "icsq-publish")
        publish_help = _(
            "The catalogue receives the {kind} with every part it uses; each part needs its "
            "description too. Reviewers check it before other teachers see it."
        ).format(kind=type_labels(self.language)[self.kind].lower())
        if not self.catalogue_url:
            self.publish_button.disabled = True
            publish_help = _("No catalogue is set up on this server.")
        self.description_box = self._box(_("Description"), self.form, column(texts))
        self.children = [
            style_sheet(),
            row([self.status_line], "icb-toolbar"),
            self.errors,
            self.description_box,
            *rules,
            self._box(parts_title, self.parts_list, self.list_errors),
            own,
            catalogue,
            self._box(
                _("Preview"),
                self.preview_button,
                self.preview_errors,
                self.preview_frame,
                help_text=_(
                    "The whole {kind} as pupils will see it: navigation, progress and scores."
                ).format(kind=type_labels(self.language)[self.kind].lower()),
            ),
            self._box(
                _("Export"),
                row(self.export_buttons),
                self.export_errors,
                self.download,
                html_block(f"<p class='icb-help'>{html.escape(exports_note)}</p>")
                if exports_note
                else html_block(""),
            ),
            self._box(
                _("Publish to the catalogue"),
                self.publish_button,
                self.publish_box,
                help_text=publish_help,
            ),
        ]

    def open_publisher(self) -> Any:
        """The publish widget (checklist, description, send, my publications) for this
        module or parcours; the description above is hidden meanwhile (one form at a time)."""
        from .publish import PublishWidget

        if self.publisher is not None:
            return self.publisher
        self.flush()
        self.publisher = PublishWidget(
            self.bundle_dir, self.catalogue_url, self.token, language=self.language
        )
        self.publisher.public_url = self.public_url
        close = button(
            self._("Close the publication and edit again"),
            self.close_publisher,
            icon="times",
            kind="quiet",
        )
        self.publish_box.children = [self.publisher, close]
        self.description_box.layout.display = "none"
        self.publish_button.disabled = True
        return self.publisher

    def close_publisher(self) -> None:
        """Close the publish widget (saved first) and show the description as saved."""
        if self.publisher is None:
            return
        self.publisher.save_now()
        old = list(self.publish_box.children)
        self.publish_box.children = []
        for widget in old:
            close_tree(widget)
        self.publisher = None
        try:
            metadata = load_manifest(self.bundle_dir, validate=False)["metadata"]
        except BundleError as exc:
            show_errors(self.errors, [error_text(exc, self.language)])
            metadata = self.manifest["metadata"]
        self.manifest["metadata"] = metadata
        old_form, self.form = self.form, self._metadata_form()
        self.description_box.children = [
            self.form if child is old_form else child for child in self.description_box.children
        ]
        close_tree(old_form)
        self.description_box.layout.display = None
        self.publish_button.disabled = False

    def _metadata_form(self) -> MetadataForm:
        """The grain's description form, named for a module or a parcours."""
        _ = self._
        module = self.kind == MODULE
        meta = self.manifest["metadata"]
        form = MetadataForm(meta, language=self.language, on_change=self._edited)
        form.title.description = _("Title of the module") if module else _("Title of the parcours")
        form.grain_language.description = _("Language")
        form.resource_type.layout.display = "none"
        # a module's time is its planned duration (below), kept in learning_time for LOM
        form.learning_time.layout.display = "none" if module else None
        form.level.description = _("Level") if module else _("Target level")
        return form

    def _export_labels(self) -> dict[str, str]:
        _ = self._
        return {
            "site": _("Offline mini-site (zip)"),
            "scorm2004": _("SCORM 2004"),
            "scorm12": _("SCORM 1.2"),
            "kolibri": _("Kolibri"),
            "imscc": _("IMS Common Cartridge"),
            "lom": _("LOM record (XML)"),
        }

    def _note(self, widget: ipywidgets.HTML, text: str) -> None:
        widget.value = f"<p class='icb-help'>{html.escape(text)}</p>" if text else ""

    # -- what the composer shows ------------------------------------------------------------

    @property
    def title(self) -> str:
        return str((self.manifest.get("metadata") or {}).get("title", ""))

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The items as saved: parts of a module, modules of a parcours."""
        return list((self.manifest.get(self.section) or {}).get(self.key) or [])

    def refresh_items(self) -> None:
        """Draw the list from the manifest (each item read again for its kind and level)."""
        rows = []
        labels = type_labels(self.language)
        _ = self._
        earlier: list[dict[str, str]] = []
        folder = Path(self.bundle_dir)
        for entry in self.entries:
            uid, title = str(entry.get("id")), str(entry.get("title", ""))
            detail, missing = labels.get(str(entry.get("type", MODULE)), ""), ""
            path = folder / str(entry.get("path", ""))
            try:
                manifest = load_manifest(path, validate=False)
                meta = manifest.get("metadata") or {}
                detail = describe(
                    str(manifest.get("type", "grain")),
                    str(manifest.get("kind") or ""),
                    str(meta.get("country") or ""),
                    str(meta.get("level") or ""),
                    self.language,
                )
            except BundleError:
                missing = _("not found at {path}: press « Preview » to know more").format(
                    path=entry.get("path", "")
                )
            if entry.get("catalogue"):
                detail = _("{what} — from the catalogue").format(what=detail)
            item = {"id": uid, "title": title, "detail": detail, "missing": missing}
            if self.kind == PARCOURS:
                item["prerequisites"] = list(entry.get("prerequisites") or [])
                item["earlier"] = list(earlier)
                earlier.append({"id": uid, "title": title})
            rows.append(item)
        self.parts_list.items = rows

    def refresh_resources(self) -> list[Resource]:
        """Find the teacher's resources again and show those not in the list yet."""
        types = PART_TYPES if self.kind == MODULE else (MODULE,)
        self.resources = [
            r
            for r in find_resources(self.home, types)
            if r.path.resolve() != Path(self.bundle_dir).resolve()
        ]
        self._show_resources()
        return self.resources

    def _show_resources(self) -> None:
        _ = self._
        words = self.filter.value.casefold().split()
        taken = {str(e.get("id")) for e in self.entries}
        options = []
        for r in self.resources:
            if r.id in taken or not all(w in r.title.casefold() for w in words):
                continue
            what = describe(r.type, r.kind, r.country, r.level, self.language)
            options.append((f"{r.title} — {what}", str(r.path)))
        self.resource_list.options = options
        self.resource_list.value = options[0][1] if options else None
        self.add_button.disabled = not options
        if options:
            self._note(self.no_resource, "")
        elif self.resources and words:
            self._note(self.no_resource, _("No resource matches these words."))
        elif self.kind == MODULE:
            self._note(
                self.no_resource,
                _("No grain, comic, podcast or app to add: make some with the other workbenches."),
            )
        else:
            self._note(self.no_resource, _("No module to add: make modules first."))

    # -- saving the texts and rules ---------------------------------------------------------

    def _edited(self) -> None:
        self._dirty = True
        self._saver.schedule()

    def flush(self) -> None:
        """Save now what is being typed."""
        self._saver.flush()

    def _save_edits(self) -> bool:
        """Save the description, texts and rules as edited; refused (and said at each field)
        while they have problems, the last valid manifest.json staying on disk."""
        _ = self._
        if not self.manifest:
            return False
        try:
            on_disk = load_manifest(self.bundle_dir, validate=False)
            edited = copy.deepcopy(self.manifest)
            # the items are changed on disk only (add, move, remove): keep the disk's
            edited[self.section][self.key] = on_disk[self.section].get(self.key, [])
            if self.publisher is not None:  # the publish widget edits the description now
                edited["metadata"] = on_disk["metadata"]
            saved = save_manifest(self.bundle_dir, edited)
        except (BundleError, OSError) as exc:
            problems = [(p.path, p.message) for p in getattr(exc, "problems", [])]
            route_problems(self.form.error_slots(), relative(problems, "metadata"), self.language)
            others = [(p, m) for p, m in problems if not p.startswith("metadata")]
            route_problems(self.slots, others, self.language)
            if not problems:
                show_errors(self.errors, [error_text(exc, self.language)])
            self.status_line.show(
                _(
                    "Not saved: {count} problem(s) to fix, shown next to their field. The "
                    "last valid version is kept."
                ).format(count=max(1, len(problems))),
                "error",
            )
            self.status = self.status_line.text
            return False
        self._dirty = False
        route_problems(self.form.error_slots(), [], self.language)
        route_problems(self.slots, [], self.language)
        self.manifest["metadata"]["modified"] = saved["metadata"]["modified"]
        self._saved()
        return True

    def _saved(self) -> None:
        from datetime import datetime

        self.status_line.show(
            self._("Saved at {time}.").format(time=datetime.now().strftime("%H:%M:%S")), "ok"
        )
        self.status = self.status_line.text

    def _set_introduction(self, text: str) -> None:
        rich = rich_from_plain(text.strip())
        if rich:
            self.manifest[self.section]["introduction"] = rich
        else:
            self.manifest[self.section].pop("introduction", None)
        self._edited()

    def _draw_objectives(self) -> None:
        _ = self._
        rows = []
        for index, text in enumerate(self._objectives):
            field = text_field(
                _("Objective {n}").format(n=index + 1), text, self._objective_setter(index)
            )
            remove = button(
                _("Remove objective {n}").format(n=index + 1),
                self._objective_remover(index),
                icon="trash",
                kind="quiet",
            )
            rows.append(row([field, remove], "icsq-objective"))
        old = list(self.objectives_box.children)
        self.objectives_box.children = rows
        for widget in old:
            close_tree(widget)

    def _objective_setter(self, index: int) -> Callable[[str], None]:
        def set_text(text: str) -> None:
            self._objectives[index] = text
            self._store_objectives()

        return set_text

    def _objective_remover(self, index: int) -> Callable[[], None]:
        return lambda: self.remove_objective(index)

    def _store_objectives(self) -> None:
        kept = [" ".join(t.split()) for t in self._objectives if t.strip()]
        if kept:
            self.manifest[self.section]["objectives"] = kept
        else:
            self.manifest[self.section].pop("objectives", None)
        self._edited()

    def add_objective(self, text: str = "") -> None:
        """A new objective line (empty lines are not saved)."""
        self._objectives.append(text)
        self._draw_objectives()
        if text:
            self._store_objectives()
        from .form_fields import later_focus

        later_focus(self.objectives_box.children[-1].children[0])

    def remove_objective(self, index: int) -> None:
        if 0 <= index < len(self._objectives):
            self._objectives.pop(index)
            self._draw_objectives()
            self._store_objectives()

    def _set_duration(self, value: int) -> None:
        meta = self.manifest["metadata"]
        if value:
            self.manifest[MODULE]["duration_minutes"] = int(value)
            hours, minutes = divmod(int(value), 60)
            meta["learning_time"] = (
                "PT"
                + (f"{hours}H" if hours else "")
                + (f"{minutes}M" if minutes or not hours else "")
            )
        else:
            self.manifest[MODULE].pop("duration_minutes", None)
            meta.pop("learning_time", None)
        self._edited()

    def _show_rule(self) -> None:
        self.count.layout.display = None if self.rule.value == "count" else "none"
        self.score.layout.display = None if self.rule.value == "score" else "none"

    def _set_completion(self) -> None:
        self._show_rule()
        rule = self.rule.value
        completion: dict[str, Any] = {"rule": rule}
        if rule == "count":
            completion["count"] = int(self.count.value)
        elif rule == "score":
            completion["score"] = round(int(self.score.value) / 100, 4)
        self.manifest[MODULE]["completion"] = completion
        self._edited()

    def set_completion(
        self, rule: str, count: int | None = None, score: float | None = None
    ) -> bool:
        """Set the completion rule as the teacher does (score in 0..1); True when saved."""
        if count is not None:
            self.count.value = count
        if score is not None:
            self.score.value = round(score * 100)
        self.rule.value = rule
        self._set_completion()
        self.flush()
        return not self._dirty

    # -- changing the items -----------------------------------------------------------------

    def _on_list_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        try:
            self.handle(content if isinstance(content, dict) else {})
        except (TypeError, ValueError) as exc:  # a message the page should not have sent
            show_errors(self.list_errors, [error_text(exc, self.language)])

    def handle(self, message: dict[str, Any]) -> bool:
        """One change from the list: {op: move|remove|prerequisites, id, …}; True if saved."""
        op, uid = message.get("op"), str(message.get("id", ""))
        if op == "move":
            return self.move(uid, int(message.get("position", 0)))
        if op == "remove":
            return self.remove(uid)
        if op == "prerequisites":
            return self.set_prerequisites(uid, [str(n) for n in message.get("needs") or []])
        return False

    def _change(self, action: Callable[[], dict[str, Any]], said: Callable[[], str]) -> bool:
        """Run `action` (which saves the items and returns the manifest saved), then show it;
        on a refusal say why and show the list as saved."""
        self._saver.flush()
        try:
            saved = action()
        except (BundleError, ImaginecoleError, OSError, CatalogueError) as exc:
            self.last_error = error_text(exc, self.language)
            show_errors(self.list_errors, [self.last_error])
            self.status_line.show(
                self._("Not changed: {reason}").format(
                    reason=self.last_error.splitlines()[-1].lstrip("- ")
                ),
                "error",
            )
            self.status = self.status_line.text
            self._reload_items()
            return False
        self.last_error = ""
        show_errors(self.list_errors, [])
        self._take(saved)
        self.parts_list.say(said())
        self._saved()
        if self._dirty:
            self._save_edits()
        return True

    def _take(self, saved: dict[str, Any]) -> None:
        """The items (and rule) of the manifest just saved, into the one being edited."""
        self.manifest[self.section][self.key] = saved[self.section].get(self.key, [])
        if self.kind == MODULE and "completion" in saved[MODULE]:
            self.manifest[MODULE]["completion"] = saved[MODULE]["completion"]
            if hasattr(self, "count"):
                self.count.value = int(saved[MODULE]["completion"].get("count") or self.count.value)
        self.refresh_items()
        self._show_resources()

    def _reload_items(self) -> None:
        try:
            self._take(load_manifest(self.bundle_dir, validate=False))
        except BundleError:
            self.refresh_items()

    def _position(self, uid: str) -> tuple[int, int, str]:
        entries = self.entries
        for index, entry in enumerate(entries):
            if entry.get("id") == uid:
                return index + 1, len(entries), str(entry.get("title", ""))
        return 0, len(entries), ""

    def move(self, uid: str, position: int) -> bool:
        """Move the item `uid` to `position` (0 = first)."""

        def said() -> str:
            n, total, title = self._position(uid)
            return self._("“{title}” is now in position {n} of {total}").format(
                title=title, n=n, total=total
            )

        return self._change(lambda: move_item(self.bundle_dir, uid, position), said)

    def remove(self, uid: str) -> bool:
        """Remove the item `uid` from the list (its bundle stays in the home)."""
        _n, _total, title = self._position(uid)
        return self._change(
            lambda: remove_item(self.bundle_dir, uid),
            lambda: self._("“{title}” was removed; {total} left").format(
                title=title, total=len(self.entries)
            ),
        )

    def add(self, item_dir: Path | str, *, catalogue: str | None = None) -> bool:
        """Add the bundle `item_dir` at the end of the list."""
        manifest: dict[str, Any] = {}

        def action() -> dict[str, Any]:
            manifest.update(load_manifest(item_dir, validate=False))
            return add_item(self.bundle_dir, item_dir, catalogue=catalogue)

        def said() -> str:
            n, total, title = self._position(str(manifest.get("id")))
            return self._("“{title}” was added in position {n} of {total}").format(
                title=title, n=n, total=total
            )

        done = self._change(action, said)
        # where the teacher pressed « Add »: said there too
        show_errors(self.add_errors, [self.last_error] if self.last_error else [])
        return done

    def add_chosen(self) -> None:
        if self.resource_list.value:
            self.add(self.resource_list.value)

    def set_prerequisites(self, uid: str, needs: list[str]) -> bool:
        """The modules the module `uid` of a parcours needs first (earlier modules' ids)."""

        def action() -> dict[str, Any]:
            manifest = load_manifest(self.bundle_dir, validate=False)
            for item in manifest[PARCOURS]["modules"]:
                if item.get("id") == uid:
                    if needs:
                        item["prerequisites"] = list(dict.fromkeys(needs))
                    else:
                        item.pop("prerequisites", None)
                    break
            else:
                raise ImaginecoleError(
                    "no item with the id {id} in this {kind}", id=uid, kind=PARCOURS
                )
            return save_manifest(self.bundle_dir, manifest)

        def said() -> str:
            titles = {str(e.get("id")): str(e.get("title", "")) for e in self.entries}
            _n, _total, title = self._position(uid)
            if not needs:
                return self._("“{title}” needs no other module first").format(title=title)
            return self._("“{title}” now needs first: {modules}").format(
                title=title, modules=", ".join(titles.get(n, n) for n in needs)
            )

        return self._change(action, said)

    # -- the catalogue ----------------------------------------------------------------------

    def _client(self) -> CatalogueClient:
        return CatalogueClient(self.catalogue_url, self.token)

    def search(self, words: str | None = None) -> list[dict[str, Any]]:
        """Search the catalogue for resources this list can take; show them."""
        _ = self._
        if words is not None:
            self.search_text.value = words
        show_errors(self.catalogue_errors, [])
        types = list(PART_TYPES) if self.kind == MODULE else [MODULE]
        params = {
            "q": self.search_text.value.strip()[:200],
            "type": types,
            "per_page": MAX_RESULTS,
            "lang": self.language,
        }
        try:
            found = self._client().request("GET", "api/search", params=params)
            items = [i for i in (found or {}).get("items") or [] if isinstance(i, dict)]
        except CatalogueError as exc:
            show_errors(self.catalogue_errors, [exc.render(self.language)])
            return []
        taken = {str(e.get("id")) for e in self.entries}
        items = [i for i in items if i.get("type") in types and i.get("uid") not in taken]
        self.results = {str(i["uid"]): i for i in items if i.get("uid")}
        options = [
            (
                f"{i.get('title') or i['uid']} — "
                + describe(
                    str(i.get("type")),
                    str(i.get("kind") or ""),
                    str(i.get("country") or ""),
                    str(i.get("level") or ""),
                    self.language,
                ),
                str(i["uid"]),
            )
            for i in self.results.values()
        ]
        self.result_list.options = options
        self.result_list.value = options[0][1] if options else None
        self.result_list.layout.display = None if options else "none"
        self.take_button.layout.display = None if options else "none"
        self._note(
            self.catalogue_note,
            _("{n} resource(s) found.").format(n=len(options))
            if options
            else _("Nothing found in the catalogue for these words."),
        )
        return list(self.results.values())

    def take_chosen(self) -> None:
        if self.result_list.value:
            self.take(self.result_list.value)

    def take(self, uid: str) -> bool:
        """Download the catalogue resource `uid` into catalogue/ and add it to the list."""
        resource = self.results.get(uid) or {"uid": uid, "title": uid}
        try:
            folder = self.fetch_bundle(uid, str(resource.get("title") or uid))
        except (CatalogueError, ImaginecoleError, OSError) as exc:
            show_errors(self.catalogue_errors, [error_text(exc, self.language)])
            return False
        page = str(resource.get("page") or "")
        if page and not page.startswith(("http://", "https://")):
            page = urljoin(self.public_url.rstrip("/") + "/", page)
        done = self.add(folder, catalogue=page[:500] if page.startswith("http") else None)
        show_errors(self.catalogue_errors, [self.last_error] if self.last_error else [])
        if done:
            self.refresh_resources()
            self.search()
        return done

    def fetch_bundle(self, uid: str, title: str) -> Path:
        """The catalogue's bundle of `uid` in home/catalogue/<name>/ (the folder already
        there when the home holds it); unpacked safely, checked."""
        from ..exports.archive import safe_extract

        home = Path(self.home)
        known = {m.get("id"): p for p, m, _meta, _t in scan_bundles(home / CATALOGUE_FOLDER)}
        if uid in known:
            return known[uid]
        client = self._client()
        data = fetch(client, CATALOGUE_BUNDLE.format(uid=quote(uid, safe="")))
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "bundle.zip"
            archive.write_bytes(data)
            unpacked = Path(tmp) / "unpacked"
            try:
                safe_extract(archive, unpacked, max_bytes=MAX_CATALOGUE_BUNDLE)
            except (OSError, zipfile.BadZipFile) as exc:
                raise ImaginecoleError(
                    "The catalogue sent a file that is not a bundle ({reason}).", reason=str(exc)
                ) from exc
            root = unpacked
            if not (root / MANIFEST).is_file():
                folders = [p for p in unpacked.iterdir() if p.is_dir()]
                if len(folders) == 1 and (folders[0] / MANIFEST).is_file():
                    root = folders[0]
            load_manifest(root)  # BundleError when it is not a valid bundle
            (home / CATALOGUE_FOLDER).mkdir(parents=True, exist_ok=True)
            # a module's parts come with it (parts/<folder>/): beside it in catalogue/, where
            # resolve finds them by their ids
            parts = root / "parts"
            if parts.is_dir():
                for part in sorted(p for p in parts.iterdir() if (p / MANIFEST).is_file()):
                    part_id = load_manifest(part).get("id")
                    if part_id not in known:
                        moved = new_grain_folder(home / CATALOGUE_FOLDER, part.name, "ressource")
                        shutil.copytree(part, moved)
                        known[part_id] = moved
                shutil.rmtree(parts)
            target = new_grain_folder(home / CATALOGUE_FOLDER, title, "ressource")
            shutil.copytree(root, target)
        return target

    # -- preview and exports ----------------------------------------------------------------

    def preview(self) -> bool:
        """Show the whole module or parcours in the sequence player, or why it cannot."""
        _ = self._
        self.flush()
        show_errors(self.preview_errors, [])
        self.preview_frame.value = ""
        try:
            sequence = resolve(self.bundle_dir)
        except BundleError as exc:
            show_errors(
                self.preview_errors,
                [_("The preview needs every part in its place:")]
                + [
                    Message("{where}: {problem}", where=p.path or "-", problem=p.message).render(
                        self.language
                    )
                    for p in exc.problems
                ],
            )
            return False
        try:
            from ..exports.site import preview_html
        except ImportError:
            show_errors(
                self.preview_errors, [_("The preview is not installed on this server yet.")]
            )
            return False
        try:
            page = preview_html(sequence)
        except Exception as exc:  # an exporter's error is said, never a traceback
            show_errors(self.preview_errors, [error_text(exc, self.language)])
            return False
        label = _("Preview of « {title} »").format(title=self.title)
        self.preview_frame.value = (
            f'<iframe class="icsq-frame" title="{html.escape(label, quote=True)}" '
            f'sandbox="allow-scripts" srcdoc="{html.escape(page, quote=True)}"></iframe>'
        )
        return True

    def _exporter(self, name: str) -> Callable[[], None]:
        return lambda: self.export(name)

    def export(self, name: str) -> str:
        """Export the module or parcours as saved with the exporter `name`; the file name."""
        from ..exports import get_exporter
        from ..exports.base import Bundle
        from .quiz_workbench import download_link, slugify

        _ = self._
        self.flush()
        show_errors(self.export_errors, [])
        self.download.value = ""
        try:
            bundle = Bundle.load(self.bundle_dir)
            exporter = get_exporter(name)()
            with tempfile.TemporaryDirectory() as tmp:
                out = exporter.export(bundle, exporter.default_output(bundle, Path(tmp)))
                data = out.read_bytes()
        except Exception as exc:  # BundleError, ExportError, OSError…: said, never a traceback
            show_errors(self.export_errors, [error_text(exc, self.language)])
            return ""
        # scorm12 and scorm2004 both make a .zip: the format's name tells them apart
        extension = getattr(exporter, "extension", "") or out.suffix
        if extension in (".zip", ".xml"):
            extension = f".{name}{extension}"
        file_name = slugify(self.title or Path(self.bundle_dir).name, SEQUENCE_SLUG) + extension
        self.download.value = download_link(
            data,
            file_name,
            "application/octet-stream",
            self.language,
            Path(self.bundle_dir).parent / "exports",
            f"{Path(self.bundle_dir).parent.name}/exports",
            _(
                "The file is too large to download from here ({size}). It was saved as "
                "{path}: download it from JupyterLab (right click, Download)."
            ),
        )
        return file_name

    def close(self) -> None:
        if self.manifest:
            self.flush()
        for child in list(self.children):
            close_tree(child)
        super().close()


def fetch(client: CatalogueClient, path: str) -> bytes:
    """The bytes of a file of the catalogue (GET `path` under its address)."""
    import requests

    from .publish_client import TIMEOUT

    headers = {"Authorization": f"token {client.token}"} if client.token else {}
    try:
        response = requests.get(client.url + path, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise CatalogueError(
            Message(
                "The catalogue cannot be reached ({url}). Check that you are connected, then "
                "try again; your module is saved.",
                url=client.url,
            )
        ) from exc
    if response.status_code >= 400:
        raise client.error(response)
    if len(response.content) > MAX_CATALOGUE_BUNDLE:
        raise CatalogueError(Message("The resource is too large to be copied here."))
    return response.content


# -- the workbench --------------------------------------------------------------------------


class SequenceWorkbench(BundleWorkbench):
    """« Composer un module ou un parcours »: list, create, open, then the composer."""

    home_dir = Unicode(help="The teacher's home (modules/, parcours/, grains/…); default: cwd.")
    slug = SEQUENCE_SLUG

    @default("home_dir")
    def _default_home_dir(self) -> str:
        return str(Path.cwd())

    def __init__(self, **kwargs: Any) -> None:
        self._catalogue = kwargs.pop("catalogue_url", None)
        self._token = kwargs.pop("token", None)
        super().__init__(**kwargs)

    def _home(self) -> str:
        return str(Path(self.home_dir) / MODULES_FOLDER)

    def _find(self, folder: str) -> list[SequenceEntry]:
        return find_sequences(self.home_dir) if folder == self._home() else []

    def _editor_for(self, bundle_dir: Path | str) -> SequenceComposer:
        return SequenceComposer(
            bundle_dir,
            self.language,
            home=self.home_dir,
            catalogue_url=self._catalogue,
            token=self._token,
        )

    def _back_label(self) -> str:
        return self._("Back to my modules and parcours")

    def _where_template(self) -> str:
        if self.editor is not None and self.editor.kind == PARCOURS:
            return self._("Parcours: « {title} », in the folder {folder}")
        return self._("Module: « {title} », in the folder {folder}")

    def refresh(self) -> list[Any]:
        _ = self._
        labels = type_labels(self.language)
        entries = self._find(self._home())
        self._list_bundles(
            entries,
            self.bundle_list,
            self.no_bundle,
            lambda e, date: _("{title} ({kind}, {date})").format(
                title=e.title, kind=labels[e.type].lower(), date=date
            ),
        )
        self.entries = entries
        return entries

    def _build_choose(self) -> None:
        from ..workshop.countries import COUNTRIES, fold

        _ = self._
        self.bundle_list, self.no_bundle = self._build_open(
            _("Your modules and parcours"),
            _("Open"),
            _("You have no module or parcours yet: create your first one below."),
        )
        self._build_create(
            _("Title of the new module or parcours"),
            _("For example: Fractions in CM1"),
            _("Create"),
            lambda _v: show_errors(self.create_errors, []),
        )
        self.new_kind = choice_field(
            _("What to create"),
            [
                (_("A module: grains, comics, podcasts and apps in order"), MODULE),
                (_("A parcours: modules in order, for a level"), PARCOURS),
            ],
            MODULE,
            lambda _v: self._show_target(),
        )
        self.new_language = self._language_field(_("Language"))
        countries = sorted(COUNTRIES.items(), key=lambda item: fold(item[1]))
        self.new_country = choice_field(
            _("Country"),
            [(_("— Choose a country —"), "")] + [(name, code) for code, name in countries],
            "",
            lambda _v: self._fill_levels(),
        )
        self.new_level = choice_field(_("Target level"), [("", "")], "", lambda _v: None)
        self._fill_levels()
        self._show_target()
        self._choose(
            (
                _("Choose or create a module or a parcours"),
                _("Open one of your modules or parcours"),
                _("Create a module or a parcours"),
            ),
            [self.new_kind, self.new_language, self.new_country, self.new_level],
            _(
                "A module puts your grains, comics, podcasts and apps in order; a parcours "
                "puts modules in order. Everything is saved as you go."
            ),
            _("Examples"),
            "",
        )

    def _show_target(self) -> None:
        shown = None if self.new_kind.value == PARCOURS else "none"
        self.new_country.layout.display = shown
        self.new_level.layout.display = shown

    def _fill_levels(self) -> None:
        from ..curricula import levels

        _ = self._
        country = self.new_country.value
        name = "name_en" if self.language == "en" else "name_fr"
        options = [(_("— Choose the country first —"), "")]
        if country:
            options = [(_("— Choose —"), "")] + [(i[name], i["id"]) for i in levels(country)]
        self.new_level.options = options
        self.new_level.value = ""
        self.new_level.disabled = not country

    def create(
        self,
        title: str,
        kind: str = MODULE,
        language: str | None = None,
        country: str = "",
        level: str = "",
    ) -> SequenceComposer | None:
        """Create a module (in modules/) or a parcours (in parcours/, for `country` and
        `level`) titled `title`, and open it."""
        from ..sequence import new_module, new_parcours

        _ = self._
        title = title.strip()
        if not title:
            show_errors(self.create_errors, [_("Write a title first.")])
            return None
        if kind == PARCOURS and not (country and level):
            show_errors(
                self.create_errors, [_("Choose the country and the target level of the parcours.")]
            )
            return None
        metadata: dict[str, Any] = {"title": title[:200], "language": language or self.language}
        if country:
            metadata["country"] = country
        if level:
            metadata["level"] = level
        parent = Path(self.home_dir) / (MODULES_FOLDER if kind == MODULE else PARCOURS_FOLDER)
        folder = new_grain_folder(parent, title, kind)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            (new_module if kind == MODULE else new_parcours)(folder, metadata)
        except (BundleError, OSError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            self._report(self.create_errors, exc)
            return None
        self._report(self.create_errors)
        self.new_title.value = ""
        return self.open_bundle(folder)

    def _create(self) -> None:
        self.create(
            self.new_title.value,
            self.new_kind.value,
            self.new_language.value,
            self.new_country.value,
            self.new_level.value,
        )


__all__ = [
    "Resource",
    "SequenceComposer",
    "SequenceEntry",
    "SequenceList",
    "SequenceWorkbench",
    "find_resources",
    "find_sequences",
]
