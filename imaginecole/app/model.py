"""Making a notebook-app bundle: the checked notebook, its manifest and its thumbnail.

A bundle is a folder::

    manifest.json        type "notebook-app" (app.schema.json)
    app.ipynb            the teacher's notebook, outputs cleared
    media/thumbnail.png  the app drawn by Voilà in Chromium (optional)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..bundle.model import (
    load_manifest,
    now_iso,
    save_manifest,
    starter_metadata,
)
from ..bundle.validate import BundleError, validate_manifest
from ..i18n import N_, ImaginecoleError
from .check import APP_KERNEL, CheckError, CheckReport, check_notebook, copy_notebook
from .validate import APP_SCHEMA_VERSION, APP_TYPE

NOTEBOOK = "app.ipynb"
THUMBNAIL = "media/thumbnail.png"
# why there is no browser-Python version (an English message id, shown translated): see
# docs/apps.md, « Offline versions »
NO_BROWSER_PYTHON = N_(
    "No version running Python in the browser: JupyterLite/Voici would load Pyodide from a "
    "CDN, and building it offline needs a package channel this hub cannot reach. The offline "
    "version keeps the widgets' last state; only the links made in the browser (jslink) move."
)


def app_manifest(metadata: dict[str, Any], report: CheckReport, **app: Any) -> dict[str, Any]:
    """The manifest of a new app whose notebook passed the check `report`."""
    return {
        "schema_version": APP_SCHEMA_VERSION,
        "type": APP_TYPE,
        "id": str(uuid.uuid4()),
        "metadata": metadata,
        "app": {
            "notebook": NOTEBOOK,
            "kernel": APP_KERNEL,
            "requirements": report.requirements,
            "checked": {
                "at": now_iso(),
                "seconds": round(report.seconds, 1),
                "cells": report.cells,
            },
            "offline": {"html": True, "browser_python": False, "note": NO_BROWSER_PYTHON},
            "live_only": [],
            **app,
        },
    }


def new_app(
    notebook: Path | str,
    folder: Path | str,
    metadata: dict[str, Any],
    *,
    screenshot: bool = True,
    live_only: list[str] | None = None,
    timeout: float = 120,
    on_cell: Callable[[int, int], None] | None = None,
) -> Path:
    """Make the app bundle `folder` (new or empty) from `notebook`; return the folder.

    The notebook is checked first (CheckError lists its problems; nothing is written),
    then copied with its outputs cleared, the manifest written, and, with `screenshot`, the
    thumbnail taken by Voilà in Chromium. `metadata` needs at least ``title``; the language
    defaults to French and the licence to CC-BY-SA-4.0.
    """
    notebook, folder = Path(notebook), Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ImaginecoleError(
            "the folder {folder} already exists and is not empty; nothing was written. "
            "Choose a new folder name",
            folder=folder,
        )
    report = check_notebook(notebook, timeout=timeout, on_cell=on_cell)
    if not report.ok:
        raise CheckError(report)
    given = dict(metadata)
    title = str(given.pop("title", notebook.stem))
    meta = starter_metadata(title, given.pop("language", "fr"), given)
    manifest = app_manifest(
        meta, report, live_only=[t.strip() for t in live_only or [] if t.strip()]
    )
    problems = validate_manifest(manifest)
    if problems:
        raise BundleError(folder, problems, kind=APP_TYPE)
    folder.mkdir(parents=True, exist_ok=True)
    copy_notebook(notebook, folder / NOTEBOOK)
    save_manifest(folder, manifest)
    if screenshot:
        take_thumbnail(folder)
    return folder


def update_app(
    folder: Path | str,
    notebook: Path | str,
    *,
    screenshot: bool = True,
    live_only: list[str] | None = None,
    timeout: float = 120,
    on_cell: Callable[[int, int], None] | None = None,
) -> Path:
    """Make the app bundle `folder` again from `notebook` (a new version of the same app:
    its id and metadata stay). The check comes first: CheckError and nothing changes."""
    notebook, folder = Path(notebook), Path(folder)
    manifest = load_manifest(folder)
    report = check_notebook(notebook, timeout=timeout, on_cell=on_cell)
    if not report.ok:
        raise CheckError(report)
    fresh = app_manifest(manifest["metadata"], report)
    app = fresh["app"]
    app["notebook"] = NOTEBOOK
    app["live_only"] = (
        [t.strip() for t in live_only if t.strip()]
        if live_only is not None
        else manifest["app"].get("live_only", [])
    )
    if manifest["app"].get("thumbnail"):
        app["thumbnail"] = manifest["app"]["thumbnail"]  # the old picture until a new one
    manifest["app"] = app
    copy_notebook(notebook, folder / NOTEBOOK)
    save_manifest(folder, manifest)
    if screenshot:
        take_thumbnail(folder)
    return folder


def take_thumbnail(folder: Path | str) -> Path:
    """Draw the app of the bundle `folder` with Voilà and store it as its thumbnail."""
    from .screenshot import screenshot_notebook

    folder = Path(folder)
    manifest = load_manifest(folder)
    screenshot_notebook(folder / manifest["app"]["notebook"], folder / THUMBNAIL)
    manifest["app"]["thumbnail"] = THUMBNAIL
    save_manifest(folder, manifest)
    return folder / THUMBNAIL
