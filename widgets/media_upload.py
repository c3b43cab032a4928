"""Images and sounds of a question or a flashcard, uploaded into the bundle's media/.

An image is accepted only with its alternative text, a sound only with its transcript: a
file chosen before that text is written waits in memory, with a message saying what is
missing, and goes into media/ (through ``add_media``: safe name, size cap, content check)
as soon as the text is there. A refused file never reaches the bundle.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets

from ..bundle import MediaError, add_media, safe_media_name
from ..bundle.media import (
    AUDIO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    MAX_IMAGE_BYTES,
    magic_matches,
    media_kind,
)
from ..i18n import Message, gettext_for
from .form_fields import (
    button,
    error_slot,
    html_block,
    later_focus,
    show_errors,
    text_field,
)
from .player_preview import MAX_PREVIEW_FILE_BYTES, data_url

# a file travels whole in one websocket message, and Jupyter's limit is 10 MiB
MAX_UPLOAD_AUDIO_BYTES = 8 * 1024 * 1024

Getter = Callable[[], dict[str, Any] | None]
Putter = Callable[[dict[str, Any] | None], None]
Deleted = Callable[[str, Callable[[], None]], None]


def upload_cap(kind: str) -> int:
    return MAX_IMAGE_BYTES if kind == "image" else MAX_UPLOAD_AUDIO_BYTES


def _accept(kind: str) -> str:
    extensions = IMAGE_EXTENSIONS if kind == "image" else AUDIO_EXTENSIONS
    return ",".join(f".{ext}" for ext in sorted(extensions))


def _error_text(error: MediaError, language: str) -> str:
    return Message(error.message_id, **error.values).render(language)


class MediaSlot(ipywidgets.VBox):
    """The image (with its alt text) or the sound (with its transcript) of one holder."""

    def __init__(
        self,
        kind: str,
        get: Getter,
        put: Putter,
        *,
        bundle_dir: Path | str,
        language: str,
        on_change: Callable[[], None],
        on_delete: Deleted,
        owner: str,
    ) -> None:
        super().__init__()
        self.add_class("icb-media-slot")
        self.kind = kind
        self._get, self._put = get, put
        self.bundle_dir = Path(bundle_dir)
        self.language = language
        self._on_change, self._on_delete = on_change, on_delete
        self.pending: tuple[str, bytes] | None = None
        _ = self._ = gettext_for(language)
        item = get() or {}
        if kind == "image":
            title = _("Image")
            text_label = _("Alternative text (required)")
            placeholder = _("What the image shows, for pupils who cannot see it")
            upload_label = _("Choose an image")
            remove_label = _("Remove the image")
            help_text = _(
                "PNG, JPEG, GIF or WebP, up to {mb} MB. Write the alternative text first: "
                "the image is added once it is written."
            ).format(mb=MAX_IMAGE_BYTES >> 20)
        else:
            title = _("Sound")
            text_label = _("Transcript (required)")
            placeholder = _("Every word that is heard, for pupils who cannot hear it")
            upload_label = _("Choose a sound")
            remove_label = _("Remove the sound")
            help_text = _(
                "MP3, OGG, M4A, WAV or WebM, up to {mb} MB. Write the transcript first: "
                "the sound is added once it is written."
            ).format(mb=MAX_UPLOAD_AUDIO_BYTES >> 20)
        self.owner = owner
        self.title = html_block(f"<p class='icb-media-title'>{html.escape(title)}</p>")
        self.current = html_block("", "icb-media-current")
        self.text = text_field(
            text_label,
            item.get("alt" if kind == "image" else "transcript", ""),
            self._on_text,
            placeholder=placeholder,
            multiline=kind == "audio",
            rows=3,
        )
        self.upload = ipywidgets.FileUpload(
            accept=_accept(kind), multiple=False, description=upload_label, icon="upload"
        )
        self.upload.add_class("icb-upload")
        self.upload.observe(self._on_upload, names=["value"])
        self.remove = button(remove_label, self._remove, icon="times", kind="quiet")
        self.help = html_block(f"<p class='icb-help'>{html.escape(help_text)}</p>")
        self.notice = error_slot()
        self.errors = error_slot()
        self.children = [
            self.title,
            self.current,
            self.text,
            self.errors,
            self.help,
            self.upload,
            self.remove,
            self.notice,
        ]
        self.refresh()

    # -- state ------------------------------------------------------------------------------

    @property
    def item(self) -> dict[str, Any] | None:
        return self._get()

    def refresh(self) -> None:
        """Show the current file, or the upload button when there is none."""
        _ = self._
        item = self.item
        present = isinstance(item, dict) and isinstance(item.get("src"), str)
        self.upload.layout.display = "none" if present else None
        self.help.layout.display = "none" if present else None
        self.remove.layout.display = None if present else "none"
        if not present:
            self.current.value = ""
            self.current.layout.display = "none"
            return
        src = item["src"]
        path = self.bundle_dir / src
        thumb = ""
        if self.kind == "image":
            try:
                if path.is_file() and path.stat().st_size <= MAX_PREVIEW_FILE_BYTES:
                    thumb = f'<img src="{html.escape(data_url(path), quote=True)}" alt="">'
            except OSError:
                thumb = ""
        else:
            thumb = '<span class="icb-media-icon" aria-hidden="true">♪</span>'
        caption = _("File: {name}").format(name=src.removeprefix("media/"))
        self.current.value = (
            f'<div class="icb-media-file">{thumb}<span>{html.escape(caption)}</span></div>'
        )
        self.current.layout.display = None

    # -- events -----------------------------------------------------------------------------

    def _on_text(self, text: str) -> None:
        item = self.item
        if isinstance(item, dict):
            item["alt" if self.kind == "image" else "transcript"] = text
            self._on_change()
        elif self.pending and text.strip():
            self._store(*self.pending)

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        name, content = upload["name"], bytes(upload["content"])
        self.upload.value = ()  # the same file can be chosen again after a refusal
        self.receive(name, content)

    def receive(self, name: str, content: bytes) -> bool:
        """A file chosen by the teacher: refused, waiting for its text, or stored.

        Returns True when the file went into media/.
        """
        _ = self._
        show_errors(self.notice, [])
        try:
            safe = safe_media_name(name)
        except MediaError as exc:
            show_errors(self.notice, [_error_text(exc, self.language)])
            return False
        if media_kind(safe) != self.kind:
            wrong = (
                _("« {name} » is not an image. Choose a PNG, JPEG, GIF or WebP file.")
                if self.kind == "image"
                else _("« {name} » is not a sound. Choose an MP3, OGG, M4A, WAV or WebM file.")
            )
            show_errors(self.notice, [wrong.format(name=name)])
            return False
        cap = upload_cap(self.kind)
        if len(content) > cap:
            show_errors(
                self.notice,
                [
                    _(
                        "« {name} » is larger than {mb} MB, so it was not added. "
                        "Compress it or shorten it, then choose it again."
                    ).format(name=name, mb=cap >> 20)
                ],
            )
            return False
        if not magic_matches(safe.rsplit(".", 1)[-1], content[:16]):
            show_errors(
                self.notice,
                [
                    _(
                        "« {name} » does not contain what its extension says, so it was not "
                        "added. Save it again from your editing software."
                    ).format(name=name)
                ],
            )
            return False
        if not self.text.value.strip():
            self.pending = (name, content)
            waiting = (
                _(
                    "Write the alternative text of « {name} » above: it is required. The "
                    "image will be added as soon as it is written."
                )
                if self.kind == "image"
                else _(
                    "Write the transcript of « {name} » above: it is required. The sound "
                    "will be added as soon as it is written."
                )
            )
            show_errors(self.notice, [waiting.format(name=name)])
            return False
        return self._store(name, content)

    def _store(self, name: str, content: bytes) -> bool:
        try:
            ref = add_media(self.bundle_dir, content, name)
        except MediaError as exc:
            self.pending = None
            show_errors(self.notice, [_error_text(exc, self.language)])
            return False
        self.pending = None
        show_errors(self.notice, [])
        text = self.text.value
        item = (
            {"src": ref, "alt": text} if self.kind == "image" else {"src": ref, "transcript": text}
        )
        self._put(item)
        self.refresh()
        self._on_change()
        return True

    def _remove(self) -> None:
        old = self.item
        if not isinstance(old, dict):
            return
        self._put(None)
        self.text.value = ""
        self.refresh()
        _ = self._
        label = (
            _("the image of {owner}") if self.kind == "image" else _("the sound of {owner}")
        ).format(owner=self.owner)

        def restore() -> None:
            self._put(old)

        self._on_delete(label, restore)
        self._on_change()


class MediaField(ipywidgets.VBox):
    """The media of a question (an image or a sound) or of a flashcard (either or both)."""

    def __init__(
        self,
        holder: dict[str, Any],
        *,
        card: bool,
        bundle_dir: Path | str,
        language: str,
        on_change: Callable[[], None],
        on_delete: Deleted,
        owner: str,
        slot_prefix: str,
    ) -> None:
        super().__init__()
        self.add_class("icb-media")
        self.holder, self.card = holder, card
        self.slot_prefix = slot_prefix
        self.slots: dict[str, MediaSlot] = {}
        for kind in ("image", "audio"):
            self.slots[kind] = MediaSlot(
                kind,
                self._getter(kind),
                self._putter(kind),
                bundle_dir=bundle_dir,
                language=language,
                on_change=self._changed,
                on_delete=on_delete,
                owner=owner,
            )
        self._on_change = on_change
        self.errors = error_slot()
        self.children = [self.errors, *self.slots.values()]
        self._exclusive()

    def _getter(self, kind: str) -> Getter:
        def get() -> dict[str, Any] | None:
            source = self.holder if self.card else self.holder.get("media")
            item = source.get(kind) if isinstance(source, dict) else None
            return item if isinstance(item, dict) else None

        return get

    def _putter(self, kind: str) -> Putter:
        def put(item: dict[str, Any] | None) -> None:
            if self.card:
                if item is None:
                    self.holder.pop(kind, None)
                else:
                    self.holder[kind] = item
            elif item is None:
                media = self.holder.get("media")
                if isinstance(media, dict) and kind in media:
                    self.holder.pop("media")
            else:
                # a question has one medium: an image or a sound
                self.holder["media"] = {kind: item}

        return put

    def _changed(self) -> None:
        self._exclusive()
        self._on_change()

    def _exclusive(self) -> None:
        if self.card:
            return
        for kind, slot in self.slots.items():
            other = self.slots["audio" if kind == "image" else "image"]
            slot.layout.display = "none" if other.item is not None else None
            slot.refresh()

    def refresh(self) -> None:
        for slot in self.slots.values():
            slot.refresh()
        self._exclusive()

    def error_slots(self) -> dict[str, ipywidgets.HTML]:
        """Error slots by path relative to the question (``media.image``, ``cards[0].audio``)."""
        if self.card:
            base = self.slot_prefix
            return {f"{base}.{kind}": slot.errors for kind, slot in self.slots.items()}
        return {
            "media": self.errors,
            **{f"media.{kind}": slot.errors for kind, slot in self.slots.items()},
        }


class MediaDisclosure(ipywidgets.VBox):
    """A MediaField folded behind « Ajouter une image ou un son » until it is wanted.

    The fields are long and most questions and cards have no media: they stay folded
    unless the holder already has an image or a sound.
    """

    def __init__(self, media: MediaField, *, language: str) -> None:
        super().__init__()
        self.add_class("icb-media-disclosure")
        _ = gettext_for(language)
        self.media = media
        self.toggle = button(_("Add an image or a sound"), self.unfold, icon="image", kind="quiet")
        self.toggle.add_class("icb-media-toggle")
        title = html_block(
            f"<p class='icb-subtitle'>{html.escape(_('Image or sound (optional)'))}</p>"
        )
        self.box = ipywidgets.VBox([title, media])
        self.box.add_class("icb-media-box")
        has_media = any(slot.item is not None for slot in media.slots.values())
        self.box.layout.display = None if has_media else "none"
        self.toggle.layout.display = "none" if has_media else None
        self.children = [self.toggle, self.box]

    @property
    def folded(self) -> bool:
        return self.box.layout.display == "none"

    def unfold(self) -> None:
        """Show the image and sound fields, the focus in the first one."""
        self.box.layout.display = None
        self.toggle.layout.display = "none"
        later_focus(self.media.slots["image"].text)
