"""`png`: a comic's pages as PNG images, ``<name>.png`` (one page) or ``<name>.png.zip``.

Option `width` (``--width PX``, default 1240): the width of every image in pixels; the height
follows the page's proportions. The zip holds ``0001.png``, ``0002.png``… in reading order.
"""

from __future__ import annotations

from pathlib import Path

from imaginecole.i18n import N_

from .archive import write_zip
from .base import Bundle, write_output
from .comic_pages import ComicPageExporter, page_count, page_name


class PngExporter(ComicPageExporter):
    name = "png"
    extension = ".png"
    description = N_("Comic pages as PNG images (one image, or a zip of one image per page)")

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        pages = page_count(bundle.manifest)
        return out_dir / f"{bundle.path.name}{'.png' if pages == 1 else '.png.zip'}"

    def export(self, bundle: Bundle, out: Path) -> Path:
        _manifest, images = self.page_images(bundle)
        if len(images) == 1:
            return write_output(out, images[0])
        if out.suffix.lower() != ".zip":
            out = out.with_name(out.name + ".zip")  # several pages never hide in a .png name
        # PNG is compressed already: storing saves time and loses no space
        names = [page_name(i) for i in range(len(images))]
        return write_zip(out, zip(names, images, strict=True), stored=names)
