"""A comic through `png`: one image or a zip of pages, `--width`, and bad input handled."""

from __future__ import annotations

import io
import zipfile

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import ExportError
from imaginecole.exports.comic_pages import check_width, png_size
from imaginecole.exports.comic_png import PngExporter
from PIL import Image

from imaginecole.cli import main
from imaginecole.i18n import _

from .sample_comics import all_panels, comic_bundle


def test_registered_and_described_in_french():
    assert get_exporter("png") is PngExporter
    assert PngExporter.bundle_types == frozenset({"comic"})
    assert _(PngExporter.description) != PngExporter.description


def test_one_page_gives_one_png_of_the_width_asked(tmp_path):
    bundle = comic_bundle(tmp_path, pages=1)
    exporter = PngExporter(width=620)
    target = exporter.default_output(bundle, tmp_path)
    assert target.name == "ecole.png"
    data = exporter.export(bundle, target).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_size(data) == (620, 877)  # A4 proportions: 1240 x 1754 halved
    image = Image.open(io.BytesIO(data)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # drawn, not blank


def test_several_pages_give_a_zip_in_reading_order(tmp_path):
    bundle = comic_bundle(tmp_path, pages=3)
    exporter = PngExporter()
    target = exporter.default_output(bundle, tmp_path)
    assert target.name == "ecole.png.zip"
    with zipfile.ZipFile(exporter.export(bundle, target)) as archive:
        assert archive.namelist() == ["0001.png", "0002.png", "0003.png"]
        assert png_size(archive.read("0002.png")) == (1240, 1754)
    # a .png name never hides several pages
    assert exporter.export(bundle, tmp_path / "x.png") == tmp_path / "x.png.zip"


def test_the_width_comes_from_the_command_line(tmp_path, capsys):
    bundle = comic_bundle(tmp_path, pages=1)
    out = tmp_path / "page.png"
    assert main(["export", str(bundle.path), "--to", "png", "--width", "300", "-o", str(out)]) == 0
    width, height = png_size(out.read_bytes())
    assert width == 300 and height in (424, 425)  # 1754 * 300 / 1240, rounded either way


@pytest.mark.parametrize("width", ["0", "99999", "wide", "12.5"])
def test_a_bad_width_is_refused_clearly(tmp_path, capsys, width):
    with pytest.raises(ExportError) as error:
        check_width(width)
    assert f"« {width} »" in str(error.value) and "1240" in str(error.value)
    bundle = comic_bundle(tmp_path, pages=1)
    out = tmp_path / "page.png"
    assert main(["export", str(bundle.path), "--to", "png", "--width", width, "-o", str(out)])
    assert "--width" in capsys.readouterr().err
    assert not out.exists()


def test_a_missing_image_is_a_warning_not_a_crash(tmp_path):
    def lost_background(manifest):
        all_panels(manifest)[0]["background"] = {"kind": "image", "src": "media/fond.jpg"}

    bundle = comic_bundle(tmp_path, change=lost_background)
    (bundle.path / "media" / "carte.png").unlink()
    out = PngExporter(width=200).export(bundle, tmp_path / "out.png.zip")
    with zipfile.ZipFile(out) as archive:
        assert len(archive.namelist()) == 2
    for name in ("media/carte.png", "media/fond.jpg"):
        missing = [w for w in bundle.warnings if name in w]
        assert missing and "[en]" in missing[0]
    assert all_panels(bundle.manifest)[0]["background"]["kind"] == "image"  # left untouched


def test_a_bubble_that_overflows_is_warned_about(tmp_path):
    def crowd(manifest):
        bubble = next(e for e in all_panels(manifest)[0]["elements"] if e["kind"] == "bubble")
        bubble.update(text="Bonjour " * 45, w=0.12, h=0.06)

    bundle = comic_bundle(tmp_path, pages=1, change=crowd)
    PngExporter(width=200).export(bundle, tmp_path / "out.png")
    assert any("b1" in w for w in bundle.warnings), bundle.warnings


def test_a_fifty_page_comic_exports(tmp_path):
    bundle = comic_bundle(tmp_path, pages=50)
    with zipfile.ZipFile(PngExporter(width=160).export(bundle, tmp_path / "big.zip")) as archive:
        names = archive.namelist()
    assert len(names) == 50 and names[-1] == "0050.png"


def test_a_comic_failing_the_export_checks_is_refused_with_the_list(tmp_path):
    def no_alt(manifest):
        all_panels(manifest)[0]["alt"] = ""
        all_panels(manifest)[3]["alt"] = " "

    bundle = comic_bundle(tmp_path, change=no_alt)
    with pytest.raises(ExportError) as error:
        PngExporter().export(bundle, tmp_path / "x.png.zip")
    message = str(error.value)
    assert "(2 " in message and message.count("\n- ") >= 4  # 2 problems, in fr and en
    assert not (tmp_path / "x.png.zip").exists()
