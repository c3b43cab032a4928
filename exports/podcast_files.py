"""The files a podcast feed points at, as pure functions of the manifest and the built episodes.

- :func:`chapters_json`: the Podcasting 2.0 JSON chapters file (version 1.2.0,
  ``application/json+chapters``) of an episode;
- :func:`webvtt`: the WebVTT transcript of an episode, one cue per transcript entry;
- :func:`feed_xml`: the RSS 2.0 feed with the iTunes and Podcasting 2.0 namespaces.

Nothing here reads audio: the durations and the sizes of the encoded files come in
:class:`EpisodeFiles`. Teacher text is escaped by lxml (the feed) or by JSON; characters XML 1.0
forbids are dropped, and a transcript cue cannot hold the ``-->`` that would end its timing.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# The Podcasting 2.0 namespace by its first URI: its spec (docs/1.0.md) names
# https://podcastindex.org/namespace/1.0 now, but tells every client to take this one as the same,
# and some parsers (podcastparser 0.6) know only this one.
PODCAST = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
CHAPTERS_VERSION = "1.2.0"
CHAPTERS_TYPE = "application/json+chapters"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


@dataclass
class EpisodeFiles:
    """What the feed says of one built episode: its manifest entry and its files' names."""

    episode: dict[str, Any]
    duration: float  # seconds
    audio_name: str  # e.g. "01-la-rentree.mp3"
    audio_length: int  # bytes
    audio_type: str = "audio/mpeg"
    chapters: list[dict[str, Any]] | None = None  # [{"start", "title"}], from the build
    vtt_name: str | None = None
    chapters_name: str | None = None


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", str(value or ""))


def file_stem(number: int, title: str) -> str:
    """``NN-title`` for an episode's files: ASCII-safe, never empty, never a path."""
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _UNSAFE_NAME.sub("-", ascii_title.lower()).strip("-.")[:60].strip("-.")
    return f"{number:02d}-{slug or 'episode'}"


def episode_chapters(episode: dict[str, Any], built: list[dict[str, Any]] | None = None):
    """The chapters of an episode, sorted: the manifest's own, else the build's (made from the
    segment titles), else none."""
    chapters = episode.get("chapters") or built or []
    out = []
    for chapter in chapters:
        start = chapter.get("start", chapter.get("startTime", 0.0))
        title = str(chapter.get("title") or "").strip()
        if title:
            out.append({"start": max(0.0, float(start or 0.0)), "title": title})
    return sorted(out, key=lambda c: c["start"])


def chapters_json(
    episode: dict[str, Any], built: list[dict[str, Any]] | None = None, *, duration=None
) -> str:
    """The Podcasting 2.0 JSON chapters document of `episode` (version 1.2.0)."""
    chapters = []
    for chapter in episode_chapters(episode, built):
        if duration is not None and chapter["start"] > duration:
            continue
        chapters.append({"startTime": round(chapter["start"], 3), "title": chapter["title"]})
    document = {"version": CHAPTERS_VERSION, "chapters": chapters}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def vtt_time(seconds: float) -> str:
    millis = max(0, round(float(seconds) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def cue_text(text: object) -> str:
    """A cue's text as WebVTT takes it: no blank line (it would end the cue), no ``-->``,
    ``&`` and ``<`` escaped (they start an entity or a tag)."""
    lines = [line.strip() for line in xml_text(text).splitlines()]
    joined = "\n".join(line for line in lines if line)
    joined = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return joined.replace("--&gt;", "—&gt;")


def transcript_cues(episode: dict[str, Any]) -> list[dict[str, Any]]:
    """The episode's transcript entries with text, in time order, each ending after it starts."""
    cues = []
    for cue in episode.get("transcript") or []:
        text = str(cue.get("text") or "").strip()
        if not text:
            continue
        start = max(0.0, float(cue.get("start") or 0.0))
        end = float(cue.get("end") or 0.0)
        cues.append({"start": start, "end": max(end, start + 0.001), "text": text})
    return sorted(cues, key=lambda c: c["start"])


def webvtt(episode: dict[str, Any]) -> str:
    """The WebVTT transcript of `episode`."""
    parts = ["WEBVTT", ""]
    for index, cue in enumerate(transcript_cues(episode), 1):
        parts += [
            str(index),
            f"{vtt_time(cue['start'])} --> {vtt_time(cue['end'])}",
            cue_text(cue["text"]),
            "",
        ]
    return "\n".join(parts) + "\n"


def itunes_duration(seconds: float) -> str:
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def rfc2822(value: str | None, default: datetime | None = None) -> str:
    """An ISO 8601 date (``2026-11-28T10:00:00Z``) as RSS's RFC 2822 pubDate."""
    moment = default or datetime.now(UTC)
    if value:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            pass
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def join_url(base_url: str, name: str) -> str:
    """`name` under `base_url` (``https://…/podcast/`` + ``a.mp3``), or `name` alone."""
    from urllib.parse import quote

    name = quote(name)
    if not base_url:
        return name
    return base_url.rstrip("/") + "/" + name


def cover_name(manifest: dict[str, Any]) -> str | None:
    """The cover's file name in the feed folder (``cover.png``…), or None."""
    src = ((manifest.get("show") or {}).get("cover") or {}).get("src")
    if not src:
        return None
    suffix = src.rsplit(".", 1)[-1].lower() if "." in src else "png"
    return f"cover.{suffix}"


def feed_xml(
    manifest: dict[str, Any], episodes: list[EpisodeFiles], *, base_url: str = ""
) -> bytes:
    """The RSS 2.0 feed of `manifest`, with the iTunes and Podcasting 2.0 tags."""
    from lxml import etree

    meta = manifest.get("metadata") or {}
    show = manifest.get("show") or {}
    nsmap = {"itunes": ITUNES, "podcast": PODCAST}
    rss = etree.Element("rss", nsmap=nsmap, version="2.0")
    channel = etree.SubElement(rss, "channel")

    def sub(parent, tag: str, content: object = None, /, **attrs: str):
        if ":" in tag:
            prefix, local = tag.split(":")
            tag = f"{{{nsmap[prefix]}}}{local}"
        element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
        if content is not None:
            element.text = xml_text(content)
        return element

    title = meta.get("title") or "Podcast"
    description = meta.get("description") or title
    authors = ", ".join(a.get("name", "") for a in meta.get("authors") or [] if a.get("name"))
    author = show.get("author") or authors
    link = base_url or "./"
    sub(channel, "title", title)
    sub(channel, "link", link)
    sub(channel, "description", description)
    sub(channel, "language", meta.get("language") or "fr")
    sub(channel, "generator", "Imaginecole Studio")
    if meta.get("licence"):
        sub(channel, "copyright", meta["licence"])
    if author:
        sub(channel, "itunes:author", author)
    sub(channel, "itunes:summary", description)
    cover = cover_name(manifest)
    if cover:
        url = join_url(base_url, cover)
        sub(channel, "itunes:image", href=url)
        image = sub(channel, "image")
        sub(image, "url", url)
        sub(image, "title", title)
        sub(image, "link", link)
    sub(channel, "itunes:category", text=show.get("category") or "Education")
    sub(channel, "itunes:explicit", "true" if show.get("explicit") else "false")
    if show.get("email") or author:
        owner = sub(channel, "itunes:owner")
        if author:
            sub(owner, "itunes:name", author)
        if show.get("email"):
            sub(owner, "itunes:email", show["email"])
    sub(channel, "podcast:guid", podcast_guid(manifest))
    for files in episodes:
        episode = files.episode
        item = sub(channel, "item")
        sub(item, "title", episode.get("title") or title)
        summary = episode.get("description") or episode.get("notes") or ""
        sub(item, "description", summary or episode.get("title") or title)
        if summary:
            sub(item, "itunes:summary", summary)
        sub(
            item,
            "enclosure",
            url=join_url(base_url, files.audio_name),
            length=str(files.audio_length),
            type=files.audio_type,
        )
        guid = f"{manifest.get('id', '')}/{episode.get('id', '')}"
        sub(item, "guid", guid, isPermaLink="false")
        sub(item, "pubDate", rfc2822(episode.get("published")))
        sub(item, "itunes:duration", itunes_duration(files.duration))
        if episode.get("number"):
            sub(item, "itunes:episode", int(episode["number"]))
            sub(item, "podcast:episode", int(episode["number"]))
        sub(item, "itunes:explicit", "true" if show.get("explicit") else "false")
        if files.vtt_name:
            sub(
                item,
                "podcast:transcript",
                url=join_url(base_url, files.vtt_name),
                type="text/vtt",
                language=meta.get("language") or "fr",
            )
        if files.chapters_name:
            sub(
                item,
                "podcast:chapters",
                url=join_url(base_url, files.chapters_name),
                type=CHAPTERS_TYPE,
            )
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def podcast_guid(manifest: dict[str, Any]) -> str:
    """The show's podcast:guid: a UUID v5 of the bundle's id, the same on every export."""
    namespace = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # Podcasting 2.0's
    return str(uuid.uuid5(namespace, f"imaginecole:{manifest.get('id') or ''}"))
