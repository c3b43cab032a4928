"""Variants of the fixture comic for the reader tests: told in Arabic, or with sounds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from imaginecole.exports.base import Bundle

from .sample_comics import comic_bundle

SOUND = Path(__file__).parents[2] / "fixtures" / "grains" / "flashcards" / "media" / "son-aigu.wav"

ARABIC_ALTS = [
    "في ساحة المدرسة، تحيّي عائشة موسى بينما يرنّ الجرس.",
    "موسى قلق، يفكّر في دفتره المنسيّ في البيت.",
    "المعلّمة تنادي التلاميذ، وعائشة تهمس بأنها ستعيره دفترها.",
    "في القسم، تعرض السيدة سو خريطة السنغال على السبورة.",
    "ترفع عائشة يدها لتجيب.",
    "كرة قدم ترتدّ في الساحة.",
    "في المساء، يعود عائشة وموسى إلى القرية ويتوادعان.",
]
ARABIC_TEXTS = [
    "صباح الاثنين، في ساحة المدرسة…",
    "ترن!",
    "صباح الخير يا موسى! هل أنجزت واجباتك؟",
    "يا إلهي… نسيت دفتري!",
    "اصطفّوا يا أطفال!",
    "سأعيرك دفتري.",
    "اليوم ندرس خريطة السنغال.",
    "داكار هي العاصمة!",
    "في الاستراحة…",
    "بوم!",
    "شكرًا يا عائشة، إلى الغد!",
    "إلى الغد!",
]
ARABIC_NAMES = {"awa": "عائشة", "moussa": "موسى", "maitresse": "السيدة سو"}


def panels(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for page in manifest["pages"] for panel in page["panels"]]


def to_arabic(manifest: dict[str, Any]) -> None:
    """The fixture comic told in Arabic, read right to left."""
    manifest["metadata"].update(
        language="ar", title="يوم في المدرسة", description="عائشة وموسى يقضيان يومًا في المدرسة."
    )
    manifest["settings"]["direction"] = "rtl"
    for member in manifest["cast"]:
        member["name"] = ARABIC_NAMES[member["id"]]
    texts = iter(ARABIC_TEXTS)
    for panel, alt in zip(panels(manifest), ARABIC_ALTS, strict=True):
        panel["alt"] = alt
        for element in panel["elements"]:
            if "text" in element:
                element["text"] = next(texts)
            if element.get("kind") == "image":
                element["alt"] = "خريطة السنغال"


def arabic_comic(tmp_path: Path) -> Bundle:
    return comic_bundle(tmp_path, change=to_arabic, name="arabe")


def comic_with_sounds(tmp_path: Path, *, sounds: int = 2) -> Bundle:
    """The fixture comic whose first `sounds` panels have a sound and its transcript."""

    def add_sounds(manifest: dict[str, Any]) -> None:
        manifest["settings"]["audience"] = "kindergarten"
        for n, panel in enumerate(panels(manifest)[:sounds], start=1):
            panel["audio"] = {"src": f"media/case-{n}.wav", "transcript": f"Écoute la case {n}."}

    bundle = comic_bundle(tmp_path / "work", change=add_sounds, name="sons")
    for n in range(1, sounds + 1):
        shutil.copy(SOUND, bundle.path / "media" / f"case-{n}.wav")
    return bundle
