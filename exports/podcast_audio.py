"""`mp3` and `opus`: a podcast's episodes as audio files, built by
:func:`imaginecole.podcast.build_episode` (cached in the bundle's ``build/`` folder).

One episode gives ``<name>.mp3`` (or ``.opus``); several give ``<name>.mp3.zip`` (or
``.opus.zip``), a zip of ``NN-title.mp3`` files in episode order. The audio is copied from the
build by blocks, never read whole into memory; the zip stores it (MP3 and Opus are compressed
already) with fixed metadata, so the same build gives the same bytes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, Message

from .archive import write_zip
from .base import Bundle, Exporter, ExportError
from .podcast_files import file_stem


class PodcastNotReady(ExportError):
    """A podcast that fails the export checks; `problems` lists every reason."""

    def __init__(self, bundle: Bundle, problems: list[Any]) -> None:
        self.problems = problems
        self.message_id = (
            "The podcast « {title} » ({path}) cannot be exported yet ({count} problem(s)); "
            "fix them in the studio, then export again:"
        )
        self.values = {"title": bundle.title, "path": bundle.path, "count": len(problems)}
        Exception.__init__(self, self.render("fr") + "\n\n[en]\n" + self.render("en"))

    def render(self, language: str) -> str:
        head = Message(self.message_id, **self.values).render(language)
        return head + "".join(f"\n- {p.render(language)}" for p in self.problems)


def episodes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in manifest.get("episodes") or [] if isinstance(e, dict)]


def episode_stem(episode: dict[str, Any], index: int) -> str:
    """``NN-title``: the episode's number (else its place, from 1) and its title."""
    number = episode.get("number")
    number = number if isinstance(number, int) and number > 0 else index + 1
    return file_stem(number, str(episode.get("title") or ""))


def build_all(bundle: Bundle) -> list[tuple[dict[str, Any], Any]]:
    """Every episode of `bundle` built (or taken from the cache): ``[(episode, BuiltEpisode)]``.

    The export checks run first; a podcast that fails them raises :class:`PodcastNotReady`.
    The build's warnings go to ``bundle.warnings``.
    """
    from imaginecole.podcast import build_episode, podcast_export_problems

    problems = podcast_export_problems(bundle.manifest, bundle.path)
    if problems:
        raise PodcastNotReady(bundle, problems)
    found = episodes(bundle.manifest)
    if not found:
        raise ExportError(
            "The podcast « {title} » ({path}) has no episode yet: record one in the studio, "
            "then export again.",
            title=bundle.title,
            path=bundle.path,
        )
    built = []
    for episode in found:
        result = build_episode(bundle.manifest, bundle.path, episode["id"])
        for warning in result.warnings:
            bundle.warnings.append(str(warning))
        built.append((episode, result))
    return built


STORED_SUFFIXES = (".mp3", ".opus", ".png", ".jpg", ".jpeg")


def write_zip_files(out: Path, entries: Iterable[tuple[str, bytes | Path]]) -> Path:
    """A zip of `entries` (name, bytes or a file to copy by blocks), sorted, fixed metadata;
    audio (.mp3, .opus) stored, the rest deflated. Never half a file at `out`."""
    items = dict(entries)
    stored = [name for name in items if name.lower().endswith(STORED_SUFFIXES)]
    return write_zip(out, items.items(), stored=stored)


def copy_output(source: Path, out: Path) -> Path:
    """`source` copied to `out` by blocks, through a .part file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    shutil.copyfile(source, partial)
    partial.replace(out)
    return out


class PodcastAudioExporter(Exporter):
    """An episode as one audio file; several as a zip of them."""

    bundle_types = frozenset({"podcast"})
    attribute = "mp3"  # the BuiltEpisode field holding the file

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        # several: ".mp3.zip" and ".opus.zip", which `--to all` never mixes up with html's zip
        many = len(episodes(bundle.manifest)) > 1
        suffix = f"{self.extension}.zip" if many else self.extension
        return out_dir / f"{bundle.path.name}{suffix}"

    def export(self, bundle: Bundle, out: Path) -> Path:
        built = build_all(bundle)
        files = [Path(getattr(result, self.attribute)) for _episode, result in built]
        if len(built) == 1 and out.suffix.lower() != ".zip":
            return copy_output(files[0], out)
        if out.suffix.lower() != ".zip":
            out = out.with_name(out.name + ".zip")  # several episodes never hide in one name
        names = [
            f"{episode_stem(episode, i)}{self.extension}" for i, (episode, _r) in enumerate(built)
        ]
        return write_zip_files(out, zip(names, files, strict=True))


class Mp3Exporter(PodcastAudioExporter):
    name = "mp3"
    extension = ".mp3"
    attribute = "mp3"
    description = N_("Podcast episodes as MP3 (one file, or a zip of one file per episode)")


class OpusExporter(PodcastAudioExporter):
    name = "opus"
    extension = ".opus"
    attribute = "opus"
    description = N_("Podcast episodes as Opus, small files for low bandwidth (one file, or a zip)")
