"""Build the four cascade-training parcours from content.yaml, with the project's own API.

    .venv/bin/python notebooks/examples/formation/build.py            # rebuild here
    .venv/bin/python notebooks/examples/formation/build.py --out DIR  # build elsewhere

Every resource is a real bundle made by `imaginecole.bundle.new_grain` / `create_bundle`
(grains), copied from notebooks/examples/ (the example comic and podcast) and put together by
`imaginecole.sequence.new_module` / `new_parcours` / `add_item`, in a teacher's home layout:
grains/, comics/, podcasts/, modules/, parcours/.

Re-running gives the same bytes: every id is a uuid5 of the resource's folder name, and every
manifest's ``created`` / ``modified`` is set to BUILT_AT once everything is made.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import yaml

from imaginecole.bundle import create_bundle, load_manifest, new_grain, save_manifest
from imaginecole.sequence import add_item, new_module, new_parcours, resolve

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
CONTENT = HERE / "content.yaml"
FOLDERS = ("grains", "comics", "podcasts", "modules", "parcours")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://imaginecole.org/formation")
BUILT_AT = "2026-11-29T00:00:00Z"


def slug(text: str, limit: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:limit].strip("-")


def uid(kind: str, name: str) -> str:
    """The fixed id of the `kind` resource whose folder is `name`."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{name}"))


def with_id(folder: Path, kind: str) -> None:
    """Give the bundle `folder` its fixed id (new_module / new_parcours draw a random one)."""
    manifest = load_manifest(folder)
    manifest["id"] = uid(kind, folder.name)
    save_manifest(folder, manifest)


def question(raw: dict[str, Any], kind: str, number: int) -> dict[str, Any]:
    """A question of the grain schema from its short form in content.yaml."""
    q = {k: v for k, v in raw.items() if k not in ("right", "wrong", "pairs", "cards")}
    q = {"id": f"q{number}", "kind": raw.get("kind", kind), **q}
    if "right" in raw:
        texts = [(t, True) for t in raw["right"]] + [(t, False) for t in raw.get("wrong", [])]
        q["choices"] = [
            {"id": f"c{i}", "text": text, "correct": ok} for i, (text, ok) in enumerate(texts, 1)
        ]
    if "pairs" in raw:
        q["pairs"] = [{"left": left, "right": right} for left, right in raw["pairs"]]
    if "cards" in raw:
        q["cards"] = [{"front": front, "back": back} for front, back in raw["cards"]]
    q.setdefault("points", 1)
    return q


def make_grain(home: Path, prefix: str, part: dict[str, Any], common: dict[str, Any]) -> Path:
    kind = part["grain"]
    folder = home / "grains" / f"{prefix}-{slug(part['title'], 50)}"
    manifest = new_grain(
        kind,
        title=part["title"],
        description=part["description"],
        learning_time=f"PT{int(part.get('minutes', 5))}M",
        resource_type="autoevaluation",
        **common,
    )
    manifest["id"] = uid("grain", folder.name)
    manifest["questions"] = [question(q, kind, n) for n, q in enumerate(part["questions"], 1)]
    create_bundle(folder, manifest)
    return folder


def copy_example(home: Path, name: str, spec: dict[str, Any]) -> Path:
    """A copy of notebooks/examples/`name` with its own fixed id (and `spec`'s metadata)."""
    folder = home / spec["folder"]
    if folder.exists():
        return folder
    shutil.copytree(EXAMPLES / name, folder)
    manifest = load_manifest(folder)
    manifest["id"] = uid(manifest.get("type", "grain"), folder.name)
    manifest["metadata"].update(spec.get("metadata") or {})
    save_manifest(folder, manifest)
    (folder / "manifest.json.bak").unlink(missing_ok=True)
    return folder


def build(home: Path) -> list[Path]:
    """Make every bundle under `home` (its five folders emptied first); return the parcours."""
    content = yaml.safe_load(CONTENT.read_text("utf-8"))
    home.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        shutil.rmtree(home / name, ignore_errors=True)
    meta = content["metadata"]
    keywords = meta["keywords"]
    common = {k: meta[k] for k in ("country", "level", "subject", "licence", "authors")}
    made = []
    for parcours in content["parcours"]:
        p_folder = home / "parcours" / parcours["slug"]
        new_parcours(
            p_folder,
            {
                "title": parcours["title"],
                "description": parcours["description"],
                "keywords": keywords + parcours["keywords"],
                "resource_type": "autoevaluation",
                **common,
            },
            introduction=parcours["introduction"],
            objectives=parcours["objectives"],
        )
        with_id(p_folder, "parcours")
        first = None
        for module in parcours["modules"]:
            m_folder = home / "modules" / module["slug"]
            new_module(
                m_folder,
                {
                    "title": module["title"],
                    "description": module["description"],
                    "keywords": keywords + parcours["keywords"],
                    "learning_time": f"PT{int(module['duration'])}M",
                    "resource_type": "autoevaluation",
                    **common,
                },
                introduction=module["introduction"],
                objectives=module["objectives"],
                duration_minutes=module["duration"],
                completion=module["completion"],
            )
            with_id(m_folder, "module")
            for part in module["parts"]:
                if "example" in part:
                    name = part["example"]
                    item = copy_example(home, name, content["examples"][name])
                else:
                    grain_common = {**common, "keywords": keywords + parcours["keywords"]}
                    item = make_grain(home, module["slug"], part, grain_common)
                add_item(m_folder, item)
            # modules after the first need the first one: it lays the ground
            add_item(p_folder, m_folder, prerequisites=[first] if first else None)
            first = first or load_manifest(m_folder)["id"]
        made.append(p_folder)
    normalise(home)
    for folder in made:
        resolve(folder)
    return made


def normalise(home: Path) -> None:
    """Fixed times in every manifest, no backup files: a re-run gives the same bytes."""
    for name in FOLDERS:
        for manifest in sorted((home / name).glob("*/manifest.json")):
            data = json.loads(manifest.read_text("utf-8"))
            data["metadata"]["created"] = data["metadata"]["modified"] = BUILT_AT
            payload = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            manifest.write_text(payload, "utf-8")
            (manifest.parent / "manifest.json.bak").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="the home to build into")
    args = parser.parse_args(argv)
    for folder in build(args.out):
        print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
