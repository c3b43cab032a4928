"""Building an episode: segments → cleaned PCM → mix with ducked jingle/bed → loudness → MP3/Opus.

All the audio work is done by ffmpeg in subprocesses that stream; Python only
writes filter graphs and reads the measurements ffmpeg prints. After encoding,
each output is measured again (ebur128, true peak) and re-encoded once with a
corrected gain if it is more than 1 LU off target or peaks above −1 dBTP.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import Message
from .audio import AudioError, Loudness, is_silent, measure, probe, tool
from .model import MP3_BITRATE, OPUS_BITRATE, TARGET_LUFS
from .speech import narrate
from .validate import segments

BUILD_DIR = "build"
RATE = 48000
TRUE_PEAK_LIMIT = -1.5  # dBTP asked of loudnorm
TRUE_PEAK_MAX = -1.0  # dBTP allowed in the encoded files
TOLERANCE_LU = 1.0
SEGMENT_WORKERS = 2  # segments decoded side by side (2 cores)
# dB between the true-peak limit and the limiter's sample-peak ceiling, per codec: room for
# inter-sample overs and for the encoder's own overshoot (Opus at 24 kbps overshoots by ~3 dB)
HEADROOM = {"mp3": 1.0, "opus": 3.5}
# dB of makeup gain when the limiter bites on the first encode: what it takes off speech
# (measured on the benchmark episode: −0.6 LU for MP3, −1.0 LU for Opus without it)
LIMITER_MAKEUP = {"mp3": 0.4, "opus": 0.8}
MP3_QUALITY = "7"  # lame -q: 7 is half the CPU of the default 3, inaudible at 64 kbps speech
OPUS_COMPLEXITY = "5"  # libopus 0–10: 5 halves the CPU of 10 for speech at 24 kbps
_VERSION = "4"  # bump when the pipeline changes, so cached builds are redone


@dataclass
class BuiltEpisode:
    mp3: Path
    opus: Path
    duration: float
    chapters: list[dict[str, Any]]
    lufs_mp3: float
    true_peak_mp3: float
    lufs_opus: float
    true_peak_opus: float
    warnings: list[Message] = field(default_factory=list)
    cached: bool = False


def episode_by_id(manifest: dict[str, Any], episode_id: str) -> dict[str, Any]:
    for episode in manifest.get("episodes") or []:
        if isinstance(episode, dict) and episode.get("id") == episode_id:
            return episode
    raise AudioError("the podcast has no episode « {id} »", id=episode_id)


def _pcm_out(out: Path, channels: int) -> list[str]:
    """ffmpeg output arguments: 16-bit PCM at RATE with `channels` channels, to `out`."""
    return ["-ac", str(channels), "-ar", str(RATE), "-c:a", "pcm_s16le", str(out)]


def _ffmpeg(args: list[str], what: str) -> str:
    result = subprocess.run(
        [tool("ffmpeg"), "-hide_banner", "-nostats", "-y", *args],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1][:300]
        raise AudioError(
            "the sound file « {file} » cannot be read ({why}); "
            "export it again as WAV or MP3 and add it again",
            file=what,
            why=last,
        )
    return result.stderr


def _wav_seconds(path: Path, channels: int) -> float:
    """Duration of a PCM s16 WAV written by ffmpeg, from its size (no decoding)."""
    return max(0.0, (path.stat().st_size - 78) / (RATE * channels * 2))


def _inputs_hash(manifest: dict[str, Any], folder: Path, episode: dict[str, Any]) -> str:
    files = {}
    for item in [
        *[s for _j, s in segments(episode)],
        episode.get("intro_jingle"),
        episode.get("music_bed"),
    ]:
        if isinstance(item, dict) and isinstance(item.get("src"), str):
            path = folder / item["src"]
            if path.is_file():
                stat = path.stat()
                files[item["src"]] = [stat.st_size, stat.st_mtime_ns]
    key = {
        "v": _VERSION,
        "episode": episode,
        "settings": manifest.get("settings"),
        "title": (manifest.get("metadata") or {}).get("title"),
        "author": (manifest.get("show") or {}).get("author"),
        "files": files,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def _segment_source(segment: dict[str, Any], folder: Path, work: Path) -> Path:
    if segment.get("kind") == "speech":
        voice = str(segment.get("voice") or "fr")
        return narrate(str(segment.get("text") or ""), voice, work / f"speech-{segment['id']}.wav")
    return folder / str(segment.get("src"))


def _render_segment(
    segment: dict[str, Any], source: Path, out: Path, channels: int
) -> tuple[float, float]:
    """Decode, trim, filter and fade one segment to PCM; (seconds of sound, gap after)."""
    info = probe(source)
    start = float(segment.get("trim_start") or 0.0)
    end = segment.get("trim_end")
    end = min(float(end), info.duration) if isinstance(end, (int, float)) else info.duration
    if start >= end:
        raise AudioError(
            "the trim of « {file} » leaves no sound (from {start} s to {end} s); "
            "move the trim handles",
            file=source.name,
            start=start,
            end=round(end, 2),
        )
    length = end - start
    filters = []
    if segment.get("kind") != "jingle":
        filters += [
            "highpass=f=80",
            "agate=threshold=0.008:ratio=2:attack=10:release=250:range=0.25",
        ]
    fade_in = min(float(segment.get("fade_in") or 0.0), length)
    fade_out = min(float(segment.get("fade_out") or 0.0), length)
    if fade_in > 0:
        filters.append(f"afade=t=in:st=0:d={fade_in:.3f}")
    if fade_out > 0:
        filters.append(f"afade=t=out:st={length - fade_out:.3f}:d={fade_out:.3f}")
    gap = float(segment.get("gap_after") if segment.get("gap_after") is not None else 0.5)
    if gap > 0:
        filters.append(f"apad=pad_dur={gap:.3f}")
    filters.append(f"aformat=sample_fmts=s16:sample_rates={RATE}")
    _ffmpeg(
        [
            "-ss",
            f"{start:.3f}",
            "-t",
            f"{length:.3f}",
            "-i",
            str(source),
            "-vn",
            "-af",
            ",".join(filters),
            *_pcm_out(out, channels),
        ],
        source.name,
    )
    return length, gap


def _mix(
    listing: Path,
    episode: dict[str, Any],
    folder: Path,
    out: Path,
    channels: int,
) -> tuple[float, Loudness]:
    """Concatenate the segments listed in `listing` and mix them with the intro jingle and
    music bed (ducked), measuring the mix in the same pass; (the lead, the mix's level)."""
    jingle, bed = episode.get("intro_jingle"), episode.get("music_bed")
    voice = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    if not isinstance(jingle, dict) and not isinstance(bed, dict):
        _ffmpeg([*voice, "-c", "copy", str(out)], "voice")
        return 0.0, _measure_mix(out)
    lead = float(jingle.get("lead", 3.0)) if isinstance(jingle, dict) else 0.0
    args = list(voice)
    layout = "mono" if channels == 1 else "stereo"
    fmt = f"aformat=sample_fmts=fltp:sample_rates={RATE}:channel_layouts={layout}"
    delay = int(round(lead * 1000))
    graph = [f"[0:a]{fmt},adelay={delay}:all=1,asplit=3[v][sc1][sc2]"]
    mix = ["[v]"]
    if isinstance(jingle, dict):
        args += ["-i", str(folder / jingle["src"])]
        duck = float(jingle.get("duck_db", 14))
        ratio = max(1.0, min(20.0, 20.0 / max(0.5, 20.0 - min(duck, 19.5))))
        graph.append(
            f"[1:a]{fmt}[j];[j][sc1]sidechaincompress=threshold=0.01:ratio={ratio:.2f}:"
            f"attack=20:release=400:makeup=1[jd]"
        )
        mix.append("[jd]")
    else:
        graph.append("[sc1]anullsink")
    if isinstance(bed, dict):
        index = 1 + isinstance(jingle, dict)
        args += ["-stream_loop", "-1", "-i", str(folder / bed["src"])]
        volume = float(bed.get("volume_db", -20))
        graph.append(
            f"[{index}:a]{fmt},volume={volume}dB[b];[b][sc2]sidechaincompress="
            f"threshold=0.01:ratio=6:attack=20:release=400:makeup=1[bd]"
        )
        mix.append("[bd]")
    else:
        graph.append("[sc2]anullsink")
    graph.append(
        f"{''.join(mix)}amix=inputs={len(mix)}:duration=first:dropout_transition=0:normalize=0,"
        "ebur128=peak=sample[out]"
    )
    stderr = _ffmpeg(
        [
            *args,
            "-filter_complex",
            ";".join(graph),
            "-map",
            "[out]",
            *_pcm_out(out, channels),
        ],
        out.name,
    )
    return lead, _summary(stderr, out)


def _gain_filter(gain_db: float, peak_db: float, ceiling_db: float) -> str:
    """A linear gain of `gain_db`, with a look-ahead limiter at `ceiling_db` (sample peak)
    only when the sample peak `peak_db` (before the gain) would otherwise pass it."""
    graph = f"volume={gain_db:.2f}dB"
    if peak_db + gain_db > ceiling_db:
        limit = 10 ** (ceiling_db / 20)
        graph += f",alimiter=limit={limit:.4f}:level=false:latency=true:attack=5:release=60"
    return graph


def _measure_mix(path: Path) -> Loudness:
    """Integrated loudness and *sample* peak of the PCM mix (ebur128 without its 4× oversampling,
    less than half the CPU); the encoded files are measured with the true peak."""
    stderr = _ffmpeg(
        ["-i", str(path), "-vn", "-af", "ebur128=peak=sample", "-f", "null", "-"], path.name
    )
    return _summary(stderr, path)


def _summary(stderr: str, path: Path) -> Loudness:
    """The integrated loudness and sample peak in the summary ebur128 printed to `stderr`."""
    summary = stderr[stderr.rfind("Summary:") :]
    lufs = re.search(r"I:\s*(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Sample peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS", summary)
    if lufs is None or peak is None:
        raise AudioError("cannot measure the loudness of « {file} »", file=path.name)
    integrated = -math.inf if lufs.group(1) == "-inf" else float(lufs.group(1))
    sample_peak = -math.inf if peak.group(1) == "-inf" else float(peak.group(1))
    return Loudness(integrated if integrated > -70 else -math.inf, sample_peak)


def _normalise(level: Loudness, target: float) -> tuple[float, float]:
    """Loudness, pass 1: from the mix's `level` (ebur128); (the linear gain to the target in dB, the
    sample peak) for pass 2, `_gain_filter` (like loudnorm's linear mode, without its 192 kHz
    work)."""
    if not math.isfinite(level.lufs):
        return 0.0, -math.inf  # digital silence: nothing to normalise
    return target - level.lufs, level.true_peak


def _encode_args(
    source: Path,
    out: Path,
    codec: str,
    bitrate: int,
    channels: int,
    tags: dict[str, str],
    graph: str,
) -> list[str]:
    args = ["-i", str(source), "-vn", "-af", graph]
    if codec == "mp3":
        args += ["-ar", "44100", "-c:a", "libmp3lame", "-b:a", f"{bitrate}k"]
        args += ["-compression_level", MP3_QUALITY, "-id3v2_version", "3"]
    else:
        args += [
            "-ar",
            str(RATE),
            "-c:a",
            "libopus",
            "-b:a",
            f"{bitrate}k",
            "-vbr",
            "constrained",
            "-application",
            "audio",  # voip mode filters and shapes the speech: the loudness moved by ~1 LU
            "-compression_level",
            OPUS_COMPLEXITY,
        ]
    for key, value in tags.items():
        if value:
            args += ["-metadata", f"{key}={value}"]
    return [*args, "-ac", str(channels), str(out)]


def _parallel(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run `jobs` (each waiting on an ffmpeg process) side by side; their results in order."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(job) for job in jobs]
        return [f.result() for f in futures]


def _encode_checked(
    source: Path,
    outputs: list[tuple[Path, str, int]],
    channels: int,
    tags: dict[str, str],
    target: float,
    gain: float,
    peak: float,
) -> list[Loudness]:
    """Encode each (file, codec, bitrate) side by side, measure the encoded files, and
    re-encode once those more than 1 LU off target or peaking over −1 dBTP, with the gain
    corrected by what the encoded file measured and a lower limiter ceiling for overs."""

    def encode(out: Path, codec: str, bitrate: int, gain: float, ceiling: float) -> Loudness:
        graph = _gain_filter(gain, peak, ceiling) if math.isfinite(peak) else "anull"
        _ffmpeg(_encode_args(source, out, codec, bitrate, channels, tags, graph), out.name)
        return measure(out)

    ceilings = [TRUE_PEAK_LIMIT - HEADROOM[codec] for _o, codec, _b in outputs]
    gains = [
        gain + (LIMITER_MAKEUP[codec] if peak + gain > ceiling else 0.0)
        for (_o, codec, _b), ceiling in zip(outputs, ceilings, strict=True)
    ]
    levels = _parallel(
        [
            lambda o=o, g=g, c=c: encode(*o, g, c)
            for o, g, c in zip(outputs, gains, ceilings, strict=True)
        ]
    )
    redo = []
    for index, (output, level) in enumerate(zip(outputs, levels, strict=True)):
        if not math.isfinite(level.lufs):
            continue
        if abs(level.lufs - target) > TOLERANCE_LU or level.true_peak > TRUE_PEAK_MAX:
            fixed_gain = gains[index] + target - level.lufs  # what the encoded file missed
            ceiling = ceilings[index]
            if level.true_peak > TRUE_PEAK_MAX:  # the limiter must bite harder than last time
                ceiling -= level.true_peak - TRUE_PEAK_LIMIT
            redo.append((index, lambda o=output, g=fixed_gain, c=ceiling: encode(*o, g, c)))
    if redo:
        for (index, _job), level in zip(redo, _parallel([j for _i, j in redo]), strict=True):
            levels[index] = level
    return levels


def _chapters(episode: dict[str, Any], starts: list[tuple[float, dict[str, Any]]]):
    given = episode.get("chapters")
    if isinstance(given, list) and given:
        return [{"start": float(c["start"]), "title": str(c["title"])} for c in given]
    return [
        {"start": round(start, 3), "title": str(segment["title"])}
        for start, segment in starts
        if str(segment.get("title") or "").strip()
    ]


def build_episode(
    manifest: dict[str, Any],
    folder: Path | str,
    episode_id: str,
    *,
    progress: Callable[[float, Message], None] | None = None,
) -> BuiltEpisode:
    """Build `build/<episode_id>.mp3` and `.opus` in the bundle `folder`.

    Unchanged inputs (manifest of the episode, settings, source files) reuse the
    previous build. `progress(fraction, message)` is called along the way.
    Raises AudioError naming the file for unreadable sources.
    """
    folder = Path(folder)
    episode = episode_by_id(manifest, episode_id)
    settings = manifest.get("settings") or {}
    layout = settings.get("channels", "mono")
    channels = 2 if layout == "stereo" else 1
    target = TARGET_LUFS.get(layout, -19.0)
    mp3_rate = int(settings.get("mp3_bitrate") or MP3_BITRATE.get(layout, 64))
    opus_rate = int(settings.get("opus_bitrate") or OPUS_BITRATE)
    out_dir = folder / BUILD_DIR
    out_dir.mkdir(exist_ok=True)
    mp3, opus = out_dir / f"{episode_id}.mp3", out_dir / f"{episode_id}.opus"
    record = out_dir / f"{episode_id}.json"
    digest = _inputs_hash(manifest, folder, episode)
    if mp3.is_file() and opus.is_file() and record.is_file():
        try:
            saved = json.loads(record.read_text("utf-8"))
        except ValueError:
            saved = {}
        if saved.get("hash") == digest:
            result = saved["result"]
            return BuiltEpisode(
                mp3=mp3,
                opus=opus,
                duration=result["duration"],
                chapters=result["chapters"],
                lufs_mp3=result["lufs_mp3"],
                true_peak_mp3=result["true_peak_mp3"],
                lufs_opus=result["lufs_opus"],
                true_peak_opus=result["true_peak_opus"],
                warnings=[Message(w["message"], **w["values"]) for w in saved.get("warnings", [])],
                cached=True,
            )

    def step(fraction: float, message: str, **values: Any) -> None:
        if progress is not None:
            progress(fraction, Message(message, **values))

    items = list(segments(episode))
    if not items:
        raise AudioError(
            "the episode « {title} » has no segment yet; record or add one",
            title=episode.get("title", episode_id),
        )
    warnings: list[Message] = []
    with tempfile.TemporaryDirectory(prefix="podcast-", dir=out_dir) as tmp:
        work = Path(tmp)
        parts: list[Path] = []
        starts: list[tuple[float, dict[str, Any]]] = []
        position = 0.0
        step(0.0, "preparing segment {n} of {count}", n=1, count=len(items))

        def prepare(j: int, segment: dict[str, Any]) -> tuple[Path, Path, bool]:
            source = _segment_source(segment, folder, work)
            part = work / f"part{j:03d}.wav"
            _render_segment(segment, source, part, channels)
            return source, part, segment.get("kind") != "speech" and is_silent(part)

        # two segments at a time: each ffmpeg decode is single-threaded
        with ThreadPoolExecutor(max_workers=SEGMENT_WORKERS) as pool:
            futures = [pool.submit(prepare, j, segment) for j, segment in items]
            for (j, segment), future in zip(items, futures, strict=True):
                source, part, silent = future.result()
                step(
                    0.6 * (j + 1) / len(items),
                    "preparing segment {n} of {count}",
                    n=min(j + 2, len(items)),
                    count=len(items),
                )
                if silent:
                    warnings.append(
                        Message(
                            "the recording « {file} » seems silent; check the microphone "
                            "and record it again",
                            file=source.name,
                        )
                    )
                starts.append((position, segment))
                position += _wav_seconds(part, channels)
                parts.append(part)
        listing = work / "parts.txt"
        listing.write_text("".join(f"file '{p.name}'\n" for p in parts), "utf-8")
        step(0.65, "mixing")
        mixed = work / "mix.wav"
        lead, level = _mix(listing, episode, folder, mixed, channels)
        starts = [(s + lead if j else 0.0, seg) for j, (s, seg) in enumerate(starts)]
        step(0.75, "adjusting the loudness")
        gain, peak = _normalise(level, target)
        meta = manifest.get("metadata") or {}
        show = manifest.get("show") or {}
        authors = ", ".join(
            str(a.get("name")) for a in meta.get("authors") or [] if isinstance(a, dict)
        )
        tags = {
            "title": str(episode.get("title") or ""),
            "artist": str(show.get("author") or authors),
            "album": str(meta.get("title") or ""),
            "track": str(episode.get("number") or ""),
        }
        step(0.85, "encoding the MP3 and Opus files")
        level_mp3, level_opus = _encode_checked(
            mixed,
            [(mp3, "mp3", mp3_rate), (opus, "opus", opus_rate)],
            channels,
            tags,
            target,
            gain,
            peak,
        )
        duration = _wav_seconds(mixed, channels)
    built = BuiltEpisode(
        mp3=mp3,
        opus=opus,
        duration=round(duration, 3),
        chapters=_chapters(episode, starts),
        lufs_mp3=level_mp3.lufs,
        true_peak_mp3=level_mp3.true_peak,
        lufs_opus=level_opus.lufs,
        true_peak_opus=level_opus.true_peak,
        warnings=warnings,
    )
    result = {k: v for k, v in asdict(built).items() if k not in ("mp3", "opus", "warnings")}
    record.write_text(
        json.dumps(
            {
                "hash": digest,
                "result": result,
                "warnings": [{"message": w.message, "values": w.values} for w in warnings],
            },
            default=str,
        ),
        "utf-8",
    )
    step(1.0, "done")
    return built


def preview_segment(
    manifest: dict[str, Any],
    folder: Path | str,
    episode_id: str,
    segment_id: str,
    out: Path | str,
    *,
    seconds: float = 30.0,
) -> Path:
    """A short MP3 (`out`) of one segment as the episode will play it: trimmed, cleaned,
    faded, brought near the loudness target; at most its first `seconds`."""
    folder, out = Path(folder), Path(out)
    episode = episode_by_id(manifest, episode_id)
    segment = next((s for _j, s in segments(episode) if s.get("id") == segment_id), None)
    if segment is None:
        raise AudioError("the episode has no segment « {id} »", id=segment_id)
    layout = (manifest.get("settings") or {}).get("channels", "mono")
    channels = 2 if layout == "stereo" else 1
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="preview-") as tmp:
        work = Path(tmp)
        source = _segment_source(segment, folder, work)
        part = work / "part.wav"
        _render_segment({**segment, "gap_after": 0}, source, part, channels)
        gain, peak = _normalise(_measure_mix(part), TARGET_LUFS.get(layout, -19.0))
        graph = _gain_filter(gain, peak, TRUE_PEAK_LIMIT - HEADROOM["mp3"])
        args = _encode_args(part, out, "mp3", 64, channels, {}, graph)
        _ffmpeg(["-t", f"{seconds:.3f}", *args], source.name)
    return out
