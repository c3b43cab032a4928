"""A podcast as one offline web page: the ``html`` and ``kolibri`` exporters' podcast branch.

The page comes from the ``podcast`` template folder (``templates/podcast/``: ``conf.json``,
``page.html``, ``page.js``, ``page.css``), found on the Jupyter data path like the comic reader;
the player's shared base style (:func:`imaginecole.player.shared_css`) comes before ``page.css``
and its ``PAGE_HEAD`` (with the no-network Content-Security-Policy) starts the page.

It shows the show (cover, title, author, description) and each episode with an
``<audio controls>`` player, its chapters as buttons that move the player, its transcript as
buttons too (the cue being heard is highlighted), its show notes (paragraphs, web addresses made
links) and a download link. The MP3s are data: URLs when they weigh `INLINE_AUDIO_LIMIT` at most
in all; above it the ``html`` exporter writes a zip with ``index.html`` and the MP3s beside it.
Kolibri always gets the files. Teacher text is escaped by Jinja (autoescape).
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_

from . import page_shell
from .base import Bundle

TEMPLATE_FILES = ("conf.json", "page.html", "page.js", "page.css")
INLINE_AUDIO_LIMIT = 8 * 1024 * 1024
MISSING_TEMPLATE = N_(
    "The podcast page template ({files}) was not found in {paths}. "
    "Set JUPYTER_PATH to the templates/ folder of Imaginecole Studio."
)
# Keys are what page.html asks for; values are English message ids.
PAGE_STRINGS: dict[str, str] = {
    "episodes": N_("Episodes"),
    "noscript": N_(
        "JavaScript is off: use the player's own controls; the chapters and the transcript "
        "show their times."
    ),
    "episode_n": N_("Episode {n}"),
    "download": N_("Download the episode (MP3)"),
    "chapters": N_("Chapters"),
    "go_to": N_("listen from here"),
    "transcript": N_("Transcript"),
    "transcript_help": N_("Choose a sentence to listen from there."),
    "notes": N_("Show notes"),
    "credits": N_("Credits"),
    "authors_label": N_("By:"),
    "licence_label": N_("Licence:"),
    "made_with": N_("Made with Imaginecole Studio."),
}
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def template_dirs() -> list[Path]:
    return page_shell.template_dirs("podcast")


def template_dir() -> Path:
    return page_shell.first_template(template_dirs(), TEMPLATE_FILES, MISSING_TEMPLATE)


def page_strings(language: str | None) -> dict[str, str]:
    """Every page string for a podcast in `language` (fr, en, ar; else fr)."""
    return page_shell.translated(PAGE_STRINGS, language)


@functools.lru_cache(maxsize=2)
def page_assets(minify: bool) -> tuple[str, str]:
    return page_shell.page_assets(template_dir(), "page", "icq", minify)


def clock(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def note_paragraphs(notes: str) -> list[Any]:
    """Show notes as paragraphs (blank lines part them), web addresses made links, escaped."""
    from markupsafe import Markup, escape

    paragraphs = []
    for block in re.split(r"\n\s*\n", str(notes or "").strip()):
        if not block.strip():
            continue
        out, last = [], 0
        for match in _URL.finditer(block):
            out.append(escape(block[last : match.start()]))
            url = escape(match.group(0))
            out.append(Markup(f'<a href="{url}" rel="noopener">{url}</a>'))
            last = match.end()
        out.append(escape(block[last:]))
        lines = Markup("").join(out).split("\n")
        paragraphs.append(Markup("<br>").join(Markup(line) for line in lines))
    return paragraphs


def long_date(value: str | None, language: str) -> tuple[str, str]:
    """(the date for people in `language`, its ISO form) of an ISO 8601 date, or ("", "")."""
    from datetime import datetime

    from babel.dates import format_date

    if not value:
        return "", ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return "", ""
    try:
        text = format_date(moment.date(), format="long", locale=language.replace("-", "_"))
    except Exception:  # an unknown locale: the ISO date is still readable
        text = moment.date().isoformat()
    return text, moment.date().isoformat()


def render_page(
    manifest: dict[str, Any],
    episodes: list[dict[str, Any]],
    *,
    cover_src: str | None = None,
    minify: bool = True,
    shell_script: str = "",
) -> str:
    """The page of `manifest`. `episodes` gives, in order, each episode's manifest entry, its
    audio's URL (``src``: a data: URL or a relative file name), ``file_name``, ``duration`` and
    the build's ``chapters``."""
    from imaginecole.player import text_direction, ui_language

    from .podcast_files import episode_chapters, transcript_cues
    from .worksheet import _environment

    meta = manifest.get("metadata") or {}
    show = manifest.get("show") or {}
    language = meta.get("language") or "fr"
    ui = ui_language(language)
    strings = page_strings(language)
    shell = page_shell.page_shell(
        manifest,
        page_assets(minify),
        shell_script,
        stem="page",
        direction=text_direction(language),
        title=meta.get("title") or "Podcast",
    )
    shown = []
    for item in episodes:
        episode = item["episode"]
        published, iso = long_date(episode.get("published"), ui)
        number = episode.get("number")
        shown.append(
            {
                "title": episode.get("title") or "",
                "number": number,
                "number_label": strings["episode_n"].replace("{n}", str(number)),
                "published": published,
                "published_iso": iso,
                "duration_label": clock(item.get("duration") or 0),
                "description": episode.get("description") or "",
                "src": item["src"],
                "file_name": item["file_name"],
                "chapters": [
                    {"start": c["start"], "time": clock(c["start"]), "title": c["title"]}
                    for c in episode_chapters(episode, item.get("chapters"))
                ],
                "cues": [
                    {"start": c["start"], "end": c["end"], "time": clock(c["start"]), **c}
                    for c in transcript_cues(episode)
                ],
                "notes": note_paragraphs(episode.get("notes") or ""),
            }
        )
    cover = show.get("cover") or {}
    return (
        _environment(template_dir())
        .get_template("page.html")
        .render(
            **shell,
            show_author=show.get("author") or "",
            cover={"src": cover_src, "alt": cover.get("alt") or ""} if cover_src else None,
            s=strings,
            episodes=shown,
        )
    )


def data_url(path: Path, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


def page_files(bundle: Bundle, *, inline: bool | None = None, shell_script: str = ""):
    """(index.html, [(name, file)] beside it): the podcast page of `bundle`, its episodes built.

    `inline` None: the MP3s and the cover are data: URLs when they weigh `INLINE_AUDIO_LIMIT` at
    most in all (then no file beside the page); True / False forces it.
    """
    from .podcast_audio import build_all, episode_stem
    from .podcast_files import cover_name

    built = build_all(bundle)
    cover_src = (bundle.manifest.get("show") or {}).get("cover", {}).get("src")
    cover_path = bundle.path / cover_src if cover_src else None
    files = [Path(result.mp3) for _e, result in built]
    if inline is None:
        sizes = sum(f.stat().st_size for f in files)
        sizes += cover_path.stat().st_size if cover_path and cover_path.is_file() else 0
        inline = sizes <= INLINE_AUDIO_LIMIT
    beside: list[tuple[str, Path]] = []
    episodes = []
    for index, (episode, result) in enumerate(built):
        name = f"{episode_stem(episode, index)}.mp3"
        src = data_url(Path(result.mp3), "audio/mpeg") if inline else name
        if not inline:
            beside.append((name, Path(result.mp3)))
        episodes.append(
            {
                "episode": episode,
                "src": src,
                "file_name": name,
                "duration": result.duration,
                "chapters": result.chapters,
            }
        )
    cover_url = None
    if cover_path and cover_path.is_file():
        if inline:
            cover_url = data_url(cover_path, bundle.media_type(cover_src))
        else:
            cover_url = cover_name(bundle.manifest)
            beside.append((cover_url, cover_path))
    page = render_page(bundle.manifest, episodes, cover_src=cover_url, shell_script=shell_script)
    return page, beside


def html_output_suffix(bundle: Bundle) -> str:
    """``.html``, or ``.zip`` when the built episodes are too large to be inlined (an episode
    not built yet is counted as small: the export then writes a zip if it has to)."""
    total = 0
    for episode in bundle.manifest.get("episodes") or []:
        built = bundle.path / "build" / f"{episode.get('id')}.mp3"
        total += built.stat().st_size if built.is_file() else 0
    return ".html" if total <= INLINE_AUDIO_LIMIT else ".zip"


def export_html(bundle: Bundle, out: Path) -> Path:
    """The ``html`` exporter for a podcast: one page, or a zip with the MP3s beside it."""
    from .base import write_output
    from .podcast_audio import write_zip_files

    page, beside = page_files(bundle, inline=None if out.suffix != ".zip" else False)
    if not beside:
        return write_output(out, page.encode("utf-8"))
    entries = [("index.html", page.encode("utf-8")), *beside]
    return write_zip_files(out.with_suffix(".zip"), entries)


def kolibri_entries(bundle: Bundle, shell_script: str) -> list[tuple[str, bytes | Path]]:
    """``index.html`` (the page, with `shell_script`) and the MP3s and cover, for Kolibri."""
    page, beside = page_files(bundle, inline=False, shell_script=shell_script)
    return [("index.html", page.encode("utf-8")), *beside]
