"""`html`: one self-contained page with the player inlined, opened from disk offline.

Media up to `INLINE_MEDIA_LIMIT` in all are inlined as data: URLs; above it the
output is a zip with `index.html` and the media beside it. A comic gets the comic reader
instead of the player (exports/comic_html.py), under the same rule for its sounds; a podcast
gets its episodes' page (exports/podcast_html.py), its MP3s inlined up to 8 MB in all.
"""

from __future__ import annotations

import base64
from pathlib import Path

from imaginecole.i18n import N_

from .base import INLINE_MEDIA_LIMIT, Bundle, Exporter, write_output


def inline_media(bundle: Bundle) -> dict[str, str] | None:
    """data: URLs for every medium, or None when they are too large to inline."""
    paths = bundle.media_paths()
    if sum((bundle.path / p).stat().st_size for p in paths) > INLINE_MEDIA_LIMIT:
        return None
    return {
        p: f"data:{bundle.media_type(p)};base64,{base64.b64encode(bundle.media_bytes(p)).decode()}"
        for p in paths
    }


def page(bundle: Bundle, *, media: dict[str, str] | None, shell_script: str = "") -> str:
    from imaginecole.player import render_standalone

    return render_standalone(
        bundle.manifest, inline_media=media, minify=True, shell_script=shell_script
    )


class HtmlExporter(Exporter):
    name = "html"
    extension = ".html"
    bundle_types = frozenset({"grain", "comic", "podcast"})
    description = N_("Offline web page (one file, opens from disk)")

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        if bundle.type == "podcast":
            from .podcast_html import html_output_suffix

            return out_dir / f"{bundle.path.name}{html_output_suffix(bundle)}"
        if bundle.type == "comic":
            from .comic_html import html_output_suffix

            return out_dir / f"{bundle.path.name}{html_output_suffix(bundle)}"
        ext = ".html" if inline_media(bundle) is not None else ".zip"
        return out_dir / f"{bundle.path.name}{ext}"

    def export(self, bundle: Bundle, out: Path) -> Path:
        if bundle.type == "podcast":
            from .podcast_html import export_html

            return export_html(bundle, out)
        if bundle.type == "comic":
            from .comic_html import export_html

            return export_html(bundle, out)
        media = inline_media(bundle)
        if media is not None and out.suffix != ".zip":
            return write_output(out, page(bundle, media=media).encode("utf-8"))
        from .archive import write_zip

        entries = [("index.html", page(bundle, media=None).encode("utf-8"))]
        entries += [(p, bundle.media_bytes(p)) for p in bundle.media_paths()]
        return write_zip(out.with_suffix(".zip"), entries)
