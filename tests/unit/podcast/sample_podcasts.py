"""Short test audio made by ffmpeg's lavfi sources and espeak-ng, and valid podcast bundles.

Shared by the podcast tests of every part (builder, exporters, widget, catalogue).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from imaginecole.podcast import new_podcast

FFMPEG = ["ffmpeg", "-v", "error", "-y", "-nostdin"]


def tone(
    path: Path,
    seconds: float = 2.0,
    freq: int = 440,
    volume_db: float = -20.0,
    channels: int = 1,
    rate: int = 44100,
) -> Path:
    """A sine tone of `seconds` at about `volume_db` dBFS peak, in the format of `path`'s suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    gain = volume_db + 18.06  # lavfi's sine peaks at 1/8 (−18 dBFS)
    args = [*FFMPEG, "-f", "lavfi", "-i", f"sine=f={freq}:d={seconds}:sample_rate={rate}"]
    args += ["-af", f"volume={gain:.2f}dB", "-ac", str(channels)]
    if path.suffix == ".opus":
        args += ["-c:a", "libopus", "-b:a", "32k"]
    subprocess.run([*args, str(path)], check=True)
    return path


def noise(path: Path, seconds: float = 2.0, amplitude: float = 0.1, color: str = "pink") -> Path:
    """Coloured noise (a stand-in for music: a jingle or a bed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = f"anoisesrc=d={seconds}:c={color}:a={amplitude}:r=44100"
    subprocess.run([*FFMPEG, "-f", "lavfi", "-i", source, str(path)], check=True)
    return path


def silence(path: Path, seconds: float = 2.0) -> Path:
    """Digital silence (a muted microphone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = "anullsrc=r=44100:cl=mono"
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", source, "-t", str(seconds), str(path)], check=True
    )
    return path


def speech(
    path: Path, text: str = "Bonjour à tous, bienvenue à la radio de l'école.", voice: str = "fr"
) -> Path:
    """`text` read by espeak-ng into a WAV (or converted to `path`'s format by ffmpeg)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wav = path if path.suffix == ".wav" else path.with_suffix(".tmp.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True)
    if wav != path:
        subprocess.run([*FFMPEG, "-i", str(wav), str(path)], check=True)
        wav.unlink()
    return path


def corrupt(path: Path, size: int = 4096) -> Path:
    """Random bytes under a sound file's name."""
    import random

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(7).randbytes(size))
    return path


def cover(path: Path, side: int = 1400) -> Path:
    """A square PNG cover."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (side, side), (30, 90, 160)).save(path)
    return path


def podcast_bundle(
    folder: Path,
    *,
    channels: str = "mono",
    jingle: bool = False,
    bed: bool = False,
    episodes: int = 1,
    language: str = "fr",
) -> tuple[dict[str, Any], Path]:
    """A valid podcast bundle in `folder` (created): (manifest, folder), manifest.json written.

    Each episode has 3 short segments: an espeak-ng recording (wav), a tone (mp3) titled
    as a chapter, and a speech segment (narrated at build time); a transcript and a cover.
    """
    media = folder / "media"
    speech(media / "s1.wav")
    tone(media / "s2.mp3", seconds=1.5, volume_db=-14.0, channels=2 if channels == "stereo" else 1)
    cover(media / "cover.png", side=200)
    manifest = new_podcast(
        language,
        channels=channels,
        title="La radio de l'école",
        description="Les élèves du CM2 racontent leur semaine.",
        authors=[{"name": "CM2 de Mme Diop"}],
        country="SN",
    )
    manifest["show"].update(
        {"cover": {"src": "media/cover.png", "alt": "Un micro bleu"}, "author": "École Liberté 6"}
    )
    manifest["episodes"] = []
    for n in range(1, episodes + 1):
        episode: dict[str, Any] = {
            "id": f"e{n}",
            "title": f"Épisode {n} : la semaine",
            "description": "Ce que nous avons appris cette semaine.",
            "number": n,
            "published": f"2026-11-{20 + n:02d}T10:00:00Z",
            "segments": [
                {
                    "id": "s1",
                    "kind": "recording",
                    "src": "media/s1.wav",
                    "title": "Introduction",
                    "gap_after": 0.3,
                },
                {
                    "id": "s2",
                    "kind": "file",
                    "src": "media/s2.mp3",
                    "title": "La musique",
                    "fade_in": 0.2,
                    "fade_out": 0.2,
                    "gap_after": 0.3,
                },
                {
                    "id": "s3",
                    "kind": "speech",
                    "text": "Merci de nous avoir écoutés. À bientôt !",
                    "voice": "fr",
                    "gap_after": 0.0,
                },
            ],
            "transcript": [
                {
                    "start": 0.0,
                    "end": 3.0,
                    "text": "Bonjour à tous, bienvenue à la radio de l'école.",
                },
                {"start": 5.0, "end": 7.5, "text": "Merci de nous avoir écoutés. À bientôt !"},
            ],
            "notes": "Nos notes.\n\nPlus d'informations : https://example.org/ecole",
        }
        if jingle:
            noise(media / "jingle.wav", seconds=5.0, amplitude=0.3)
            episode["intro_jingle"] = {"src": "media/jingle.wav", "lead": 2.0, "duck_db": 14}
        if bed:
            noise(media / "bed.wav", seconds=3.0, amplitude=0.2, color="brown")
            episode["music_bed"] = {"src": "media/bed.wav", "volume_db": -20}
        manifest["episodes"].append(episode)
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    return manifest, folder
