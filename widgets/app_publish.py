"""« Publier comme application »: a teacher's ipywidgets notebook becomes a catalogue app.

Three steps, in one widget:

1. **choose** one of your notebooks (the .ipynb files under the home folder, except the
   workbenches and the apps already made), give the app a title and say what needs the live
   version;
2. **check and make the app**: the notebook runs top to bottom in a clean kernel (a progress
   bar counts the cells), every problem is listed in plain words with its cell, the packages
   it needs are recorded, Voilà draws it for the thumbnail, and the bundle is written in
   ``~/imaginecole/apps/<slug>/`` (making it again from the same notebook updates that app);
3. **describe and send** it with the catalogue's PublishWidget (its metadata form, its
   checklist, its send button and the list of your publications), reused as it is.

The same notebook works in JupyterLab and in Voilà (the workbench).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import ipywidgets
from traitlets import Unicode

from ..app.check import CheckError
from ..app.model import new_app, update_app
from ..bundle import BundleError, load_manifest
from ..i18n import LANGUAGES, ImaginecoleError, gettext_for
from .form_fields import (
    button,
    close_tree,
    column,
    heading,
    html_block,
    row,
    style_sheet,
    text_field,
)
from .live_status import LiveStatus
from .metadata_form import default_author
from .publish import PublishWidget
from .quiz_workbench import slugify

APPS_DIR = "imaginecole/apps"
SOURCE_FILE = ".source.json"  # beside manifest.json: which notebook the app was made from
MAX_NOTEBOOKS = 500
MAX_DEPTH = 4
MAX_FOLDERS = 2000  # a big home is not searched to its end
MAX_NOTEBOOK_BYTES = 5 * 1024 * 1024
SKIP_KINDS = {"workbench", "launcher"}
APP_WORKBENCH = {"fr": "Publier une application.ipynb", "en": "Publish an app.ipynb"}


def _kind(path: Path) -> str:
    """The ``imaginecole.kind`` of a notebook (workbench, launcher…) or ""."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return "big"
        meta = json.loads(path.read_text("utf-8")).get("metadata") or {}
    except (OSError, ValueError, AttributeError):
        return "unreadable"
    info = meta.get("imaginecole") if isinstance(meta, dict) else None
    return str(info.get("kind") or "") if isinstance(info, dict) else ""


def find_notebooks(home: Path | str) -> list[Path]:
    """The teacher's notebooks under `home`: not hidden, not a workbench nor the launcher,
    not inside the apps already made; sorted by path, `MAX_NOTEBOOKS` at most."""
    home = Path(home)
    apps = home / APPS_DIR
    found: list[Path] = []
    seen = [0]

    def walk(folder: Path, depth: int) -> None:
        seen[0] += 1
        if seen[0] > MAX_FOLDERS:
            return
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name.casefold())
        except OSError:
            return
        for entry in entries:
            if len(found) >= MAX_NOTEBOOKS or entry.name.startswith((".", "_")):
                continue
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry != apps and depth < MAX_DEPTH:
                    walk(entry, depth + 1)
            elif entry.suffix == ".ipynb" and _kind(entry) not in SKIP_KINDS | {"big"}:
                found.append(entry)

    walk(home, 0)
    return found


def app_folder(home: Path | str, notebook: Path, title: str) -> Path:
    """The bundle folder of the app made from `notebook`: the one already made from it, else
    a new ``~/imaginecole/apps/<slug>`` (-2, -3… if taken)."""
    apps = Path(home) / APPS_DIR
    if apps.is_dir():
        for folder in sorted(apps.iterdir()):
            try:
                source = json.loads((folder / SOURCE_FILE).read_text("utf-8")).get("notebook")
            except (OSError, ValueError, AttributeError):
                continue
            if source == str(notebook.resolve()):
                return folder
    base = slugify(title, "app")
    folder, n = apps / base, 2
    while folder.exists():
        folder, n = apps / f"{base}-{n}", n + 1
    return folder


class AppPublishWidget(ipywidgets.VBox):
    """Choose a notebook, check it and make it an app, then publish it."""

    language = Unicode("fr", help="Language of the interface: fr, en or ar.")
    home = Unicode(help="The teacher's home folder, searched for notebooks; default: the cwd.")
    bundle_dir = Unicode(help="The app's bundle folder, once made.")

    def __init__(
        self,
        home: Path | str | None = None,
        *,
        language: str = "fr",
        catalogue_url: str | None = None,
        token: str | None = None,
        screenshot: bool = True,
        timeout: float = 120,
        **kwargs: Any,
    ) -> None:
        language = language if language in LANGUAGES else "fr"
        home = Path(home) if home is not None else Path.cwd()  # the workbench sits in ~
        super().__init__(language=language, home=str(home), **kwargs)
        self._ = _ = gettext_for(language)
        self.add_class("icw")
        self.catalogue_url, self.token = catalogue_url, token
        self.screenshot, self.timeout = screenshot, timeout
        self.publisher: PublishWidget | None = None
        self.notebooks = find_notebooks(home)
        self.live_only_text = ""
        self.title_text = ""
        self.status = LiveStatus()
        self.progress = ipywidgets.IntProgress(
            value=0, min=0, max=1, description=_("Cells run"), layout={"display": "none"}
        )
        self.progress.style.description_width = "initial"
        self.report = html_block("", "icp-report")
        self.publish_area = ipywidgets.VBox()
        if self.notebooks:
            self.choice = ipywidgets.Dropdown(
                options=[(self._label(p), str(p)) for p in self.notebooks],
                value=str(self.notebooks[0]),
                description=_("The notebook to publish"),
            )
            self.choice.style.description_width = "initial"
            self.choice.add_class("icb-field")
            self.choice.add_class("icb-select")
            self.choice.observe(lambda change: self._chosen(), names=["value"])
            self.title = text_field(_("Title of the app"), "", self._set_title)
            self.live_only = text_field(
                _("What needs the live app (one per line, optional)"),
                "",
                self._set_live_only,
                multiline=True,
                placeholder=_("For example: moving the slider redraws the figure"),
            )
            self.make_button = button(
                _("Check the notebook and make the app"), self.make, icon="check", kind="primary"
            )
            self._chosen()
            choose = [
                heading(_("1. Choose your notebook"), 3),
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(
                        _(
                            "A notebook with widgets (ipywidgets) that runs from top to bottom. "
                            "Learners see its outputs, not its code."
                        )
                    )
                    + "</p>"
                ),
                self.choice,
                self.title,
                self.live_only,
            ]
            make = [
                heading(_("2. Check it and make the app"), 3),
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(
                        _(
                            "The notebook runs in a new, empty Python kernel, as the hub will "
                            "run it; then Voilà draws it for the picture shown in the catalogue."
                        )
                    )
                    + "</p>"
                ),
                row([self.make_button, self.status]),
                self.progress,
                self.report,
            ]
            self.children = [
                style_sheet(),
                heading(_("Publish as an app"), 2),
                column(choose, "icb-section"),
                column(make, "icb-section"),
                self.publish_area,
            ]
        else:
            text = _(
                "You have no notebook to publish yet: create one in JupyterLab (File › New › "
                "Notebook), make it work with widgets, then come back."
            )
            self.children = [
                style_sheet(),
                heading(_("Publish as an app"), 2),
                html_block(f"<p>{html.escape(text)}</p>"),
            ]

    # -- choosing -------------------------------------------------------------------------------

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.home))
        except ValueError:
            return str(path)

    def _set_title(self, value: str) -> None:
        self.title_text = value.strip()

    def _set_live_only(self, value: str) -> None:
        self.live_only_text = value

    def _chosen(self) -> None:
        """A notebook was chosen: its title (the app's if it was made already)."""
        notebook = Path(self.choice.value)
        folder = app_folder(self.home, notebook, notebook.stem)
        title, live = notebook.stem.replace("_", " "), []
        if (folder / "manifest.json").is_file():
            try:
                manifest = load_manifest(folder)
                title = manifest["metadata"]["title"]
                live = manifest["app"].get("live_only", [])
            except BundleError:
                pass
        self.title.value = title
        self.live_only.value = "\n".join(live)
        self.report.value = ""
        self.status.show("", tone="info")

    # -- making the app ------------------------------------------------------------------------

    def _on_cell(self, number: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = number
        self.status.show(
            self._("Running cell {number} of {total}…").format(number=number, total=total),
            tone="info",
        )

    def make(self) -> Path | None:
        """Check the chosen notebook and make (or make again) its app; then show the
        publishing step. Returns the bundle folder, or None (the reasons are shown)."""
        _ = self._
        esc = html.escape
        notebook = Path(self.choice.value)
        title = self.title_text or notebook.stem
        live_only = [t.strip() for t in self.live_only_text.splitlines() if t.strip()]
        folder = app_folder(self.home, notebook, title)
        if self.publisher is not None:
            self.publisher._saver.flush()  # the description typed so far is kept
        self.make_button.disabled = True
        self.report.value = ""
        self.progress.layout.display = None
        self.progress.value = 0
        self.status.show(_("Starting a clean Python kernel…"), tone="info")
        options = {"live_only": live_only, "timeout": self.timeout, "on_cell": self._on_cell}
        try:
            if (folder / "manifest.json").is_file():
                manifest = load_manifest(folder)
                if manifest["metadata"].get("title") != title:
                    manifest["metadata"]["title"] = title
                    from ..bundle.model import save_manifest

                    save_manifest(folder, manifest)
                update_app(folder, notebook, screenshot=False, **options)
            else:
                metadata: dict[str, Any] = {"title": title, "language": self.language}
                if author := default_author():
                    metadata["authors"] = [author]
                new_app(notebook, folder, metadata, screenshot=False, **options)
        except CheckError as exc:
            self.status.show(_("The notebook cannot become an app yet."), tone="error")
            report = exc.report
            self.report.value = (
                f"<p>{esc(_('Fix these problems in the notebook, then try again:'))}</p>"
                "<ul class='icp-problems'>"
                + "".join(f"<li>{esc(p.render(self.language))}</li>" for p in report.problems)
                + "</ul>"
            )
            self.make_button.disabled = False
            return None
        except ImaginecoleError as exc:
            self.status.show(_("The app was not made."), tone="error")
            self.report.value = f"<p>{esc(_render(exc, self.language))}</p>"
            self.make_button.disabled = False
            return None
        finally:
            self.progress.layout.display = "none"
        (folder / SOURCE_FILE).write_text(
            json.dumps({"notebook": str(notebook.resolve())}), "utf-8"
        )
        manifest = load_manifest(folder)
        lines = [self._checked_line(manifest)]
        if self.screenshot:
            self.status.show(_("Taking the app's picture with Voilà…"), tone="info")
            try:
                from ..app.model import take_thumbnail

                take_thumbnail(folder)
                lines.append(_("Its picture for the catalogue is taken."))
            except ImaginecoleError as exc:
                lines.append(
                    _(
                        "No picture could be taken ({error}); the app is published without it."
                    ).format(error=_render(exc, self.language))
                )
        self.report.value = "".join(f"<p>{esc(line)}</p>" for line in lines)
        self.status.show(_("The app is ready: describe it and send it below."), tone="ok")
        self.make_button.disabled = False
        self.bundle_dir = str(folder)
        self._show_publisher(folder)
        return folder

    def _checked_line(self, manifest: dict[str, Any]) -> str:
        _ = self._
        app = manifest["app"]
        packages = ", ".join(f"{r['name']} {r['version']}" for r in app["requirements"])
        decimal = "," if self.language == "fr" else "."
        return _(
            "The notebook ran from top to bottom in {seconds} s ({cells} code cells). "
            "Packages it needs: {packages}."
        ).format(
            seconds=str(app["checked"]["seconds"]).replace(".", decimal),
            cells=app["checked"]["cells"],
            packages=packages or _("none"),
        )

    def _show_publisher(self, folder: Path) -> None:
        if self.publisher is not None:
            self.publisher._saver.flush()
            close_tree(self.publisher)
        self.publisher = PublishWidget(
            folder,
            self.catalogue_url,
            self.token,
            language=self.language,
            fix_href=quote(APP_WORKBENCH["en" if self.language == "en" else "fr"]),
        )
        self.publish_area.children = [
            column(
                [heading(self._("3. Describe the app and send it"), 3), self.publisher],
                "icb-section",
            )
        ]


def _render(exc: ImaginecoleError, language: str) -> str:
    render = getattr(exc, "render", None)
    if callable(render):
        return render(language)
    from ..i18n import Message

    return Message(exc.message_id, **exc.values).render(language)


__all__ = ["AppPublishWidget", "app_folder", "find_notebooks"]
