"""The text of a comic in reading order: what the HTML reader, the EPUB and Kolibri show.

Per page and panel: the panel's alternative text, then its captions, bubbles
and sound effects from top to bottom (left to right, or right to left when the
comic reads right to left), then the transcript of the panel's sound. A bubble
reads « Name (style): text », the name coming from the cast or the art label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import LANGUAGES, N_, Message
from .art import art_label
from .layout import comic_direction

TEXT_KINDS = ("caption", "bubble", "sfx")
_STYLE = {
    "thought": N_("{name} (thinks)"),
    "shout": N_("{name} (shouts)"),
    "whisper": N_("{name} (whispers)"),
}


@dataclass(frozen=True)
class TranscriptEntry:
    """One line of the transcript.

    `page` and `panel` count from 1; `kind` is ``panel`` (its alt text),
    ``caption``, ``bubble``, ``sfx`` or ``audio``; `label` is who or what
    speaks (« Awa (pense) »), `text` what is said, `line` both as one line.
    """

    page: int
    panel: int
    panel_id: str
    element_id: str | None
    kind: str
    label: str
    text: str
    line: str
    speaker: str | None = None
    style: str | None = None


def transcript_language(manifest: dict[str, Any], language: str | None = None) -> str:
    """The interface language of a transcript: `language`, else the comic's, else French."""
    if not language:
        meta = manifest.get("metadata")
        language = meta.get("language", "fr") if isinstance(meta, dict) else "fr"
    base = str(language).split("-")[0]
    return base if base in LANGUAGES else "fr"


def _speaker_name(
    manifest: dict[str, Any], panel: dict[str, Any], speaker: Any, language: str
) -> str | None:
    if not isinstance(speaker, str):
        return None
    cast = {
        m.get("id"): m.get("name")
        for m in manifest.get("cast") or []
        if isinstance(m, dict) and m.get("name")
    }
    for element in panel.get("elements") or []:
        if not isinstance(element, dict) or element.get("id") != speaker:
            continue
        if element.get("cast") in cast:
            return cast[element["cast"]]
        if isinstance(element.get("art"), str):
            return art_label(element["art"], language)
        if element.get("alt"):
            return str(element["alt"])
    return None


def reading_order(elements: list[Any], direction: str = "ltr") -> list[dict[str, Any]]:
    """The captions, bubbles and sound effects of a panel, top to bottom, then by side."""
    texts = [e for e in elements if isinstance(e, dict) and e.get("kind") in TEXT_KINDS]

    def key(element: dict[str, Any]) -> tuple[float, float]:
        x = float(element.get("x", 0) or 0)
        return float(element.get("y", 0) or 0), -x if direction == "rtl" else x

    return sorted(texts, key=key)  # stable: ties keep list order


def _panel_entries(
    manifest: dict[str, Any], page: int, number: int, panel: dict[str, Any], language: str
) -> list[TranscriptEntry]:
    """The lines of one panel: its alt text, its texts in reading order, its sound."""

    def say(message: str, **values: object) -> str:
        return Message(message, **values).render(language)

    entries = []
    panel_id = str(panel.get("id", ""))

    def add(kind: str, label: str, text: str, element_id: Any = None, **extra: Any) -> None:
        line = say("{label}: {text}", label=label, text=text) if text else label
        entries.append(
            TranscriptEntry(page, number, panel_id, element_id, kind, label, text, line, **extra)
        )

    add("panel", say("Panel {n}", n=number), str(panel.get("alt") or "").strip())
    for element in reading_order(panel.get("elements") or [], comic_direction(manifest)):
        text = str(element.get("text") or "").strip()
        if not text:
            continue
        kind, eid = element["kind"], element.get("id")
        if kind == "caption":
            add(kind, say("Narrator"), text, eid)
        elif kind == "sfx":
            add(kind, say("Sound effect"), text, eid)
        else:
            style = element.get("style", "speech")
            name = _speaker_name(manifest, panel, element.get("speaker"), language)
            who = name or say("Someone")
            label = say(_STYLE[style], name=who) if style in _STYLE else who
            add(kind, label, text, eid, speaker=name, style=style)
    audio = panel.get("audio")
    if isinstance(audio, dict) and str(audio.get("transcript") or "").strip():
        add("audio", say("Audio"), str(audio["transcript"]).strip())
    return entries


def transcript(manifest: dict[str, Any], language: str | None = None) -> list[TranscriptEntry]:
    """Every line of the comic in reading order, labelled in `language` (default: the comic's)."""
    language = transcript_language(manifest, language)
    entries = []
    for p, page in enumerate(manifest.get("pages") or [], start=1):
        if not isinstance(page, dict):
            continue
        for n, panel in enumerate(page.get("panels") or [], start=1):
            if isinstance(panel, dict):
                entries += _panel_entries(manifest, p, n, panel, language)
    return entries


def transcript_text(manifest: dict[str, Any], language: str | None = None) -> str:
    """The transcript as plain text: the title, then « Page 1 », its panels and their lines."""
    language = transcript_language(manifest, language)
    meta = manifest.get("metadata") if isinstance(manifest.get("metadata"), dict) else {}
    lines = [str(meta.get("title", "")).strip()] if meta.get("title") else []
    page = None
    for entry in transcript(manifest, language):
        if entry.page != page:
            page = entry.page
            if lines:
                lines.append("")
            lines.append(Message("Page {n}", n=page).render(language))
        lines.append(entry.line if entry.kind == "panel" else f"  {entry.line}")
    return "\n".join(lines) + "\n"
