"""The launcher: the teacher's home page, listing the workbenches as cards.

A workbench is a notebook whose metadata holds::

    "imaginecole": {"kind": "workbench", "title": "...", "description": "...", "order": 0}

Each card links to the notebook rendered by Voilà (``voila/render/<file>``),
with a URL relative to the page, so it works under ``/user/<name>/`` on the hub
and on a bare Jupyter server alike.

Above the cards, the trainers' announcements (the catalogue's news items, sent from the
trainer dashboard; the hub's home page shows the same): the latest three of the last seven
days. The catalogue is asked with a short timeout; when it cannot be reached, or answers
anything else than a list of news, nothing is shown and the launcher works as before.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import ipywidgets
from traitlets import Int, List, Unicode, default

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext_for

WORKBENCH_KIND = "workbench"
# a workbench is a guided notebook, not a data dump: skip anything bigger
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
UNORDERED = 1000
RENDER_PATH = "voila/render/"
NEWS_DAYS = 7  # announcements older than this are not shown
NEWS_LIMIT = 3
NEWS_TIMEOUT = (2.0, 3.0)  # the launcher is the teachers' landing page: never wait long

_CSS = """
<style>
.ic-launcher { max-width: 60rem; margin: 0 auto; font-size: 1rem; line-height: 1.5; }
.ic-launcher h2 { font-size: 1.5rem; margin: 0.5rem 0; }
.ic-launcher .ic-workshop { margin: 0 0 0.5rem; color: #3d3d3d; }
.ic-cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 16rem), 1fr)); }
.ic-card { position: relative; padding: 0.75rem 1rem; border-radius: 6px;
  border: 1px solid var(--jp-border-color1, #949494);
  background: var(--jp-layout-color0, #fff); min-height: 44px; }
.ic-card:hover { border-color: var(--jp-brand-color1, #1a5fb4); }
.ic-card:focus-within { outline: 3px solid #1a5fb4; outline-offset: 2px; }
.ic-card h3 { font-size: 1.15rem; margin: 0 0 0.25rem; }
.ic-launcher a { color: var(--jp-content-link-color, #1a5fb4); text-decoration: underline; }
/* the whole card is the link's target area (WCAG 2.5.5), the link stays the name */
.ic-card a::after { content: ""; position: absolute; inset: 0; }
.ic-card a:focus { outline: none; }
.ic-card p { margin: 0; color: var(--jp-ui-font-color1, #222); }
.ic-launcher a:focus-visible, .ic-launcher-footer a:focus-visible {
  outline: 3px solid #1a5fb4; outline-offset: 2px; }
.ic-launcher-footer { margin-top: 1rem; gap: 1rem; }
.ic-news { margin: 0 0 1rem; padding: 0.5rem 1rem; border-radius: 6px;
  border: 2px solid #1a5fb4; background: #eef4fc; color: #1d1d1d; }
.ic-news h3 { font-size: 1.15rem; margin: 0.25rem 0; }
.ic-news ul { list-style: none; margin: 0; padding: 0; }
.ic-news li + li { border-top: 1px solid #949494; margin-top: 0.5rem; padding-top: 0.5rem; }
.ic-news time { color: #3d3d3d; font-size: 0.9rem; }
.ic-news .ic-news-body p { margin: 0.25rem 0; }
</style>
"""


@dataclass(frozen=True)
class Workbench:
    """One workbench notebook; `path` is POSIX and relative to the launcher folder."""

    path: str
    title: str
    description: str
    order: int


def launcher_language(environ: Mapping[str, str] | None = None) -> str:
    """The language from ``$IMAGINECOLE_LANGUAGE`` (``fr`` when unset or unknown)."""
    env = os.environ if environ is None else environ
    language = env.get("IMAGINECOLE_LANGUAGE", "").strip().lower()
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def page_location(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(URL of the server root, folder of the page) relative to the launcher page.

    Voilà gives the kernel its request path (``SCRIPT_NAME``) and base URL
    (``VOILA_BASE_URL``). Without them the page is assumed to be a notebook at
    the top of the server (``voila/render/X.ipynb`` or ``lab/tree/X.ipynb``).
    """
    env = os.environ if environ is None else environ
    base = env.get("VOILA_BASE_URL", "")
    script = env.get("SCRIPT_NAME", "")
    if base:
        prefix = base.rstrip("/") + "/" + RENDER_PATH
        if script.startswith(prefix):
            folder = posixpath.dirname(script[len(prefix) :])
            depth = folder.count("/") + 1 if folder else 0
            return "../" * (2 + depth), folder
    return "../../", ""


def _published(item: Mapping) -> datetime | None:
    value = item.get("published")
    if not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def latest_announcements(
    items: object, now: datetime, days: int = NEWS_DAYS, limit: int = NEWS_LIMIT
) -> list[dict]:
    """The news items of the last `days` days, newest first, `limit` at most."""
    if not isinstance(items, list):
        return []
    since = now - timedelta(days=days)
    dated = [
        (when, item)
        for item in items
        if isinstance(item, dict)
        and isinstance(item.get("title"), str)
        and (when := _published(item)) is not None
        and since <= when <= now + timedelta(minutes=5)
    ]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [{**item, "published_at": when} for when, item in dated[:limit]]


def fetch_announcements(
    url: str, language: str, token: str = "", now: datetime | None = None
) -> list[dict]:
    """The latest announcements of the catalogue at `url`; [] whatever goes wrong."""
    if not url:
        return []
    import requests

    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    try:
        response = requests.get(
            url.rstrip("/") + "/api/news",
            params={"language": language},
            headers=headers,
            timeout=NEWS_TIMEOUT,
        )
        if response.status_code != 200:
            return []
        items = response.json()
    except (requests.RequestException, ValueError):
        return []
    return latest_announcements(items, now or datetime.now(UTC))


def _localized(value: object, language: str) -> str:
    """A metadata text, either a string or a mapping of language -> string."""
    if isinstance(value, Mapping):
        for key in (language, DEFAULT_LANGUAGE, *value.keys()):
            if isinstance(value.get(key), str):
                return value[key].strip()
        return ""
    return value.strip() if isinstance(value, str) else ""


def read_workbench(path: Path, folder: Path, language: str = DEFAULT_LANGUAGE) -> Workbench | None:
    """The workbench described by the notebook at `path`, or None if it is not one."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        with path.open(encoding="utf-8") as fh:
            notebook = json.load(fh)
    except (OSError, ValueError):
        return None
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    info = metadata.get("imaginecole") if isinstance(metadata, dict) else None
    if not isinstance(info, dict) or info.get("kind") != WORKBENCH_KIND:
        return None
    order = info.get("order")
    if isinstance(order, bool) or not isinstance(order, int):
        order = UNORDERED
    title = _localized(info.get("title"), language) or path.stem.replace("_", " ")
    return Workbench(
        path=path.relative_to(folder).as_posix(),
        title=title,
        description=_localized(info.get("description"), language),
        order=order,
    )


def _notebooks(folder: Path, depth: int):
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # .ipynb_checkpoints, .local, .imaginecole ...
        if entry.is_file() and entry.name.endswith(".ipynb"):
            yield Path(entry.path)
        elif depth > 0 and entry.is_dir(follow_symlinks=False):
            yield from _notebooks(Path(entry.path), depth - 1)


def find_workbenches(
    folder: Path | str, language: str = DEFAULT_LANGUAGE, depth: int = 1
) -> list[Workbench]:
    """The workbenches in `folder` and `depth` levels of subfolders, in display order."""
    folder = Path(folder)
    found = [
        workbench
        for path in _notebooks(folder, depth)
        if (workbench := read_workbench(path, folder, language)) is not None
    ]
    return sorted(found, key=lambda w: (w.order, w.title.casefold(), w.path))


class Launcher(ipywidgets.VBox):
    """Welcome heading, one card per workbench, and a link to JupyterLab."""

    folder = Unicode(
        "",
        help="Folder searched for workbench notebooks; empty means the current "
        "working directory (under Voilà, the launcher notebook's folder).",
    )
    depth = Int(1, help="How many levels of subfolders are searched as well.")
    language = Unicode(help="Interface language: fr, en or ar ($IMAGINECOLE_LANGUAGE).")
    user_name = Unicode(help="Name shown in the welcome heading ($JUPYTERHUB_USER).")
    workshop_name = Unicode(help="Workshop shown under the heading ($IMAGINECOLE_WORKSHOP).")
    root_href = Unicode(
        help="URL of the single-user server root, relative to the launcher page "
        "(computed from Voilà's request path, else ../../)."
    )
    render_href = Unicode(
        help="URL prefix, relative to the launcher page, that opens a path relative "
        "to `folder` as a Voilà app (computed like root_href)."
    )
    workbenches = List(help="The workbenches found by the last refresh, in display order.")
    catalogue_href = Unicode(
        help="Address of the shared catalogue for the browser "
        "($IMAGINECOLE_CATALOGUE_PUBLIC_URL, set by the hub); empty hides the link."
    )

    catalogue_url = Unicode(
        help="Address of the catalogue for the kernel ($IMAGINECOLE_CATALOGUE_URL): its "
        "news are the trainers' announcements; empty shows none."
    )
    announcements = List(help="The announcements shown by the last refresh, newest first.")

    @default("catalogue_url")
    def _default_catalogue_url(self) -> str:
        return os.environ.get("IMAGINECOLE_CATALOGUE_URL", "").strip()

    @default("language")
    def _default_language(self) -> str:
        return launcher_language()

    @default("user_name")
    def _default_user_name(self) -> str:
        return os.environ.get("JUPYTERHUB_USER", "")

    @default("workshop_name")
    def _default_workshop_name(self) -> str:
        return os.environ.get("IMAGINECOLE_WORKSHOP", "")

    @default("catalogue_href")
    def _default_catalogue_href(self) -> str:
        return os.environ.get("IMAGINECOLE_CATALOGUE_PUBLIC_URL", "").strip()

    @default("root_href")
    def _default_root_href(self) -> str:
        return page_location()[0]

    @default("render_href")
    def _default_render_href(self) -> str:
        root, page_folder = page_location()
        # `folder` defaults to the page's own folder, so paths are relative to it
        inside = quote(page_folder) + "/" if page_folder and not self.folder else ""
        return root + RENDER_PATH + inside

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_class("ic-launcher-widget")
        self._header = ipywidgets.HTML()
        self._cards = ipywidgets.HTML()
        self._refresh_button = ipywidgets.Button(icon="refresh")
        self._refresh_button.on_click(lambda _button: self.refresh())
        self._lab_link = ipywidgets.HTML()
        footer = ipywidgets.HBox(
            [self._refresh_button, self._lab_link],
            layout=ipywidgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        footer.add_class("ic-launcher-footer")
        self.children = [self._header, self._cards, footer]
        self.observe(
            self._on_change,
            names=[
                "folder",
                "depth",
                "language",
                "user_name",
                "workshop_name",
                "root_href",
                "render_href",
                "catalogue_href",
                "catalogue_url",
            ],
        )
        self.refresh()

    def _on_change(self, _change: dict) -> None:
        self.refresh()

    def _gettext(self):
        language = self.language if self.language in LANGUAGES else DEFAULT_LANGUAGE
        return gettext_for(language)

    def _wrap(self, body: str) -> str:
        language = self.language if self.language in LANGUAGES else DEFAULT_LANGUAGE
        direction = "rtl" if language == "ar" else "ltr"
        return f'<div class="ic-launcher" lang="{language}" dir="{direction}">{body}</div>'

    def _news_markup(self) -> str:
        """The trainers' latest announcements as a labelled region; "" when there is none."""
        _ = self._gettext()
        esc = html.escape
        token = (
            os.environ.get("IMAGINECOLE_CATALOGUE_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN")
        ) or ""
        self.announcements = fetch_announcements(self.catalogue_url, self.language, token.strip())
        if not self.announcements:
            return ""
        items = []
        for item in self.announcements:
            when = item["published_at"]
            # the body's HTML was cleaned by the catalogue (nh3) when it was written
            body = item.get("body_html") if isinstance(item.get("body_html"), str) else ""
            items.append(
                f"<li><strong>{esc(item['title'])}</strong> "
                f'<time datetime="{esc(when.isoformat(), quote=True)}">'
                f"{esc(when.strftime('%Y-%m-%d %H:%M'))} UTC</time>"
                f'<div class="ic-news-body">{body}</div></li>'
            )
        title = esc(_("Announcements from the trainers"))
        return self._wrap(
            '<section class="ic-news" aria-labelledby="ic-news-title">'
            f'<h3 id="ic-news-title">{title}</h3><ul>{"".join(items)}</ul></section>'
        )

    def refresh(self) -> None:
        """Search `folder` again and redraw the cards."""
        _ = self._gettext()
        esc = html.escape
        folder = Path(self.folder) if self.folder else Path.cwd()
        self.workbenches = find_workbenches(folder, self.language, self.depth)

        if self.user_name:
            welcome = _("Welcome, {name}!").format(name=self.user_name)
        else:
            welcome = _("Welcome!")
        header = [_CSS, f"<h2>{esc(welcome)}</h2>"]
        if self.workshop_name:
            workshop = _("Workshop: {name}").format(name=self.workshop_name)
            header.append(f'<p class="ic-workshop">{esc(workshop)}</p>')
        header.append(f"<p>{esc(_('Choose an activity to open it.'))}</p>")
        # the trainers' announcements come right under the welcome, before the activities
        self._header.value = self._wrap("".join(header)) + self._news_markup()

        if self.workbenches:
            items = []
            for workbench in self.workbenches:
                href = self.render_href + quote(workbench.path)
                description = (
                    f"<p>{esc(workbench.description)}</p>" if workbench.description else ""
                )
                items.append(
                    '<li class="ic-card">'
                    f'<h3><a href="{esc(href, quote=True)}">{esc(workbench.title)}</a></h3>'
                    f"{description}</li>"
                )
            label = esc(_("Activities"), quote=True)
            body = f'<ul class="ic-cards" aria-label="{label}">{"".join(items)}</ul>'
        else:
            body = f'<p role="status">{esc(_("No activity was found in this folder."))}</p>'
        self._cards.value = self._wrap(body)

        refresh_label = _("Refresh the list")
        self._refresh_button.description = refresh_label
        self._refresh_button.tooltip = refresh_label
        lab_href = esc(self.root_href + "lab", quote=True)
        links = (
            f'<a href="{lab_href}">{esc(_("Open JupyterLab"))}</a><br>'
            f"<span>{esc(_('Your files and the code of every activity are in JupyterLab.'))}</span>"
        )
        if self.catalogue_href:
            # the hub's catalogue service, in a new tab: the launcher stays open
            links += (
                f'<br><a class="ic-catalogue-link" href="{esc(self.catalogue_href, quote=True)}" '
                f'target="_blank" rel="noopener">{esc(_("Open the shared catalogue"))}</a><br>'
                f"<span>{esc(_('Find, reuse and follow the resources of every workshop.'))}"
                "</span>"
            )
        self._lab_link.value = self._wrap(links)
