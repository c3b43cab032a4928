"""A new podcast: a valid starter manifest (one empty episode) in the teacher's language."""

from __future__ import annotations

import uuid
from typing import Any

from ..bundle.model import now_iso, starter_metadata
from ..bundle.validate import BundleError
from ..i18n import N_, gettext_for
from .validate import PODCAST_SCHEMA_VERSION, validate_podcast

# loudness targets (LUFS) and default MP3 bitrates (kbps) per channel layout
TARGET_LUFS = {"mono": -19.0, "stereo": -16.0}
MP3_BITRATE = {"mono": 64, "stereo": 128}
OPUS_BITRATE = 24


def new_episode(episode_id: str = "e1", title: str = "", number: int = 1) -> dict[str, Any]:
    """An empty episode (no segment yet)."""
    return {
        "id": episode_id,
        "title": title or f"Episode {number}",
        "number": number,
        "published": now_iso(),
        "segments": [],
    }


def new_podcast(language: str = "fr", channels: str = "mono", **metadata: Any) -> dict[str, Any]:
    """A valid starter podcast with one empty episode.

    Keyword arguments fill ``metadata`` (title, description, country, authors…);
    None values are left out. `channels` is ``mono`` (−19 LUFS) or ``stereo``
    (−16 LUFS). Raises BundleError if the result is not valid.
    """
    _ = gettext_for(language)
    meta = starter_metadata(_(N_("My podcast")), language, metadata)
    episode = new_episode(title=_(N_("Episode 1")))
    manifest = {
        "schema_version": PODCAST_SCHEMA_VERSION,
        "type": "podcast",
        "id": str(uuid.uuid4()),
        "metadata": meta,
        "show": {"category": "Education", "author": "", "email": "", "explicit": False},
        "settings": {
            "channels": channels,
            "mp3_bitrate": MP3_BITRATE.get(channels, 64),
            "opus_bitrate": OPUS_BITRATE,
        },
        "episodes": [episode],
    }
    problems = validate_podcast(manifest)
    if problems:
        raise BundleError(str(meta.get("title")), problems, kind="podcast")
    return manifest
