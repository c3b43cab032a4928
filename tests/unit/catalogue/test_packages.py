"""Recognising outside packages by their content, reading their metadata, refusing harm.

The H5P and SCORM packages are made at test time by the project's own
exporters; the « foreign » fixtures are shaped like other authoring tools'.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle

from imaginecole.bundle.validate import BundleError
from imaginecole.catalogue.import_metadata import clean_text, normalise_licence
from imaginecole.catalogue.packages import PackageError, PackageLimits, inspect_package

REPO = Path(__file__).resolve().parents[3]
GRAINS = REPO / "tests" / "fixtures" / "grains"
FIXTURES = REPO / "tests" / "fixtures" / "catalogue"
GRAIN_ID = "0b8f3a52-5d2e-4c1b-9a57-3e1f6c2d9a01"


def described_grain(target: Path) -> Path:
    """The single_choice fixture with a description, keywords and a curriculum place."""
    shutil.copytree(GRAINS / "single_choice", target)
    manifest = json.loads((target / "manifest.json").read_text("utf-8"))
    manifest["metadata"].update(
        description="Reconnaître un triangle parmi des formes.",
        keywords=["géométrie", "formes"],
        country="SN",
        level="ce1",
        subject="mathematiques",
    )
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return target


def export_packages(folder: Path) -> dict[str, Path]:
    """h5p, scorm12 and scorm2004 packages of the described grain, by the exporters."""
    bundle = Bundle.load(described_grain(folder / "grain"))
    out = {}
    for fmt in ("h5p", "scorm12", "scorm2004"):
        out[fmt] = Path(get_exporter(fmt)().export(bundle, folder / f"formes.{fmt}.zip"))
    return out


def zip_folder(folder: Path, out: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return out


def write_zip(out: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    return export_packages(tmp_path_factory.mktemp("exported"))


def minimal_h5p(out: Path, **extra: bytes) -> Path:
    h5p = {"title": "Quiz", "mainLibrary": "H5P.MultiChoice", "language": "fr"}
    return write_zip(
        out,
        {"h5p.json": json.dumps(h5p).encode(), "content/content.json": b"{}", **extra},
    )


def refused(path: Path, limits: PackageLimits | None = None) -> str:
    with pytest.raises(PackageError) as info:
        inspect_package(path, limits)
    message = str(info.value)
    assert path.name in message and "[en]" in message, message  # names the file, fr + en
    return message


# -- recognised by content ---------------------------------------------------------------------


def test_an_exported_h5p_is_read_with_its_metadata(exported, tmp_path):
    info = inspect_package(exported["h5p"])
    assert (info.format, info.type, info.kind, info.uid) == ("h5p", "h5p", "H5P.MultiChoice", None)
    assert info.metadata["title"] == "Les formes"
    assert info.metadata["language"] == "fr"
    assert info.metadata["licence"] == "CC-BY-SA-4.0"
    assert info.metadata["authors"] == [{"name": "Équipe Imaginecole"}]
    assert info.sha256 == hashlib.sha256(exported["h5p"].read_bytes()).hexdigest()
    assert info.entries >= 2 and info.unpacked > 0
    # the name says nothing: the same bytes under any extension are the same package
    for name in ("package.zip", "package", "package.scorm"):
        copy = shutil.copyfile(exported["h5p"], tmp_path / name)
        assert inspect_package(copy).format == "h5p"


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_an_exported_scorm_package_is_read_with_its_lom_record(exported, fmt):
    info = inspect_package(exported[fmt])
    assert (info.format, info.type, info.uid) == (fmt, "scorm", None)
    meta = info.metadata
    assert meta["title"] == "Les formes"
    assert meta["description"] == "Reconnaître un triangle parmi des formes."
    assert meta["keywords"] == ["géométrie", "formes"]
    assert meta["language"] == "fr"
    assert meta["licence"] == "CC-BY-SA-4.0"
    assert meta["authors"] == [{"name": "Équipe Imaginecole"}]


def test_a_foreign_scorm_package_with_external_metadata(tmp_path):
    package = zip_folder(FIXTURES / "scorm12_foreign", tmp_path / "pizza.zip")
    info = inspect_package(package)
    assert info.format == "scorm12"
    # the default organization's title, not the first one's, nor the LOM title
    assert info.metadata["title"] == "Les fractions au CM1 & au CM2"
    # escaped HTML in the LOM description comes out as plain text, the script dropped
    assert info.metadata["description"] == "Partager une pizza en parts égales."
    assert info.metadata["keywords"] == ["fractions", "partage"]
    assert info.metadata["licence"] == "CC-BY-4.0"


def test_a_foreign_h5p_is_cleaned(tmp_path):
    package = zip_folder(FIXTURES / "h5p_foreign", tmp_path / "accords.h5p")
    info = inspect_package(package)
    assert info.kind == "H5P.Blanks"
    assert info.metadata == {
        "title": "Les accords du participe",
        "language": "fr",
        "licence": "CC-BY-NC-SA-4.0",
        "authors": [{"name": "Awa Diallo"}],
        "description": "Compléter des phrases & accorder.",
        "keywords": ["grammaire", "participe passé"],
    }


def test_a_bundle_folder_and_its_zips(tmp_path):
    folder = GRAINS / "single_choice"
    info = inspect_package(folder)
    assert (info.format, info.type, info.kind, info.uid) == (
        "bundle",
        "grain",
        "single_choice",
        GRAIN_ID,
    )
    assert info.metadata["title"] == "Les formes"
    assert info.entries == 2 and info.is_folder
    flat = inspect_package(zip_folder(folder, tmp_path / "flat.zip"))
    nested = inspect_package(zip_folder(folder, tmp_path / "nested.zip", "les-formes/"))
    assert (flat.uid, flat.root, nested.uid, nested.root) == (GRAIN_ID, "", GRAIN_ID, "les-formes/")
    # a folder's fingerprint follows its content
    copy = shutil.copytree(folder, tmp_path / "copy")
    assert inspect_package(copy).sha256 == info.sha256
    (copy / "media" / "triangle.png").write_bytes(
        (copy / "media" / "triangle.png").read_bytes() + b"\0"
    )
    assert inspect_package(copy).sha256 != info.sha256


def test_an_invalid_bundle_lists_its_problems(tmp_path):
    folder = shutil.copytree(GRAINS / "single_choice", tmp_path / "bad")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["metadata"]["licence"] = "tous droits réservés"
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(BundleError) as info:
        inspect_package(folder)
    assert "metadata.licence" in str(info.value) and "bad" in str(info.value)
    with pytest.raises(BundleError):
        inspect_package(zip_folder(folder, tmp_path / "bad.zip"))


# -- refused, naming the file and the problem ------------------------------------------------


def test_a_non_zip_named_h5p_is_refused(tmp_path):
    fake = tmp_path / "quiz.h5p"
    fake.write_text("<html>not a package</html>")
    message = refused(fake)
    assert "zip" in message


def test_a_zip_of_something_else_is_not_a_package(tmp_path):
    message = refused(write_zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8\xff"}))
    assert "imsmanifest.xml" in message and "h5p.json" in message


def test_a_damaged_zip_is_refused(tmp_path, exported):
    broken = tmp_path / "broken.h5p"
    broken.write_bytes(exported["h5p"].read_bytes()[:200])
    refused(broken)


@pytest.mark.parametrize(
    "name", ["../evil.js", "content/../../evil.js", "/etc/cron.d/evil", "C:/evil", "a\\..\\evil"]
)
def test_entries_that_would_land_outside_are_refused(tmp_path, name):
    message = refused(minimal_h5p(tmp_path / "slip.h5p", **{name: b"x"}))
    assert name in message


def test_links_are_refused(tmp_path):
    out = minimal_h5p(tmp_path / "link.h5p")
    with zipfile.ZipFile(out, "a") as zf:
        info = zipfile.ZipInfo("content/passwd")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    assert "content/passwd" in refused(out)
    bundle = shutil.copytree(GRAINS / "single_choice", tmp_path / "linked")
    (bundle / "media" / "secret").symlink_to("/etc/passwd")
    with pytest.raises(PackageError, match="media/secret"):
        inspect_package(bundle)


def test_a_zip_bomb_entry_is_refused(tmp_path):
    bomb = minimal_h5p(tmp_path / "bomb.h5p", **{"content/zeros.bin": bytes(4 * 1024 * 1024)})
    message = refused(bomb)
    assert "content/zeros.bin" in message and "zip" in message


def test_encrypted_and_twice_written_entries_are_refused(tmp_path):
    out = minimal_h5p(tmp_path / "secret.h5p", **{"content/secret.json": b"{}"})
    # mark the entry encrypted in the central directory, as a password-protected zip does
    data = bytearray(out.read_bytes())
    header = data.index(b"PK\x01\x02")
    while data[header + 46 : header + 46 + 19] != b"content/secret.json":
        header = data.index(b"PK\x01\x02", header + 1)
    data[header + 8] |= 0x1
    out.write_bytes(bytes(data))
    assert "content/secret.json" in refused(out)
    twice = minimal_h5p(tmp_path / "twice.h5p")
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(twice, "a") as zf:
        zf.writestr("h5p.json", b'{"title": "Other", "mainLibrary": "H5P.Other"}')
    assert "h5p.json" in refused(twice)


def test_size_caps(tmp_path, exported):
    package = exported["h5p"]
    size = package.stat().st_size
    refused(package, PackageLimits(max_file_bytes=size - 1))
    refused(package, PackageLimits(max_entries=2))
    refused(package, PackageLimits(max_unpacked_bytes=1000))
    refused(package, PackageLimits(max_entry_bytes=1000))
    assert "h5p.json" in refused(package, PackageLimits(max_metadata_bytes=100))
    assert inspect_package(package, PackageLimits(max_file_bytes=size)).format == "h5p"
    with pytest.raises(PackageError, match="single_choice"):
        inspect_package(GRAINS / "single_choice", PackageLimits(max_entry_bytes=100))


def test_broken_h5p_json_and_missing_content(tmp_path):
    bad_json = write_zip(tmp_path / "a.h5p", {"h5p.json": b"{", "content/content.json": b"{}"})
    assert "JSON" in refused(bad_json)
    no_title = write_zip(
        tmp_path / "b.h5p",
        {"h5p.json": b'{"mainLibrary": "H5P.Blanks"}', "content/content.json": b"{}"},
    )
    assert "title" in refused(no_title)
    no_content = write_zip(
        tmp_path / "c.h5p", {"h5p.json": b'{"title": "T", "mainLibrary": "H5P.Blanks"}'}
    )
    assert "content/content.json" in refused(no_content)


def test_scorm_without_its_launch_file_is_refused(tmp_path, exported):
    with zipfile.ZipFile(exported["scorm2004"]) as zf:
        entries = {n: zf.read(n) for n in zf.namelist() if n != "index.html"}
    message = refused(write_zip(tmp_path / "nolaunch.zip", entries))
    assert "index.html" in message


def test_scorm_manifest_entities_are_not_expanded(tmp_path):
    manifest = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">
  <organizations default="o"><organization identifier="o"><title>Titre &secret;</title>
  <item identifier="i" identifierref="r"><title>x</title></item></organization></organizations>
  <resources><resource identifier="r" href="index.html" type="webcontent"/></resources>
</manifest>"""
    package = write_zip(tmp_path / "xxe.zip", {"imsmanifest.xml": manifest, "index.html": b"x"})
    info = inspect_package(package)
    assert "root:" not in json.dumps(info.metadata)
    assert info.metadata["title"].startswith("Titre")


def test_a_folder_without_manifest_is_not_a_package(tmp_path):
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "index.html").write_text("x")
    refused(tmp_path / "loose")


# -- cleaning and normalising ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("<b>Les</b>   fractions\n", "Les fractions"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Titre", "Titre"),
        ("a < b & c > d", "a < b & c > d"),
        ("<img src=x onerror=alert(1)>Image", "Image"),
        ("Bell\x07e", "Belle"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw, 200) == clean


@pytest.mark.parametrize(
    "text,spdx",
    [
        ("CC-BY-SA-4.0", "CC-BY-SA-4.0"),
        ("CC BY-SA 4.0", "CC-BY-SA-4.0"),
        ("cc by nc 4.0", "CC-BY-NC-4.0"),
        ("https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr", "CC-BY-NC-SA-4.0"),
        ("CC0 1.0", "CC0-1.0"),
        ("CC BY-SA 3.0", None),
        ("Tous droits réservés", None),
    ],
)
def test_licences_in_their_usual_spellings(text, spdx):
    assert normalise_licence(text) == spdx
