"""Every comic exporter is deterministic: the same comic gives the same bytes twice."""

from __future__ import annotations

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.cbz import CbzExporter
from imaginecole.exports.epub import EpubExporter
from imaginecole.exports.kolibri import KolibriExporter
from imaginecole.exports.pdf import PdfExporter

from .sample_comics import comic_bundle

# the pages are drawn by Debian's rsvg-convert (librsvg2-bin)


@pytest.mark.parametrize(
    "make_exporter, suffix, pages",
    [
        pytest.param(lambda: CbzExporter(width=200), ".cbz", 2, id="cbz"),
        pytest.param(EpubExporter, ".epub", None, id="epub"),
        pytest.param(lambda: get_exporter("html")(), ".html", None, id="html"),
        pytest.param(KolibriExporter, ".kolibri.zip", None, id="kolibri"),
        pytest.param(PdfExporter, ".pdf", None, id="pdf"),
    ],
)
def test_the_same_comic_gives_the_same_bytes(tmp_path, make_exporter, suffix, pages):
    bundle = comic_bundle(tmp_path, pages=pages)
    # a new exporter each time: nothing an exporter keeps may change what it writes
    first, second = (
        make_exporter().export(bundle, tmp_path / f"{name}{suffix}").read_bytes() for name in "ab"
    )
    assert first == second
