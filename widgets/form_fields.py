"""Small pieces shared by the grain forms: labelled fields, error slots, rich text.

Every control has a visible label (its ipywidgets ``description``, which ipywidgets 8
renders as a ``<label for>``), so Voilà gives it an accessible name. Errors are shown in an
error slot right after the field they concern: an ``ipywidgets.HTML`` holding a
``role="alert"`` paragraph, hidden while there is nothing to say.

Rich-text fields (statements, choices, card faces) are edited as plain text: what a
teacher types is escaped (``3 < 5`` stays ``3 < 5``) and line breaks become ``<br>``,
unless the text already holds tags of the allowed subset (an imported grain).
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ipywidgets

from ..i18n import Message

HERE = Path(__file__).parent
STYLE_FILE = HERE / "quiz_builder.css"

# the tags of the manifest's rich-text subset (see grain.schema.json)
_TAG = re.compile(r"<(/?)(p|br|strong|b|em|i|u|ul|ol|li|a|sub|sup|span)(\s[^<>]*)?/?>", re.I)
_BR = re.compile(r"<br\s*/?>", re.I)


def rich_from_plain(text: str) -> str:
    """What a teacher typed, as the manifest's rich text."""
    if _TAG.search(text):
        return text  # already HTML of the subset: an imported grain, or a teacher who knows
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def plain_from_rich(value: str) -> str:
    """The rich text of the manifest as a teacher edits it (the reverse of rich_from_plain)."""
    if not isinstance(value, str):
        return ""
    if all(match.group(2).lower() == "br" for match in _TAG.finditer(value)):
        return html.unescape(_BR.sub("\n", value))
    return value


def style_sheet() -> ipywidgets.HTML:
    """The forms' style sheet, in a widget of its own (first child of a composite)."""
    sheet = ipywidgets.HTML(f"<style>{STYLE_FILE.read_text(encoding='utf-8')}</style>")
    sheet.add_class("icb-style")
    return sheet


def _field(widget: ipywidgets.Widget, *classes: str) -> ipywidgets.Widget:
    widget.style.description_width = "initial"
    for name in ("icb-field", *classes):
        widget.add_class(name)
    return widget


def text_field(
    label: str,
    value: str,
    on_change: Callable[[str], None],
    *,
    placeholder: str = "",
    multiline: bool = False,
    rows: int = 3,
    tooltip: str | None = None,
) -> ipywidgets.Text | ipywidgets.Textarea:
    """A labelled text box; `on_change(new_text)` at every change."""
    if multiline:
        widget = ipywidgets.Textarea(
            value=value or "", description=label, placeholder=placeholder, rows=rows
        )
    else:
        widget = ipywidgets.Text(value=value or "", description=label, placeholder=placeholder)
    if tooltip:
        widget.tooltip = tooltip
    widget.observe(lambda change: on_change(change["new"]), names=["value"])
    return _field(widget, "icb-textarea" if multiline else "icb-text")


def choice_field(
    label: str,
    options: list[tuple[str, Any]],
    value: Any,
    on_change: Callable[[Any], None],
) -> ipywidgets.Dropdown:
    """A labelled drop-down list of (label, value) options."""
    values = [v for _label, v in options]
    widget = ipywidgets.Dropdown(
        options=options, value=value if value in values else values[0], description=label
    )
    widget.observe(lambda change: on_change(change["new"]), names=["value"])
    return _field(widget, "icb-select")


def check_field(label: str, value: bool, on_change: Callable[[bool], None]) -> ipywidgets.Checkbox:
    """A labelled check box (label after the box)."""
    widget = ipywidgets.Checkbox(value=bool(value), description=label, indent=False)
    widget.observe(lambda change: on_change(change["new"]), names=["value"])
    widget.add_class("icb-check")
    return widget


def number_field(
    label: str,
    value: float,
    on_change: Callable[[float], None],
    *,
    minimum: float,
    maximum: float,
    step: float,
    integer: bool = False,
) -> ipywidgets.BoundedFloatText | ipywidgets.BoundedIntText:
    """A labelled number box kept between `minimum` and `maximum`."""
    cls = ipywidgets.BoundedIntText if integer else ipywidgets.BoundedFloatText
    widget = cls(value=value, min=minimum, max=maximum, step=step, description=label)
    widget.observe(lambda change: on_change(change["new"]), names=["value"])
    return _field(widget, "icb-number")


def button(
    label: str,
    on_click: Callable[[], None],
    *,
    icon: str = "",
    tooltip: str | None = None,
    kind: str = "",
) -> ipywidgets.Button:
    """A button whose visible text is its accessible name; `kind`: primary, danger, quiet."""
    widget = ipywidgets.Button(description=label, icon=icon, tooltip=tooltip or label)
    widget.on_click(lambda _button: on_click())
    widget.add_class("icb-button")
    if kind:
        widget.add_class(f"icb-button-{kind}")
    return widget


def html_block(markup: str, *classes: str) -> ipywidgets.HTML:
    widget = ipywidgets.HTML(markup)
    for name in classes:
        widget.add_class(name)
    return widget


def heading(text: str, level: int = 3, *classes: str) -> ipywidgets.HTML:
    level = min(max(level, 2), 6)
    return html_block(f"<h{level}>{html.escape(text)}</h{level}>", "icb-heading", *classes)


def row(children: Iterable[ipywidgets.Widget], *classes: str) -> ipywidgets.HBox:
    """Children side by side, wrapping on narrow screens."""
    box = ipywidgets.HBox(list(children))
    for name in ("icb-row", *classes):
        box.add_class(name)
    return box


def column(children: Iterable[ipywidgets.Widget], *classes: str) -> ipywidgets.VBox:
    box = ipywidgets.VBox(list(children))
    for name in classes:
        box.add_class(name)
    return box


def error_slot() -> ipywidgets.HTML:
    """Where the problems of one field are shown; hidden while empty."""
    slot = ipywidgets.HTML("", layout=ipywidgets.Layout(display="none"))
    slot.add_class("icb-error-slot")
    return slot


def show_errors(slot: ipywidgets.HTML, messages: list[str]) -> None:
    """Fill an error slot with `messages` (a role="alert" paragraph each), or empty it."""
    markup = "".join(
        '<p class="icb-error" role="alert"><span class="icb-error-icon" aria-hidden="true">'
        f"⚠</span> {html.escape(message)}</p>"
        for message in messages
    )
    if slot.value != markup:
        slot.value = markup
    display = None if markup else "none"
    if slot.layout.display != display:
        slot.layout.display = display


def route_problems(
    slots: dict[str, ipywidgets.HTML],
    problems: list[tuple[str, Message]],
    language: str,
    fallback: str = "",
) -> None:
    """Show each problem in the slot of its field: the longest key its path starts with.

    `problems` are (path relative to the form, message); a path no slot claims goes to the
    slot of `fallback`, and every slot without a problem is emptied.
    """
    found: dict[str, list[str]] = {key: [] for key in slots}
    for path, message in problems:
        best = None
        for key in slots:
            if key == fallback:
                continue
            if path == key or path.startswith((key + ".", key + "[")):
                if best is None or len(key) > len(best):
                    best = key
        target = best if best is not None else fallback
        if target in found:
            found[target].append(message.render(language))
    for key, slot in slots.items():
        show_errors(slot, list(dict.fromkeys(found[key])))


def relative(problems: list[tuple[str, Message]], prefix: str) -> list[tuple[str, Message]]:
    """The problems under `prefix` (``questions[2]``), with paths relative to it."""
    out = []
    for path, message in problems:
        if path == prefix:
            out.append(("", message))
        elif path.startswith(prefix + "."):
            out.append((path[len(prefix) + 1 :], message))
        elif path.startswith(prefix + "["):
            out.append((path[len(prefix) :], message))
    return out


def close_tree(widget: ipywidgets.Widget, keep: Iterable[ipywidgets.Widget] = ()) -> None:
    """Close `widget` and every descendant (frees their comms), except those in `keep`."""
    spared = {id(w) for w in keep}
    stack = [widget]
    while stack:
        current = stack.pop()
        if id(current) in spared:
            continue
        stack.extend(getattr(current, "children", ()) or ())
        current.close()


def first_control(widget: ipywidgets.Widget) -> ipywidgets.Widget:
    """The first control inside `widget`, going down through boxes."""
    while isinstance(widget, ipywidgets.Box) and widget.children:
        widget = widget.children[0]
    return widget


def later_focus(widget: ipywidgets.DOMWidget, delay: float = 0.4) -> None:
    """Focus `widget` once the page has drawn it (a rebuilt part is drawn asynchronously).

    Without a running event loop (no page: plain Python, tests) there is nothing to focus.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return

    def focus() -> None:
        if widget.comm is not None:  # not closed by a rebuild in the meantime
            widget.focus()

    loop.call_later(delay, focus)
