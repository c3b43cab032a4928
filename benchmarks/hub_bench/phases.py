"""The phases of a hub_storm run on one stack; each returns a JSON-ready record.

A stack is always stopped at the end of its phase function, whatever happens.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

from . import report
from .cpu import CpuMeter
from .journey import run_journey, storm
from .memory import measure_stack
from .stacks import ImaginecoleStack, Stack
from .startup import cold_start_profile

T = TypeVar("T")
# what the optional --direct phase and the pre-spawn run still need, on 2 idle cores
RESERVE = 300.0


def names(prefix: str, first: int, count: int) -> list[str]:
    return [f"{prefix}-{i:02d}" for i in range(first, first + count)]


def measured(stack: Stack, action: Callable[[], T]) -> tuple[T, dict]:
    """Run `action`, with the CPU it cost and the hub's event-loop stalls meanwhile."""
    offset = stack.log_size()
    with CpuMeter(stack.root_pid()) as meter:
        value = action()
    info = meter.result()
    info["hub_loop_stalls"] = stack.hub_loop_stalls(since=offset)
    return value, info


def teacher_memory(stack: Stack, user: str) -> dict | None:
    server = measure_stack(stack.root_pid()).servers.get(user)
    if server is None:
        return None
    return {
        "server": server.server,
        "kernels": server.kernels,
        "other": server.other,
        "kernel_count": server.kernel_count,
        "total": server.total,
    }


def stack_memory(stack: Stack) -> dict:
    mem = measure_stack(stack.root_pid())
    out = mem.to_json()
    n = len(mem.servers)
    out["n_servers"] = n
    out["per_teacher"] = mem.teachers / n if n else None
    out["teachers_in_12gb"] = (
        report.teachers_within(12 * report.GB, mem.base, out["per_teacher"]) if n else None
    )
    return out


def _storm(
    stack: Stack, users: list[str], password: str, landing: str, direct: bool, budget: float
) -> dict:
    (journeys, wall), cpu = measured(
        stack,
        lambda: storm(stack.base_url, users, password, landing, direct=direct, budget=budget),
    )
    out = report.summarize(journeys, wall)
    out["cpu"] = cpu
    out["stack_cpu_per_teacher"] = cpu["stack_cpu"] / len(users) if users else None
    out["journeys"] = [j.to_json() for j in journeys]
    return out


def _say(label: str, text: str) -> None:
    print(f"[{label}] {text}", flush=True)


def _said_storm(label: str, s: dict) -> None:
    _say(
        label,
        f"storm p50 {report.fmt_s(s['p50'])} s, p95 {report.fmt_s(s['p95'])} s, "
        f"max {report.fmt_s(s['max'])} s, failures {s['failures']}, "
        f"others used {s['cpu']['others_share']:.0%} of the machine",
    )


def _finish(rec: dict, stack: Stack) -> None:
    rec["spawn_log"] = stack.spawn_seconds()
    rec["spawn_log_summary"] = report.spawn_log_summary(rec["spawn_log"])
    rec["throttled_in_log"] = stack.throttled_in_log()
    rec["hub_loop_stalls"] = stack.hub_loop_stalls()
    rec["teardown"] = stack.stop()
    _say(rec["label"], f"stopped in {rec['teardown']['seconds']:.1f} s")


def cold_and_storm(
    stack: Stack,
    cold_users: list[str],
    storm_users: list[str],
    args: argparse.Namespace,
    password: str,
    direct_to: int,
    run_started: float,
) -> dict:
    """Cold login, idle PSS, storm, PSS after it, optionally more teachers; then stop."""
    label = stack.label
    rec: dict = {"label": label, "landing": stack.landing, "background": report.background_load()}
    try:
        rec["start_s"] = stack.start()
        _say(label, f"hub ready in {rec['start_s']:.1f} s")
        page = args.out / f"hub_storm-landing-{stack.workdir.name}.html"
        cold, rec["cold_cpu"] = measured(
            stack,
            lambda: run_journey(
                stack.base_url,
                cold_users[0],
                password,
                stack.landing,
                budget=args.journey_budget,
                save_to=page,
            ),
        )
        rec["cold"] = cold.to_json()
        _say(
            label,
            f"cold login → landing {report.fmt_s(cold.landed)} s "
            f"(server ready {report.fmt_s(cold.server_ready)} s) {cold.error or ''}",
        )
        idle_user, direct = cold_users[0], False
        if not cold.ok and cold.server_ready is not None and stack.landing != "/lab":
            # the default landing page is broken: measure the JupyterLab page instead
            rec["landing_fallback"] = {"reason": cold.error, "landing": "/lab"}
            stack.landing, direct, idle_user = "/lab", True, cold_users[1]
            cold2 = run_journey(
                stack.base_url,
                cold_users[1],
                password,
                "/lab",
                direct=True,
                budget=args.journey_budget,
                save_to=page.with_name(page.stem + "-lab.html"),
            )
            rec["cold_fallback"] = cold2.to_json()
            _say(label, f"FALLBACK to /lab: {report.fmt_s(cold2.landed)} s")
        rec["cold_profile"] = cold_start_profile(stack.log_text(), cold_users[0])
        time.sleep(args.settle)  # the one deliberate wait: let the idle teacher settle
        rec["idle_memory"] = teacher_memory(stack, idle_user)
        rec["idle_stack"] = stack_memory(stack)

        _say(label, f"storm of {len(storm_users)} logins…")
        rec["storm"] = _storm(
            stack, storm_users, password, stack.landing, direct, args.journey_budget
        )
        _said_storm(label, rec["storm"])
        time.sleep(args.settle_after_storm)
        rec["after_storm"] = stack_memory(stack)

        running = rec["after_storm"]["n_servers"]
        elapsed = time.monotonic() - run_started
        if direct_to > running and elapsed + RESERVE < args.time_budget:
            extra = names("prof", 100, direct_to - running)
            _say(label, f"{len(extra)} more logins to reach {direct_to} teachers…")
            rec["direct_wave"] = _storm(
                stack, extra, password, stack.landing, direct, args.journey_budget
            )
            time.sleep(args.settle_after_storm)
            rec["direct"] = stack_memory(stack)
            _say(
                label,
                f"{rec['direct']['n_servers']} teachers: PSS "
                f"{report.fmt_mb(rec['direct']['total'])} MB",
            )
        elif direct_to > running:
            rec["direct_skipped"] = (
                f"skipped: {elapsed:.0f} s spent + {RESERVE:.0f} s still needed "
                f"> --time-budget {args.time_budget:.0f} s"
            )
    finally:
        _finish(rec, stack)
    return rec


def prespawn_and_storm(
    stack: ImaginecoleStack,
    storm_users: list[str],
    args: argparse.Namespace,
    password: str,
    landing_direct: str | None,
) -> dict:
    """`imaginecole up --prespawn`: time the pre-spawn, then the same storm; then stop."""
    label = stack.label + " --prespawn"
    rec: dict = {"label": label, "background": report.background_load()}
    try:
        rec["start_s"] = stack.start()
        (seconds, ready), cpu = measured(
            stack, lambda: stack.wait_all_ready(storm_users, timeout=args.journey_budget * 2)
        )
        rec["prespawn"] = {
            "seconds": seconds,
            "ready": len(ready),
            "n": len(storm_users),
            "cpu": cpu,
        }
        _say(label, f"{len(ready)}/{len(storm_users)} servers pre-spawned in {seconds:.1f} s")
        rec["landing"] = landing_direct or stack.landing
        rec["storm"] = _storm(
            stack,
            storm_users,
            password,
            rec["landing"],
            landing_direct is not None,
            args.journey_budget,
        )
        _said_storm(label, rec["storm"])
        time.sleep(args.settle_after_storm)
        rec["after_storm"] = stack_memory(stack)
    finally:
        _finish(rec, stack)
    return rec
