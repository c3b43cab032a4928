"""Comic benchmark: a 6-panel page to PNG and PDF, and a 20-page comic to EPUB.

    .venv/bin/python benchmarks/comic_bench.py                    # about a minute on 2 cores
    .venv/bin/python benchmarks/comic_bench.py --runs 10 --book-runs 1 --book-formats epub

Builds, in a temporary folder, a one-page comic whose page is a grid of six full panels (a
scene or a gradient, two characters, a prop, two bubbles, a caption and a sound effect per
panel, one photo) and a 20-page comic of such pages, in French with accents. Pinned to two
cores, it exports the page `--runs` times through the `png` and `pdf` exporters (what
`imaginecole export COMIC --to png|pdf` runs: load, validate, render, rasterise, write) and
the 20-page comic `--book-runs` times through each of `--book-formats`. Each measure starts
after one untimed warm-up export (imports, fonts, art). Reports the median, p95 and max per
run, seconds per page, and the targets of the issue: a page to PNG and to PDF ≤ 1 s, the
20-page EPUB ≤ 10 s. Writes benchmarks/results/comic_bench.md and comic_bench.json.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_common import (
    cpu_seconds,
    pin_two_cores,
    report_head,
    run_facts,
    scratch_folder,
    tool_version,
    write_results,
)

PAGE_TARGET = 1.0  # s per page, PNG and PDF, on 2 cores
EPUB_TARGET = 10.0  # s for a 20-page EPUB
BOOK_PAGES = 20
COLUMNS = (
    "measure | runs: | median (s): | p95 (s): | max (s): | s per page: | CPU s, median: | bytes: "
    "| load: | target | met"
)

CHARACTERS = [
    "openmoji:1F467-1F3FF",
    "openmoji:1F469-1F3FE-200D-1F3EB",
    "openmoji:1F9D5-1F3FD",
    "openmoji:1F474-1F3FE",
    "openmoji:1F466-1F3FB",
    "openmoji:1F468-1F3FF-200D-1F9B1",
    "openmoji:1F64B-1F3FD-200D-2642-FE0F",
    "openmoji:1F469-1F3FC-200D-1F9B3",
]
PROPS = ["openmoji:1F4D6", "openmoji:26BD", "openmoji:1F333", "openmoji:1F392", "openmoji:1F34E"]
LINES = [
    ("Bonjour ! Tu as fait tes devoirs de géométrie ?", "Oui, et j'ai même dessiné un hexagone."),
    ("Où est passé mon cahier ? Je l'avais à la récréation…", "Regarde sous le baobab !"),
    ("Aujourd'hui, nous étudions le fleuve Sénégal.", "Il prend sa source en Guinée ?"),
    ("Qui veut lire la première phrase à voix haute ?", "Moi, Madame ! Je lis très bien."),
    ("Dépêche-toi, la cloche va sonner !", "J'arrive, j'arrive… attends-moi !"),
    ("Ça fait combien, trois fois sept ?", "Vingt et un, c'est facile !"),
]
CAPTIONS = ["Le lendemain matin…", "Pendant ce temps, à l'école…", "À la récréation…"]
SFX = ["DRIIING !", "BOUM !", "SPLASH !", "CLAC !", "HOP !"]
STYLES = ["speech", "thought", "shout", "whisper"]


def photo_png() -> bytes:
    """A 640x480 photo-like image (gradient and shapes) for the one `image` element."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480))
    draw = ImageDraw.Draw(img)
    for y in range(480):
        draw.line([(0, y), (639, y)], fill=(90 + y // 4, 150 + y // 8, 220 - y // 4))
    draw.ellipse([420, 40, 560, 180], fill=(250, 200, 40))
    draw.rectangle([80, 260, 360, 460], fill=(180, 90, 60))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def six_panel_page(page_no: int, scenes: list[str], photo: str | None) -> dict[str, Any]:
    panels = []
    for i in range(6):
        n = page_no * 6 + i
        if i % 3 == 2:
            background = {"kind": "gradient", "from": "#87ceeb", "to": "#fdf6e3", "angle": 90}
        else:
            background = {"kind": "scene", "scene": scenes[n % len(scenes)]}
        first, second = LINES[n % len(LINES)]
        elements: list[dict[str, Any]] = [
            {"id": "a", "kind": "character", "art": CHARACTERS[n % len(CHARACTERS)],
             "x": 0.28, "y": 0.7, "scale": 0.5, "flip": False, "z": 1},
            {"id": "b", "kind": "character", "art": CHARACTERS[(n + 3) % len(CHARACTERS)],
             "x": 0.74, "y": 0.7, "scale": 0.5, "flip": True, "z": 2},
            {"id": "p", "kind": "prop", "art": PROPS[n % len(PROPS)],
             "x": 0.52, "y": 0.82, "scale": 0.16, "flip": False, "z": 3},
            {"id": "s1", "kind": "bubble", "style": STYLES[n % 4], "text": first,
             "speaker": "a", "x": 0.3, "y": 0.24, "w": 0.5, "h": 0.26, "z": 10},
            {"id": "s2", "kind": "bubble", "style": STYLES[(n + 1) % 4], "text": second,
             "speaker": "b", "x": 0.72, "y": 0.42, "w": 0.46, "h": 0.2, "z": 11},
            {"id": "c", "kind": "caption", "text": CAPTIONS[n % len(CAPTIONS)],
             "x": 0.25, "y": 0.06, "w": 0.46, "h": 0.1, "z": 12},
            {"id": "x", "kind": "sfx", "text": SFX[n % len(SFX)], "x": 0.8, "y": 0.12,
             "scale": 0.12, "rotate": -12, "color": "#c0392b", "z": 13},
        ]  # fmt: skip
        if photo and i == 0:
            elements.append(
                {
                    "id": "i",
                    "kind": "image",
                    "src": photo,
                    "alt": "Une photo de l'école.",
                    "x": 0.82,
                    "y": 0.32,
                    "scale": 0.3,
                    "flip": False,
                    "z": 4,
                }  # fmt: skip
            )
        panels.append(
            {
                "id": f"p{page_no + 1}-{i + 1}",
                "background": background,
                "elements": elements,
                "alt": f"Case {i + 1} : deux élèves discutent dans la cour de l'école.",
            }
        )
    return {"id": f"p{page_no + 1}", "layout": "grid6", "panels": panels}


def make_comic(folder: Path, pages: int) -> Path:
    from imaginecole.bundle import add_media, save_manifest
    from imaginecole.comic import comic_schema, new_comic

    folder.mkdir(parents=True)
    manifest = new_comic(
        language="fr",
        title=f"Banc d'essai : {pages} page(s) de six cases",
        description="Une BD générée pour mesurer le rendu des pages.",
        authors=[{"name": "Banc d'essai"}],
    )
    photo = add_media(folder, photo_png(), "photo.png")
    scenes = comic_schema()["$defs"]["scene"]["enum"]
    manifest["pages"] = [six_panel_page(p, scenes, photo if p == 0 else None) for p in range(pages)]
    save_manifest(folder, manifest)
    return folder


def time_exports(
    fmt: str, folder: Path, out_dir: Path, runs: int, **options: Any
) -> tuple[list[float], list[float]]:
    """Wall and CPU times of `runs` exports of `folder` to `fmt`, after one untimed warm-up."""
    from imaginecole.exports import get_exporter
    from imaginecole.exports.base import Bundle

    exporter = get_exporter(fmt)(**options)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = exporter.default_output(Bundle.load(folder), out_dir)
    exporter.export(Bundle.load(folder), out)  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = cpu_seconds(), time.perf_counter()
        exporter.export(Bundle.load(folder), out)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return walls, cpus


def time_cli(fmt: str, folder: Path, out_dir: Path, runs: int, *args: str) -> tuple[list, list]:
    """Wall and CPU times of `runs` cold exports: `imaginecole export` in a fresh process."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "imaginecole", "export", str(folder), "--to", fmt]
    command += [*args, "-o", str(out_dir)]
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = cpu_seconds(), time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=600)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return walls, cpus


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]


def summary(times: list[float], cpus: list[float], pages: int, output: Path) -> dict[str, Any]:
    size = (
        sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
        if output.is_dir()
        else output.stat().st_size
    )
    return {
        "runs": len(times),
        "pages": pages,
        "median_s": round(statistics.median(times), 3),
        "p95_s": round(percentile(times, 0.95), 3),
        "max_s": round(max(times), 3),
        "median_s_per_page": round(statistics.median(times) / pages, 3),
        "median_cpu_s": round(statistics.median(cpus), 3),
        "bytes": size,
    }


def verdict(value: float, target: float) -> str:
    return "yes" if value <= target else "**no**"


def report(results: dict[str, Any]) -> str:
    lines = report_head("Comic benchmark", results, results["rsvg"], COLUMNS)
    for row in results["rows"]:
        target = row.get("target")
        target_text = (
            f"≤ {target:g} s" + (" per page" if row.get("per_page") else "") if target else ""
        )
        measured = row["median_s_per_page"] if row.get("per_page") else row["p95_s"]
        lines.append(
            f"| {row['label']} | {row['runs']} | {row['median_s']} | {row['p95_s']} | "
            f"{row['max_s']} | {row['median_s_per_page']} | {row['median_cpu_s']} | "
            f"{row['bytes']:,} | {row['load']} | "
            f"{target_text if target else '—'} | "
            f"{verdict(measured, target) if target else ''} |"
        )
    lines += [
        "",
        "Each run is one `imaginecole export` of the bundle through the exporter registry "
        "(load, validate, render, rasterise with rsvg-convert, write), after one untimed "
        "warm-up export in the same process (imports, fonts, parsed art); the *cold* rows run "
        "`imaginecole export` in a fresh Python process each time, start-up and imports "
        "included. The 6-panel page targets are checked on p95; book formats on the "
        "median per page (PDF, PNG) or p95 for the whole EPUB. Load: the machine's 1-minute "
        "load average before the measure (other work slows the wall times down); CPU s: user + "
        "system time of the benchmark and its rsvg-convert children per run, which the load "
        "does not change much.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from imaginecole.exports import available

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="exports of the 6-panel page (20)")
    parser.add_argument(
        "--book-runs", type=int, default=3, help="exports of the 20-page comic per format (3)"
    )
    parser.add_argument(
        "--book-formats",
        default="epub",
        help="formats for the 20-page comic, comma-separated (epub); e.g. epub,pdf,png,cbz,html",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    names = set(available())
    book_formats = [f.strip() for f in args.book_formats.split(",") if f.strip()]
    unknown = sorted(({"png", "pdf"} | set(book_formats)) - names)
    if unknown:
        parser.error(f"exporter(s) not installed: {', '.join(unknown)}")
    cpus = pin_two_cores()  # rsvg-convert children inherit the two cores

    with scratch_folder("imaginecole-comic-bench-", args.keep) as work:
        page = make_comic(work / "page", 1)
        book = make_comic(work / "book", BOOK_PAGES)
        rows: list[dict[str, Any]] = []

        def measure(
            label, fmt, folder, pages, runs, target=None, per_page=False, cold=False, **options
        ):
            from imaginecole.exports import get_exporter
            from imaginecole.exports.base import Bundle

            out_dir = work / "out" / f"{folder.name}-{fmt}{'-cold' if cold else ''}"
            load = round(os.getloadavg()[0], 1)
            if cold:
                args = [f"--{k}={v}" for k, v in options.items()]
                times, cpus = time_cli(fmt, folder, out_dir, runs, *args)
            else:
                times, cpus = time_exports(fmt, folder, out_dir, runs, **options)
            output = get_exporter(fmt)(**options).default_output(Bundle.load(folder), out_dir)
            row = {
                "label": label,
                "format": fmt,
                **summary(times, cpus, pages, output),
                "load": load,
            }
            if target is not None:
                row.update(target=target, per_page=per_page)
            rows.append(row)
            print(f"{label}: {row}", file=sys.stderr)

        measure("6-panel page → PNG (1240 px)", "png", page, 1, args.runs, PAGE_TARGET, width=1240)
        measure("6-panel page → PDF (A4)", "pdf", page, 1, args.runs, PAGE_TARGET, paper="a4")
        cold_runs = max(1, min(args.runs, 5))
        measure(
            "cold: `imaginecole export` of the page → PNG, a fresh process",
            "png", page, 1, cold_runs, cold=True, width=1240,
        )  # fmt: skip
        measure(
            "cold: `imaginecole export` of the page → PDF, a fresh process",
            "pdf", page, 1, cold_runs, cold=True, paper="a4",
        )  # fmt: skip
        for fmt in book_formats:
            target = (
                EPUB_TARGET if fmt == "epub" else PAGE_TARGET if fmt in ("png", "pdf") else None
            )
            measure(
                f"{BOOK_PAGES}-page comic → {fmt.upper()}",
                fmt,
                book,
                BOOK_PAGES,
                args.book_runs,
                target,
                per_page=fmt in ("png", "pdf"),
            )
        results = {
            **run_facts(cpus),
            "rsvg": tool_version(["rsvg-convert", "--version"]),
            "rows": rows,
        }
        write_results("comic_bench", results, report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
