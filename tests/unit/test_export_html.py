"""The `html` exporter and the `imaginecole export` command."""

import json
import re
import shutil
import zipfile
from pathlib import Path

from imaginecole.exports import available, get_exporter
from imaginecole.exports.base import INLINE_MEDIA_LIMIT, Bundle

from imaginecole.bundle import new_grain, save_manifest
from imaginecole.cli import main

GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"


def ten_question_quiz(folder: Path) -> Path:
    manifest = new_grain("single_choice", language="fr", title="Dix questions de calcul")
    question = manifest["questions"][0]
    manifest["questions"] = [
        {**question, "id": f"q{i}", "statement": f"<p>Combien font {i} × 7 ?</p>"}
        for i in range(1, 11)
    ]
    folder.mkdir(parents=True)
    save_manifest(folder, manifest)
    return folder


def test_html_is_registered_through_entry_points():
    assert "html" in available()
    assert get_exporter("html").name == "html"


def test_ten_question_quiz_without_media_weighs_at_most_60_kb(tmp_path):
    bundle = ten_question_quiz(tmp_path / "quiz")
    out = get_exporter("html")().export(Bundle.load(bundle), tmp_path / "quiz.html")
    size = out.stat().st_size
    assert size <= 60_000, f"{size} bytes"
    text = out.read_text("utf-8")
    assert "Combien font 10 × 7" in text
    assert not re.search(r"(src|href)=\"https?:", text)
    assert "http://" not in text and "https://" not in text


def test_same_bundle_gives_the_same_bytes(tmp_path):
    bundle = Bundle.load(GRAINS / "question_set")
    one = get_exporter("html")().export(bundle, tmp_path / "a.html").read_bytes()
    two = get_exporter("html")().export(bundle, tmp_path / "b.html").read_bytes()
    assert one == two


def test_small_media_is_inlined(tmp_path):
    bundle = Bundle.load(GRAINS / "flashcards")
    assert bundle.media_paths(), "the fixture should carry media"
    text = get_exporter("html")().export(bundle, tmp_path / "f.html").read_text("utf-8")
    assert "data:image/png;base64," in text


def test_large_media_gives_a_zip_with_the_media_beside_the_page(tmp_path):
    folder = tmp_path / "big"
    shutil.copytree(GRAINS / "flashcards", folder)
    media = Bundle.load(folder).media_paths()[0]
    (folder / media).write_bytes((folder / media).read_bytes() + b"\0" * (INLINE_MEDIA_LIMIT + 1))
    exporter = get_exporter("html")()
    bundle = Bundle.load(folder)
    out = exporter.export(bundle, exporter.default_output(bundle, tmp_path))
    assert out.suffix == ".zip"
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        page = archive.read("index.html").decode()
    assert "index.html" in names and media in names
    assert "base64" not in page


def test_teacher_text_is_escaped_and_cannot_close_the_script(tmp_path):
    folder = tmp_path / "evil"
    manifest = new_grain("true_false", language="fr", title="Moins de 1/2 < 3 & « plus »")
    manifest["questions"][0]["statement"] = "<p><strong>Vrai</strong> ou faux ?</p>"
    folder.mkdir()
    save_manifest(folder, manifest)
    text = get_exporter("html")().export(Bundle.load(folder), tmp_path / "e.html").read_text()
    assert "<title>Moins de 1/2 &lt; 3 &amp; « plus »</title>" in text
    data = re.search(r'id="imaginecole-grain">(.*?)</script>', text, re.S).group(1)
    assert "</" not in data and "<\\/strong>" in data


def test_cli_exports_several_bundles_and_lists_formats(tmp_path, capsys):
    assert main(["export", "--list"]) == 0
    assert "html" in capsys.readouterr().out
    bundles = [str(GRAINS / k) for k in ("single_choice", "matching", "arabic")]
    assert main(["export", *bundles, "--to", "html", "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "arabic.html",
        "matching.html",
        "single_choice.html",
    ]
    arabic = (tmp_path / "out" / "arabic.html").read_text("utf-8")
    assert 'dir="rtl"' in arabic


def test_cli_errors_are_clear(tmp_path, capsys):
    assert main(["export", str(GRAINS / "single_choice"), "--to", "docx"]) == 1
    err = capsys.readouterr().err
    assert "docx" in err and "html" in err and "[en]" in err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text(json.dumps({"schema_version": 1}))
    assert main(["export", str(broken), "--to", "html", "-o", str(tmp_path / "x.html")]) == 1
    assert not (tmp_path / "x.html").exists()


def test_cli_shows_what_an_exporter_left_out(tmp_path, capsys):
    bundle = str(GRAINS / "question_set")
    assert main(["export", bundle, "--to", "h5p", "-o", str(tmp_path / "set.h5p")]) == 0
    err = capsys.readouterr().err
    assert "revision" in err and "[en]" in err
