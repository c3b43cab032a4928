"""Comics for the export tests, made from the fixture tests/fixtures/comics/ecole."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

from imaginecole.exports.base import Bundle

ECOLE = Path(__file__).parents[2] / "fixtures" / "comics" / "ecole"


def ecole_manifest() -> dict[str, Any]:
    return json.loads((ECOLE / "manifest.json").read_text("utf-8"))


def all_panels(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for page in manifest["pages"] for panel in page["panels"]]


def six_panel_page(manifest: dict[str, Any]) -> dict[str, Any]:
    """A grid6 page made of the fixture's panels (repeated), with unique ids."""
    panels = all_panels(manifest)
    page = {"id": "g6", "layout": "grid6", "panels": []}
    for slot in range(6):
        panel = copy.deepcopy(panels[slot % len(panels)])
        panel["id"] = f"g6-{slot + 1}"
        page["panels"].append(panel)
    return page


def comic_bundle(
    tmp_path: Path,
    *,
    pages: int | None = None,
    six_panels: bool = False,
    change=None,
    name: str = "ecole",
) -> Bundle:
    """A copy of the fixture comic in `tmp_path` with `pages` pages (the fixture's, repeated).

    Element and panel ids are made unique per page; `change(manifest)` edits it last. The
    manifest is used as is (not validated), like a bundle loaded earlier.
    """
    folder = tmp_path / name
    shutil.copytree(ECOLE, folder)
    manifest = ecole_manifest()
    source = [six_panel_page(manifest)] if six_panels else manifest["pages"]
    count = pages if pages is not None else len(source)
    made = []
    for index in range(count):
        page = copy.deepcopy(source[index % len(source)])
        page["id"] = f"page{index + 1}"
        for panel in page["panels"]:
            panel["id"] = f"n{index + 1}-{panel['id']}"
        made.append(page)
    manifest["pages"] = made
    if change is not None:
        change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return Bundle(path=folder, manifest=manifest)
