"""Reading sound files by streaming: facts, waveform, silence, bad files, a long file."""

import math
import subprocess

import pytest

from imaginecole.podcast import AudioError, is_silent, measure, narrate, peaks, probe
from tests.memory import peak_kib

from .sample_podcasts import FFMPEG, corrupt, silence, speech, tone


def test_probe_reads_the_facts(tmp_path):
    info = probe(tone(tmp_path / "a.wav", seconds=2.0, channels=2))
    assert info.codec == "pcm_s16le"
    assert info.channels == 2
    assert info.sample_rate == 44100
    assert info.duration == pytest.approx(2.0, abs=0.01)
    assert probe(tone(tmp_path / "b.mp3", seconds=1.0)).codec == "mp3"


def test_a_corrupt_file_names_itself(tmp_path):
    bad = corrupt(tmp_path / "interview.mp3")
    with pytest.raises(AudioError) as caught:
        probe(bad)
    assert "interview.mp3" in str(caught.value)
    with pytest.raises(AudioError, match="interview.mp3"):
        peaks(bad)


def test_an_unsupported_file_is_refused(tmp_path):
    other = tmp_path / "musique.flac"
    tone(other, seconds=0.5)
    with pytest.raises(AudioError) as caught:
        probe(other)
    assert "musique.flac" in str(caught.value)
    assert "wav" in str(caught.value)
    with pytest.raises(AudioError, match="absent.wav"):
        probe(tmp_path / "absent.wav")


def test_peaks_follow_the_sound(tmp_path):
    quiet_loud = tmp_path / "ql.wav"
    subprocess.run(
        [
            *FFMPEG,
            "-f",
            "lavfi",
            "-i",
            "sine=f=300:d=1",
            "-f",
            "lavfi",
            "-i",
            "sine=f=300:d=1",
            "-filter_complex",
            "[0]volume=0.1[a];[1]volume=8[b];[a][b]concat=n=2:v=0:a=1",
            str(quiet_loud),
        ],
        check=True,
    )
    levels = peaks(quiet_loud, n=20)
    assert len(levels) == 20
    assert max(levels[:9]) < 0.05
    assert min(levels[11:]) > 0.8


def test_silence_is_detected(tmp_path):
    assert is_silent(silence(tmp_path / "muet.wav", 1.0))
    assert not is_silent(speech(tmp_path / "voix.wav", "Bonjour"))


def test_narrate_with_the_french_voice(tmp_path):
    out = narrate("Bonjour les enfants, voici la radio de l'école.", "fr", tmp_path / "n.wav")
    assert probe(out).duration > 1.5
    assert not is_silent(out)
    with pytest.raises(AudioError):
        narrate("   ", "fr", tmp_path / "empty.wav")


def test_measure_reads_loudness_and_true_peak(tmp_path):
    level = measure(tone(tmp_path / "t.wav", seconds=3.0, volume_db=-10.0))
    assert level.true_peak == pytest.approx(-10.0, abs=0.5)
    assert level.lufs == pytest.approx(-13.0, abs=1.0)  # a 440 Hz sine: ~3 LU under its peak
    assert measure(silence(tmp_path / "s.wav", 1.0)).lufs == -math.inf


def test_a_long_file_is_streamed(tmp_path):
    """20 minutes of 44.1 kHz mono (106 MB of PCM): Python never holds it whole."""
    long = tmp_path / "long.wav"
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", "sine=f=220:d=1200:sample_rate=44100", str(long)],
        check=True,
    )
    assert long.stat().st_size > 100 * 1024 * 1024
    script = (
        "import sys\n"
        "from imaginecole.podcast import is_silent, peaks, probe\n"
        "print(probe(sys.argv[1]).duration)\n"
        "levels = peaks(sys.argv[1], n=800)\n"
        "print(len(levels), min(levels), is_silent(sys.argv[1]))\n"
    )
    (duration, found), kib = peak_kib(script, str(long))
    assert float(duration) == pytest.approx(1200, abs=0.1)
    count, lowest, silent = found.split()
    assert int(count) == 800 and float(lowest) > 0.1 and silent == "False"
    assert kib < 80 * 1024, kib  # the whole file, read at once, would be 106 MB more
