"""`rss`: a podcast as a folder to put on any web server, zipped: ``<name>.rss.zip``.

The zip holds ``feed.xml`` (RSS 2.0 with the iTunes and Podcasting 2.0 namespaces), each episode's
``NN-title.mp3``, its WebVTT transcript ``NN-title.vtt`` and its Podcasting 2.0 chapters
``NN-title.chapters.json`` (when it has a transcript, chapters), and the cover. The feed's
addresses are the file names, relative to the feed, unless the option `base_url`
(``--base-url URL``) gives the address of the folder on the web: podcast apps want absolute
addresses, and the catalogue makes them absolute when it serves a published podcast's feed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from imaginecole.i18n import N_

from .base import Bundle, Exporter, ExportError
from .podcast_audio import build_all, episode_stem, write_zip_files
from .podcast_files import (
    EpisodeFiles,
    chapters_json,
    cover_name,
    episode_chapters,
    feed_xml,
    transcript_cues,
    webvtt,
)

FEED = "feed.xml"


def check_base_url(value: Any) -> str:
    """`--base-url`: empty, or an http(s) address; refuses anything else clearly."""
    if value is None or str(value).strip() == "":
        return ""
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ExportError(
            "The address « {url} » given by --base-url is not a web address: give the address "
            "of the folder where the feed will be, such as https://ecole.example/podcast/.",
            url=text[:200],
        )
    return text if text.endswith("/") else text + "/"


def feed_entries(
    manifest: dict[str, Any], built: list[tuple[dict[str, Any], Any]], *, base_url: str = ""
) -> tuple[list[tuple[str, bytes | Path]], list[EpisodeFiles]]:
    """The zip entries (feed, audio, transcripts, chapters) and what the feed says of each
    episode, for `built` episodes ``[(episode, BuiltEpisode)]``."""
    entries: list[tuple[str, bytes | Path]] = []
    described = []
    for index, (episode, result) in enumerate(built):
        stem = episode_stem(episode, index)
        mp3 = Path(result.mp3)
        files = EpisodeFiles(
            episode=episode,
            duration=float(result.duration),
            audio_name=f"{stem}.mp3",
            audio_length=mp3.stat().st_size,
            chapters=list(result.chapters or []),
        )
        entries.append((files.audio_name, mp3))
        if transcript_cues(episode):
            files.vtt_name = f"{stem}.vtt"
            entries.append((files.vtt_name, webvtt(episode).encode("utf-8")))
        if episode_chapters(episode, files.chapters):
            files.chapters_name = f"{stem}.chapters.json"
            document = chapters_json(episode, files.chapters, duration=files.duration)
            entries.append((files.chapters_name, document.encode("utf-8")))
        described.append(files)
    entries.append((FEED, feed_xml(manifest, described, base_url=base_url)))
    return entries, described


class RssExporter(Exporter):
    name = "rss"
    extension = ".rss.zip"
    bundle_types = frozenset({"podcast"})
    option_names = frozenset({"base_url"})
    description = N_(
        "Podcast feed (RSS with iTunes and Podcasting 2.0 tags), episodes, transcripts and "
        "chapters, zipped for a web server"
    )

    def export(self, bundle: Bundle, out: Path) -> Path:
        base_url = check_base_url(self.options.get("base_url"))
        built = build_all(bundle)
        entries, _files = feed_entries(bundle.manifest, built, base_url=base_url)
        cover = cover_name(bundle.manifest)
        if cover:
            src = bundle.manifest["show"]["cover"]["src"]
            entries.append((cover, bundle.path / src))
        return write_zip_files(out, entries)
