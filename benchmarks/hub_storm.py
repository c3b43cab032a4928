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
from hub_bench.journey import Journey, run_journey, storm  # noqa: E402
from hub_bench.memory import measure_stack  # noqa: E402
from hub_bench.stacks import (  # noqa: E402
    REPO,
    ImaginecoleStack,
    Stack,
    StockStack,
    free_port_block,
    sweep,
)
from hub_bench.startup import cold_start_profile  # noqa: E402
from hub_bench.table import render  # noqa: E402

PASSWORD = "tableau-noir-2026"  # first-use sets it; workshop-code and stock check it


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=30, help="teachers in the storm (default 30)")
    p.add_argument(
        "--direct",
        type=int,
        default=50,
        help="log in this many teachers in all on Imaginecole and measure them (0: skip)",
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
        default=300.0,
        help="a teacher who has no landing page after this many seconds failed (300)",
    )
    p.add_argument(
        "--time-budget",
        type=float,
        default=780.0,
        help="skip the optional --direct phase once the run has taken this long (780 s)",
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
        help="folder for hub_storm.md and hub_storm.json",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs) at the end")
    return p


def _names(prefix: str, first: int, count: int) -> list[str]:
    return [f"{prefix}-{i:02d}" for i in range(first, first + count)]


def _warm_up() -> None:
    """Read the libraries once, so the first stack does not pay alone for a cold disk cache."""
    code = (
        "import jupyterhub.app, jupyter_server.serverapp, jupyterlab, voila.app,"
        " ipykernel.kernelapp"
    )
    os.spawnv(os.P_WAIT, sys.executable, [sys.executable, "-B", "-c", code])


def _memory_of(stack: Stack, user: str) -> dict | None:
    mem = measure_stack(stack.root_pid())
    server = mem.servers.get(user)
    if server is None:
        return None
    return {
        "server": server.server,
        "kernels": server.kernels,
        "other": server.other,
        "kernel_count": server.kernel_count,
        "total": server.total,
    }


def _stack_memory(stack: Stack) -> dict:
    mem = measure_stack(stack.root_pid())
    out = mem.to_json()
    n = len(mem.servers)
    out["n_servers"] = n
    out["per_teacher"] = mem.teachers / n if n else None
    out["teachers_in_12gb"] = (
        report.teachers_within(12 * report.GB, mem.base, out["per_teacher"]) if n else None
    )
    return out


def _journey_json(journeys: list[Journey]) -> list[dict]:
    return [j.to_json() for j in journeys]


def cold_and_storm(
    stack: Stack,
    cold_users: list[str],
    storm_users: list[str],
    args: argparse.Namespace,
    direct_to: int,
    run_started: float,
) -> dict:
    """Cold login, idle PSS, storm, PSS after the storm, optional direct count; then stop."""
    rec: dict = {
        "label": stack.label,
        "landing": stack.landing,
        "background": report.background_load(),
    }
    try:
        rec["start_s"] = stack.start()
        print(f"[{stack.label}] hub ready in {rec['start_s']:.1f} s", flush=True)
        cold = run_journey(
            stack.base_url,
            cold_users[0],
            PASSWORD,
            stack.landing,
            budget=args.journey_budget,
            save_to=args.out / f"hub_storm-landing-{stack.workdir.name}.html",
        )
        rec["cold"] = cold.to_json()
        print(
            f"[{stack.label}] cold login → landing: {report.fmt_s(cold.landed)} s "
            f"(server ready {report.fmt_s(cold.server_ready)} s) {cold.error or ''}",
            flush=True,
        )
        idle_user, direct_landing = cold_users[0], False
        if not cold.ok and cold.server_ready is not None and stack.landing != "/lab":
            # the default landing page is broken: measure the JupyterLab page instead
            rec["landing_fallback"] = {"reason": cold.error, "landing": "/lab"}
            stack.landing, direct_landing = "/lab", True
            cold2 = run_journey(
                stack.base_url,
                cold_users[1],
                PASSWORD,
                "/lab",
                direct=True,
                budget=args.journey_budget,
                save_to=args.out / f"hub_storm-landing-{stack.workdir.name}-lab.html",
            )
            rec["cold_fallback"] = cold2.to_json()
            idle_user = cold_users[1]
            print(f"[{stack.label}] FALLBACK to /lab: {report.fmt_s(cold2.landed)} s", flush=True)
        rec["cold_profile"] = cold_start_profile(stack.log_text(), cold_users[0])
        time.sleep(args.settle)  # the one deliberate wait: let the idle teacher settle
        rec["idle_memory"] = _memory_of(stack, idle_user)
        rec["idle_stack"] = _stack_memory(stack)

        print(f"[{stack.label}] storm of {len(storm_users)} logins…", flush=True)
        journeys, wall = storm(
            stack.base_url,
            storm_users,
            PASSWORD,
            stack.landing,
            direct=direct_landing,
            budget=args.journey_budget,
        )
        rec["storm"] = report.summarize(journeys, wall)
        rec["storm_journeys"] = _journey_json(journeys)
        s = rec["storm"]
        print(
            f"[{stack.label}] storm p50 {report.fmt_s(s['p50'])} s, p95 {report.fmt_s(s['p95'])}"
            f" s, max {report.fmt_s(s['max'])} s, failures {s['failures']}",
            flush=True,
        )
        time.sleep(args.settle_after_storm)
        rec["after_storm"] = _stack_memory(stack)

        running = rec["after_storm"]["n_servers"]
        elapsed = time.monotonic() - run_started
        if direct_to > running and elapsed < args.time_budget:
            extra = _names("prof", 100, direct_to - running)
            print(f"[{stack.label}] {len(extra)} more logins to reach {direct_to}…", flush=True)
            more, wall2 = storm(
                stack.base_url,
                extra,
                PASSWORD,
                stack.landing,
                direct=direct_landing,
                budget=args.journey_budget,
            )
            rec["direct_wave"] = report.summarize(more, wall2)
            time.sleep(args.settle_after_storm)
            rec["direct"] = _stack_memory(stack)
        elif direct_to > running:
            rec["direct_skipped"] = f"time budget: {elapsed:.0f} s already spent"
    finally:
        rec["spawn_log"] = stack.spawn_seconds()
        rec["spawn_log_summary"] = report.spawn_log_summary(rec["spawn_log"])
        rec["throttled_in_log"] = stack.throttled_in_log()
        rec["teardown"] = stack.stop()
        print(f"[{stack.label}] stopped in {rec['teardown']['seconds']:.1f} s", flush=True)
    return rec


def prespawn_and_storm(
    stack: ImaginecoleStack,
    storm_users: list[str],
    args: argparse.Namespace,
    landing_direct: str | None,
) -> dict:
    """`imaginecole up --prespawn`, time the pre-spawn, then the same storm."""
    rec: dict = {"label": stack.label + " --prespawn", "background": report.background_load()}
    try:
        rec["start_s"] = stack.start()
        seconds, ready = stack.wait_all_ready(storm_users, timeout=args.journey_budget * 2)
        rec["prespawn"] = {"seconds": seconds, "ready": len(ready), "n": len(storm_users)}
        print(
            f"[{rec['label']}] {len(ready)}/{len(storm_users)} servers pre-spawned in "
            f"{seconds:.1f} s",
            flush=True,
        )
        landing = landing_direct or stack.landing
        rec["landing"] = landing
        journeys, wall = storm(
            stack.base_url,
            storm_users,
            PASSWORD,
            landing,
            direct=landing_direct is not None,
            budget=args.journey_budget,
        )
        rec["storm"] = report.summarize(journeys, wall)
        rec["storm_journeys"] = _journey_json(journeys)
        s = rec["storm"]
        print(
            f"[{rec['label']}] storm p50 {report.fmt_s(s['p50'])} s, p95 "
            f"{report.fmt_s(s['p95'])} s, max {report.fmt_s(s['max'])} s, "
            f"failures {s['failures']}",
            flush=True,
        )
        time.sleep(args.settle_after_storm)
        rec["after_storm"] = _stack_memory(stack)
    finally:
        rec["spawn_log"] = stack.spawn_seconds()
        rec["spawn_log_summary"] = report.spawn_log_summary(rec["spawn_log"])
        rec["throttled_in_log"] = stack.throttled_in_log()
        rec["teardown"] = stack.stop()
        print(f"[{rec['label']}] stopped in {rec['teardown']['seconds']:.1f} s", flush=True)
    return rec


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def _json_default(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return str(value)


def _finite(obj):
    """JSON has no inf/nan: write them as strings."""
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
    root = Path(tempfile.mkdtemp(prefix="hub_storm-"))
    os.chmod(root, 0o755)  # the servers' unprivileged account walks through it
    results: dict = {
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": report.machine_info(),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "runs": {},
    }
    cold = _names("prof", 0, 1) + ["prof-00b"]
    storm_users = _names("prof", 1, args.users)
    extra = _names("prof", 100, args.direct)
    everyone = cold + storm_users + extra
    used_ports: set[int] = set()

    def port() -> int:
        p = free_port_block(args.port, avoid=used_ports)
        used_ports.update(range(p, p + 3))
        return p

    status = 0
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        _warm_up()
        stock = StockStack(root / "stock", port(), everyone, PASSWORD)
        results["runs"]["stock"] = cold_and_storm(
            stock, cold, storm_users, args, args.direct if args.direct_stock else 0, run_started
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
            ours, cold, storm_users, args, args.direct, run_started
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
            pre, storm_users, args, fallback["landing"] if fallback else None
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
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "hub_storm.json").write_text(
            json.dumps(_finite(results), indent=1, default=_json_default), "utf-8"
        )
        text = render(results)
        (args.out / "hub_storm.md").write_text(text, "utf-8")
        print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
