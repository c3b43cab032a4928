"""Adding media files to a bundle: names, types, sizes, magic bytes."""

from __future__ import annotations

import pytest

from imaginecole.bundle import MediaError, add_media, new_grain, save_manifest, validate_manifest
from imaginecole.bundle.media import MAX_AUDIO_BYTES, MAX_IMAGE_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32
MP3 = b"ID3\x03" + b"\0" * 32
OGG = b"OggS" + b"\0" * 32


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("Élève au tableau.JPG", "media/eleve-au-tableau.jpg"),
        ("../../etc/passwd.png", "media/passwd.png"),
        ("..\\..\\windows\\carte.png", "media/carte.png"),
        (".cache.png", "media/cache.png"),
        ("خريطة.png", "media/media.png"),
    ],
)
def test_names_are_made_safe(tmp_path, filename, expected):
    data = JPEG if expected.endswith(".jpg") else PNG
    assert add_media(tmp_path, data, filename) == expected
    assert (tmp_path / expected).read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["media"]  # nothing written elsewhere


def test_added_media_validates_in_a_saved_bundle(tmp_path):
    source = tmp_path / "chant.ogg"
    source.write_bytes(OGG)
    bundle = tmp_path / "grain"
    manifest = new_grain("true_false")
    src = add_media(bundle, source, "Chant de l'école.ogg")
    manifest["questions"][0]["media"] = {"audio": {"src": src, "transcript": "La la la"}}
    save_manifest(bundle, manifest)
    assert validate_manifest(manifest, bundle) == []


@pytest.mark.parametrize("filename", ["dessin.svg", "script.js", "page.html", "sans-extension"])
def test_extensions_outside_the_allow_list_are_refused(tmp_path, filename):
    with pytest.raises(MediaError) as err:
        add_media(tmp_path, PNG, filename)
    assert "png" in str(err.value) and "mp3" in str(err.value)
    assert not (tmp_path / "media").exists()


def test_magic_bytes_must_match_the_extension(tmp_path):
    with pytest.raises(MediaError) as err:
        add_media(tmp_path, b"<svg onload=alert(1)>", "image.png")
    assert ".png" in str(err.value)
    assert add_media(tmp_path, MP3, "son.mp3") == "media/son.mp3"
    assert add_media(tmp_path, b"\xff\xfb\x90\x00" + b"\0" * 8, "frame.mp3") == "media/frame.mp3"


def test_size_caps(tmp_path):
    big_image = PNG + b"\0" * MAX_IMAGE_BYTES
    with pytest.raises(MediaError) as err:
        add_media(tmp_path, big_image, "photo.png")
    assert "5 MB" in str(err.value) and "5 Mo" in str(err.value)
    # the same size is fine for a sound, whose cap is 50 MB
    assert add_media(tmp_path, OGG + b"\0" * MAX_IMAGE_BYTES, "long.ogg") == "media/long.ogg"
    huge = tmp_path / "huge.wav"
    with huge.open("wb") as fh:
        fh.write(b"RIFF\0\0\0\0WAVE")
        fh.truncate(MAX_AUDIO_BYTES + 1)
    with pytest.raises(MediaError):
        add_media(tmp_path, huge, "huge.wav")


def test_same_name_different_content_gets_a_suffix_and_same_file_is_reused(tmp_path):
    assert add_media(tmp_path, PNG, "carte.png") == "media/carte.png"
    assert add_media(tmp_path, PNG, "carte.png") == "media/carte.png"
    assert add_media(tmp_path, PNG + b"x", "carte.png") == "media/carte-2.png"
    assert (tmp_path / "media" / "carte.png").read_bytes() == PNG
