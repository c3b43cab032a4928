"""PlayerPreview: the one player, live in a widget, in JupyterLab and in Voilà.

There is no second player. The widget's ES module is the player itself
(``templates/player/static/player.js``, found by :func:`imaginecole.player.player_assets`)
followed by a small wrapper, ``player_preview.js``, that mounts it with
``ImaginecolePlayer.mount`` and mounts it again whenever `manifest` changes. Its CSS is the
player's followed by ``player_preview.css``. Nothing comes from the network.

Media cannot be fetched from the bundle folder by the page, so `media` maps each
``media/<file>`` path to a ``data:`` URL (:func:`preview_media`); files too large to send
through the widget connection are left out and named in `note`.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anywidget
from traitlets import Dict, Unicode, default, observe

from ..i18n import DEFAULT_LANGUAGE, gettext_for
from ..player import player_assets, player_strings, ui_language

HERE = Path(__file__).parent
MODULE_FILE = HERE / "player_preview.js"
STYLE_FILE = HERE / "player_preview.css"
# every byte goes through the kernel's websocket as base64: keep previews light
MAX_PREVIEW_FILE_BYTES = 1536 * 1024
MAX_PREVIEW_TOTAL_BYTES = 8 * 1024 * 1024
_MEDIA_TYPES = {"jpg": "image/jpeg", "oga": "audio/ogg", "opus": "audio/ogg", "m4a": "audio/mp4"}


def preview_module() -> str:
    """The widget's ES module: the player's source, then the wrapper that mounts it."""
    js, _css = player_assets()
    source_id = hashlib.sha256(js.encode("utf-8")).hexdigest()[:16]
    wrapper = MODULE_FILE.read_text(encoding="utf-8")
    return f'const PLAYER_SOURCE_ID = "{source_id}";\n{js}\n{wrapper}'


def preview_style() -> str:
    """The player's CSS, then the preview frame's."""
    _js, css = player_assets()
    return css + "\n" + STYLE_FILE.read_text(encoding="utf-8")


def media_references(manifest: dict[str, Any]) -> Iterator[str]:
    """Every ``media/<file>`` path the manifest cites (questions and flashcards)."""
    for question in manifest.get("questions") or []:
        if not isinstance(question, dict):
            continue
        holders = [question.get("media")]
        holders += [card for card in question.get("cards") or [] if isinstance(card, dict)]
        for holder in holders:
            if not isinstance(holder, dict):
                continue
            for kind in ("image", "audio"):
                item = holder.get(kind)
                if isinstance(item, dict) and isinstance(item.get("src"), str):
                    yield item["src"]


def data_url(path: Path) -> str:
    """The file at `path` as a ``data:`` URL."""
    ext = path.suffix.lower().lstrip(".")
    mime = _MEDIA_TYPES.get(ext) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def preview_media(
    bundle_dir: Path | str,
    manifest: dict[str, Any],
    *,
    max_file_bytes: int = MAX_PREVIEW_FILE_BYTES,
    max_total_bytes: int = MAX_PREVIEW_TOTAL_BYTES,
) -> tuple[dict[str, str], list[str]]:
    """(path -> data URL, paths left out) for the media the manifest cites.

    A path left out (missing, outside media/, or too large to preview) maps to "" so that
    the player shows nothing for it instead of asking the server for the file.
    """
    folder = (Path(bundle_dir) / "media").resolve()
    media: dict[str, str] = {}
    skipped: list[str] = []
    total = 0
    for src in dict.fromkeys(media_references(manifest)):
        path = (Path(bundle_dir) / src).resolve()
        try:
            size = path.stat().st_size if path.parent == folder and path.is_file() else -1
        except OSError:
            size = -1
        if size < 0 or size > max_file_bytes or total + size > max_total_bytes:
            media[src] = ""
            skipped.append(src)
            continue
        total += size
        media[src] = data_url(path)
    return media, skipped


class PlayerPreview(anywidget.AnyWidget):
    """The grain in `manifest`, played by the one player; the last result comes back."""

    _esm = Unicode(help="ES module: player.js, then player_preview.js.").tag(sync=True)
    _css = Unicode(help="Style sheet: player.css, then player_preview.css.").tag(sync=True)
    manifest = Dict(
        help="The grain to play (a decoded manifest.json). The player mounts it again at "
        "every change, a quarter of a second after the last one."
    ).tag(sync=True)
    media = Dict(
        value_trait=Unicode(),
        help="``media/<file>`` path -> data: URL that replaces it (see preview_media). "
        "Small files only: every byte goes through the widget connection.",
    ).tag(sync=True)
    language = Unicode(
        "",
        help="Language of the player's interface (fr, en or ar). Empty: the grain's own "
        "metadata.language, as in the exported page.",
    )
    ui_language = Unicode(
        DEFAULT_LANGUAGE,
        help="The language the player speaks: `language`, else the grain's (read-only).",
    ).tag(sync=True)
    strings = Dict(
        help="The player's interface strings, player_strings(ui_language) unless set."
    ).tag(sync=True)
    result = Dict(
        help="The last result the player reported ({raw, max, scaled, success, completion, "
        "answered, total, perQuestion, grain}); empty until a question is checked."
    ).tag(sync=True)
    note = Unicode("", help="A short note shown under the preview, such as media left out.").tag(
        sync=True
    )
    empty_text = Unicode(help="Shown instead of the player while the grain has no question.").tag(
        sync=True
    )

    @default("_esm")
    def _default_esm(self) -> str:
        return preview_module()

    @default("_css")
    def _default_css(self) -> str:
        return preview_style()

    @default("strings")
    def _default_strings(self) -> dict[str, str]:
        return player_strings(self.ui_language)

    @default("empty_text")
    def _default_empty_text(self) -> str:
        return _empty_text(self.ui_language)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("ic-player-preview")
        self._follow_language()

    @observe("manifest", "language")
    def _on_manifest(self, _change: dict) -> None:
        self._follow_language()

    def _follow_language(self) -> None:
        grain_language = (self.manifest.get("metadata") or {}).get("language")
        chosen = ui_language(self.language or grain_language)
        if chosen != self.ui_language:
            self.ui_language = chosen
            self.strings = player_strings(chosen)
            self.empty_text = _empty_text(chosen)


def _empty_text(language: str) -> str:
    _ = gettext_for(language)
    return _("Add a question to see it here.")
