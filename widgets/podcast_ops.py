"""The edits of the podcast studio, as small operations on one episode of the manifest.

``apply_op(manifest, episode_index, op)`` returns a changed copy; a refused operation
raises :class:`PodcastOpError` and changes nothing. Operations (dicts with ``op``):

- ``trim``: segment, start, end (seconds in the source; end null = to the end);
- ``move``: segment, to (new index) — or step (-1 up, +1 down);
- ``remove``: segment;
- ``title``: segment, title (a chapter starts at a titled segment);
- ``add``: segment (a dict: kind, src or text…), returns its new id;
- ``source``: segment, src (a new take replaces the segment's sound, trims reset);
- ``jingle``: src (or null to remove), lead, duck_db;
- ``episode_title``: title;
- ``episode_add``: title — a new empty episode after the others, returns its index.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from ..i18n import Message

MAX_SEGMENTS = 60
MAX_EPISODES = 100
MAX_SPEECH_CHARS = 5000
MAX_SOURCE_SECONDS = 4 * 3600
SEGMENT_KINDS = ("recording", "file", "speech", "jingle")


class PodcastOpError(ValueError):
    """An operation refused, with the message to show the teacher."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = Message(message, **values)

    def render(self, language: str) -> str:
        return self.message.render(language)


def episode_at(manifest: dict[str, Any], index: int) -> dict[str, Any]:
    episodes = manifest.get("episodes")
    if not isinstance(episodes, list) or not 0 <= index < len(episodes):
        raise PodcastOpError("This episode no longer exists.")
    return episodes[index]


def segments_of(episode: dict[str, Any]) -> list[dict[str, Any]]:
    segments = episode.get("segments")
    if not isinstance(segments, list):
        segments = episode["segments"] = []
    return segments


def _find(segments: list[dict[str, Any]], segment_id: Any) -> int:
    for n, segment in enumerate(segments):
        if isinstance(segment, dict) and segment.get("id") == segment_id:
            return n
    raise PodcastOpError("This segment no longer exists.")


def new_segment_id(manifest: dict[str, Any]) -> str:
    """s1, s2…: the first id no segment of any episode uses."""
    used = {
        s.get("id")
        for e in manifest.get("episodes") or []
        if isinstance(e, dict)
        for s in e.get("segments") or []
        if isinstance(s, dict)
    }
    n = 1
    while f"s{n}" in used:
        n += 1
    return f"s{n}"


def _seconds(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PodcastOpError("A time must be a number of seconds ({what}).", what=what) from None
    if not math.isfinite(number) or number < 0 or number > MAX_SOURCE_SECONDS:
        raise PodcastOpError("A time must be between 0 and 4 hours ({what}).", what=what)
    return round(number, 2)


def apply_op(manifest: dict[str, Any], index: int, op: dict[str, Any]) -> tuple[dict, Any]:
    """(changed copy of `manifest`, result) after `op` on episode `index`."""
    if not isinstance(op, dict) or not isinstance(op.get("op"), str):
        raise PodcastOpError("Unknown operation.")
    edited = copy.deepcopy(manifest)
    episode = episode_at(edited, index)
    segments = segments_of(episode)
    name = op["op"]
    result: Any = None
    if name == "trim":
        segment = segments[_find(segments, op.get("segment"))]
        start = _seconds(op.get("start", 0), "trim_start")
        end = op.get("end")
        end = None if end is None else _seconds(end, "trim_end")
        if end is not None and end - start < 0.1:
            raise PodcastOpError("The end must come at least 0.1 s after the start.")
        segment["trim_start"], segment["trim_end"] = start, end
    elif name == "move":
        at = _find(segments, op.get("segment"))
        to = op["to"] if "to" in op else at + int(op.get("step", 0))
        if not isinstance(to, int) or not 0 <= to < len(segments):
            raise PodcastOpError("This segment cannot move further.")
        segments.insert(to, segments.pop(at))
        result = to
    elif name == "remove":
        segments.pop(_find(segments, op.get("segment")))
    elif name == "title":
        segment = segments[_find(segments, op.get("segment"))]
        title = str(op.get("title") or "").strip()[:200]
        if title:
            segment["title"] = title
        else:
            segment.pop("title", None)
    elif name == "add":
        if len(segments) >= MAX_SEGMENTS:
            raise PodcastOpError(
                "An episode has at most {max} segments: start a new episode.", max=MAX_SEGMENTS
            )
        segment = dict(op.get("segment") or {})
        if segment.get("kind") not in SEGMENT_KINDS:
            raise PodcastOpError("Unknown kind of segment.")
        if segment["kind"] == "speech":
            text = str(segment.get("text") or "").strip()
            if not text:
                raise PodcastOpError("Write the text to read first.")
            if len(text) > MAX_SPEECH_CHARS:
                raise PodcastOpError(
                    "The text is too long ({count} characters, at most {max}): cut it in two "
                    "segments.",
                    count=len(text),
                    max=MAX_SPEECH_CHARS,
                )
            segment["text"] = text
        segment["id"] = new_segment_id(edited)
        segment.setdefault("trim_start", 0.0)
        segment.setdefault("trim_end", None)
        segment.setdefault("fade_in", 0.0)
        segment.setdefault("fade_out", 0.0)
        segment.setdefault("gap_after", 0.5)
        segments.append(segment)
        result = segment["id"]
    elif name == "source":
        segment = segments[_find(segments, op.get("segment"))]
        # a new take: a draft narration or a file becomes the teacher's own recording
        segment.update(kind="recording", src=str(op["src"]), trim_start=0.0, trim_end=None)
        segment.pop("text", None)
        segment.pop("voice", None)
    elif name == "jingle":
        if op.get("src"):
            jingle = dict(episode.get("intro_jingle") or {})
            jingle["src"] = str(op["src"])
            jingle["lead"] = _seconds(op.get("lead", jingle.get("lead", 3.0)), "lead")
            jingle["duck_db"] = float(op.get("duck_db", jingle.get("duck_db", 14)))
            episode["intro_jingle"] = jingle
        else:
            episode.pop("intro_jingle", None)
    elif name == "episode_add":
        episodes = edited["episodes"]
        if len(episodes) >= MAX_EPISODES:
            raise PodcastOpError("A podcast has at most {max} episodes.", max=MAX_EPISODES)
        used = {e.get("id") for e in episodes if isinstance(e, dict)}
        n = len(episodes) + 1
        while f"e{n}" in used:
            n += 1
        from ..podcast import new_episode

        title = str(op.get("title") or "").strip()[:200]
        episodes.append(new_episode(f"e{n}", title, len(episodes) + 1))
        result = len(episodes) - 1
    elif name == "episode_title":
        title = str(op.get("title") or "").strip()
        if not title:
            raise PodcastOpError("The episode needs a title.")
        episode["title"] = title[:200]
    else:
        raise PodcastOpError("Unknown operation.")
    return edited, result
