"""Building episodes: loudness of the ENCODED files measured independently, ducking, trims."""

import json
import re
import subprocess

import numpy as np
import pyloudnorm
import pytest

from imaginecole.podcast import AudioError, build_episode, new_podcast, preview_segment, probe

from .sample_podcasts import FFMPEG, corrupt, podcast_bundle, silence, tone


def loudness(path, tmp_path):
    """Integrated loudness by pyloudnorm of `path` decoded to WAV by ffmpeg."""
    info = probe(path)
    raw = subprocess.run(
        [*FFMPEG, "-i", str(path), "-f", "f32le", "-c:a", "pcm_f32le", "-"],
        check=True,
        capture_output=True,
    ).stdout
    data = np.frombuffer(raw, dtype="<f4").astype(np.float64)
    if info.channels > 1:
        data = data.reshape(-1, info.channels)
    rate = info.sample_rate
    return pyloudnorm.Meter(rate).integrated_loudness(data), data, rate


def true_peak(path):
    """True peak (dBTP) by ffmpeg's ebur128 filter with peak=true."""
    log = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = log[log.rfind("Summary:") :]
    return float(re.search(r"True peak:\s*Peak:\s*(-?[\d.]+) dBFS", summary).group(1))


def save(folder, manifest):
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


@pytest.fixture(scope="module")
def mono(tmp_path_factory):
    manifest, folder = podcast_bundle(
        tmp_path_factory.mktemp("mono") / "radio", jingle=True, bed=True
    )
    return manifest, folder, build_episode(manifest, folder, "e1")


@pytest.mark.parametrize("layout,target", [("mono", -19.0), ("stereo", -16.0)])
def test_encoded_files_meet_the_loudness_target(layout, target, mono, tmp_path):
    if layout == "mono":
        _manifest, _folder, built = mono
    else:
        manifest, folder = podcast_bundle(tmp_path / "radio", channels="stereo")
        built = build_episode(manifest, folder, "e1")
    assert built.mp3.name == "e1.mp3" and built.opus.name == "e1.opus"
    assert built.mp3.parent.name == "build"
    for path, reported in ((built.mp3, built.lufs_mp3), (built.opus, built.lufs_opus)):
        measured, data, _rate = loudness(path, tmp_path)
        assert measured == pytest.approx(target, abs=1.0), path.name
        assert reported == pytest.approx(measured, abs=0.5)
        assert true_peak(path) <= -1.0, path.name
        assert data.ndim == (2 if layout == "stereo" else 1)
    assert probe(built.mp3).codec == "mp3" and probe(built.mp3).sample_rate == 44100
    assert probe(built.opus).codec == "opus"
    assert built.true_peak_mp3 <= -1.0 and built.true_peak_opus <= -1.0


def test_mp3_tags_chapters_and_opus_bitrate(mono):
    manifest, _folder, built = mono
    tags = json.loads(
        subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format_tags",
                "-of",
                "json",
                str(built.mp3),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["format"]["tags"]
    assert tags["title"] == manifest["episodes"][0]["title"]
    assert tags["album"] == "La radio de l'école"
    assert tags["artist"] == "École Liberté 6"
    assert [c["title"] for c in built.chapters] == ["Introduction", "La musique"]
    assert built.chapters[0]["start"] == 0.0 and built.chapters[1]["start"] > 2.0
    kbps = built.opus.stat().st_size * 8 / built.duration / 1000
    assert 14 < kbps < 34
    assert probe(built.opus).duration == pytest.approx(built.duration, abs=0.1)


def test_an_unchanged_episode_is_not_rebuilt(mono):
    manifest, folder, built = mono
    again = build_episode(manifest, folder, "e1")
    assert again.cached and again.lufs_mp3 == built.lufs_mp3
    assert again.mp3.stat().st_mtime_ns == built.mp3.stat().st_mtime_ns


def test_the_jingle_is_ducked_under_speech(tmp_path):
    folder = tmp_path / "duck"
    tone(folder / "media" / "voix.wav", seconds=3.0, freq=1000, volume_db=-14.0)
    tone(folder / "media" / "jingle.wav", seconds=8.0, freq=300, volume_db=-14.0)
    manifest = new_podcast(title="Duck")
    episode = manifest["episodes"][0]
    episode["segments"] = [{"id": "s1", "kind": "file", "src": "media/voix.wav", "gap_after": 0}]
    episode["intro_jingle"] = {"src": "media/jingle.wav", "lead": 2.0, "duck_db": 14}
    save(folder, manifest)
    built = build_episode(manifest, folder, "e1")
    assert built.duration == pytest.approx(5.0, abs=0.05)
    _lufs, data, rate = loudness(built.mp3, tmp_path)

    def level(start, end, freq):
        window = data[int(start * rate) : int(end * rate)]
        spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window))))
        bins = np.fft.rfftfreq(len(window), 1 / rate)
        return 20 * np.log10(spectrum[np.abs(bins - freq) < 20].max())

    before, during = level(0.5, 1.8, 300), level(3.0, 4.5, 300)
    assert during < before - 6  # the jingle goes down while the voice speaks
    assert level(3.0, 4.5, 1000) > level(0.5, 1.8, 1000) + 20  # and the voice is there


def test_trims_and_gaps_set_the_duration(tmp_path):
    folder = tmp_path / "trim"
    tone(folder / "media" / "a.wav", seconds=4.0)
    tone(folder / "media" / "b.mp3", seconds=1.0, freq=600)
    manifest = new_podcast(title="Trim")
    manifest["episodes"][0]["segments"] = [
        {
            "id": "a",
            "kind": "file",
            "src": "media/a.wav",
            "trim_start": 1.0,
            "trim_end": 3.0,
            "gap_after": 1.0,
            "fade_out": 0.5,
        },
        {"id": "b", "kind": "recording", "src": "media/b.mp3", "gap_after": 0, "title": "B"},
    ]
    save(folder, manifest)
    built = build_episode(manifest, folder, "e1")
    assert built.duration == pytest.approx(4.0, abs=0.06)
    assert probe(built.mp3).duration == pytest.approx(4.0, abs=0.1)
    assert built.chapters == [{"start": pytest.approx(3.0, abs=0.05), "title": "B"}]
    manifest["episodes"][0]["segments"][0]["gap_after"] = 2.0
    rebuilt = build_episode(manifest, folder, "e1")
    assert not rebuilt.cached and rebuilt.duration == pytest.approx(5.0, abs=0.06)


def test_a_silent_recording_gives_a_warning(tmp_path):
    folder = tmp_path / "muet"
    silence(folder / "media" / "micro.wav", 1.0)
    tone(folder / "media" / "voix.wav", seconds=1.0)
    manifest = new_podcast(title="Muet")
    manifest["episodes"][0]["segments"] = [
        {"id": "a", "kind": "recording", "src": "media/micro.wav"},
        {"id": "b", "kind": "recording", "src": "media/voix.wav"},
    ]
    built = build_episode(manifest, folder, "e1")
    messages = [w.render("fr") for w in built.warnings]
    assert len(messages) == 1 and "micro.wav" in messages[0] and "silencieux" in messages[0]


def test_a_corrupt_source_names_the_file(tmp_path):
    folder = tmp_path / "bad"
    corrupt(folder / "media" / "entretien.mp3")
    manifest = new_podcast(title="Bad")
    manifest["episodes"][0]["segments"] = [
        {"id": "a", "kind": "file", "src": "media/entretien.mp3"}
    ]
    with pytest.raises(AudioError, match="entretien.mp3"):
        build_episode(manifest, folder, "e1")
    with pytest.raises(AudioError, match="e9"):
        build_episode(manifest, folder, "e9")


def test_preview_of_one_segment(tmp_path):
    manifest, folder = podcast_bundle(tmp_path / "radio")
    out = preview_segment(manifest, folder, "e1", "s3", tmp_path / "p" / "s3.mp3", seconds=1.0)
    assert probe(out).codec == "mp3"
    assert probe(out).duration == pytest.approx(1.0, abs=0.1)
    with pytest.raises(AudioError, match="zz"):
        preview_segment(manifest, folder, "e1", "zz", tmp_path / "x.mp3")


def test_an_off_target_encode_is_corrected_from_its_measurement(tmp_path, monkeypatch):
    """The correction uses what the ENCODED file measured: the missing gain is added and the
    limiter ceiling lowered by the overshoot, so the second encode lands within tolerance."""
    from imaginecole.podcast import build
    from imaginecole.podcast.audio import Loudness

    manifest, folder = podcast_bundle(tmp_path / "radio", bed=True)
    graphs, real_measure, faked = [], build.measure, []
    real_args = build._encode_args

    def encode_args(source, out, codec, bitrate, channels, tags, graph):
        graphs.append((out.suffix, graph))
        return real_args(source, out, codec, bitrate, channels, tags, graph)

    def measure(path):
        level = real_measure(path)
        if path.suffix == ".opus" and not faked:  # the first Opus encode: too quiet, over
            faked.append(level)
            return Loudness(-20.6, -0.2)
        return level

    monkeypatch.setattr(build, "_encode_args", encode_args)
    monkeypatch.setattr(build, "measure", measure)
    built = build_episode(manifest, folder, "e1")
    assert [s for s, _g in graphs].count(".mp3") == 1  # within tolerance: encoded once
    first, second = [g for s, g in graphs if s == ".opus"]

    def gain_and_limit(graph):
        gain = float(re.search(r"volume=(-?[\d.]+)dB", graph).group(1))
        limit = re.search(r"alimiter=limit=([\d.]+)", graph)
        return gain, 20 * np.log10(float(limit.group(1))) if limit else 0.0

    (gain1, limit1), (gain2, limit2) = gain_and_limit(first), gain_and_limit(second)
    assert gain2 == pytest.approx(gain1 + 1.6, abs=0.02)
    assert limit2 <= min(limit1, build.TRUE_PEAK_LIMIT - build.HEADROOM["opus"]) - 0.7
    assert built.lufs_opus == pytest.approx(real_measure(built.opus).lufs, abs=0.01)
    args = real_args(built.opus, tmp_path / "x.opus", "opus", 24, 1, {}, "anull")
    assert args[args.index("-application") + 1] == "audio"  # voip mode shifted the loudness
