"""Listening in the podcast studio: a short preview of a segment, and the built episode.

Mixed into :class:`.podcast_studio.PodcastStudio`: a segment is rendered trimmed (at most a
minute) to a small MP3 sent to the page as a data: URL; the episode is built by
:func:`imaginecole.podcast.build_episode` (cached) and shown with its measured loudness.
"""

from __future__ import annotations

import base64
import html
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..i18n import Message
from .form_fields import show_errors

PREVIEW_SECONDS = 60
MAX_EPISODE_PREVIEW_BYTES = 8 * 1024 * 1024


class Listening:
    """preview_segment and build, for the studio (which has segments, deck, notice…)."""

    def preview_segment(self, segment_id: str) -> str:
        """A short render (trimmed, ≤ 60 s) of the segment as a data: URL, sent to the page."""
        segment = next((s for s in self.segments() if s.get("id") == segment_id), None)
        if segment is None:
            return ""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "preview.mp3"
            try:
                if segment.get("kind") == "speech":
                    from ..podcast import speech

                    source = Path(tmp) / "speech.wav"
                    speech.narrate(
                        str(segment.get("text") or ""), str(segment.get("voice") or "fr"), source
                    )
                else:
                    source = Path(self.bundle_dir) / str(segment.get("src") or "")
                start = float(segment.get("trim_start") or 0.0)
                end = segment.get("trim_end")
                length = PREVIEW_SECONDS if end is None else min(PREVIEW_SECONDS, end - start)
                command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{start}"]
                command += ["-i", str(source), "-t", f"{max(length, 0.1)}", "-ac", "1"]
                command += ["-b:a", "48k", str(out)]
                subprocess.run(command, check=True, capture_output=True, timeout=120)
                url = "data:audio/mpeg;base64," + base64.b64encode(out.read_bytes()).decode()
            except Exception as exc:  # ffmpeg refusing the file: said, never raised
                self.notice.show(
                    self._("This segment cannot be played: {error}").format(error=str(exc)[:300]),
                    "error",
                )
                return ""
        n = int(self.deck.preview.get("n", 0)) + 1  # the same segment again plays again
        self.deck.preview = {"segment": segment_id, "url": url, "n": n}
        return url

    def build(self) -> Any:
        """Build the episode (mp3 and opus), show its measured loudness and a player."""
        _ = self._
        show_errors(self.build_errors, [])
        self.flush()
        try:
            from ..podcast import build_episode

            built = build_episode(self.manifest, self.bundle_dir, self.current_episode()["id"])
        except Exception as exc:  # AudioError, BundleError, OSError…: said as it is
            render = getattr(exc, "render", None)
            message = render(self.language) if callable(render) else None
            if message is None and hasattr(exc, "message_id"):
                message = Message(exc.message_id, **exc.values).render(self.language)
            show_errors(self.build_errors, [message or str(exc)])
            return None
        loudness = _(
            "Duration {duration}; loudness {lufs} LUFS, true peak {peak} dBTP (MP3); "
            "{lufs_opus} LUFS, {peak_opus} dBTP (Opus)."
        ).format(
            duration=f"{int(built.duration) // 60}:{int(built.duration) % 60:02d}",
            lufs=f"{built.lufs_mp3:.1f}",
            peak=f"{built.true_peak_mp3:.1f}",
            lufs_opus=f"{built.lufs_opus:.1f}",
            peak_opus=f"{built.true_peak_opus:.1f}",
        )
        parts = [f"<p class='icpo-loudness'>{html.escape(loudness)}</p>"]
        for warning in built.warnings:
            text = warning.render(self.language) if hasattr(warning, "render") else str(warning)
            parts.append(f"<p class='icb-warning'>{html.escape(text)}</p>")
        mp3 = Path(built.mp3)
        if mp3.stat().st_size <= MAX_EPISODE_PREVIEW_BYTES:
            url = "data:audio/mpeg;base64," + base64.b64encode(mp3.read_bytes()).decode()
            label = html.escape(_("Listen to the episode"), quote=True)
            parts.append(f'<audio controls aria-label="{label}" src="{url}"></audio>')
        else:
            where = _("The episode is saved as {path}.").format(path=mp3)
            parts.append(f"<p>{html.escape(where)}</p>")
        self.build_result.value = "".join(parts)
        return built
