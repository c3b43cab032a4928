"""`imaginecole podcast …`: create a podcast from sound files and build its episodes."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from ..i18n import ImaginecoleError, _


def add_commands(sub: argparse._SubParsersAction) -> None:
    podcast = sub.add_parser("podcast", help=_("Create and build school podcasts."))
    podcast_sub = podcast.add_subparsers(dest="podcast_command", required=True)

    new = podcast_sub.add_parser(
        "new", help=_("Create a podcast whose first episode is made of sound files, and build it.")
    )
    new.add_argument("dir", type=Path, help=_("the new bundle folder (must not exist or be empty)"))
    new.add_argument("--title", required=True, help=_("title of the podcast"))
    new.add_argument(
        "--segment",
        type=Path,
        nargs="+",
        required=True,
        action="extend",
        help=_("sound files (wav, mp3, ogg, m4a, webm), in order"),
    )
    new.add_argument("--jingle", type=Path, help=_("a jingle played under the start, ducked"))
    new.add_argument(
        "--mono",
        action="store_true",
        help=_("mono at −19 LUFS (the default is stereo at −16 LUFS)"),
    )
    new.add_argument("--language", default="fr", help=_("language of the podcast (default: fr)"))
    new.set_defaults(func=run_new)

    build = podcast_sub.add_parser("build", help=_("Build the MP3 and Opus files of episodes."))
    build.add_argument("dir", type=Path, help=_("the bundle folder"))
    build.add_argument("--episode", help=_("the id of one episode (default: every episode)"))
    build.set_defaults(func=run_build)


def _media_name(path: Path, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-_").lower()[:60] or "son"
    name, n = f"{stem}{path.suffix.lower()}", 2
    while name in taken:
        name, n = f"{stem}-{n}{path.suffix.lower()}", n + 1
    taken.add(name)
    return name


def run_new(args: argparse.Namespace) -> int:
    from ..bundle.model import save_manifest
    from .audio import probe
    from .model import new_podcast

    for path in [*args.segment, *([args.jingle] if args.jingle else [])]:
        probe(path)  # AudioError naming the file before anything is written
    channels = "mono" if args.mono else "stereo"
    manifest = new_podcast(args.language, channels=channels, title=args.title)
    episode = manifest["episodes"][0]
    taken: set[str] = set()
    copies: list[tuple[Path, str]] = []
    for j, path in enumerate(args.segment, start=1):
        name = _media_name(path, taken)
        copies.append((path, name))
        episode["segments"].append(
            {"id": f"s{j}", "kind": "file", "src": f"media/{name}", "gap_after": 0.5}
        )
    if args.jingle:
        name = _media_name(args.jingle, taken)
        copies.append((args.jingle, name))
        episode["intro_jingle"] = {"src": f"media/{name}", "lead": 3.0, "duck_db": 14}
    folder: Path = args.dir
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ImaginecoleError(
            "the folder {folder} already exists and is not empty; nothing was written. "
            "Choose a new folder name",
            folder=folder,
        )
    (folder / "media").mkdir(parents=True, exist_ok=True)
    for source, name in copies:
        shutil.copyfile(source, folder / "media" / name)
    save_manifest(folder, manifest)
    print(_("Podcast « {title} » written to {dir}.").format(title=args.title, dir=folder))
    return _build(folder, [episode["id"]])


def _build(folder: Path, episode_ids: list[str] | None) -> int:
    from ..bundle.model import load_manifest
    from .build import build_episode

    manifest = load_manifest(folder)
    ids = episode_ids or [e["id"] for e in manifest.get("episodes") or []]
    for episode_id in ids:
        built = build_episode(manifest, folder, episode_id)
        for warning in built.warnings:
            print(_("warning: {message}").format(message=warning.render("fr")), file=sys.stderr)
        print(
            _(
                "Episode {id}: {duration:.1f} s\n"
                "  MP3:  {mp3} ({lufs_mp3:.1f} LUFS, true peak {tp_mp3:.1f} dBTP)\n"
                "  Opus: {opus} ({lufs_opus:.1f} LUFS, true peak {tp_opus:.1f} dBTP)"
            ).format(
                id=episode_id,
                duration=built.duration,
                mp3=built.mp3,
                lufs_mp3=built.lufs_mp3,
                tp_mp3=built.true_peak_mp3,
                opus=built.opus,
                lufs_opus=built.lufs_opus,
                tp_opus=built.true_peak_opus,
            )
        )
        if built.chapters:
            print("  " + json.dumps(built.chapters, ensure_ascii=False))
    return 0


def run_build(args: argparse.Namespace) -> int:
    return _build(args.dir, [args.episode] if args.episode else None)
