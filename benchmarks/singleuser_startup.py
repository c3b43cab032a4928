"""Where a single-user server's start-up CPU goes: extensions, and `node yarn config`.

    .venv/bin/python benchmarks/singleuser_startup.py [--repeat 3]

`import jupyterlab.labapp` asks `node yarn.js config --json` for an npm
registry (jupyterlab/commands.py, `AppOptions.registry` default), at every
server start, whenever `node` is on the PATH. This script initializes a
jupyter_server (`ServerApp.initialize()`, extensions loaded, no hub) in a
fresh process, with the extensions of stock and of Imaginecole, with and
without `node` on the PATH, and reports wall time, CPU of the server and CPU
of its children (node). Run it on an idle machine; it takes about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = r"""
import json, resource, sys, time
t0 = time.monotonic()
import jupyterlab.commands as commands
calls = []
original = commands._yarn_config
def counted(logger):
    t = time.monotonic()
    try:
        return original(logger)
    finally:
        calls.append(time.monotonic() - t)
commands._yarn_config = counted
from jupyter_server.serverapp import ServerApp
app = ServerApp.instance()
app.initialize(["--port=0", "--ServerApp.token=probe", "--ServerApp.open_browser=False",
                "--ServerApp.root_dir=" + sys.argv[1], "--allow-root"])
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall": time.monotonic() - t0,
    "cpu_server": me.ru_utime + me.ru_stime,
    "cpu_children": kids.ru_utime + kids.ru_stime,
    "yarn_calls": len(calls),
    "yarn_wall": sum(calls),
    "extensions": sorted(n for n, e in app.extension_manager.extensions.items() if e.enabled),
}))
"""


def imaginecole_config(folder: Path) -> Path:
    """Imaginecole's single-user config, written by the product's own function."""
    from imaginecole.hub.config import singleuser_server_config
    from imaginecole.workshop import load_workshop

    repo = Path(__file__).resolve().parents[1]
    workshop = load_workshop(repo / "hub_config" / "examples" / "demo-workshop.yaml")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(
        json.dumps(singleuser_server_config(workshop)), "utf-8"
    )
    return folder


def run_probe(home: Path, path: str, config: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(HOME=str(home), PATH=path)
    if config is not None:
        env["JUPYTER_CONFIG_PATH"] = str(config)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(home)],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant (3)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results",
        help="folder for singleuser_startup.md and .json",
    )
    args = parser.parse_args(argv)
    venv_bin = str(Path(sys.executable).parent)
    with_node = f"{venv_bin}:/usr/local/bin:/usr/bin:/bin"
    node = shutil.which("node", path=with_node)
    root = Path(tempfile.mkdtemp(prefix="singleuser_startup-"))
    results: dict = {"node": node, "variants": {}}
    try:
        ours = imaginecole_config(root / "imaginecole-config")
        variants = {
            "stock extensions, node on PATH": (with_node, None),
            "stock extensions, no node on PATH": (venv_bin, None),
            "Imaginecole config, node on PATH": (with_node, ours),
            "Imaginecole config, no node on PATH": (venv_bin, ours),
        }
        for rep in range(args.repeat):
            # interleaved, so that a change of machine load hits every variant alike
            for index, (name, (path, config)) in enumerate(variants.items()):
                home = root / f"home-{rep}-{index}"
                home.mkdir()
                results["variants"].setdefault(name, []).append(run_probe(home, path, config))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    lines = [
        "# Single-user server start-up (ServerApp.initialize, no hub)",
        "",
        f"`node`: {node or 'not found'}; {args.repeat} run(s) per variant, medians.",
        "",
        "| Variant | wall (s) | CPU server (s) | CPU children (s) | yarn config calls, wall (s) "
        "| extensions enabled |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in results["variants"].items():
        med = {
            k: statistics.median(r[k] for r in runs)
            for k in ("wall", "cpu_server", "cpu_children", "yarn_calls", "yarn_wall")
        }
        lines.append(
            f"| {name} | {med['wall']:.2f} | {med['cpu_server']:.2f} | {med['cpu_children']:.2f}"
            f" | {med['yarn_calls']:.0f}, {med['yarn_wall']:.2f}"
            f" | {', '.join(runs[0]['extensions'])} |"
        )
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "singleuser_startup.json").write_text(json.dumps(results, indent=1), "utf-8")
    (args.out / "singleuser_startup.md").write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
