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

The same bundle gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

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
    bundle_types = frozenset({"grain", "comic", "podcast"})
    description = N_("Kolibri HTML5 app (zip with index.html, plays offline in Kolibri)")

    def entries(self, bundle: Bundle) -> list[tuple[str, bytes | Path]]:
        from .html import page
        from .scorm import shell_script

        shells = f"{kolibri_shell()}\n{shell_script(bundle.manifest, '1.2')}"
        if bundle.type == "comic":
            from .comic_html import kolibri_entries

            return kolibri_entries(bundle, shells)
        if bundle.type == "podcast":
            from .podcast_html import kolibri_entries

            return kolibri_entries(bundle, shells)
        index = page(bundle, media=None, shell_script=shells)
        entries = [(ENTRY, index.encode("utf-8"))]
        entries += [(p, bundle.media_bytes(p)) for p in bundle.media_paths()]
        return entries

    def export(self, bundle: Bundle, out: Path) -> Path:
        if bundle.type == "podcast":  # the MP3s are copied by blocks, and stored
            from .podcast_audio import write_zip_files

            return write_zip_files(out, self.entries(bundle))
        from .archive import write_zip

        return write_zip(out, self.entries(bundle))
