"""A draft narration: espeak-ng reads a text aloud into a WAV file (French voice by default)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .audio import AudioError, tool

MAX_SPEECH_CHARS = 5000


def narrate(text: str, voice: str = "fr", out: Path | str = "speech.wav", speed: int = 150) -> Path:
    """Write `text` read by espeak-ng's `voice` (fr, en, ar…) to the WAV file `out`."""
    out = Path(out)
    text = " ".join(str(text).split())
    if not text:
        raise AudioError("a speech segment needs the text to read; write it")
    if len(text) > MAX_SPEECH_CHARS:
        raise AudioError(
            "the text to read has {count} characters; the limit is {limit}. Split it",
            count=len(text),
            limit=MAX_SPEECH_CHARS,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [tool("espeak-ng"), "-v", voice, "-s", str(speed), "-w", str(out), "--stdin"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0 or not out.is_file() or out.stat().st_size <= 44:
        why = result.stderr.decode("utf-8", "replace").strip()[:200] or "?"
        raise AudioError(
            "espeak-ng could not read the text with the voice « {voice} » ({why}); "
            "pick another voice",
            voice=voice,
            why=why,
        )
    return out
