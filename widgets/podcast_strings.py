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
        "insecure": _(
            "Recording needs a secure address: open the hub at {url} (or on this computer, "
            "http://localhost). You can still upload a recording."
        ),
        "unsupported": _(
            "This browser cannot record sound. Use a recent Chrome, Firefox or Safari, "
            "or upload a recording."
        ),
        "mic_denied": _(
            "The browser did not allow the microphone. Allow it (the icon next to the "
            "address), then try again. You can still upload a recording."
        ),
        "mic_missing": _(
            "No microphone was found. Plug one in, then try again. "
            "You can still upload a recording."
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
