"""ComicCanvas: the page of a comic as the one renderer draws it, made editable in the browser.

The widget's ES module (``comic_editor.js``) only handles interaction: it shows the SVG
that :func:`imaginecole.comic.render.render_page` makes (``svg``), lets the teacher choose,
drag, resize and type with the mouse or the keyboard, and sends each change back as a
small operation (see :mod:`.comic_ops`) through a custom message. The words it shows come
from :func:`canvas_strings` (gettext), the art of its palettes from :func:`palette_items`.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

import anywidget
from traitlets import Bool, Dict, Int, List, Unicode

from ..i18n import gettext_for
from . import widget_module

HERE = Path(__file__).parent
SKIN_TONES = ("light", "medium-light", "medium", "medium-dark", "dark")
DEFAULT_SKIN = "dark"


class ComicCanvas(anywidget.AnyWidget):
    """The page SVG made editable; sends what the teacher does as operations."""

    _esm = widget_module("comic_editor.js")
    _css = HERE / "comic_editor.css"
    svg = Unicode("", help="The page as rendered by render_page(for_editor=True).").tag(sync=True)
    elements = List(
        help="The page's elements: panel, id, kind, label, x, y, scale or w and h, text."
    ).tag(sync=True)
    panels = List(
        help="The page's panels in reading order: id, n (1, 2…), x, y, w, h in page px."
    ).tag(sync=True)
    selected = Unicode("", help="The chosen element as « panel/element », or empty.").tag(sync=True)
    panel = Unicode("", help="The chosen panel's id: where new elements are added.").tag(sync=True)
    palette = List(help="The art to add: ref, kind, label, tags, thumb (data: URL).").tag(sync=True)
    strings = Dict(help="The interface's words, in the interface language.").tag(sync=True)
    warnings = List(Unicode(), help="What the renderer warns about (text too long…).").tag(
        sync=True
    )
    can_undo = Bool(False, help="True when there is something to undo.").tag(sync=True)
    can_redo = Bool(False, help="True when there is something to redo.").tag(sync=True)
    focus_token = Int(0, help="Changed by Python to put the focus on the chosen element.").tag(
        sync=True
    )
    ui_dir = Unicode("ltr", help="Direction of the interface: ltr or rtl.").tag(sync=True)
    skin = Unicode(DEFAULT_SKIN, help="Skin tone of the characters the palette shows.").tag(
        sync=True
    )
    skins = List(help="[[tone, label], …]: the skin tones to choose from.").tag(sync=True)


def canvas_strings(language: str) -> dict[str, Any]:
    """Every word the canvas shows, in `language`."""
    _ = gettext_for(language)
    tools = {
        # keys with a name, said in the interface language
        "left": (_("Move left"), _("Left arrow")),
        "right": (_("Move right"), _("Right arrow")),
        "up": (_("Move up"), _("Up arrow")),
        "down": (_("Move down"), _("Down arrow")),
        "forward": (_("Bring forward"), _("Page Up")),
        "backward": (_("Send backward"), _("Page Down")),
        "edit": (_("Edit the text"), _("Enter")),
        "delete": (_("Delete"), _("Delete key")),
        # keys written as they are printed on the keyboard
        "bigger": (_("Make bigger"), "+"),
        "smaller": (_("Make smaller"), "-"),
        "flip": (_("Flip"), "F"),
        "undo": (_("Undo"), "Ctrl+Z"),
        "redo": (_("Redo"), "Ctrl+Y"),
    }
    strings: dict[str, Any] = {}
    for name, (label, key) in tools.items():
        strings[f"tool_{name}"] = label
        strings[f"tool_{name}_key"] = f"{label} ({key})"
    for name in ("flip", "edit", "delete", "undo", "redo"):
        strings[f"tool_{name}_short"] = strings[f"tool_{name}"]
    tag_labels = {
        # gender, age
        "female": _("woman or girl"),
        "male": _("man or boy"),
        "neutral": _("neutral"),
        "baby": _("baby"),
        "child": _("child"),
        "adult": _("adult"),
        "older": _("older person"),
        # hair
        "default": _("usual"),
        "curly": _("curly"),
        "bald": _("bald"),
        "white": _("white"),
        "red": _("red"),
        "beard": _("beard"),
        "headscarf": _("headscarf"),
        # expression and pose
        "raising-hand": _("raising a hand"),
        "frowning": _("frowning"),
        "pouting": _("pouting"),
        "ok": _("OK gesture"),
        "no": _("no gesture"),
        "shrug": _("shrugging"),
        "facepalm": _("facepalm"),
        "tipping-hand": _("tipping hand"),
        "bowing": _("bowing"),
        "walking": _("walking"),
        "running": _("running"),
        "standing": _("standing"),
        "kneeling": _("kneeling"),
        # profession
        "teacher": _("teacher"),
        "student": _("student"),
        "farmer": _("farmer"),
        "health-worker": _("health worker"),
        "cook": _("cook"),
        "mechanic": _("mechanic"),
        "factory-worker": _("factory worker"),
        "office-worker": _("office worker"),
        "scientist": _("scientist"),
        "technologist": _("technologist"),
        "artist": _("artist"),
        "singer": _("singer"),
        "pilot": _("pilot"),
        "judge": _("judge"),
        "firefighter": _("firefighter"),
        "police": _("police officer"),
        "construction-worker": _("construction worker"),
        "pregnant": _("pregnant"),
        "white-cane": _("with a white cane"),
        "wheelchair": _("in a wheelchair"),
        # groups of objects
        "places_and_things": _("places and things"),
        "school": _("school"),
        "animals": _("animals"),
        "faces": _("faces"),
        "nature": _("nature"),
        "food": _("food"),
        "games": _("games"),
        "symbols": _("symbols"),
    }
    strings.update(
        tools_label=_("Change the chosen element"),
        page_label=_("The page being edited"),
        element_role=_("movable element"),
        keys_help=_(
            "Click an element, or press Tab, to choose it. Drag it or use the arrow keys to "
            "move it (Shift: bigger steps); drag its corner or press + and - to resize it; F "
            "flips it; Page Up and Page Down bring it forward or send it backward; Delete "
            "removes it; Enter or a double click edits its text; Escape lets it go; Ctrl+Z "
            "and Ctrl+Y undo and redo."
        ),
        edit_label=_("Text: Enter keeps it, Escape cancels, Shift+Enter starts a new line"),
        warnings_label=_("Warnings about this page"),
        nothing_selected=_("Nothing chosen: click an element or press Tab in the page."),
        selected=_("Chosen: {label}. Position {x} %, {y} %."),
        deleted=_("Deleted: {label}. Ctrl+Z puts it back."),
        add_text=_("Add text"),
        add_to_panel=_("Add to panel {panel}"),
        add_speech=_("Speech bubble"),
        add_thought=_("Thought bubble"),
        add_shout=_("Shout bubble"),
        add_whisper=_("Whisper bubble"),
        add_caption=_("Caption"),
        add_sfx=_("Sound effect"),
        add_art=_("Add: {label}"),
        palette_character=_("Characters"),
        palette_prop=_("Objects and animals"),
        filter_gender=_("Gender"),
        filter_age=_("Age"),
        filter_skin=_("Skin tone"),
        filter_hair=_("Hair"),
        filter_expression=_("Expression or pose"),
        filter_profession=_("Profession"),
        filter_group=_("Kind"),
        filter_all=_("All"),
        no_match=_("Nothing matches these choices."),
        tag_labels=tag_labels,
    )
    return strings


@functools.cache
def palette_items(language: str, skin: str = DEFAULT_SKIN) -> tuple[dict[str, Any], ...]:
    """The art the palette offers: characters of one skin tone, and every object.

    Each item: ref, kind, label, tags, thumb (the OpenMoji SVG as a data: URL). One skin
    tone at a time keeps what travels to the page small (about a fifth of the art).
    """
    from ..comic.art import art_index, art_path

    items = []
    for item in art_index():
        if item.kind == "character" and item.tags.get("skin", skin) != skin:
            continue
        path = art_path(item.ref)
        if path is None or not path.is_file():
            continue
        thumb = "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode()
        tags = {k: str(v) for k, v in item.tags.items() if v and k != "skin"}
        items.append(
            {
                "ref": item.ref,
                "kind": item.kind,
                "label": item.label(language),
                "tags": tags,
                "thumb": thumb,
            }
        )
    return tuple(items)


def skin_options(language: str) -> list[list[str]]:
    """[[tone, label], …] of the art index's skin tones."""
    from ..comic.art import skin_label

    return [[tone, skin_label(tone, language)] for tone in SKIN_TONES]
