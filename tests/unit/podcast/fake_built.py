"""Built episodes without audio: the feed, the chapters and the transcripts are pure functions
of the manifest and of what the build says (durations, file sizes), tested here without ffmpeg."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imaginecole.exports.base import Bundle


@dataclass
class FakeBuilt:
    mp3: Path
    opus: Path
    duration: float
    chapters: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def fake_manifest(episodes: int = 2) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "type": "podcast",
        "id": "4f1c8a52-1d7e-4c53-9b55-0d2f3c9c1e11",
        "metadata": {
            "title": "La radio de l'école <CM2> & co",
            "description": "Les élèves racontent « leur » école.",
            "language": "fr",
            "licence": "CC-BY-SA-4.0",
            "authors": [{"name": "CM2 de Mme Diop"}],
            "country": "SN",
        },
        "show": {
            "cover": {"src": "media/cover.png", "alt": "Un micro devant l'école"},
            "category": "Education",
            "author": "École Liberté 6",
            "email": "",
            "explicit": False,
        },
        "settings": {"channels": "mono", "mp3_bitrate": 64, "opus_bitrate": 24},
        "episodes": [
            {
                "id": f"e{n}",
                "title": f"Épisode {n} : la rentrée & <les> amis",
                "description": f"Ce que nous avons fait, semaine {n}.",
                "number": n,
                "published": f"2026-11-{20 + n}T10:00:00Z",
                "segments": [
                    {"id": "s1", "kind": "speech", "text": "Bonjour", "voice": "fr",
                     "title": "Introduction"},
                    {"id": "s2", "kind": "speech", "text": "Au revoir", "voice": "fr",
                     "title": "Le reportage"},
                ],
                "transcript": [
                    {"start": 0.0, "end": 2.5, "text": "Bonjour à tous --> c'est <nous> & vous"},
                    {"start": 2.5, "end": 5.0, "text": "Au revoir."},
                ],
                "notes": "Merci à la directrice.\n\nhttps://ecole.example",
            }
            for n in range(1, episodes + 1)
        ],
    }  # fmt: skip


def fake_bundle(tmp_path: Path, episodes: int = 2) -> tuple[Bundle, list]:
    """A podcast bundle folder whose 'built' episodes are small fake files."""
    folder = tmp_path / "radio"
    (folder / "media").mkdir(parents=True)
    (folder / "build").mkdir()
    (folder / "media" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    manifest = fake_manifest(episodes)
    built = []
    for index, episode in enumerate(manifest["episodes"]):
        mp3 = folder / "build" / f"{episode['id']}.mp3"
        opus = folder / "build" / f"{episode['id']}.opus"
        mp3.write_bytes(b"ID3" + bytes(1000 + index))
        opus.write_bytes(b"OggS" + bytes(500 + index))
        chapters = [
            {"start": 0.0, "title": "Introduction"},
            {"start": 2.5, "title": "Le reportage"},
        ]
        built.append((episode, FakeBuilt(mp3, opus, 5.2 + index, chapters)))
    return Bundle(path=folder, manifest=manifest), built
