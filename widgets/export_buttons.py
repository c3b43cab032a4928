"""What the comic editor's and the podcast studio's export buttons share.

The exporters of the registry that take a kind of bundle, and one export of the bundle as
saved, given back as a download link (or written beside the bundle when too large).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ipywidgets

from .form_fields import show_errors


def exporters_for(bundle_type: str, names: Iterable[str]) -> list[str]:
    """The exporters among `names` that the registry has and that take `bundle_type`,
    in the order of `names`."""
    from ..exports import available, get_exporter

    found = []
    installed = set(available())
    for name in names:
        if name not in installed:
            continue
        try:
            cls = get_exporter(name)
        except Exception:  # a broken plug-in must not hide the others
            continue
        if bundle_type in getattr(cls, "bundle_types", ()):
            found.append(name)
    return found


def export_as_download(
    owner: Any,
    name: str,
    errors: ipywidgets.Widget,
    download: ipywidgets.HTML,
    gettext: Callable[[str], str],
    **options: Any,
) -> str:
    """Export `owner`'s saved bundle with the exporter `name` (built with `options`) and put
    the download link in `download`; returns the file name ("" when it failed, said in
    `errors`, translated by `gettext`). `owner` has `bundle_dir`, `language` and `title`."""
    from ..exports import get_exporter
    from ..exports.base import Bundle
    from .quiz_workbench import download_link, slugify

    _ = gettext
    try:
        bundle = Bundle.load(owner.bundle_dir)
        exporter = get_exporter(name)(**options)
        with tempfile.TemporaryDirectory() as tmp:
            out = exporter.export(bundle, exporter.default_output(bundle, Path(tmp)))
            data, suffix = out.read_bytes(), out.suffix
    except Exception as exc:  # BundleError, ExportError, OSError…: said as it is
        render = getattr(exc, "render", None)
        show_errors(errors, [render(owner.language) if render else str(exc)])
        return ""
    file_name = slugify(owner.title or Path(owner.bundle_dir).name) + suffix
    download.value = download_link(
        data,
        file_name,
        "application/octet-stream",
        owner.language,
        Path(owner.bundle_dir).parent / "exports",
        "exports",
        _(
            "The file is too large to download from here ({size}). It was saved as "
            "{path}: download it from JupyterLab (right click, Download)."
        ),
    )
    return file_name
