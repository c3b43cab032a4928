"""School podcasts: a bundle folder with manifest.json and media/, built to MP3 and Opus.

See podcast.schema.json for the manifest. An episode is a list of segments
(recordings, uploaded files, espeak-ng speech drafts, jingles), mixed with an
optional ducked intro jingle and music bed, normalised to −19 LUFS (mono) or
−16 LUFS (stereo) and encoded by ffmpeg; Python never holds a whole recording.
"""

from .audio import AudioError, AudioInfo, Loudness, is_silent, measure, peaks, probe
from .build import BuiltEpisode, build_episode, episode_by_id, preview_segment
from .model import TARGET_LUFS, new_episode, new_podcast
from .speech import narrate
from .validate import (
    PODCAST_AUDIO_EXTENSIONS,
    PODCAST_SCHEMA_VERSION,
    podcast_export_problems,
    podcast_schema,
    sanitize_podcast,
    validate_podcast,
)

__all__ = [
    "PODCAST_AUDIO_EXTENSIONS",
    "PODCAST_SCHEMA_VERSION",
    "TARGET_LUFS",
    "AudioError",
    "AudioInfo",
    "BuiltEpisode",
    "Loudness",
    "build_episode",
    "episode_by_id",
    "is_silent",
    "measure",
    "narrate",
    "new_episode",
    "new_podcast",
    "peaks",
    "podcast_export_problems",
    "podcast_schema",
    "preview_segment",
    "probe",
    "sanitize_podcast",
    "validate_podcast",
]
