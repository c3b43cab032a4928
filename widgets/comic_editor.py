"""ComicEditor: make a comic (BD) on its pages, with the mouse or the keyboard alone.

``ComicEditor(bundle_dir, language="fr")`` opens the comic in `bundle_dir` (its draft if that
is newer, see :mod:`imaginecole.widgets.autosave`) and shows:

- the page, drawn by the one renderer (:func:`imaginecole.comic.render.render_page`, the
  same SVG every export starts from) in a :class:`ComicCanvas`: click or Tab to choose an
  element, drag or the arrow keys to move it, the corner handle or + / - to resize it, F to
  flip, Page Up / Page Down to change its layer, Delete to remove, Enter or a double click
  to write its text in place, Ctrl+Z / Ctrl+Y to undo and redo, and a button for each;
- the palettes: characters (filtered by who, skin tone, hair, expression), objects,
  the four bubbles, captions and sound effects;
- the page's layout and gutter, the pages (add, delete, reorder), the chosen panel's
  description (required to export, flagged until written) and background, the chosen
  bubble's kind and speaker, and the export buttons (see :mod:`.comic_forms`).

Every change is one operation (:mod:`.comic_ops`), kept in a bounded undo history and saved
about a second later: to manifest.json when the comic is valid, else to the draft.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import ipywidgets
from lxml import etree
from traitlets import Float, Int, List, Unicode

from ..bundle import Problem
from ..i18n import N_, Message
from .autosave import AutosavingEditor
from .comic_canvas import ComicCanvas, canvas_strings, palette_items, skin_options
from .comic_history import History, history_key
from .comic_ops import OpError, apply_op, page_at
from .form_fields import column, row, style_sheet
from .player_preview import data_url

# images go through the widget connection as data: URLs; bigger ones show as a frame only
MAX_CANVAS_IMAGE_BYTES = 3 * 1024 * 1024
XLINK = "{http://www.w3.org/1999/xlink}href"


class ComicEditor(AutosavingEditor, ipywidgets.VBox):
    """Editor of one comic bundle: the page, the palettes, the forms, undo and autosave."""

    UNREADABLE = N_("This comic cannot be opened.")
    DRAFT_SAVED = N_(
        "Draft saved at {time}, not valid yet: {count} problem(s) to fix. The last valid "
        "version is kept."
    )
    OPENED_DRAFT = N_("Draft reopened: {count} problem(s) to fix. The last valid version is kept.")
    OPENED_WITH_PROBLEMS = N_("Opened: {count} problem(s) to fix.")
    OPENED = N_("Opened; everything is saved.")

    bundle_dir = Unicode(help="The comic's folder (manifest.json and media/).")
    language = Unicode("fr", help="Language of the interface: fr, en or ar.")
    page = Int(0, help="Index of the page shown (0 is the first page).")
    autosave_delay = Float(
        1.0,
        help="Seconds between the last edit and the save; 0 saves at every edit. Without "
        "a running event loop (plain Python, tests) saves happen at once.",
    )
    history_limit = Int(100, help="How many edits Undo can take back.")
    heading_level = Int(2, help="HTML level of the section headings.")
    status = Unicode(help="The save status as shown to the teacher (read-only).")
    problems = List(help="Problems of the comic as edited, as Problem objects (read-only).")

    def __init__(self, bundle_dir: Path | str, language: str = "fr", **kwargs: Any) -> None:
        super().__init__(bundle_dir=str(bundle_dir), language=language, **kwargs)
        self._setup("icce-editor")
        self.history = History(self.history_limit)
        self._media_cache: dict[tuple[str, int, int], str] = {}
        manifest = self._open_as(
            "comic", "pages", Message("This folder holds a grain, not a comic.")
        )
        if manifest is None:
            return
        self.manifest = manifest
        self._build()
        self.observe(self._on_page, names=["page"])
        self.observe(self._on_delay, names=["autosave_delay"])
        self._revalidate()
        self.refresh()
        self._opened_status()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        from .comic_export import ExportForm
        from .comic_forms import ElementForm, PageForm, PanelForm

        self.canvas = ComicCanvas(
            strings=canvas_strings(self.language),
            ui_dir="rtl" if self.language == "ar" else "ltr",
        )
        self.canvas.on_msg(self._on_canvas_message)
        self.canvas.observe(self._on_selection, names=["selected", "panel"])
        self.canvas.observe(self._on_skin, names=["skin"])
        try:
            self.canvas.skins = skin_options(self.language)
        except (ImportError, KeyError) as exc:
            self.notice.show(str(exc), "error")
        self._on_skin({})
        self.page_form = PageForm(self)
        self.panel_form = PanelForm(self)
        self.element_form = ElementForm(self)
        self.export_form = ExportForm(self)
        toolbar = row([self.status_line, self.notice], "icb-toolbar")
        side = column([self.panel_form, self.element_form], "icce-side")
        self.children = [
            style_sheet(),
            toolbar,
            self.page_form,
            column([column([self.canvas], "icce-main"), side], "icce-columns"),
            self.export_form,
        ]

    def _on_skin(self, _change: dict) -> None:
        try:
            self.canvas.palette = list(palette_items(self.language, self.canvas.skin))
        except (ImportError, OSError) as exc:  # no art installed: text can still be added
            self.notice.show(str(exc), "error")

    # -- operations -------------------------------------------------------------------------

    def apply(self, op: dict[str, Any]) -> Any:
        """Apply one operation (see comic_ops), record it for Undo, show it and save soon.

        Raises OpError, and changes nothing, when the operation is refused.
        """
        if self.manifest is None:
            raise OpError("This comic cannot be opened.")
        name = op.get("op") if isinstance(op, dict) else None
        if name == "undo":
            return self.undo()
        if name == "redo":
            return self.redo()
        edited, result = apply_op(self.manifest, op)
        self.history.push(self.manifest, history_key(op))
        self.manifest = edited
        self._after_op(op, result)
        self._changed()
        return result

    def handle(self, op: dict[str, Any]) -> bool:
        """Apply an operation from the page; a refused one is explained, not raised."""
        try:
            self.apply(op)
        except OpError as exc:
            self.notice.show(exc.render(self.language), "error")
            return False
        self.notice.show("")
        return True

    def _on_canvas_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        self.handle(content if isinstance(content, dict) else {})

    def _after_op(self, op: dict[str, Any], result: Any) -> None:
        name = op["op"]
        if name == "add" and isinstance(result, str):
            self.canvas.panel = op["panel"]
            self.canvas.selected = f"{op['panel']}/{result}"
            self.canvas.focus_token += 1
        elif name == "delete" or name in ("page_add", "page_remove", "panel_remove"):
            self.canvas.selected = ""
        if name == "page_add":
            self._set_page(next(i for i, p in enumerate(self._pages()) if p["id"] == result))
        elif name == "page_remove":
            self._set_page(min(self.page, len(self._pages()) - 1))
        elif name == "page_move":
            self._set_page(self.page + op["step"])
        elif name == "panel_add" and isinstance(result, str):
            self.canvas.panel = result

    def undo(self) -> bool:
        """Take back the last edit; False when there is none."""
        return self._travel(self.history.undo, self._("Undone."), self._("Nothing to undo."))

    def redo(self) -> bool:
        """Do again the last edit taken back; False when there is none."""
        return self._travel(self.history.redo, self._("Redone."), self._("Nothing to redo."))

    def _travel(self, step: Any, done: str, nothing: str) -> bool:
        state = step(self.manifest)
        if state is None:
            self.notice.show(nothing)
            return False
        self.manifest = state
        self._set_page(min(self.page, len(self._pages()) - 1))
        if self.canvas.selected and self._selected_element() is None:
            self.canvas.selected = ""
        self._changed()
        self.notice.show(done)
        return True

    def _changed(self) -> None:
        self._revalidate()
        self.refresh()
        self._save_soon()

    def _revalidate(self) -> list[Problem]:
        from ..bundle import validate_manifest

        self.problems = validate_manifest(self.manifest, self.bundle_dir)
        return self.problems

    # -- showing ----------------------------------------------------------------------------

    def _pages(self) -> list[dict[str, Any]]:
        return self.manifest["pages"]

    def _set_page(self, index: int) -> None:
        index = min(max(index, 0), max(len(self._pages()) - 1, 0))
        if index != self.page:
            self.page = index  # _on_page refreshes

    def _on_page(self, _change: dict) -> None:
        self._set_page(self.page)
        self.canvas.selected = ""
        self.canvas.panel = ""
        self.refresh()

    def current_page(self) -> dict[str, Any]:
        return page_at(self.manifest, self.page)

    def refresh(self) -> None:
        """Draw the page again and bring every form up to date."""
        if self.manifest is None:
            return
        page = self.current_page()
        panels = [p for p in page.get("panels") or [] if isinstance(p, dict)]
        if panels and self.canvas.panel not in {p.get("id") for p in panels}:
            self.canvas.panel = panels[0].get("id", "")
        self.canvas.panels = self._panel_boxes(panels)
        self.canvas.elements = self._element_list(panels)
        self.canvas.svg, self.canvas.warnings = self._render()
        self.canvas.can_undo = self.history.can_undo
        self.canvas.can_redo = self.history.can_redo
        for form in (self.page_form, self.panel_form, self.element_form):
            form.refresh()

    def _render(self) -> tuple[str, list[str]]:
        from ..comic.render import render_page, render_warnings

        try:
            root = render_page(self.manifest, self.bundle_dir, self.page, for_editor=True)
            self._inline_media(root)
            svg = etree.tostring(root, encoding="unicode")
        except Exception as exc:  # a draft the renderer cannot draw must not close the editor
            text = self._("This page cannot be drawn yet: {error}").format(error=exc)
            return "", [text]
        missing = [
            self._("Panel {n} has no description yet: it is required to export.").format(n=n)
            for n, panel in enumerate(self.current_page().get("panels") or [], start=1)
            if isinstance(panel, dict) and not str(panel.get("alt") or "").strip()
        ]
        try:
            warnings = missing + [
                m.render(self.language) for m in self._page_warnings(render_warnings)
            ]
        except Exception as exc:  # warnings are a help, never a reason to stop
            warnings = [str(exc)]
        return svg, warnings

    def _page_warnings(self, render_warnings: Any) -> list[Message]:
        """The renderer's warnings about the page shown only.

        render_warnings lays out every page; at every key press that would be slow on a
        long comic, so the pages before this one are passed as empty stubs (the page
        keeps its number) and the pages after it are left out.
        """
        pages = self._pages()
        stubs = [{"id": p.get("id"), "layout": "webtoon", "panels": []} for p in pages[: self.page]]
        shown = {**self.manifest, "pages": [*stubs, pages[self.page]]}
        found = render_warnings(shown, self.bundle_dir)
        return [m for m in found if getattr(m, "values", {}).get("page") in (None, self.page + 1)]

    def _inline_media(self, root: etree._Element) -> None:
        """Bundle files the SVG points at (media/…) as data: URLs the page can show."""
        folder = (Path(self.bundle_dir) / "media").resolve()
        for node in root.iter("{http://www.w3.org/2000/svg}image"):
            for attr in ("href", XLINK):
                src = node.get(attr)
                if not src or not src.startswith("media/"):
                    continue
                path = (Path(self.bundle_dir) / src).resolve()
                try:
                    stat = path.stat()
                    ok = path.parent == folder and stat.st_size <= MAX_CANVAS_IMAGE_BYTES
                except OSError:
                    ok = False
                if not ok:
                    node.set(attr, "")
                    continue
                key = (str(path), stat.st_mtime_ns, stat.st_size)
                if key not in self._media_cache:
                    self._media_cache[key] = data_url(path)
                node.set(attr, self._media_cache[key])

    def _panel_boxes(self, panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from ..comic import panel_rects

        try:
            rects = panel_rects(self.manifest, self.page)
        except Exception:  # a layout the draft gets wrong: no geometry, no dragging
            rects = []
        boxes = []
        for n, panel in enumerate(panels):
            rect = rects[n] if n < len(rects) else None
            box = {"id": panel.get("id", ""), "n": n + 1, "alt_missing": not panel.get("alt")}
            if rect is not None:
                box.update(x=rect.x, y=rect.y, w=rect.w, h=rect.h)
            boxes.append(box)
        return boxes

    def element_label(self, element: dict[str, Any], panel_n: int) -> str:
        """How the element is named to the teacher (and to a screen reader)."""
        _ = self._
        kind = element.get("kind")
        text = str(element.get("text") or "").replace("\n", " ")
        if len(text) > 40:
            text = text[:39] + "…"
        if kind in ("character", "prop"):
            what = self._art_name(element)
            what = (
                _("{name} (character)") if kind == "character" else _("{name} (object)")
            ).format(name=what)
        elif kind == "bubble":
            styles = {
                "speech": _("Speech bubble"),
                "thought": _("Thought bubble"),
                "shout": _("Shout bubble"),
                "whisper": _("Whisper bubble"),
            }
            what = _("{kind}: « {text} »").format(
                kind=styles.get(element.get("style"), styles["speech"]), text=text
            )
        elif kind == "caption":
            what = _("Caption: « {text} »").format(text=text)
        elif kind == "sfx":
            what = _("Sound effect: « {text} »").format(text=text)
        else:
            what = _("Image: {alt}").format(alt=element.get("alt") or element.get("src", ""))
        return _("{what}, panel {n}").format(what=what, n=panel_n)

    def _art_name(self, element: dict[str, Any]) -> str:
        cast = {c.get("id"): c for c in self.manifest.get("cast") or [] if isinstance(c, dict)}
        member = cast.get(element.get("cast"))
        if member and member.get("name"):
            return str(member["name"])
        try:
            from ..comic.art import art_label

            return art_label(str(element.get("art", "")), self.language)
        except (ImportError, KeyError, ValueError):
            return str(element.get("art", ""))

    def _element_list(self, panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for n, panel in enumerate(panels, start=1):
            for element in panel.get("elements") or []:
                if not isinstance(element, dict):
                    continue
                item = {
                    "panel": panel.get("id", ""),
                    "panel_n": n,
                    "label": self.element_label(element, n),
                }
                for key in ("id", "kind", "x", "y", "scale", "w", "h", "flip", "text", "z"):
                    if key in element:
                        item[key] = element[key]
                item.setdefault("scale", 0.3)
                out.append(copy.deepcopy(item))
        return out

    # -- selection --------------------------------------------------------------------------

    def _on_selection(self, _change: dict) -> None:
        self.panel_form.refresh()
        self.element_form.refresh()

    def selected_panel(self) -> dict[str, Any] | None:
        for panel in self.current_page().get("panels") or []:
            if isinstance(panel, dict) and panel.get("id") == self.canvas.panel:
                return panel
        return None

    def _selected_element(self) -> dict[str, Any] | None:
        if "/" not in self.canvas.selected:
            return None
        panel_id, el_id = self.canvas.selected.split("/", 1)
        for page in self._pages():
            for panel in page.get("panels") or []:
                if isinstance(panel, dict) and panel.get("id") == panel_id:
                    for element in panel.get("elements") or []:
                        if isinstance(element, dict) and element.get("id") == el_id:
                            return element
        return None

    def selected_element(self) -> tuple[str, dict[str, Any]] | None:
        """(panel id, element) of the chosen element, or None."""
        element = self._selected_element()
        if element is None:
            return None
        return self.canvas.selected.split("/", 1)[0], element

    def select(self, panel_id: str, el_id: str = "") -> None:
        """Choose a panel, or an element of it (as a click would)."""
        self.canvas.panel = panel_id
        self.canvas.selected = f"{panel_id}/{el_id}" if el_id else ""
