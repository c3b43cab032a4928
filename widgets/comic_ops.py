"""Edits of a comic manifest, as small operations, and the bounded undo history.

The comic editor's page sends what the teacher did as an operation, a small dict such as
``{"op": "move", "panel": "p1-1", "el": "e1", "x": 0.4, "y": 0.7}``. :func:`apply_op`
checks it and applies it to a COPY of the manifest: a bad operation (an element that does
not exist, a position that is not a number…) raises :class:`OpError` with a message for
the teacher and leaves the manifest as it was, so nothing broken is ever saved.

Geometry follows the comic schema: x, y are the centre of an element as fractions of its
panel; ``scale`` is the art's height as a fraction of the panel's height; w, h of bubbles
and captions are fractions of the panel.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from ..i18n import Message, gettext_for

MAX_PAGES = 60
MAX_PANELS = 12
MAX_ELEMENTS = 40
MAX_TEXT = 400
MAX_ALT = 1000
MAX_TRANSCRIPT = 5000
LAYOUT_SLOTS = {"strip3": 3, "grid4": 4, "grid6": 6}
LAYOUTS = ("strip3", "grid4", "grid6", "webtoon", "rows")
BUBBLE_STYLES = ("speech", "thought", "shout", "whisper")
ART_KINDS = ("character", "prop", "image")
TEXT_KINDS = ("bubble", "caption", "sfx")
BOXED_KINDS = ("bubble", "caption")
SCALE_RANGE = (0.05, 2.0)
SIZE_RANGE = (0.05, 1.5)
POSITION_RANGE = (-0.25, 1.25)  # a centre a little outside the panel: the art overflows
MAX_SFX_TEXT = 60
GUTTER_RANGE = (0, 120)
DEFAULT_BACKGROUND = {"kind": "color", "color": "#ffffff"}


class OpError(ValueError):
    """An operation refused, with the message to show the teacher."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = Message(message, **values)

    def render(self, language: str) -> str:
        return self.message.render(language)


# -- finding things ---------------------------------------------------------------------------


def pages(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    found = manifest.get("pages")
    if not isinstance(found, list):
        raise OpError("This comic has no list of pages.")
    return found


def page_at(manifest: dict[str, Any], index: Any) -> dict[str, Any]:
    items = pages(manifest)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(items):
        raise OpError("There is no page {page} in this comic.", page=_shown(index, 1))
    return items[index]


def find_panel(manifest: dict[str, Any], panel_id: Any) -> dict[str, Any]:
    for page in pages(manifest):
        for panel in page.get("panels") or []:
            if isinstance(panel, dict) and panel.get("id") == panel_id and panel_id:
                return panel
    raise OpError("There is no panel {panel} in this comic.", panel=str(panel_id))


def find_element(manifest: dict[str, Any], panel_id: Any, el_id: Any) -> dict[str, Any]:
    panel = find_panel(manifest, panel_id)
    for element in panel.get("elements") or []:
        if isinstance(element, dict) and element.get("id") == el_id and el_id:
            return element
    raise OpError(
        "There is no element {element} in panel {panel}.", element=str(el_id), panel=str(panel_id)
    )


def slot_count(page: dict[str, Any]) -> int:
    """How many panels the page's layout holds (webtoon: as many as it has, up to 12)."""
    layout = page.get("layout")
    if layout in LAYOUT_SLOTS:
        return LAYOUT_SLOTS[layout]
    if layout == "rows":
        rows = page.get("rows") or []
        return sum(r for r in rows if isinstance(r, int) and r > 0)
    return max(1, len(page.get("panels") or []))


def all_ids(manifest: dict[str, Any]) -> set[str]:
    """Every page, panel and element id in the comic."""
    taken: set[str] = set()
    for page in manifest.get("pages") or []:
        if not isinstance(page, dict):
            continue
        taken.add(str(page.get("id")))
        for panel in page.get("panels") or []:
            if not isinstance(panel, dict):
                continue
            taken.add(str(panel.get("id")))
            for element in panel.get("elements") or []:
                if isinstance(element, dict):
                    taken.add(str(element.get("id")))
    return taken


def new_id(manifest: dict[str, Any], prefix: str) -> str:
    """`prefix` followed by the first number not yet used anywhere in the comic."""
    taken = all_ids(manifest)
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _shown(value: Any, offset: int = 0) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value + offset)
    return str(value)


# -- values -----------------------------------------------------------------------------------


def number(op: dict[str, Any], key: str, low: float, high: float) -> float:
    """The finite number `op[key]`, kept between `low` and `high`."""
    value = op.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OpError(
            "« {key} » must be a number, not « {value} ».", key=key, value=str(value)[:40]
        )
    return round(min(max(float(value), low), high), 4)


def text_value(op: dict[str, Any], key: str = "text", limit: int = MAX_TEXT) -> str:
    value = op.get(key)
    if not isinstance(value, str):
        raise OpError("The text must be text.")
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise OpError(
            "The text is {count} characters long; at most {max} fit here.",
            count=len(value),
            max=limit,
        )
    return value


def colour(value: Any) -> str:
    if isinstance(value, str) and len(value) == 7 and value.startswith("#"):
        try:
            int(value[1:], 16)
        except ValueError:
            pass
        else:
            return value.lower()
    raise OpError("« {value} » is not a colour like #ff8800.", value=str(value)[:40])


def _elements(panel: dict[str, Any]) -> list[dict[str, Any]]:
    if not isinstance(panel.get("elements"), list):
        panel["elements"] = []
    return panel["elements"]


def ordered(panel: dict[str, Any]) -> list[dict[str, Any]]:
    """The panel's elements from the back to the front (z, then list order)."""
    items = [e for e in _elements(panel) if isinstance(e, dict)]
    return sorted(items, key=lambda e: (e.get("z") if isinstance(e.get("z"), int | float) else 0,))


def top_z(panel: dict[str, Any]) -> int:
    zs = [e.get("z") for e in _elements(panel) if isinstance(e, dict)]
    zs = [int(z) for z in zs if isinstance(z, int | float) and not isinstance(z, bool)]
    return max(zs, default=0) + 1


# -- new things -------------------------------------------------------------------------------


def new_panel(manifest: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    taken = all_ids(manifest)
    base = f"{page.get('id', 'p')}-"
    n = len(page.get("panels") or []) + 1
    while f"{base}{n}" in taken:
        n += 1
    return {"id": f"{base}{n}", "background": dict(DEFAULT_BACKGROUND), "elements": [], "alt": ""}


def new_page(manifest: dict[str, Any], layout: str = "strip3") -> dict[str, Any]:
    page: dict[str, Any] = {"id": new_id(manifest, "p"), "layout": layout, "panels": []}
    if layout == "rows":
        page["rows"] = [2, 1]
    count = slot_count(page) if layout != "webtoon" else 3
    for _n in range(count):
        page["panels"].append(new_panel(manifest, page))
        # ids must differ from the panels just made: they are not in the manifest yet
        page["panels"][-1]["id"] = f"{page['id']}-{len(page['panels'])}"
    return page


def new_element(
    manifest: dict[str, Any], panel: dict[str, Any], op: dict[str, Any]
) -> dict[str, Any]:
    """A new element of `op["kind"]` with sensible defaults, in front of the others."""
    kind = op.get("kind")
    language = (manifest.get("metadata") or {}).get("language") or "fr"
    _ = gettext_for(language if language in ("fr", "en", "ar") else "fr")
    z = top_z(panel)
    x = number(op, "x", *POSITION_RANGE) if "x" in op else None
    y = number(op, "y", *POSITION_RANGE) if "y" in op else None
    if kind in ("character", "prop"):
        art = op.get("art")
        if not isinstance(art, str) or not art.startswith("openmoji:"):
            raise OpError("Choose a character or an object to add.")
        element = {
            "id": new_id(manifest, "e"),
            "kind": kind,
            "art": art,
            "x": 0.3 if kind == "character" else 0.7,
            "y": 0.65 if kind == "character" else 0.75,
            "scale": 0.55 if kind == "character" else 0.3,
            "flip": False,
            "z": z,
        }
        cast = [c for c in manifest.get("cast") or [] if isinstance(c, dict)]
        match = next((c for c in cast if c.get("art") == art and c.get("id")), None)
        if kind == "character" and match is not None:
            element["cast"] = match["id"]
    elif kind == "image":
        src, alt = op.get("src"), op.get("alt")
        if not isinstance(src, str) or not src.startswith("media/"):
            raise OpError("Choose an image to add.")
        element = {
            "id": new_id(manifest, "e"),
            "kind": "image",
            "src": src,
            "alt": alt if isinstance(alt, str) else "",
            "x": 0.5,
            "y": 0.5,
            "scale": 0.5,
            "flip": False,
            "z": z,
        }
    elif kind == "bubble":
        style = op.get("style", "speech")
        if style not in BUBBLE_STYLES:
            raise OpError("« {style} » is not a kind of bubble.", style=str(style))
        element = {
            "id": new_id(manifest, "b"),
            "kind": "bubble",
            "style": style,
            "text": text_value(op) if "text" in op else _("Hello!"),
            "x": 0.5,
            "y": 0.2,
            "w": 0.45,
            "h": 0.24,
            "z": z + 10,
        }
        speakers = [e for e in ordered(panel) if e.get("kind") == "character"]
        if speakers:
            element["speaker"] = speakers[-1]["id"]
    elif kind == "caption":
        element = {
            "id": new_id(manifest, "c"),
            "kind": "caption",
            "text": text_value(op) if "text" in op else _("The next day…"),
            "x": 0.3,
            "y": 0.09,
            "w": 0.55,
            "h": 0.14,
            "z": z + 10,
        }
    elif kind == "sfx":
        element = {
            "id": new_id(manifest, "s"),
            "kind": "sfx",
            "text": text_value(op, limit=MAX_SFX_TEXT) if "text" in op else _("BOOM!"),
            "x": 0.7,
            "y": 0.3,
            "scale": 0.15,
            "rotate": -10,
            "color": "#dd3333",
            "z": z + 10,
        }
    else:
        raise OpError("« {kind} » cannot be added to a panel.", kind=str(kind))
    if x is not None:
        element["x"] = x
    if y is not None:
        element["y"] = y
    return element


# -- operations -------------------------------------------------------------------------------


def _move(m: dict, op: dict) -> Any:
    element = find_element(m, op.get("panel"), op.get("el"))
    element["x"] = number(op, "x", *POSITION_RANGE)
    element["y"] = number(op, "y", *POSITION_RANGE)


def _resize(m: dict, op: dict) -> Any:
    element = find_element(m, op.get("panel"), op.get("el"))
    if element.get("kind") in BOXED_KINDS:
        element["w"] = number(op, "w", *SIZE_RANGE)
        element["h"] = number(op, "h", *SIZE_RANGE)
    else:
        element["scale"] = number(op, "scale", *SCALE_RANGE)


def _scale_by(m: dict, op: dict) -> Any:
    element = find_element(m, op.get("panel"), op.get("el"))
    factor = number(op, "factor", 0.25, 4)
    if element.get("kind") in BOXED_KINDS:
        for key in ("w", "h"):
            now = element.get(key) if isinstance(element.get(key), int | float) else 0.3
            element[key] = round(min(max(now * factor, SIZE_RANGE[0]), SIZE_RANGE[1]), 4)
    else:
        now = element.get("scale") if isinstance(element.get("scale"), int | float) else 0.3
        element["scale"] = round(min(max(now * factor, SCALE_RANGE[0]), SCALE_RANGE[1]), 4)


def _flip(m: dict, op: dict) -> Any:
    element = find_element(m, op.get("panel"), op.get("el"))
    if element.get("kind") not in ART_KINDS:
        raise OpError("Only characters, objects and images can be flipped.")
    element["flip"] = not element.get("flip", False)


def _layer(m: dict, op: dict) -> Any:
    panel = find_panel(m, op.get("panel"))
    element = find_element(m, op.get("panel"), op.get("el"))
    step = op.get("step")
    if step not in (1, -1, "front", "back"):
        raise OpError("« {value} » is not a way to change the layer.", value=str(step))
    stack = ordered(panel)
    i = stack.index(element)
    stack.pop(i)
    if step == "front":
        j = len(stack)
    elif step == "back":
        j = 0
    else:
        j = min(max(i + step, 0), len(stack))
    stack.insert(j, element)
    for z, item in enumerate(stack, start=1):
        item["z"] = z


def _delete(m: dict, op: dict) -> Any:
    panel = find_panel(m, op.get("panel"))
    element = find_element(m, op.get("panel"), op.get("el"))
    panel["elements"] = [e for e in _elements(panel) if e is not element]
    for other in panel["elements"]:
        if isinstance(other, dict) and other.get("speaker") == element.get("id"):
            del other["speaker"]


def _set_text(m: dict, op: dict) -> Any:
    element = find_element(m, op.get("panel"), op.get("el"))
    if element.get("kind") not in TEXT_KINDS:
        raise OpError("Only bubbles, captions and sound effects hold text.")
    limit = MAX_SFX_TEXT if element.get("kind") == "sfx" else MAX_TEXT
    element["text"] = text_value(op, limit=limit)


def _set_style(m: dict, op: dict) -> Any:
    element = find_element(m, op.get("panel"), op.get("el"))
    style = op.get("style")
    if element.get("kind") != "bubble" or style not in BUBBLE_STYLES:
        raise OpError("« {style} » is not a kind of bubble.", style=str(style))
    element["style"] = style


def _set_speaker(m: dict, op: dict) -> Any:
    panel = find_panel(m, op.get("panel"))
    element = find_element(m, op.get("panel"), op.get("el"))
    speaker = op.get("speaker") or ""
    if element.get("kind") != "bubble":
        raise OpError("Only bubbles have a speaker.")
    if not speaker:
        element.pop("speaker", None)
        element.pop("tail", None)
        return
    if not any(e.get("id") == speaker and e.get("kind") in ART_KINDS for e in ordered(panel)):
        raise OpError("There is no character {element} in this panel.", element=str(speaker))
    element["speaker"] = speaker
    element.pop("tail", None)


def _set_alt_of(m: dict, op: dict) -> Any:
    element = find_element(m, op.get("panel"), op.get("el"))
    if element.get("kind") != "image":
        raise OpError("Only images have their own alternative text.")
    element["alt"] = text_value(op, "alt", limit=MAX_ALT)


def _add(m: dict, op: dict) -> str:
    panel = find_panel(m, op.get("panel"))
    if len(_elements(panel)) >= MAX_ELEMENTS:
        raise OpError("A panel holds at most {max} elements.", max=MAX_ELEMENTS)
    element = new_element(m, panel, op)
    panel["elements"].append(element)
    return element["id"]


def _set_background(m: dict, op: dict) -> Any:
    panel = find_panel(m, op.get("panel"))
    given = op.get("background")
    if not isinstance(given, dict):
        raise OpError("Choose a background.")
    kind = given.get("kind")
    if kind == "color":
        background = {"kind": "color", "color": colour(given.get("color"))}
    elif kind == "gradient":
        angle = number(given, "angle", 0, 360) if "angle" in given else 90
        background = {
            "kind": "gradient",
            "from": colour(given.get("from")),
            "to": colour(given.get("to")),
            "angle": int(angle),
        }
    elif kind == "scene":
        scene = given.get("scene")
        if not isinstance(scene, str) or not scene or not scene.replace("_", "").isalnum():
            raise OpError("Choose a scene.")
        background = {"kind": "scene", "scene": scene}
    elif kind == "image":
        src = given.get("src")
        if not isinstance(src, str) or not src.startswith("media/"):
            raise OpError("Choose an image for the background.")
        fit = given.get("fit", "cover")
        background = {"kind": "image", "src": src, "fit": fit if fit == "contain" else "cover"}
    else:
        raise OpError("« {kind} » is not a kind of background.", kind=str(kind))
    panel["background"] = background


def _set_alt(m: dict, op: dict) -> Any:
    panel = find_panel(m, op.get("panel"))
    panel["alt"] = text_value(op, "alt", limit=MAX_ALT)


def _set_audio(m: dict, op: dict) -> Any:
    panel = find_panel(m, op.get("panel"))
    audio = op.get("audio")
    if audio is None:
        panel.pop("audio", None)
        return
    src = audio.get("src") if isinstance(audio, dict) else None
    if not isinstance(src, str) or not src.startswith("media/"):
        raise OpError("Choose a sound for the panel.")
    transcript = (
        text_value(audio, "transcript", limit=MAX_TRANSCRIPT) if "transcript" in audio else ""
    )
    panel["audio"] = {"src": src, "transcript": transcript}


def _page_add(m: dict, op: dict) -> str:
    items = pages(m)
    if len(items) >= MAX_PAGES:
        raise OpError("A comic has at most {max} pages.", max=MAX_PAGES)
    layout = op.get("layout", "strip3")
    if layout not in LAYOUTS:
        raise OpError("« {layout} » is not a page layout.", layout=str(layout))
    after = op.get("after", len(items) - 1)
    if isinstance(after, bool) or not isinstance(after, int):
        raise OpError("There is no page {page} in this comic.", page=str(after))
    page = new_page(m, layout)
    items.insert(min(max(after + 1, 0), len(items)), page)
    return page["id"]


def _page_remove(m: dict, op: dict) -> Any:
    items = pages(m)
    page = page_at(m, op.get("page"))
    if len(items) <= 1:
        raise OpError("A comic keeps at least one page.")
    items.remove(page)


def _page_move(m: dict, op: dict) -> Any:
    items = pages(m)
    page = page_at(m, op.get("page"))
    step = op.get("step")
    if step not in (1, -1):
        raise OpError("« {value} » is not a way to move a page.", value=str(step))
    i = items.index(page)
    j = i + step
    if not 0 <= j < len(items):
        raise OpError("This page cannot move further.")
    items[i], items[j] = items[j], items[i]


def _is_blank(panel: dict[str, Any]) -> bool:
    return not panel.get("elements") and not panel.get("alt") and not panel.get("audio")


def _fit_panels(m: dict, page: dict, slots: int) -> None:
    panels = page.setdefault("panels", [])
    while len(panels) < slots:
        panel = new_panel(m, page)
        panels.append(panel)
    while len(panels) > slots:
        if not _is_blank(panels[-1]):
            raise OpError(
                "This layout has {slots} panels, and panel {n} is not empty: move or delete "
                "what it holds first.",
                slots=slots,
                n=len(panels),
            )
        panels.pop()


def _set_layout(m: dict, op: dict) -> Any:
    page = page_at(m, op.get("page"))
    layout = op.get("layout")
    if layout not in LAYOUTS:
        raise OpError("« {layout} » is not a page layout.", layout=str(layout))
    rows = op.get("rows", page.get("rows") or [2, 1])
    if layout == "rows":
        if (
            not isinstance(rows, list)
            or not rows
            or not all(isinstance(r, int) and not isinstance(r, bool) and 1 <= r <= 4 for r in rows)
            or sum(rows) > MAX_PANELS
        ):
            raise OpError(
                "Rows are given as numbers of panels from 1 to 4, for example 2, 1 "
                "(at most {max} panels).",
                max=MAX_PANELS,
            )
    page["layout"] = layout
    if layout == "rows":
        page["rows"] = rows
    else:
        page.pop("rows", None)
    if layout != "webtoon":
        _fit_panels(m, page, slot_count(page))


def _set_gutter(m: dict, op: dict) -> Any:
    page = page_at(m, op.get("page"))
    page["gutter"] = int(round(number(op, "gutter", *GUTTER_RANGE)))


def _panel_add(m: dict, op: dict) -> str:
    page = page_at(m, op.get("page"))
    panels = page.setdefault("panels", [])
    if page.get("layout") != "webtoon":
        raise OpError("Only a webtoon page takes more panels; choose another layout instead.")
    if len(panels) >= MAX_PANELS:
        raise OpError("A page holds at most {max} panels.", max=MAX_PANELS)
    panel = new_panel(m, page)
    panels.append(panel)
    return panel["id"]


def _panel_remove(m: dict, op: dict) -> Any:
    page = page_at(m, op.get("page"))
    panel = find_panel(m, op.get("panel"))
    panels = page.get("panels") or []
    if panel not in panels:
        raise OpError("There is no panel {panel} on this page.", panel=str(op.get("panel")))
    if len(panels) <= 1:
        raise OpError("A page keeps at least one panel.")
    if page.get("layout") != "webtoon":
        raise OpError("Only a webtoon page loses panels; choose another layout instead.")
    panels.remove(panel)


def _panel_move(m: dict, op: dict) -> Any:
    page = page_at(m, op.get("page"))
    panel = find_panel(m, op.get("panel"))
    panels = page.get("panels") or []
    step = op.get("step")
    if panel not in panels or step not in (1, -1):
        raise OpError("There is no panel {panel} on this page.", panel=str(op.get("panel")))
    i = panels.index(panel)
    j = i + step
    if not 0 <= j < len(panels):
        raise OpError("This panel cannot move further.")
    panels[i], panels[j] = panels[j], panels[i]


OPERATIONS: dict[str, Callable[[dict, dict], Any]] = {
    "move": _move,
    "resize": _resize,
    "scale_by": _scale_by,
    "flip": _flip,
    "layer": _layer,
    "delete": _delete,
    "set_text": _set_text,
    "set_style": _set_style,
    "set_speaker": _set_speaker,
    "set_image_alt": _set_alt_of,
    "add": _add,
    "set_background": _set_background,
    "set_alt": _set_alt,
    "set_audio": _set_audio,
    "page_add": _page_add,
    "page_remove": _page_remove,
    "page_move": _page_move,
    "set_layout": _set_layout,
    "set_gutter": _set_gutter,
    "panel_add": _panel_add,
    "panel_remove": _panel_remove,
    "panel_move": _panel_move,
}


def apply_op(manifest: dict[str, Any], op: Any) -> tuple[dict[str, Any], Any]:
    """(the edited copy of `manifest`, what the op returns: a new id or None).

    `manifest` itself is never changed; raises OpError for a bad operation.
    """
    if not isinstance(op, dict) or op.get("op") not in OPERATIONS:
        name = op.get("op") if isinstance(op, dict) else op
        raise OpError("« {op} » is not an edit the comic editor knows.", op=str(name)[:40])
    edited = copy.deepcopy(manifest)
    result = OPERATIONS[op["op"]](edited, op)
    return edited, result
