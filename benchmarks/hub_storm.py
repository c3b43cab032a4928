"""Login storm: Imaginecole against a stock JupyterHub 6 + JupyterLab, in the same run.

    .venv/bin/python benchmarks/hub_storm.py            # 30 teachers, about 10 minutes

Three stacks run one after the other on this machine, never together (two
cores would make each slow the other): stock, Imaginecole, Imaginecole with
pre-spawn. For each it measures one cold login, a storm of simultaneous
logins, and the PSS of what stays in memory. The table goes to stdout and to
benchmarks/results/hub_storm.md, every figure to hub_storm.json beside it.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hub_bench import report  # noqa: E402
from hub_bench.phases import cold_and_storm, names, prespawn_and_storm  # noqa: E402
from hub_bench.stacks import REPO, ImaginecoleStack, StockStack, free_port_block, sweep  # noqa: E402
from hub_bench.table import render  # noqa: E402

PASSWORD = "tableau-noir-2026"  # first-use sets it; workshop-code and stock check it


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=30, help="teachers in the storm (default 30)")
    p.add_argument(
        "--direct",
        type=int,
        default=50,
        help="then log in more teachers on Imaginecole, up to this many, and measure (0: skip)",
    )
    p.add_argument("--direct-stock", action="store_true", help="also do --direct on stock")
    p.add_argument("--settle", type=float, default=30.0, help="seconds idle before PSS (30)")
    p.add_argument(
        "--settle-after-storm",
        type=float,
        default=10.0,
        help="seconds idle after a storm before its PSS (10)",
    )
    p.add_argument(
        "--journey-budget",
        type=float,
        default=180.0,
        help="a teacher without a landing page after this many seconds has failed (180)",
    )
    p.add_argument(
        "--time-budget",
        type=float,
        default=630.0,
        help="the optional --direct phase runs only if the run can still end within this "
        "many seconds, counting 300 s for it and the pre-spawn run (630)",
    )
    p.add_argument(
        "--workshop",
        type=Path,
        default=REPO / "hub_config" / "examples" / "demo-workshop.yaml",
        help="Imaginecole workshop whose settings are used; its roster is replaced (the demo)",
    )
    p.add_argument(
        "--auth",
        choices=["first-use", "workshop-code"],
        default="first-use",
        help="Imaginecole login mode (first-use, as in the demo)",
    )
    p.add_argument("--port", type=int, default=42000, help="first port to try (42000)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results",
        help="folder for hub_storm.md, hub_storm.json and the landing pages seen",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs) at the end")
    return p


def _warm_up() -> None:
    """Read the libraries once, so the first stack does not pay alone for a cold disk cache."""
    code = (
        "import jupyterhub.app, jupyter_server.serverapp, jupyterlab, voila.app,"
        " ipykernel.kernelapp"
    )
    os.spawnv(os.P_WAIT, sys.executable, [sys.executable, "-B", "-c", code])


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def _finite(obj):
    """JSON has no inf or nan: write them as strings."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    run_started = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="hub_storm-"))
    os.chmod(root, 0o755)  # the servers' unprivileged account walks through it
    results: dict = {
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": report.machine_info(),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "runs": {},
    }
    cold = ["prof-00", "prof-00b"]  # the second one only if the launcher is broken
    storm_users = names("prof", 1, args.users)
    everyone = cold + storm_users + names("prof", 100, args.direct)
    used_ports: set[int] = set()

    def port() -> int:
        p = free_port_block(args.port, avoid=used_ports)
        used_ports.update(range(p, p + 3))
        return p

    status = 0
    try:
        _warm_up()
        stock = StockStack(root / "stock", port(), everyone, PASSWORD)
        results["runs"]["stock"] = cold_and_storm(
            stock,
            cold,
            storm_users,
            args,
            PASSWORD,
            args.direct if args.direct_stock else 0,
            run_started,
        )
        ours = ImaginecoleStack(
            root / "imaginecole",
            port(),
            everyone,
            PASSWORD,
            base_workshop=args.workshop,
            auth=args.auth,
        )
        results["runs"]["imaginecole"] = cold_and_storm(
            ours, cold, storm_users, args, PASSWORD, args.direct, run_started
        )
        fallback = results["runs"]["imaginecole"].get("landing_fallback")
        pre = ImaginecoleStack(
            root / "prespawn",
            port(),
            storm_users,
            PASSWORD,
            base_workshop=args.workshop,
            auth=args.auth,
            prespawn=True,
        )
        results["runs"]["imaginecole_prespawn"] = prespawn_and_storm(
            pre, storm_users, args, PASSWORD, fallback["landing"] if fallback else None
        )
    except KeyboardInterrupt:
        results["interrupted"] = True
        status = 130
        print("interrupted: stopping everything…", flush=True)
    except Exception as exc:  # still write what was measured, and clean up
        results["error"] = f"{type(exc).__name__}: {exc}"
        status = 1
        print(f"error: {results['error']}", file=sys.stderr, flush=True)
    finally:
        leftovers = sweep(root)
        if leftovers:
            results["leftovers_at_exit"] = leftovers
        results["duration_s"] = time.monotonic() - run_started
        if args.keep:
            results["kept"] = str(root)
        else:
            shutil.rmtree(root, ignore_errors=True)
        (args.out / "hub_storm.json").write_text(
            json.dumps(_finite(results), indent=1, default=str), "utf-8"
        )
        text = render(results)
        (args.out / "hub_storm.md").write_text(text, "utf-8")
        print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
