"""Real modules and parcours for the tests: real grains, and the examples' comic, podcast and
app, in a teacher's home laid out as the workbenches make it (grains/, comics/, …)."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from imaginecole.bundle import create_bundle, new_grain
from imaginecole.sequence import add_item, new_module, new_parcours

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "notebooks" / "examples"
KINDS = ("multiple_choice", "true_false", "flashcards")
EXTRA = {
    "comic": ("comics", "bd-la-rentree"),
    "podcast": ("podcasts", "podcast-radio-ecole"),
    "app": ("apps", "app-fractions"),
}


def make_grain(home: Path, title: str, kind: str = "multiple_choice", **metadata) -> Path:
    """A starter grain of `kind` at home/grains/<slug>, with a fresh id."""
    folder = _free(home / "grains" / _slug(title))
    create_bundle(folder, new_grain(kind, title=title, **metadata))
    return folder


def copy_example(home: Path, what: str) -> Path:
    """The example comic, podcast or app (`what`) copied into the home with a fresh id."""
    where, name = EXTRA[what]
    folder = _free(home / where / name)
    shutil.copytree(EXAMPLES / name, folder)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["id"] = str(uuid.uuid4())
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    return folder


def make_module(
    home: Path,
    n_grains: int = 3,
    *,
    kinds: tuple[str, ...] = KINDS,
    extra: tuple[str, ...] = ("comic", "podcast", "app"),
    title: str = "Les fractions",
    completion: dict | None = None,
) -> Path:
    """A module at home/modules/<slug>: `n_grains` grains (kinds in turn), then the `extra`
    examples ("comic", "podcast", "app"), for Sénégal CM1 mathematics."""
    home = Path(home)
    folder = _free(home / "modules" / _slug(title))
    new_module(
        folder,
        {
            "title": title,
            "country": "SN",
            "level": "cm1",
            "subject": "mathematiques",
            "description": f"Module « {title} » pour le CM1.",
        },
        introduction="<p>Dans ce module, on apprend <strong>pas à pas</strong>.</p>",
        objectives=["Lire une fraction", "Comparer deux fractions"],
        duration_minutes=45,
        completion=completion,
    )
    for n in range(n_grains):
        add_item(folder, make_grain(home, f"{title} — exercice {n + 1}", kinds[n % len(kinds)]))
    for what in extra:
        add_item(folder, copy_example(home, what))
    return folder


def make_parcours(
    home: Path,
    n_modules: int = 2,
    n_grains: int = 3,
    *,
    extra: tuple[str, ...] = (),
    title: str = "Mathématiques CM1",
) -> Path:
    """A parcours at home/parcours/<slug> of `n_modules` modules of `n_grains` grains (and
    `extra` examples) each; every module after the first needs the first."""
    home = Path(home)
    folder = _free(home / "parcours" / _slug(title))
    new_parcours(
        folder,
        {"title": title, "country": "SN", "level": "cm1", "subject": "mathematiques"},
        introduction="<p>Un parcours pour le trimestre.</p>",
        objectives=["Maîtriser les fractions simples"],
    )
    first = None
    for n in range(n_modules):
        module = make_module(home, n_grains, extra=extra, title=f"Module {n + 1}")
        uid = json.loads((module / "manifest.json").read_text("utf-8"))["id"]
        add_item(folder, module, prerequisites=[first] if first else None)
        first = first or uid
    return folder


def _slug(title: str) -> str:
    from imaginecole.widgets.quiz_workbench import slugify

    return slugify(title, "bundle")


def _free(folder: Path) -> Path:
    candidate, n = folder, 2
    while candidate.exists():
        candidate = folder.with_name(f"{folder.name}-{n}")
        n += 1
    return candidate
