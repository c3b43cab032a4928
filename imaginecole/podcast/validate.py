"""Validating a podcast manifest: the JSON Schema, then ids, timings and media files.

The podcast schema reuses the grain schema's metadata by reference; both are
loaded into one `referencing` registry. Every problem names its path
(``episodes[0].segments[2].src``).
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ..bundle.media import MEDIA_DIR, magic_matches
from ..bundle.validate import (
    Problem,
    _describe,
    duplicate_id,
    field_path,
    grain_schema,
    media_file,
    path_order,
    problems_by_place,
)
from ..i18n import Message

PODCAST_SCHEMA_VERSION = 1
PODCAST_AUDIO_EXTENSIONS = frozenset({"wav", "mp3", "ogg", "oga", "opus", "m4a", "webm"})
MAX_PODCAST_AUDIO_BYTES = 500 * 1024 * 1024
MAX_COVER_BYTES = 10 * 1024 * 1024
SOURCE_KINDS = ("recording", "file", "jingle")  # segment kinds read from a file


@cache
def podcast_schema() -> dict[str, Any]:
    """The published JSON Schema of a podcast's manifest.json (draft 2020-12)."""
    return json.loads((Path(__file__).parent / "podcast.schema.json").read_text("utf-8"))


@cache
def _validator() -> Any:
    import jsonschema
    from referencing import Registry, Resource

    grain, podcast = grain_schema(), podcast_schema()
    registry = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (grain, podcast)]
    )
    cls = jsonschema.Draft202012Validator
    return cls(podcast, registry=registry, format_checker=cls.FORMAT_CHECKER)


def _schema_problems(manifest: Any) -> list[Problem]:
    return [
        Problem(field_path(list(e.absolute_path)), _describe(e, None))
        for e in _validator().iter_errors(manifest)
    ]


def episodes(manifest: dict[str, Any]):
    """(index, episode) for every episode that is an object."""
    items = manifest.get("episodes")
    for i, episode in enumerate(items if isinstance(items, list) else []):
        if isinstance(episode, dict):
            yield i, episode


def segments(episode: dict[str, Any]):
    """(index, segment) for every segment of `episode` that is an object."""
    items = episode.get("segments")
    for j, segment in enumerate(items if isinstance(items, list) else []):
        if isinstance(segment, dict):
            yield j, segment


def _structure_problems(manifest: dict[str, Any]) -> list[Problem]:
    problems = []
    seen_episodes: dict[str, str] = {}
    for i, episode in episodes(manifest):
        at = f"episodes[{i}]"
        problems += duplicate_id(seen_episodes, episode.get("id"), f"{at}.id")
        seen: dict[str, str] = {}
        for j, segment in segments(episode):
            where = f"{at}.segments[{j}]"
            problems += duplicate_id(seen, segment.get("id"), f"{where}.id")
            kind = segment.get("kind")
            if kind == "speech" and not str(segment.get("text") or "").strip():
                problems.append(
                    Problem(
                        f"{where}.text",
                        Message("a speech segment needs the text to read; write it"),
                    )
                )
            if kind in SOURCE_KINDS and not segment.get("src"):
                problems.append(
                    Problem(
                        f"{where}.src",
                        Message("this segment has no sound file; record or upload one"),
                    )
                )
            start, end = segment.get("trim_start"), segment.get("trim_end")
            if (
                isinstance(start, (int, float))
                and isinstance(end, (int, float))
                and not isinstance(end, bool)
                and end <= start
            ):
                problems.append(
                    Problem(
                        f"{where}.trim_end",
                        Message(
                            "the end of the trim ({end} s) must come after its start ({start} s)",
                            end=end,
                            start=start,
                        ),
                    )
                )
        for k, cue in enumerate(episode.get("transcript") or []):
            if isinstance(cue, dict):
                s, e = cue.get("start"), cue.get("end")
                if isinstance(s, (int, float)) and isinstance(e, (int, float)) and e < s:
                    problems.append(
                        Problem(
                            f"{at}.transcript[{k}].end",
                            Message("this cue ends before it starts; fix its times"),
                        )
                    )
    return problems


def media_refs(manifest: dict[str, Any]):
    """(path, kind, src) for every sound file the podcast uses; kind is audio or image."""
    show = manifest.get("show")
    cover = show.get("cover") if isinstance(show, dict) else None
    if isinstance(cover, dict) and isinstance(cover.get("src"), str):
        yield "show.cover.src", "image", cover["src"]
    for i, episode in episodes(manifest):
        for j, segment in segments(episode):
            if segment.get("kind") in SOURCE_KINDS and isinstance(segment.get("src"), str):
                yield f"episodes[{i}].segments[{j}].src", "audio", segment["src"]
        for key in ("intro_jingle", "music_bed"):
            item = episode.get(key)
            if isinstance(item, dict) and isinstance(item.get("src"), str):
                yield f"episodes[{i}].{key}.src", "audio", item["src"]


def _ext(src: str) -> str:
    name = src.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _media_file_problem(bundle_dir: Path | None, kind: str, src: str) -> Message | None:
    ext = _ext(src)
    if kind == "audio" and ext not in PODCAST_AUDIO_EXTENSIONS:
        return Message(
            "« {src} » is not an allowed sound file (.{ext}); use {allowed}",
            src=src,
            ext=ext,
            allowed=", ".join(sorted(PODCAST_AUDIO_EXTENSIONS)),
        )
    if bundle_dir is None:
        return None
    if not re.fullmatch(rf"{MEDIA_DIR}/[^/]+", src):
        return None  # the schema already said so
    path = media_file(
        bundle_dir, src, MAX_PODCAST_AUDIO_BYTES if kind == "audio" else MAX_COVER_BYTES
    )
    if isinstance(path, Message):
        return path
    if kind == "image" or ext in ("mp3", "wav", "ogg", "oga", "opus"):
        with path.open("rb") as fh:
            head = fh.read(16)
        if not magic_matches(ext, head):
            return Message("« {src} » does not contain what its extension says", src=src)
    return None


def _media_problems(manifest: dict[str, Any], bundle_dir: Path | None) -> list[Problem]:
    problems = []
    for at, kind, src in media_refs(manifest):
        why = _media_file_problem(bundle_dir, kind, src)
        if why is not None:
            problems.append(Problem(at, why))
    return problems


def validate_podcast(manifest: Any, folder: Path | str | None = None) -> list[Problem]:
    """Every problem of a podcast manifest; empty when valid.

    Checks the schema, ids, trims, speech texts and, with `folder` (the bundle
    folder), the media files (present, allowed type, size).
    """
    bundle_dir = Path(folder) if folder is not None else None
    checks = (_structure_problems, lambda m: _media_problems(m, bundle_dir))
    return problems_by_place(manifest, _schema_problems, checks, path_order)


def podcast_export_problems(manifest: Any, folder: Path | str | None = None) -> list[Problem]:
    """What stops an export: every validation problem, then a missing cover text,
    empty episodes and missing transcripts (listeners who cannot hear need them)."""
    problems = validate_podcast(manifest, folder)
    if not isinstance(manifest, dict):
        return problems
    seen = {p.path for p in problems}
    extra = []
    show = manifest.get("show")
    cover = show.get("cover") if isinstance(show, dict) else None
    if isinstance(cover, dict) and not str(cover.get("alt") or "").strip():
        extra.append(
            Problem(
                "show.cover.alt",
                Message("describe the cover picture (alternative text)"),
            )
        )
    if not any(True for _ in episodes(manifest)):
        extra.append(Problem("episodes", Message("the podcast has no episode yet; add one")))
    for i, episode in episodes(manifest):
        if not any(True for _ in segments(episode)):
            extra.append(
                Problem(
                    f"episodes[{i}].segments",
                    Message("episode {n} has no segment yet; record or add one", n=i + 1),
                )
            )
        if not episode.get("transcript"):
            extra.append(
                Problem(
                    f"episodes[{i}].transcript",
                    Message(
                        "write the transcript of episode {n}: listeners who cannot hear it need it",
                        n=i + 1,
                    ),
                )
            )
    problems += [p for p in extra if p.path not in seen]
    return sorted(problems, key=path_order)


_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text: str) -> str:
    """`text` as plain text: HTML tags and control characters removed."""
    return _CONTROL.sub("", _TAG.sub("", text))


def sanitize_podcast(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of `manifest` whose texts (titles, notes, transcripts) are plain text."""
    data = copy.deepcopy(manifest)

    def clean(holder: Any, *keys: str) -> None:
        if isinstance(holder, dict):
            for key in keys:
                if isinstance(holder.get(key), str):
                    holder[key] = plain(holder[key])

    show = data.get("show")
    if isinstance(show, dict):
        clean(show.get("cover"), "alt")
    for _i, episode in episodes(data):
        clean(episode, "title", "description", "notes")
        for _j, segment in segments(episode):
            clean(segment, "title", "text")
        for item in episode.get("chapters") or []:
            clean(item, "title")
        for cue in episode.get("transcript") or []:
            clean(cue, "text")
    return data
