"""The thumbnail of an app: its notebook drawn by a real Voilà, photographed by Chromium,
offline, and stored in the bundle."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from PIL import Image

from imaginecole.app.model import take_thumbnail
from imaginecole.app.validate import MAX_THUMBNAIL_BYTES
from imaginecole.bundle import load_manifest

SAMPLE_APP = Path(__file__).resolve().parents[2] / "notebooks" / "examples" / "app-fractions"
BAR_BLUE = (0x1F, 0x6F, 0xEB)  # the coloured parts of the sample's fraction bar


def test_the_thumbnail_shows_the_app_drawn_by_voila(tmp_path):
    folder = tmp_path / "app"
    shutil.copytree(SAMPLE_APP, folder)
    (folder / "media" / "thumbnail.png").unlink()
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    del manifest["app"]["thumbnail"]
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")

    path = take_thumbnail(folder)

    assert load_manifest(folder)["app"]["thumbnail"] == "media/thumbnail.png"
    data = path.read_bytes()
    assert len(data) <= MAX_THUMBNAIL_BYTES
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (1280, 800)
    # three of the eight parts are coloured: the widgets were drawn, not the loading page
    blue = sum(
        1
        for pixel in image.get_flattened_data()
        if all(abs(a - b) <= 12 for a, b in zip(pixel, BAR_BLUE, strict=True))
    )
    assert blue > 3 * 40 * 50
