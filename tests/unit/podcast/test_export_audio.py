"""A podcast through `mp3` and `opus`: real builds of short episodes, checked by ffprobe."""

from __future__ import annotations

import json
import subprocess
import zipfile

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle
from imaginecole.exports.podcast_audio import Mp3Exporter, OpusExporter, PodcastNotReady

from imaginecole.i18n import _

from .sample_podcasts import podcast_bundle


def probe(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


@pytest.mark.parametrize("name, cls", [("mp3", Mp3Exporter), ("opus", OpusExporter)])
def test_registered_and_described_in_french(name, cls):
    assert get_exporter(name) is cls
    assert _(cls.description) != cls.description


def test_one_episode_one_mp3(tmp_path):
    _manifest, folder = podcast_bundle(tmp_path / "radio")
    bundle = Bundle.load(folder)
    exporter = Mp3Exporter()
    out = exporter.default_output(bundle, tmp_path / "out")
    assert out.name == "radio.mp3"
    written = exporter.export(bundle, out)
    info = probe(written)
    (stream,) = info["streams"]
    assert stream["codec_name"] == "mp3"
    assert stream["channels"] == 1
    assert int(stream["sample_rate"]) == 44100
    assert 4.0 < float(info["format"]["duration"]) < 20.0
    assert info["format"]["tags"]["title"] == "Épisode 1 : la semaine"
    assert not list(tmp_path.glob("out/*.part"))


def test_two_episodes_zip_of_opus(tmp_path):
    _manifest, folder = podcast_bundle(tmp_path / "radio", episodes=2)
    bundle = Bundle.load(folder)
    exporter = OpusExporter()
    out = exporter.default_output(bundle, tmp_path)
    assert out.name == "radio.opus.zip"
    written = exporter.export(bundle, out)
    with zipfile.ZipFile(written) as archive:
        names = archive.namelist()
        assert names == ["01-episode-1-la-semaine.opus", "02-episode-2-la-semaine.opus"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        (tmp_path / "e.opus").write_bytes(archive.read(names[0]))
    (stream,) = probe(tmp_path / "e.opus")["streams"]
    assert stream["codec_name"] == "opus"


def test_missing_source_refused_with_the_file_named(tmp_path):
    _manifest, folder = podcast_bundle(tmp_path / "radio")
    bundle = Bundle.load(folder)
    (folder / "media" / "s2.mp3").unlink()  # after the bundle is read: the export checks it
    with pytest.raises(PodcastNotReady) as caught:
        Mp3Exporter().export(bundle, tmp_path / "radio.mp3")
    assert "s2.mp3" in str(caught.value)
    assert not (tmp_path / "radio.mp3").exists()
