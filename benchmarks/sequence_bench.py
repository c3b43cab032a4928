"""Parcours benchmark: a parcours of 5 modules of 8 grains each, exported to every format.

    .venv/bin/python benchmarks/sequence_bench.py              # about a minute on 2 cores
    .venv/bin/python benchmarks/sequence_bench.py --modules 5 --grains 8 --runs 3

Makes, in a temporary teacher home, `--modules` × `--grains` varied grains (every kind, some
with an image or a sound, some in Arabic: the grains of export_bench.py), `--modules` modules
of `--grains` grains each (completion rules in turn: all, at least 6 parts, mean score ≥ 60 %)
and one parcours of those modules for Sénégal CM1, every module after the first needing the
first. Pinned to two cores, it exports the parcours with every exporter of the registry that
accepts a parcours (`imaginecole.exports.available()`), `--runs` times each, in this process
after one untimed warm-up export of a one-grain module (imports and the player's files read).
Each export starts from the parcours' folder, as `imaginecole export` does: the parcours and
all its parts are read and checked (`resolve`) inside the timed export. Reports the median and
the slowest wall time per format (target ≤ 10 s), the CPU seconds and the size written.
Writes benchmarks/results/sequence_bench.md and sequence_bench.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
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
    write_results,
)
from export_bench import generate

TARGET = 10.0  # seconds per export of the whole parcours, from the issue
COLUMNS = "format | runs: | median (s): | slowest (s): | CPU (s): | size (KB): | target | met"
RULES = ({"rule": "all"}, {"rule": "count", "count": 6}, {"rule": "score", "score": 0.6})


def build(home: Path, modules: int, grains: int) -> Path:
    """The parcours (and its modules and grains) in `home`; its folder."""
    from imaginecole.sequence import add_item, new_module, new_parcours

    (home / "grains").mkdir(parents=True)
    paths = generate(home / "grains", modules * grains)
    parcours = home / "parcours" / "mathematiques-cm1"
    new_parcours(
        parcours,
        {"title": "Mathématiques CM1", "country": "SN", "level": "cm1", "subject": "mathematiques"},
        introduction="<p>Le parcours du premier trimestre.</p>",
        objectives=["Maîtriser les fractions simples", "Calculer avec les décimaux"],
    )
    first = None
    for m in range(modules):
        folder = home / "modules" / f"module-{m + 1}"
        rule = dict(RULES[m % len(RULES)])
        if rule["rule"] == "count":
            rule["count"] = min(rule["count"], grains)
        new_module(
            folder,
            {"title": f"Module {m + 1}", "country": "SN", "level": "cm1"},
            introduction=f"<p>Module {m + 1} : <strong>entraînement</strong>.</p>",
            objectives=["Lire une fraction", "Comparer deux fractions"],
            duration_minutes=40,
            completion=rule,
        )
        for path in paths[m * grains : (m + 1) * grains]:
            add_item(folder, path)
        add_item(parcours, folder, prerequisites=[first] if first else None)
        first = first or json.loads((folder / "manifest.json").read_text("utf-8"))["id"]
    return parcours


def formats_for(parcours: Path, wanted: list[str] | None) -> list[str]:
    from imaginecole.exports import available, get_exporter
    from imaginecole.exports.base import Bundle

    bundle = Bundle.load(parcours)
    names = [n for n in available() if get_exporter(n)().accepts(bundle)]
    return [n for n in names if wanted is None or n in wanted]


def export_once(name: str, parcours: Path, out_dir: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, bytes written) of one export of `parcours` to `name`."""
    from imaginecole.exports import get_exporter
    from imaginecole.exports.base import Bundle

    cpu, begin = cpu_seconds(), time.perf_counter()
    exporter = get_exporter(name)()
    bundle = Bundle.load(parcours)
    out = exporter.export(bundle, exporter.default_output(bundle, out_dir))
    wall = time.perf_counter() - begin
    size = out.stat().st_size if out.is_file() else sum(f.stat().st_size for f in out.rglob("*"))
    return wall, cpu_seconds() - cpu, size


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    parcours = build(work / "home", args.modules, args.grains)
    warm = build(work / "warm", 1, 1)
    formats = formats_for(parcours, args.formats.split(",") if args.formats else None)
    for name in formats:
        export_once(name, warm, work / "warm-out")
        runs = []
        for run in range(args.runs):
            out_dir = work / "out" / f"{name}-{run}"
            runs.append(export_once(name, parcours, out_dir))
            print(f"{name} {run + 1}: {runs[-1][0]:.2f} s", file=sys.stderr)
        walls = [r[0] for r in runs]
        results[name] = {
            "runs": len(runs),
            "median": statistics.median(walls),
            "slowest": max(walls),
            "cpu": statistics.median(r[1] for r in runs),
            "bytes": runs[-1][2],
        }
    return results


def table(results: dict[str, Any]) -> str:
    lines = report_head(
        "Parcours: {modules} modules of {grains} grains, exported".format(**results),
        results,
        "Imaginecole exporters",
        COLUMNS,
        facts=(f"{results['modules'] * results['grains']} grains",),
    )
    for name, r in results["formats"].items():
        met = "yes" if r["slowest"] <= TARGET else "no"
        lines.append(
            f"| {name} | {r['runs']} | {r['median']:.2f} | {r['slowest']:.2f} | {r['cpu']:.2f} "
            f"| {r['bytes'] / 1024:.0f} | ≤ {TARGET:g} s | {met} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=5, help="modules in the parcours (5)")
    parser.add_argument("--grains", type=int, default=8, help="grains per module (8)")
    parser.add_argument("--runs", type=int, default=3, help="exports per format (3)")
    parser.add_argument("--formats", default="", help="comma-separated formats (all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    cpus = pin_two_cores()
    results = run_facts(cpus) | {"modules": args.modules, "grains": args.grains}
    with scratch_folder("sequence-bench-", args.keep) as work:
        results["formats"] = measure(args, work)
    write_results("sequence_bench", results, table(results))
    return 0 if all(r["slowest"] <= TARGET for r in results["formats"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
