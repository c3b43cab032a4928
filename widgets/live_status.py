"""LiveStatus: a status line that screen readers announce when its text changes."""

from __future__ import annotations

from pathlib import Path

import anywidget
from traitlets import Bool, Enum, Unicode

HERE = Path(__file__).parent


class LiveStatus(anywidget.AnyWidget):
    """One short message (« Enregistré à 10:42 ») in a lasting ARIA live region."""

    _esm = HERE / "live_status.js"
    _css = HERE / "live_status.css"
    text = Unicode("", help="The message; empty hides the line.").tag(sync=True)
    tone = Enum(
        ["info", "ok", "warning", "error"],
        default_value="info",
        help="Colour and icon of the message: info, ok, warning or error.",
    ).tag(sync=True)
    urgent = Bool(
        False,
        help="Announce at once (role alert) rather than politely (role status); read once, "
        "when the line is first shown.",
    ).tag(sync=True)

    def show(self, text: str, tone: str = "info") -> None:
        """Set the message and its tone together."""
        self.tone = tone
        self.text = text
