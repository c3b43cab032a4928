"""The example podcast in notebooks/examples/ is valid, exportable, small and accessible."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from imaginecole.bundle import load_manifest
from imaginecole.podcast import is_silent, podcast_export_problems, probe, validate_podcast

EXAMPLES = Path(__file__).resolve().parents[3] / "notebooks" / "examples"
EXAMPLE = EXAMPLES / "podcast-radio-ecole"


def test_the_example_is_valid_and_exportable() -> None:
    manifest = load_manifest(EXAMPLE)  # raises with the problems if the schema says no
    assert manifest["type"] == "podcast"
    assert validate_podcast(manifest, EXAMPLE) == []
    assert podcast_export_problems(manifest, EXAMPLE) == []


def test_the_example_is_small() -> None:
    total = sum(p.stat().st_size for p in (EXAMPLE / "media").iterdir())
    assert total < 300_000
    assert not (EXAMPLE / "build").exists(), "built files are not shipped"


def test_the_cover_is_square_and_described() -> None:
    manifest = load_manifest(EXAMPLE)
    cover = manifest["show"]["cover"]
    with Image.open(EXAMPLE / cover["src"]) as image:
        assert image.format == "PNG"
        assert image.width == image.height >= 1400
    assert len(cover["alt"].split()) >= 8


def test_three_spoken_segments_and_a_jingle() -> None:
    episode = load_manifest(EXAMPLE)["episodes"][0]
    segments = episode["segments"]
    assert len(segments) == 3
    total = 0.0
    for segment in segments:
        info = probe(EXAMPLE / segment["src"])
        assert 3 < info.duration < 15 and info.channels == 1
        assert not is_silent(EXAMPLE / segment["src"])
        assert segment["title"]
        total += info.duration
    assert 15 < total < 30  # about twenty seconds of speech
    jingle = probe(EXAMPLE / episode["intro_jingle"]["src"])
    assert 1 < jingle.duration < 5


def test_transcript_and_chapters_follow_the_episode() -> None:
    episode = load_manifest(EXAMPLE)["episodes"][0]
    cues = episode["transcript"]
    assert len(cues) >= 3
    for before, after in zip(cues, cues[1:], strict=False):
        assert before["start"] < before["end"] <= after["start"] < after["end"]
    assert cues[-1]["end"] < 35
    chapters = episode["chapters"]
    assert [c["title"] for c in chapters] == [s["title"] for s in episode["segments"]]
    assert chapters[0]["start"] == 0 and all(
        a["start"] < b["start"] for a, b in zip(chapters, chapters[1:], strict=False)
    )
    assert episode["notes"].count("\n\n") >= 1 and "https://" in episode["notes"]
