"""Every word the podcast studio's page part (podcast_studio.js) shows, in one language."""

from __future__ import annotations

from ..i18n import gettext_for


def deck_strings(language: str) -> dict[str, str]:
    """The words of the segment list and the recorder, in `language`."""
    _ = gettext_for(language)
    return {
        "list_label": _("Segments of the episode, in order"),
        "empty": _("No segment yet: record one, or add a sound file or a text."),
        "record": _("Record a new segment"),
        "stop": _("Stop the recording"),
        "recording": _("Recording: {seconds} s saved"),
        "no_microphone": _(
            "The microphone cannot be used: {error}. Allow it in the browser, then try again."
        ),
        "title": _("Title (starts a chapter)"),
        "up": _("Move up"),
        "down": _("Move down"),
        "play": _("Listen"),
        "rerecord": _("Record again"),
        "remove": _("Remove"),
        "trim_start": _("Start of the segment, in seconds"),
        "trim_end": _("End of the segment, in seconds"),
        "trim_help": _(
            "Drag the handles, or choose one and use the arrow keys: 0.1 s, with Shift 1 s."
        ),
        "preview_label": _("Preview of the segment"),
        "waveform": _("Waveform of {label}"),
        "speech": _("Draft voice"),
        "drag": _("Drag to reorder"),
    }
