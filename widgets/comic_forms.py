"""The forms around the comic editor's page: pages, the chosen panel, the chosen element
(the export buttons are in :mod:`.comic_export`).

Each form reads the editor's manifest in ``refresh()`` and changes it only through
``editor.handle(op)`` (one operation of :mod:`.comic_ops`), so that every change can be
undone and is saved like a change made on the page.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets

from ..bundle import MediaError, add_media
from ..bundle.media import IMAGE_EXTENSIONS
from ..comic.art import SCENES
from ..i18n import N_, Message, gettext_for
from .comic_ops import LAYOUTS
from .form_fields import button, close_tree, error_slot, heading, html_block, row, show_errors
from .media_upload import MediaSlot

if TYPE_CHECKING:
    from .comic_editor import ComicEditor

# (value, label) of a panel's background kinds
BACKGROUNDS = (
    ("color", N_("A colour")),
    ("gradient", N_("A gradient")),
    ("scene", N_("A scene")),
    ("image", N_("An image from your computer")),
)


class _Syncing:
    """Changes made by refresh() must not come back as edits."""

    def __init__(self) -> None:
        self.on = False

    def __enter__(self) -> None:
        self.on = True

    def __exit__(self, *exc: object) -> None:
        self.on = False


def labelled(widget: ipywidgets.Widget, *classes: str) -> ipywidgets.Widget:
    widget.style.description_width = "initial"
    for name in ("icb-field", *classes):
        widget.add_class(name)
    return widget


def _set(widget: ipywidgets.Widget, name: str, value: Any) -> None:
    if getattr(widget, name) != value:
        setattr(widget, name, value)


def _show(widget: ipywidgets.Widget, shown: bool) -> None:
    _set(widget.layout, "display", None if shown else "none")


def _upload(label: str) -> ipywidgets.FileUpload:
    accept = ",".join(f".{ext}" for ext in sorted(IMAGE_EXTENSIONS))
    widget = ipywidgets.FileUpload(accept=accept, multiple=False, description=label, icon="upload")
    widget.add_class("icb-upload")
    return widget


class EditorForm(ipywidgets.VBox):
    def __init__(self, editor: ComicEditor, *classes: str) -> None:
        super().__init__()
        for name in ("icb-section", "icce-form", *classes):
            self.add_class(name)
        self.editor = editor
        self._ = gettext_for(editor.language)
        self.syncing = _Syncing()

    def choices(self, pairs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
        """The options of a list from (value, label to translate) pairs."""
        return [(self._(label), value) for value, label in pairs]

    def op(self, **op: Any) -> bool:
        if self.syncing.on:
            return False
        return self.editor.handle(op)

    def when(self, widget: ipywidgets.Widget, act: Callable[[Any], Any]) -> ipywidgets.Widget:
        """Call `act(new value)` when the teacher changes `widget` (not when refresh does)."""

        def changed(change: dict) -> None:
            if not self.syncing.on:
                act(change["new"])

        widget.observe(changed, names=["value"])
        return widget

    def store_image(self, upload: ipywidgets.FileUpload, slot: ipywidgets.HTML) -> str | None:
        """The chosen file copied into media/ (its reference), or None with the reason shown."""
        files = upload.value
        if not files:
            return None
        name, content = files[0]["name"], bytes(files[0]["content"])
        with self.syncing:
            upload.value = ()  # the same file can be chosen again after a refusal
        try:
            src = add_media(self.editor.bundle_dir, content, name)
        except MediaError as exc:
            message = Message(exc.message_id, **exc.values).render(self.editor.language)
            show_errors(slot, [message])
            return None
        show_errors(slot, [])
        return src


class PageForm(EditorForm):
    """Which page is shown; add, delete and reorder pages; the page's layout and gutter."""

    def __init__(self, editor: ComicEditor) -> None:
        super().__init__(editor, "icce-pages")
        _ = self._
        self.choice = self.when(
            labelled(ipywidgets.Dropdown(options=[("", 0)], description=_("Page shown"))),
            lambda value: setattr(self.editor, "page", value),
        )
        self.add_button = button(_("Add a page"), self._add, icon="plus", kind="primary")
        self.remove_button = button(
            _("Delete this page"), lambda: self.op(op="page_remove", page=editor.page), icon="trash"
        )
        self.earlier = button(
            _("Move the page earlier"),
            lambda: self.op(op="page_move", page=editor.page, step=-1),
            icon="arrow-up",
            kind="quiet",
        )
        self.later = button(
            _("Move the page later"),
            lambda: self.op(op="page_move", page=editor.page, step=1),
            icon="arrow-down",
            kind="quiet",
        )
        labels = {
            "strip3": _("Strip of 3 panels"),
            "grid4": _("Grid of 4 panels"),
            "grid6": _("Grid of 6 panels"),
            "webtoon": _("Vertical scroll (webtoon)"),
            "rows": _("Rows of my choice"),
        }
        self.layout_choice = self.when(
            labelled(
                ipywidgets.Dropdown(
                    options=[(labels[k], k) for k in LAYOUTS], description=_("Layout of the page")
                )
            ),
            lambda value: self.op(op="set_layout", page=editor.page, layout=value),
        )
        self.rows = self.when(
            labelled(
                ipywidgets.Text(
                    description=_("Panels in each row, top to bottom"),
                    placeholder="2, 1",
                    continuous_update=False,
                )
            ),
            self._rows,
        )
        self.gutter = self.when(
            labelled(
                ipywidgets.BoundedIntText(
                    min=0, max=120, step=4, description=_("Space between panels (px)")
                )
            ),
            lambda value: self.op(op="set_gutter", page=editor.page, gutter=value, typing=True),
        )
        self.add_panel = button(
            _("Add a panel"), lambda: self.op(op="panel_add", page=editor.page), icon="plus"
        )
        self.children = [
            heading(_("Pages"), editor.heading_level + 1),
            row([self.choice, self.add_button, self.remove_button, self.earlier, self.later]),
            row([self.layout_choice, self.rows, self.gutter, self.add_panel]),
        ]

    def _add(self) -> None:
        layout = self.editor.current_page().get("layout", "strip3")
        self.op(op="page_add", after=self.editor.page, layout=layout)

    def _rows(self, value: str) -> None:
        try:
            rows = [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            rows = []
        self.op(op="set_layout", page=self.editor.page, layout="rows", rows=rows)

    def refresh(self) -> None:
        _ = self._
        editor = self.editor
        pages = editor.manifest["pages"]
        page = editor.current_page()
        total = len(pages)
        with self.syncing:
            options = [
                (_("Page {n} of {total}").format(n=i + 1, total=total), i) for i in range(total)
            ]
            _set(self.choice, "options", options)
            _set(self.choice, "value", editor.page)
            _set(self.layout_choice, "value", page.get("layout", "strip3"))
            rows = page.get("rows") if isinstance(page.get("rows"), list) else []
            _set(self.rows, "value", ", ".join(str(r) for r in rows))
            gutter = page.get("gutter", editor.manifest.get("settings", {}).get("gutter", 24))
            _set(self.gutter, "value", int(gutter) if isinstance(gutter, int | float) else 24)
        self.remove_button.disabled = total <= 1
        self.earlier.disabled = editor.page == 0
        self.later.disabled = editor.page >= total - 1
        _show(self.rows, page.get("layout") == "rows")
        _show(self.add_panel, page.get("layout") == "webtoon")


class PanelForm(EditorForm):
    """The chosen panel: its place in the reading order, description, background, images."""

    def __init__(self, editor: ComicEditor) -> None:
        super().__init__(editor, "icce-panel")
        _ = self._
        self.choice = self.when(
            labelled(ipywidgets.Dropdown(options=[("", "")], description=_("Chosen panel"))),
            lambda value: editor.select(value),
        )
        self.earlier = button(
            _("Read this panel earlier"), lambda: self._move(-1), icon="arrow-up", kind="quiet"
        )
        self.later = button(
            _("Read this panel later"), lambda: self._move(1), icon="arrow-down", kind="quiet"
        )
        self.remove_button = button(
            _("Remove this panel"),
            lambda: self.op(op="panel_remove", page=editor.page, panel=editor.canvas.panel),
            icon="trash",
            kind="quiet",
        )
        self.alt = self.when(
            labelled(
                ipywidgets.Textarea(
                    description=_("Description of the panel (required to export)"),
                    placeholder=_("What the panel shows, for readers who cannot see it"),
                    rows=3,
                ),
                "icb-textarea",
            ),
            lambda value: self.op(op="set_alt", panel=editor.canvas.panel, alt=value, typing=True),
        )
        self.alt_warning = error_slot()
        self.kind = self.when(
            labelled(
                ipywidgets.Dropdown(options=self.choices(BACKGROUNDS), description=_("Background"))
            ),
            lambda _value: self._background(),
        )
        self.colour = self.when(
            labelled(ipywidgets.ColorPicker(value="#ffffff", description=_("Colour"))),
            lambda _value: self._background(),
        )
        self.top = self.when(
            labelled(ipywidgets.ColorPicker(value="#87ceeb", description=_("Top colour"))),
            lambda _value: self._background(),
        )
        self.bottom = self.when(
            labelled(ipywidgets.ColorPicker(value="#ffffff", description=_("Bottom colour"))),
            lambda _value: self._background(),
        )
        self.scene = self.when(
            labelled(
                ipywidgets.Dropdown(
                    options=[(scene_label(s, editor.language), s) for s in SCENES],
                    description=_("Scene"),
                )
            ),
            lambda _value: self._background(),
        )
        self.background_upload = _upload(_("Choose a background image"))
        self.background_upload.observe(self._on_background_upload, names=["value"])
        self.background_errors = error_slot()
        self.image_alt = labelled(
            ipywidgets.Text(
                description=_("Description of the new image"),
                placeholder=_("What the image shows, written before choosing it"),
            )
        )
        self.image_upload = _upload(_("Add an image to the panel"))
        self.image_upload.observe(self._on_image_upload, names=["value"])
        self.image_errors = error_slot()
        self.background_box = ipywidgets.VBox(
            [
                self.kind,
                self.colour,
                self.top,
                self.bottom,
                self.scene,
                self.background_upload,
                self.background_errors,
            ]
        )
        self.audio_box = ipywidgets.VBox()
        self.audio_slot: MediaSlot | None = None
        self._audio: dict[str, Any] = {"panel": None, "item": None}
        self.children = [
            heading(_("Chosen panel"), editor.heading_level + 1),
            self.choice,
            row([self.earlier, self.later, self.remove_button]),
            self.alt,
            self.alt_warning,
            self.background_box,
            self.image_alt,
            self.image_upload,
            self.image_errors,
            self.audio_box,
        ]

    def refresh_audio(self, panel: dict[str, Any] | None, n: int) -> None:
        """The sound of the chosen panel (kindergarten: the story read aloud), with its
        transcript, through the same MediaSlot as a question's sound."""
        panel_id = (panel or {}).get("id")
        audio = (panel or {}).get("audio")
        audio = dict(audio) if isinstance(audio, dict) else None
        state = self._audio
        if self.audio_slot is not None and state["panel"] == panel_id and state["item"] == audio:
            return
        if self.audio_slot is not None:
            close_tree(self.audio_slot)
            self.audio_slot = None
        state.update(panel=panel_id, item=audio)
        if panel is None:
            self.audio_box.children = []
            return

        def get() -> dict[str, Any] | None:
            return state["item"]

        def put(item: dict[str, Any] | None) -> None:
            state["item"] = dict(item) if item else None

        def changed() -> None:
            self.op(op="set_audio", panel=panel_id, audio=state["item"], typing=True)

        def deleted(label: str, _restore: Any) -> None:
            self.editor.notice.show(
                self._("Deleted: {label}. Ctrl+Z puts it back.").format(label=label)
            )

        self.audio_slot = MediaSlot(
            "audio",
            get,
            put,
            bundle_dir=self.editor.bundle_dir,
            language=self.editor.language,
            on_change=changed,
            on_delete=deleted,
            owner=self._("Panel {n}").format(n=n),
        )
        self.audio_box.children = [self.audio_slot]

    def _move(self, step: int) -> None:
        self.op(op="panel_move", page=self.editor.page, panel=self.editor.canvas.panel, step=step)

    def _background(self, src: str = "") -> None:
        kind = self.kind.value
        background: dict[str, Any] = {"kind": kind}
        if kind == "color":
            background["color"] = self.colour.value
        elif kind == "gradient":
            background.update({"from": self.top.value, "to": self.bottom.value, "angle": 90})
        elif kind == "scene":
            background["scene"] = self.scene.value
        else:
            panel = self.editor.selected_panel() or {}
            current = panel.get("background") or {}
            src = src or (current.get("src") if current.get("kind") == "image" else "")
            if not src:
                self.refresh_background()
                return  # waits for the file
            background["src"] = src
        self.op(op="set_background", panel=self.editor.canvas.panel, background=background)

    def _on_background_upload(self, change: dict) -> None:
        if self.syncing.on or not change["new"]:
            return
        src = self.store_image(self.background_upload, self.background_errors)
        if src:
            with self.syncing:
                self.kind.value = "image"
            self._background(src)

    def _on_image_upload(self, change: dict) -> None:
        if self.syncing.on or not change["new"]:
            return
        alt = self.image_alt.value.strip()
        if not alt:
            with self.syncing:
                self.image_upload.value = ()
            show_errors(
                self.image_errors,
                [self._("Write the description of the image first, then choose it.")],
            )
            return
        src = self.store_image(self.image_upload, self.image_errors)
        if src and self.op(
            op="add", panel=self.editor.canvas.panel, kind="image", src=src, alt=alt
        ):
            self.image_alt.value = ""

    def refresh(self) -> None:
        _ = self._
        editor = self.editor
        page = editor.current_page()
        panels = [p for p in page.get("panels") or [] if isinstance(p, dict)]
        panel = editor.selected_panel()
        index = panels.index(panel) if panel in panels else -1
        with self.syncing:
            options = [
                (_("Panel {n}").format(n=i + 1), p.get("id", "")) for i, p in enumerate(panels)
            ]
            _set(self.choice, "options", options or [("", "")])
            _set(
                self.choice,
                "value",
                editor.canvas.panel if panel else options[0][1] if options else "",
            )
            _set(self.alt, "value", str((panel or {}).get("alt") or ""))
        self.earlier.disabled = index <= 0
        self.later.disabled = index < 0 or index >= len(panels) - 1
        _show(self.remove_button, page.get("layout") == "webtoon" and len(panels) > 1)
        missing = panel is not None and not str(panel.get("alt") or "").strip()
        show_errors(
            self.alt_warning,
            [_("Required to export: describe what this panel shows.")] if missing else [],
        )
        self.refresh_background()
        self.refresh_audio(panel, index + 1)

    def refresh_background(self) -> None:
        panel = self.editor.selected_panel() or {}
        background = panel.get("background") if isinstance(panel.get("background"), dict) else {}
        with self.syncing:
            kind = background.get("kind", "color")
            if kind in ("color", "gradient", "scene", "image"):
                _set(self.kind, "value", kind)
            if kind == "color" and isinstance(background.get("color"), str):
                _set(self.colour, "value", background["color"])
            if kind == "gradient":
                _set(self.top, "value", str(background.get("from", "#87ceeb")))
                _set(self.bottom, "value", str(background.get("to", "#ffffff")))
            if kind == "scene" and background.get("scene") in SCENES:
                _set(self.scene, "value", background["scene"])
        kind = self.kind.value
        _show(self.colour, kind == "color")
        _show(self.top, kind == "gradient")
        _show(self.bottom, kind == "gradient")
        _show(self.scene, kind == "scene")
        _show(self.background_upload, kind == "image")


def scene_label(scene: str, language: str) -> str:
    """The name of a built-in scene, from the art index."""
    from ..comic.art import scene_label as art_scene_label

    try:
        return art_scene_label(scene, language)
    except (KeyError, ValueError, OSError):  # a scene the index does not name yet
        return scene


# (value, label) of the kinds of bubble
BUBBLE_STYLES = (
    ("speech", N_("Speech bubble")),
    ("thought", N_("Thought bubble")),
    ("shout", N_("Shout bubble")),
    ("whisper", N_("Whisper bubble")),
)


class ElementForm(EditorForm):
    """The chosen element: its text, a bubble's kind and speaker, an image's description."""

    def __init__(self, editor: ComicEditor) -> None:
        super().__init__(editor, "icce-element")
        _ = self._
        self.title = html_block("", "icce-element-title")
        self.text = self.when(
            labelled(ipywidgets.Textarea(description=_("Text"), rows=3), "icb-textarea"),
            lambda value: self._on_element("set_text", text=value, typing=True),
        )
        self.style = self.when(
            labelled(
                ipywidgets.Dropdown(
                    options=self.choices(BUBBLE_STYLES), description=_("Kind of bubble")
                )
            ),
            lambda value: self._on_element("set_style", style=value),
        )
        self.speaker = self.when(
            labelled(ipywidgets.Dropdown(options=[("", "")], description=_("Who speaks"))),
            lambda value: self._on_element("set_speaker", speaker=value),
        )
        self.image_alt = self.when(
            labelled(ipywidgets.Text(description=_("Description of the image (required)"))),
            lambda value: self._on_element("set_image_alt", alt=value, typing=True),
        )
        self.children = [
            heading(_("Chosen element"), editor.heading_level + 1),
            self.title,
            self.text,
            self.style,
            self.speaker,
            self.image_alt,
        ]

    def _on_element(self, name: str, **values: Any) -> None:
        chosen = self.editor.selected_element()
        if chosen is not None:
            self.op(op=name, panel=chosen[0], el=chosen[1].get("id"), **values)

    def refresh(self) -> None:
        _ = self._
        editor = self.editor
        chosen = editor.selected_element()
        element = chosen[1] if chosen else {}
        kind = element.get("kind")
        if chosen is None:
            text = _("Nothing chosen: click an element of the page, or press Tab in it.")
        else:
            panels = [p.get("id") for p in editor.current_page().get("panels") or []]
            n = panels.index(chosen[0]) + 1 if chosen[0] in panels else 0
            text = editor.element_label(element, n)
        self.title.value = f"<p>{html.escape(text)}</p>"
        with self.syncing:
            if kind in ("bubble", "caption", "sfx"):
                _set(self.text, "value", str(element.get("text") or ""))
            if kind == "bubble":
                _set(self.style, "value", element.get("style", "speech"))
                panel = editor.selected_panel() or {}
                options = [(_("Nobody (no tail)"), "")] + [
                    (editor.element_label(e, 0).rsplit(",", 1)[0], e.get("id"))
                    for e in panel.get("elements") or []
                    if isinstance(e, dict) and e.get("kind") in ("character", "prop", "image")
                ]
                _set(self.speaker, "options", options)
                speaker = element.get("speaker", "")
                _set(self.speaker, "value", speaker if speaker in [v for _l, v in options] else "")
            if kind == "image":
                _set(self.image_alt, "value", str(element.get("alt") or ""))
        _show(self.text, kind in ("bubble", "caption", "sfx"))
        _show(self.style, kind == "bubble")
        _show(self.speaker, kind == "bubble")
        _show(self.image_alt, kind == "image")
