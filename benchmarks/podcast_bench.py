"""Podcast benchmark: a 10-minute episode of 6 segments with a music bed, built to MP3 and Opus.

    .venv/bin/python benchmarks/podcast_bench.py              # about a minute on 2 cores
    .venv/bin/python benchmarks/podcast_bench.py --runs 1 --minutes 5 --long-minutes 0

Makes, in a temporary folder, a podcast bundle whose one episode holds 6 segments of
speech-like audio (espeak-ng narrations in French, each looped to a sixth of `--minutes`,
alternately a browser recording in WebM/Opus and an uploaded MP3) and a music bed (a chord of
tones with a slow tremolo) under the whole episode. Pinned to two cores, it builds the episode
`--runs` times from scratch with `imaginecole.podcast.build_episode` (decode, trim, fade,
high-pass, gate, concatenate, duck the bed, two-pass loudnorm, encode MP3 and Opus, measure
the encoded files), then once more unchanged (the cache). Reports the wall time, the CPU
seconds of the ffmpeg children, the speed against real time (target ≥ 30×), the sizes of the
MP3 and the Opus (target ≤ 2 MB) and the loudness and true peak measured on both outputs.
Then (`--long-minutes`, 120 by default, 0 to skip) it builds an episode from ONE long
recording (a two-hour class session in WebM/Opus) in a child process and reports its wall
time and peak memory: the builder streams through ffmpeg, it never holds the audio whole.
Writes benchmarks/results/podcast_bench.md and podcast_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bench_common import (
    ChildrenPeak,
    cpu_seconds,
    peak_kib,
    pin_two_cores,
    report_head,
    run_facts,
    scratch_folder,
    tool_version,
    write_results,
)

SPEED_TARGET = 30.0  # times faster than real time
OPUS_TARGET = 2_000_000  # bytes for a 10-minute episode
SEGMENTS = 6
NARRATIONS = (
    "Bonjour à toutes et à tous, et bienvenue sur la radio de l'école. Aujourd'hui, les élèves "
    "de la classe de CM2 vont vous raconter leur semaine : le jardin, la bibliothèque, le match "
    "de football contre l'école voisine, et la visite du marché.",
    "Dans le jardin de l'école, nous avons planté des tomates, des gombos et des oignons. Chaque "
    "matin, avant la classe, deux élèves arrosent les plants. Le maître dit qu'il faut être "
    "patient : les premières tomates arriveront dans un mois.",
    "À la bibliothèque, Awa a lu un conte sur l'hyène et le lièvre. Le lièvre est petit, mais "
    "il est malin : il gagne toujours à la fin. Qui d'entre vous connaît ce conte ? Écrivez-nous "
    "pour nous raconter votre version.",
)
COLUMNS = (
    "measure | runs: | median (s): | max (s): | CPU s: | × real time: | × real time per CPU-s: "
    "| target | met"
)


def run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def make_podcast(folder: Path, minutes: float) -> dict[str, Any]:
    """A podcast bundle in `folder`: one episode of 6 long segments and a music bed."""
    media = folder / "media"
    media.mkdir(parents=True)
    seconds = minutes * 60 / SEGMENTS
    segments = []
    for n in range(SEGMENTS):
        voice = ("fr", "fr+f3", "fr+m3")[n % 3]
        narration = folder / f"narration{n}.wav"
        run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(narration), NARRATIONS[n % 3]])
        # alternately a browser recording (WebM/Opus) and an uploaded MP3
        if n % 2 == 0:
            name, codec = f"s{n + 1}.webm", ["-c:a", "libopus", "-b:a", "32k"]
        else:
            name, codec = f"s{n + 1}.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]
        run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1"]
            + ["-i", str(narration), "-t", f"{seconds:.3f}", "-ac", "1", "-ar", "48000"]
            + [*codec, str(media / name)]
        )
        narration.unlink()
        segments.append(
            {
                "id": f"s{n + 1}",
                "kind": "recording" if n % 2 == 0 else "file",
                "src": f"media/{name}",
                "title": f"Partie {n + 1}",
                "trim_start": 0.0,
                "trim_end": None,
                "fade_in": 0.1,
                "fade_out": 0.3,
                "gap_after": 0.5,
            }
        )
    length = f"{minutes * 60 + 10:.0f}"
    tones = "".join(
        f"sine=frequency={f}:duration={length}[t{i}];" for i, f in enumerate((220, 277, 330))
    )
    run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-filter_complex"]
        + [tones + "[t0][t1][t2]amix=inputs=3,tremolo=f=0.5:d=0.4,volume=0.3"]
        + ["-ac", "1", "-c:a", "libmp3lame", "-b:a", "96k", str(media / "bed.mp3")]
    )
    manifest = {
        "schema_version": 1,
        "type": "podcast",
        "id": str(uuid.uuid4()),
        "metadata": {
            "title": "Banc d'essai : la radio de l'école",
            "description": "Un épisode de dix minutes pour mesurer la fabrication.",
            "language": "fr",
            "licence": "CC-BY-SA-4.0",
            "authors": [{"name": "Imaginecole"}],
        },
        "settings": {"channels": "mono", "mp3_bitrate": 64, "opus_bitrate": 24},
        "episodes": [
            {
                "id": "e1",
                "title": "La semaine de la classe",
                "number": 1,
                "segments": segments,
                "music_bed": {"src": "media/bed.mp3", "volume_db": -20},
            }
        ],
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8"
    )
    return manifest


def build_once(folder: Path) -> tuple[float, float, Any]:
    """Build episode e1 of `folder`: (wall s, CPU s of this process and its children, built)."""
    from imaginecole.podcast import build_episode

    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    cpu, start = cpu_seconds(), time.perf_counter()
    built = build_episode(manifest, folder, "e1")
    return time.perf_counter() - start, cpu_seconds() - cpu, built


def make_long(folder: Path, minutes: float) -> None:
    """A podcast bundle in `folder` whose one episode is one `minutes`-long recording."""
    make_podcast(folder, minutes=0.1)  # the manifest and short media, then one long segment
    media = folder / "media"
    narration = folder / "narration.wav"
    run(["espeak-ng", "-v", "fr", "-s", "150", "-w", str(narration), NARRATIONS[0]])
    run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(narration)]
        + ["-t", f"{minutes * 60:.0f}", "-ac", "1", "-ar", "48000", "-c:a", "libopus"]
        + ["-b:a", "32k", str(media / "long.webm")]
    )
    narration.unlink()
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    episode = manifest["episodes"][0]
    episode["segments"] = [dict(episode["segments"][0], id="long", src="media/long.webm")]
    episode.pop("music_bed", None)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


def long_child(folder: Path) -> None:
    """In a child process: build the long episode, print wall time and peak memory (JSON)."""
    with ChildrenPeak() as children:
        wall, _cpu, built = build_once(folder)
    print(
        json.dumps(
            {
                "wall_s": wall,
                "duration_s": built.duration,
                "python_kib": peak_kib(),
                "largest_ffmpeg_kib": children.kib,
            }
        )
    )


def measure_long(work: Path, minutes: float) -> dict[str, Any]:
    folder = work / "long"
    make_long(folder, minutes)
    size = (folder / "media" / "long.webm").stat().st_size
    out = subprocess.run(
        [sys.executable, __file__, "--long-child", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    pcm_mb = found["duration_s"] * 48000 * 4 / 1e6  # what the audio would take decoded (float)
    return {**found, "input_bytes": size, "pcm_mb": round(pcm_mb)}


def report(results: dict[str, Any]) -> str:
    facts = (f"load average {results['load']} before the runs",)
    lines = report_head("Podcast benchmark", results, results["ffmpeg"], COLUMNS, facts)
    for row in results["rows"]:
        speed = row["speed"]
        target = row.get("target")
        met = "" if target is None else ("yes" if speed >= target else "**no**")
        cpu = row["cpu_s"]
        speed_text = f"{speed:.1f}×" if row["median_s"] >= 0.01 else "— (answered by the cache)"
        cpu_speed = f"{results['duration_s'] / cpu:.1f}×" if cpu >= 0.01 else "—"
        lines.append(
            f"| {row['label']} | {row['runs']} | {row['median_s']} | {row['max_s']} | "
            f"{row['cpu_s']} | {speed_text} | {cpu_speed} | "
            f"{f'≥ {target:g}×' if target else '—'} | {met} |"
        )
    out = results["outputs"]
    opus_met = "yes" if out["opus_bytes"] <= OPUS_TARGET else "**no**"
    lines += [
        "",
        "| output | size (bytes) | loudness (LUFS) | true peak (dBTP) | target | met |",
        "|---|---:|---:|---:|---|---|",
        f"| MP3 ({results['mp3_bitrate']} kbps CBR mono) | {out['mp3_bytes']:,} | "
        f"{out['lufs_mp3']} | {out['true_peak_mp3']} | −19 LUFS ± 1, ≤ −1 dBTP | "
        f"{out['mp3_loudness_met']} |",
        f"| Opus ({results['opus_bitrate']} kbps mono) | {out['opus_bytes']:,} | "
        f"{out['lufs_opus']} | {out['true_peak_opus']} | ≤ 2 MB; −19 LUFS ± 1, ≤ −1 dBTP | "
        f"{opus_met}; {out['opus_loudness_met']} |",
        "",
        f"The episode lasts {results['duration_s']} s (6 segments of looped espeak-ng narration, "
        "alternately WebM/Opus and MP3, 0.5 s gaps, a music bed ducked under the voices). Each "
        "run builds it from scratch with `imaginecole.podcast.build_episode` (the build/ folder "
        "is removed first); the last row builds it again unchanged, which the cache answers. "
        "× real time: the episode's duration over the wall time. CPU s: user + system time of "
        "the benchmark and its ffmpeg children per run (median); × real time per CPU-s: the "
        "duration over those CPU seconds, what the build would reach with a core to itself "
        "(the steps run one after the other). Loudness and true peak: "
        "measured on the encoded files by the builder (ffmpeg `ebur128=peak=true`).",
    ]
    long = results.get("long")
    if long:
        lines += [
            "",
            "| long recording | input | built in (s) | × real time | peak memory: Python / "
            "largest ffmpeg (MB) | decoded audio would take (MB) |",
            "|---|---:|---:|---:|---:|---:|",
            f"| {long['duration_s'] / 60:.0f} minutes, one WebM/Opus segment | "
            f"{long['input_bytes'] / 1e6:.1f} MB | {long['wall_s']:.1f} | "
            f"{long['duration_s'] / long['wall_s']:.1f}× | {long['python_kib'] / 1024:.0f} / "
            f"{long['largest_ffmpeg_kib'] / 1024:.0f} | {long['pcm_mb']:,} |",
            "",
            "Built in a child process of its own. Peak resident memory is each process's own "
            "VmHWM: the build's Python at its end, and every ffmpeg it starts read every 20 ms "
            "(not `ru_maxrss`, which a child inherits from its parent).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="builds from scratch (3)")
    parser.add_argument("--minutes", type=float, default=10.0, help="episode length (10)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--long-minutes", type=float, default=120.0, help="long recording to build (120; 0: skip)"
    )
    parser.add_argument("--long-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.long_child:
        long_child(args.long_child)
        return 0
    cpus = pin_two_cores()  # the ffmpeg children inherit the two cores

    with scratch_folder("imaginecole-podcast-bench-", args.keep) as work:
        folder = work / "podcast"
        manifest = make_podcast(folder, args.minutes)
        load = round(os.getloadavg()[0], 1)
        walls, cpu_times, built = [], [], None
        for n in range(args.runs):
            shutil.rmtree(folder / "build", ignore_errors=True)
            wall, cpu, built = build_once(folder)
            walls.append(wall)
            cpu_times.append(cpu)
            print(f"build {n + 1}: {wall:.2f} s, {built.duration:.1f} s of audio", file=sys.stderr)
        cached_wall, cached_cpu, _built = build_once(folder)
        duration = float(built.duration)
        rows = [
            {
                "label": f"build a {duration / 60:.1f}-minute episode (6 segments + music bed)",
                "runs": args.runs,
                "median_s": round(statistics.median(walls), 2),
                "max_s": round(max(walls), 2),
                "cpu_s": round(statistics.median(cpu_times), 2),
                "speed": duration / statistics.median(walls),
                "target": SPEED_TARGET,
            },
            {
                "label": "build again, unchanged (cache)",
                "runs": 1,
                "median_s": round(cached_wall, 4),
                "max_s": round(cached_wall, 4),
                "cpu_s": round(cached_cpu, 3),
                "speed": duration / max(cached_wall, 1e-6),
            },
        ]

        def loudness_met(lufs: float, peak: float) -> str:
            return "yes" if abs(lufs + 19) <= 1 and peak <= -1 else "**no**"

        outputs = {
            "mp3_bytes": Path(built.mp3).stat().st_size,
            "opus_bytes": Path(built.opus).stat().st_size,
            "lufs_mp3": round(built.lufs_mp3, 1),
            "true_peak_mp3": round(built.true_peak_mp3, 1),
            "lufs_opus": round(built.lufs_opus, 1),
            "true_peak_opus": round(built.true_peak_opus, 1),
            "mp3_loudness_met": loudness_met(built.lufs_mp3, built.true_peak_mp3),
            "opus_loudness_met": loudness_met(built.lufs_opus, built.true_peak_opus),
        }
        results = {
            **run_facts(cpus),
            "ffmpeg": tool_version(["ffmpeg", "-version"]),
            "load": load,
            "duration_s": round(duration, 1),
            "mp3_bitrate": manifest["settings"]["mp3_bitrate"],
            "opus_bitrate": manifest["settings"]["opus_bitrate"],
            "walls_s": [round(w, 3) for w in walls],
            "rows": rows,
            "outputs": outputs,
            "warnings": [str(getattr(w, "msgid", w)) for w in built.warnings],
        }
        if args.long_minutes > 0:
            results["long"] = measure_long(work, args.long_minutes)
        write_results("podcast_bench", results, report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
