"""Reading sound files without loading them: ffprobe for facts, ffmpeg pipes for samples.

Every function here streams: ffmpeg decodes, Python reads fixed-size blocks from
its pipe, so a two-hour recording costs no more memory than a two-second one.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from array import array
from dataclasses import dataclass
from pathlib import Path

from ..i18n import ImaginecoleError
from .validate import PODCAST_AUDIO_EXTENSIONS

MAX_SOURCE_SECONDS = 4 * 3600
SILENCE_DB = -50.0  # a recording whose loudest sample is below this is taken as silent
BLOCK = 1 << 16  # bytes read from an ffmpeg pipe at a time


class AudioError(ImaginecoleError):
    """A sound file that cannot be read or made: says which file and what to do."""


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    codec: str
    channels: int
    sample_rate: int


def tool(name: str) -> str:
    """The path of ffmpeg, ffprobe or espeak-ng; AudioError when it is not installed."""
    path = shutil.which(name)
    if path is None:
        raise AudioError(
            "the program {tool} is missing; install it (./studio install does) and try again",
            tool=name,
        )
    return path


def _run(args: list[str], path: Path | str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, errors="replace", check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1][:300]
        if path is not None:
            raise AudioError(
                "the sound file « {file} » cannot be read ({why}); "
                "export it again as WAV or MP3 and add it again",
                file=Path(path).name,
                why=last,
            )
        raise AudioError("ffmpeg failed ({why})", why=last)
    return result


def probe(path: Path | str) -> AudioInfo:
    """Duration (s), codec, channels and sample rate of the first sound stream of `path`.

    AudioError, naming the file, when it is missing, not an allowed type,
    corrupt, holds no sound or lasts more than 4 hours.
    """
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in PODCAST_AUDIO_EXTENSIONS:
        raise AudioError(
            "« {file} » is not an allowed sound file (.{ext}); use {allowed}",
            file=path.name,
            ext=ext,
            allowed=", ".join(sorted(PODCAST_AUDIO_EXTENSIONS)),
        )
    if not path.is_file():
        raise AudioError("the sound file « {file} » is missing; add it again", file=path.name)
    result = _run(
        [
            tool("ffprobe"),
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=codec_name,channels,sample_rate,duration:format=duration",
            "-of",
            "json",
            str(path),
        ],
        path,
    )
    try:
        data = json.loads(result.stdout or "{}")
    except ValueError:
        data = {}
    streams = data.get("streams") or []
    if not streams:
        raise AudioError(
            "the file « {file} » holds no sound; export it again as WAV or MP3 and add it again",
            file=path.name,
        )
    stream = streams[0]
    duration = _number(stream.get("duration")) or _number(
        (data.get("format") or {}).get("duration")
    )
    if duration is None:
        duration = _decoded_duration(path)
    if duration > MAX_SOURCE_SECONDS:
        raise AudioError(
            "« {file} » lasts {minutes:.0f} minutes; the limit is {limit} hours. Cut it first",
            file=path.name,
            minutes=duration / 60,
            limit=MAX_SOURCE_SECONDS // 3600,
        )
    return AudioInfo(
        duration=duration,
        codec=str(stream.get("codec_name") or ""),
        channels=int(stream.get("channels") or 0),
        sample_rate=int(_number(stream.get("sample_rate")) or 0),
    )


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _decoded_duration(path: Path) -> float:
    """Duration found by decoding (webm from MediaRecorder states none in its header)."""
    result = _run(
        [tool("ffmpeg"), "-hide_banner", "-nostats", "-i", str(path), "-f", "null", "-"],
        path,
    )
    times = re.findall(r"time=(\d+):(\d+):(\d+(?:\.\d+)?)", result.stderr)
    if not times:
        raise AudioError(
            "the file « {file} » holds no sound; export it again as WAV or MP3 and add it again",
            file=path.name,
        )
    h, m, s = times[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def _pcm_stream(path: Path, rate: int):
    """Blocks of mono signed 16-bit samples of `path` at `rate` Hz, decoded by ffmpeg."""
    args = [
        tool("ffmpeg"),
        "-v",
        "error",
        "-i",
        str(path),
        "-vn",
        "-ac",
        "1",
        "-ar",
        str(rate),
        "-f",
        "s16le",
        "-",
    ]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        rest = b""
        while True:
            data = proc.stdout.read(BLOCK)
            if not data:
                break
            data = rest + data
            cut = len(data) - len(data) % 2
            rest = data[cut:]
            yield array("h", data[:cut])
        error = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.wait() != 0:
            raise AudioError(
                "the sound file « {file} » cannot be read ({why}); "
                "export it again as WAV or MP3 and add it again",
                file=path.name,
                why=(error.strip().splitlines() or ["?"])[-1][:300],
            )


def peaks(path: Path | str, n: int = 800) -> list[float]:
    """`n` peak levels (0…1) across the whole of `path`, for drawing its waveform.

    Decoded by ffmpeg at a low rate and read block by block: memory stays small.
    """
    path = Path(path)
    n = max(1, int(n))
    info = probe(path)
    rate = 4000 if info.duration < 3600 else 1000
    total = max(1, int(info.duration * rate))
    per = max(1, math.ceil(total / n))
    out = [0.0] * n
    index = 0
    for block in _pcm_stream(path, rate):
        pos = 0
        while pos < len(block):
            bucket = min(n - 1, index // per)
            take = min(len(block) - pos, per - index % per)
            chunk = block[pos : pos + take]
            level = max(max(chunk), -min(chunk)) / 32768
            if level > out[bucket]:
                out[bucket] = level
            pos += take
            index += take
    return [round(min(1.0, v), 4) for v in out]


def _analyse(path: Path, audio_filter: str) -> subprocess.CompletedProcess:
    """ffmpeg run over `path` through `audio_filter`, output discarded (the filter logs)."""
    return _run(
        [
            tool("ffmpeg"),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-vn",
            "-af",
            audio_filter,
            "-f",
            "null",
            "-",
        ],
        path,
    )


def max_volume(path: Path | str) -> float:
    """The loudest sample of `path` in dBFS (−inf for digital silence), by ffmpeg volumedetect."""
    path = Path(path)
    result = _analyse(path, "volumedetect")
    found = re.findall(r"max_volume:\s*(-?[\d.]+|-inf) dB", result.stderr)
    if not found or found[-1] == "-inf":
        return -math.inf
    return float(found[-1])


def is_silent(path: Path | str, threshold_db: float = SILENCE_DB) -> bool:
    """True when `path` has no sound louder than `threshold_db` (a muted microphone)."""
    return max_volume(path) < threshold_db


@dataclass(frozen=True)
class Loudness:
    lufs: float  # integrated loudness (EBU R128 / ITU BS.1770)
    true_peak: float  # dBTP


def measure(path: Path | str) -> Loudness:
    """Integrated loudness and true peak of `path`, by ffmpeg's ebur128 filter (streaming)."""
    path = Path(path)
    result = _analyse(path, "ebur128=peak=true:framelog=verbose")
    summary = result.stderr[result.stderr.rfind("Summary:") :]
    lufs = re.search(r"I:\s*(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS", summary)
    if lufs is None or peak is None:
        raise AudioError("cannot measure the loudness of « {file} »", file=path.name)

    def value(match: re.Match[str]) -> float:
        return -math.inf if match.group(1) == "-inf" else float(match.group(1))

    integrated = value(lufs)
    # ebur128 answers −70 LUFS (its absolute gate) for digital silence
    return Loudness(integrated if integrated > -70 else -math.inf, value(peak))
