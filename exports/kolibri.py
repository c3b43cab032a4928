"""`kolibri`: a grain as a Kolibri HTML5 App (``HTML5Zip``), ``<name>.kolibri.zip``.

Kolibri (and ricecooker, Studio) want a zip with ``index.html`` at its root, every ``href`` and
``src`` relative to a file inside the zip, and nothing fetched from elsewhere. Kolibri shows the
page in a sandboxed iframe: the player keeps its state in memory only (no ``localStorage``, no
cookies, no ``window.parent``), so it plays there as it does from disk.

The page is the one player's standalone page with the media as files under ``media/`` beside it
(no data: URLs, so large sounds cost nothing extra). Two shells follow the player:

- ``kolibri_shell.js``: Kolibri's default sandbox (``allow-scripts`` only) blocks every form
  submission before its submit event, and the player checks an answer on submit; the shell fires
  that event itself when a submit button is clicked (Enter in a field clicks it too);
- the SCORM 1.2 shell: Kolibri's bridge inside the iframe (hashi) offers a SCORM 1.2 API, and the
  score then goes to Kolibri's progress tracking; without it (an older Kolibri, or the page
  opened from disk) the grain plays untracked.

A comic gets the comic reader (exports/comic_html.py) with the same two shells: the reader
says the comic is completed when its last panel is shown, and Kolibri marks it done. A podcast
gets its page (exports/podcast_html.py) with the MP3s and the cover as files beside it; an
episode heard to its end completes it.

A module gets its offline mini-site (exports/site.py): the sequence player at ``index.html``
and each part under ``parts/<n>/``, every part page with the sandbox shell. Kolibri refuses the
sandboxed page any storage, so the progress is kept in memory (tracker "memory") while the
page is open; the player page carries the SCORM 1.2 shell, which reports the module's overall
completion and score (by its completion rule) to Kolibri's hashi.

A parcours gets one zip holding one ``<nn>-<module>.kolibri.zip`` per module (each as above,
stored, not deflated again), ``channel.json`` (the order, titles, ids and prerequisites of the
modules, for a channel in Kolibri Studio or a ricecooker script) and ``README.txt`` (how to
import them, in French and English).

The same bundle gives the same bytes.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_

from .base import Bundle, Exporter

ENTRY = "index.html"
SHELL = "kolibri_shell.js"


def kolibri_shell() -> str:
    """The sandbox shell's source, read from the file next to this module."""
    return Path(__file__).with_name(SHELL).read_text(encoding="utf-8")


class KolibriExporter(Exporter):
    name = "kolibri"
    # not ".zip": `--to all` also writes html's zip for a grain with large media
    extension = ".kolibri.zip"
    bundle_types = frozenset({"grain", "comic", "podcast", "module", "parcours"})
    description = N_("Kolibri HTML5 app (zip with index.html, plays offline in Kolibri)")

    def entries(self, bundle: Bundle) -> list[tuple[str, bytes | Path]]:
        if bundle.type == "module":
            from imaginecole.sequence import resolve

            return module_entries(resolve(bundle.path))
        from .parts import part_files
        from .scorm import shell_script

        shells = f"{kolibri_shell()}\n{shell_script(bundle.manifest, '1.2')}"
        return part_files(bundle, shells)

    def export(self, bundle: Bundle, out: Path) -> Path:
        if bundle.type == "parcours":
            from imaginecole.sequence import resolve

            return export_parcours(resolve(bundle.path), out)
        if bundle.type in ("podcast", "module"):  # MP3s are copied by blocks, and stored
            return write_entries(out, self.entries(bundle))
        from .archive import write_zip

        return write_zip(out, self.entries(bundle))


STORED = (".mp3", ".png", ".jpg", ".jpeg", ".zip")


def write_entries(out: Path, entries: list[tuple[str, bytes | Path]]) -> Path:
    """The zip of `entries`, the files already compressed stored as they are."""
    from .archive import write_zip

    return write_zip(out, entries, stored=[n for n, _d in entries if n.lower().endswith(STORED)])


def module_entries(seq: Any) -> list[tuple[str, bytes | Path]]:
    """The Kolibri HTML5 app of the module `seq`: its mini-site, the overall result to Kolibri
    through SCORM 1.2, and the progress in Kolibri's suspend data (in memory without it)."""
    from .site import mini_site

    return mini_site(seq, storage="memory", scorm=True)


def module_file_names(seq: Any) -> list[str]:
    """``<nn>-<module folder>.kolibri.zip`` of each module of the parcours `seq`, in order."""
    width = max(2, len(str(len(seq.items))))
    return [
        f"{n:0{width}d}-{item.path.name}{KolibriExporter.extension}"
        for n, item in enumerate(seq.items, start=1)
    ]


def channel(seq: Any) -> dict[str, Any]:
    """channel.json: the parcours and its modules in order, with their prerequisites."""
    meta = seq.manifest.get("metadata") or {}
    names = module_file_names(seq)
    files = {item.id: name for item, name in zip(seq.items, names, strict=True)}
    return {
        "format": "imaginecole-kolibri-channel",
        "version": 1,
        "id": seq.manifest["id"],
        "title": meta.get("title", ""),
        "language": meta.get("language", "fr"),
        "country": meta.get("country"),
        "level": meta.get("level"),
        "subject": meta.get("subject"),
        "modules": [
            {
                "order": n,
                "id": item.id,
                "title": item.title,
                "file": files[item.id],
                "kind": "html5",
                "parts": len(item.items),
                "prerequisites": list(item.entry.get("prerequisites") or []),
                "prerequisite_files": [
                    files[p] for p in item.entry.get("prerequisites") or [] if p in files
                ],
            }
            for n, item in enumerate(seq.items, start=1)
        ],
    }


README = """{title}
{underline}

FRANÇAIS
Ce zip contient le parcours « {title} » pour Kolibri : un fichier .kolibri.zip par module
(une application HTML5 : ouvrez-la dans Kolibri, elle marche sans connexion), à importer dans
l'ordre de channel.json.
1. Dézippez ce fichier.
2. Dans Kolibri Studio (studio.learningequality.org), créez une chaîne (ou ouvrez la vôtre),
   puis « Ajouter » > « Importer des fichiers » et choisissez les fichiers .kolibri.zip ; ils
   deviennent des « applications HTML5 ». Rangez-les dans l'ordre de leur numéro.
3. Pour chaque module qui a des prérequis (channel.json, « prerequisite_files »), ouvrez-le
   dans Studio, onglet « Ressources liées », et ajoutez ses prérequis.
4. Publiez la chaîne, puis, dans Kolibri : Appareil > Chaînes > Importer, avec le jeton de la
   chaîne (ou depuis une clé USB exportée par un autre Kolibri).
Kolibri suit la progression de chaque module : un module est terminé selon sa règle
(toutes les étapes, un nombre d'étapes ou un score moyen).

ENGLISH
This zip holds the parcours "{title}" for Kolibri: one .kolibri.zip per module (an HTML5
app that plays offline in Kolibri), to import in the order of channel.json.
1. Unzip this file.
2. In Kolibri Studio (studio.learningequality.org), create a channel (or open yours), then
   "Add" > "Upload files" and choose the .kolibri.zip files; they become "HTML5 apps". Order
   them by their number.
3. For each module with prerequisites (channel.json, "prerequisite_files"), open it in
   Studio, "Related resources" tab, and add its prerequisites.
4. Publish the channel, then in Kolibri: Device > Channels > Import, with the channel's token
   (or from a USB drive exported by another Kolibri).
Kolibri tracks each module: a module is completed by its rule (every part, a number of parts,
or an average score).

Modules:
{modules}
"""


def readme(seq: Any) -> str:
    data = channel(seq)
    lines = []
    for module in data["modules"]:
        lines.append(f"  {module['file']}  {module['title']}")
        if module["prerequisite_files"]:
            lines.append("      ← " + ", ".join(module["prerequisite_files"]))
    title = data["title"]
    return README.format(title=title, underline="=" * len(title), modules="\n".join(lines))


def export_parcours(seq: Any, out: Path) -> Path:
    """The parcours `seq` as one zip of Kolibri apps, channel.json and README.txt."""
    from imaginecole.sequence import Sequence

    from .archive import write_zip

    with tempfile.TemporaryDirectory(prefix="imaginecole-kolibri-") as tmp:
        entries: list[tuple[str, bytes | Path]] = []
        for item, name in zip(seq.items, module_file_names(seq), strict=True):
            module = Sequence(item.path, item.manifest, item.items)
            entries.append((name, write_entries(Path(tmp) / name, module_entries(module))))
        text = json.dumps(channel(seq), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        entries.append(("channel.json", text.encode("utf-8")))
        entries.append(("README.txt", readme(seq).encode("utf-8")))
        stored = [name for name, _data in entries if name.endswith(".zip")]
        return write_zip(out, entries, stored=stored)
