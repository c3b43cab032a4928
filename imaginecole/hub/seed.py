"""Resources published in the workshop's catalogue when it starts (`catalogue.seed`).

The demo workshop names the four cascade-training parcours of notebooks/examples/formation/:
at the first start they are published, with every module and part they name, by the first
trainer, through the catalogue's ordinary publish path (`Catalogue.publish`, the one the API
and `imaginecole catalogue import` use), already approved. A resource the catalogue already
holds is left alone, so later starts publish nothing and a trainer's changes stay.

It runs before the hub starts the catalogue service, so it is the only writer of the
catalogue's database at that time.
"""

from __future__ import annotations

from pathlib import Path

from ..bundle.model import MANIFEST, load_manifest
from ..i18n import ImaginecoleError, _
from ..workshop import Workshop

SEED_NOTE = "Publié au démarrage de l'atelier (catalogue.seed) / published at the workshop's start."


def seed_folders(workshop: Workshop) -> list[Path]:
    """The bundle folders `catalogue.seed` names, in order: each entry is a bundle folder or
    a folder of bundle folders, relative to the workshop file."""
    base = workshop.path.parent
    folders: list[Path] = []
    for entry in workshop.catalogue.get("seed") or []:
        folder = (base / entry).resolve()
        if (folder / MANIFEST).is_file():
            found = [folder]
        elif folder.is_dir():
            found = sorted(p for p in folder.iterdir() if (p / MANIFEST).is_file())
        else:
            found = []
        if not found:
            raise ImaginecoleError(
                "catalogue.seed in {file}: {path} is neither a bundle folder nor a folder of "
                "bundles. Correct the path (it is relative to the workshop file) or remove it.",
                file=workshop.path,
                path=folder,
            )
        folders += [f for f in found if f not in folders]
    return folders


def seed_catalogue(workshop: Workshop, data_dir: Path) -> list[str]:
    """Publish the `catalogue.seed` bundles the catalogue in `data_dir`/catalogue does not
    hold yet; return the titles published. A bundle that cannot be published is reported
    and skipped: the workshop starts all the same."""
    from ..catalogue.errors import NotFound
    from ..catalogue.model import PUBLISHED, principal_for_role
    from ..catalogue.service import Catalogue

    if not workshop.catalogue.get("enabled", True):
        return []
    folders = seed_folders(workshop)
    if not folders:
        return []
    trainer = next((p for p in workshop.everyone if p.role == "trainer"), None)
    principal = principal_for_role(
        trainer.username if trainer else "imaginecole",
        "editor",
        trainer.full_name if trainer else "Imaginecole",
    )
    data = data_dir / "catalogue"
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    published = []
    with Catalogue.open(data) as catalogue:
        for folder in folders:
            manifest = load_manifest(folder, validate=False)
            title = str((manifest.get("metadata") or {}).get("title") or folder.name)
            try:
                catalogue.get(str(manifest.get("id")), principal)
                continue  # already there: published at an earlier start, perhaps changed since
            except NotFound:
                pass
            print(_("Publishing « {title} » in the workshop's catalogue…").format(title=title))
            try:
                catalogue.publish(principal, folder, note=SEED_NOTE, state=PUBLISHED)
            except ImaginecoleError as exc:
                print(
                    _("Could not publish « {title} » in the catalogue: {error}").format(
                        title=title, error=exc
                    )
                )
                continue
            published.append(title)
    return published
