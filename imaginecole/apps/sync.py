"""Keep a folder of notebooks in step with the catalogue's published notebook apps.

The service reads the catalogue anonymously (it holds no catalogue token, so it cannot
write there): every published ``notebook-app`` resource becomes ``<uid>.ipynb`` in the
apps folder, the notebook taken from the bundle of its published version. Withdrawn
apps are removed. A small state file remembers which version each notebook came from,
so an unchanged app is not downloaded again.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import requests

APP_TYPE = "notebook-app"
STATE_FILE = ".published.json"
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024  # a notebook bigger than this is not an app
MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # the catalogue's own cap on a stored file
UID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PER_PAGE = 100
#: What the apps' own front end draws: ipywidgets' controls and Output widgets, anywidget's
#: widgets, and the outputs these modules make (text, HTML, images). An app that imports
#: anything else (besides Python's own modules) may bring widgets of its own: it keeps
#: Voilà's front end.
LITE_MODULES = frozenset(
    {"ipywidgets", "anywidget", "traitlets", "IPython", "numpy", "scipy", "matplotlib"}
    | {"pandas", "sympy", "PIL"}
)
# interactive Matplotlib draws through a widget library of its own (ipympl)
OWN_WIDGET_MAGIC = re.compile(r"%matplotlib\s+(widget|ipympl|notebook)")


@dataclass
class SyncReport:
    """What one pass changed, by app uid, and the apps it could not take (uid: reason)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> list[str]:
        return self.added + self.updated + self.removed


def frontend_of(nb: dict) -> str:
    """``lite`` when the apps' own front end can draw every widget of notebook `nb`, else
    ``voila`` (read by the ``imaginecole-app`` template from the notebook's metadata)."""
    from imaginecole.app.check import imported_modules, is_stdlib

    for cell in nb.get("cells") or []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or ""
        source = "".join(source) if isinstance(source, list) else str(source)
        if OWN_WIDGET_MAGIC.search(source):
            return "voila"
        try:
            modules = imported_modules(source)
        except SyntaxError:
            return "voila"
        if any(not is_stdlib(m) and m not in LITE_MODULES for m in modules):
            return "voila"
    return "lite"


def with_frontend(data: bytes) -> bytes:
    """Notebook `data` with its front end written in ``metadata.imaginecole.frontend``."""
    nb = json.loads(data)
    if not isinstance(nb, dict):
        raise ValueError("the notebook is not a JSON object")
    metadata = nb.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError("the notebook's metadata is not a JSON object")
    own = metadata.get("imaginecole")
    own = own if isinstance(own, dict) else {}
    # an author may ask for Voilà's front end (MathJax, a widget library imported indirectly)
    chosen = "voila" if own.get("frontend") == "voila" else frontend_of(nb)
    metadata["imaginecole"] = {**own, "frontend": chosen}
    return json.dumps(nb, ensure_ascii=False).encode("utf-8")


def notebook_name(uid: str) -> str:
    """The file (and URL path under voila/render/) of app `uid`."""
    return f"{uid}.ipynb"


class CatalogueApps:
    """The published notebook apps of the catalogue at `catalogue_url`, mirrored in `folder`."""

    def __init__(self, catalogue_url: str, folder: Path, *, timeout: float = 30) -> None:
        self.catalogue_url = catalogue_url.rstrip("/") + "/"
        self.folder = Path(folder)
        self.timeout = timeout
        self.session = requests.Session()

    # -- reading the catalogue ----------------------------------------------------------------
    def published(self) -> dict[str, int]:
        """uid -> published version number of every published notebook app."""
        found: dict[str, int] = {}
        page = 1
        while True:
            response = self.session.get(
                self.catalogue_url + "api/search",
                params={"type": APP_TYPE, "per_page": PER_PAGE, "page": page, "sort": "recent"},
                timeout=self.timeout,
            )
            response.raise_for_status()
            data = response.json()
            for item in data.get("items", []):
                uid, number = item.get("uid"), item.get("published_version")
                if item.get("type") != APP_TYPE or not isinstance(number, int):
                    continue
                if isinstance(uid, str) and UID.match(uid):
                    found[uid] = number
            if page * PER_PAGE >= int(data.get("total", 0)) or not data.get("items"):
                return found
            page += 1

    def notebook_of(self, uid: str, version: int) -> bytes:
        """The notebook of app `uid` at `version`, read from its stored bundle."""
        url = f"{self.catalogue_url}api/resources/{uid}/versions/{version}/files/bundle"
        with self.session.get(url, timeout=self.timeout, stream=True) as response:
            response.raise_for_status()
            body = io.BytesIO()
            for chunk in response.iter_content(256 * 1024):
                body.write(chunk)
                if body.tell() > MAX_BUNDLE_BYTES:
                    raise ValueError("the bundle is too big")
        with zipfile.ZipFile(body) as archive:
            names = archive.namelist()
            root = _bundle_root(names)
            manifest = json.loads(archive.read(root + "manifest.json"))
            if manifest.get("type") != APP_TYPE:
                raise ValueError(f"the bundle is a {manifest.get('type')!r}, not a notebook app")
            notebook = str((manifest.get("app") or {}).get("notebook") or "app.ipynb")
            if PurePosixPath(notebook).name != notebook or not notebook.endswith(".ipynb"):
                raise ValueError(f"unexpected notebook name {notebook!r}")
            info = archive.getinfo(root + notebook)
            if info.file_size > MAX_NOTEBOOK_BYTES:
                raise ValueError("the notebook is too big")
            data = archive.read(info)
        # a notebook is JSON: anything else is refused before Voilà reads it
        return with_frontend(data)

    # -- the folder ---------------------------------------------------------------------------
    def state(self) -> dict[str, int]:
        try:
            data = json.loads((self.folder / STATE_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(v, int) and UID.match(k)}

    def _write(self, path: Path, data: bytes) -> None:
        """Write atomically: Voilà never reads half a notebook."""
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def sync(self) -> SyncReport:
        """One pass: fetch new and updated apps, delete withdrawn ones. Raises on a catalogue
        that does not answer (nothing is deleted then)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        published = self.published()
        state = self.state()
        report = SyncReport()
        for uid, version in sorted(published.items()):
            path = self.folder / notebook_name(uid)
            if state.get(uid) == version and path.is_file():
                continue
            try:
                data = self.notebook_of(uid, version)
            except (requests.RequestException, ValueError, KeyError, zipfile.BadZipFile) as exc:
                report.failed[uid] = str(exc)
                continue
            (report.updated if path.is_file() else report.added).append(uid)
            self._write(path, data)
            state[uid] = version
        for path in sorted(self.folder.glob("*.ipynb")):
            uid = path.stem
            if uid not in published:
                path.unlink(missing_ok=True)
                state.pop(uid, None)
                report.removed.append(uid)
        state = {uid: v for uid, v in state.items() if uid in published}
        self._write(self.folder / STATE_FILE, json.dumps(state, indent=1).encode())
        return report


def _bundle_root(names: list[str]) -> str:
    """'' when manifest.json is at the zip's root, 'folder/' when in a single folder."""
    if "manifest.json" in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names if "/" in n and not n.startswith("__")}
    if len(tops) == 1:
        top = tops.pop() + "/"
        if top + "manifest.json" in names:
            return top
    raise ValueError("the bundle holds no manifest.json")
