"""Figures of a hub_storm run: machine facts, percentiles, the Markdown table and the JSON."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from importlib import metadata

import psutil

from .journey import Journey
from .stacks import proxy_command

MB = 1_000_000  # SI units, the conservative reading of "200 MB" and "12 GB"
GB = 1_000_000_000
PACKAGES = (
    "imaginecole",
    "jupyterhub",
    "jupyterlab",
    "jupyter_server",
    "voila",
    "ipykernel",
    "ipywidgets",
    "tornado",
    "jupyterhub-firstuseauthenticator",
    "jupyterhub-idle-culler",
    "psutil",
    "requests",
)


def _version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def machine_info() -> dict:
    model = "?"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return {
        "cpu_model": model,
        "cores_logical": psutil.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "ram_total": psutil.virtual_memory().total,
        "ram_available_at_start": psutil.virtual_memory().available,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "running_as": "root" if os.geteuid() == 0 else str(os.geteuid()),
        "packages": versions,
        "configurable_http_proxy": _version_of([str(proxy_command()), "--version"]),
        "node": _version_of(["node", "--version"]),
    }


def background_load() -> dict:
    """How busy the machine is before a stack starts (other work skews timings)."""
    return {
        "cpu_busy_percent_1s": psutil.cpu_percent(interval=1.0),
        "loadavg_1m": os.getloadavg()[0],
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; failed journeys count as +inf, so they are never hidden."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _median(values: list[float]) -> float:
    return percentile(values, 50) if values else math.nan


def summarize(journeys: list[Journey], wall: float | None = None) -> dict:
    landed = [j.landed if j.ok else math.inf for j in journeys]
    errors: dict[str, int] = {}
    for j in journeys:
        if not j.ok:
            errors[j.error or "?"] = errors.get(j.error or "?", 0) + 1
    ok = [j for j in journeys if j.ok]
    return {
        "n": len(journeys),
        "ok": len(ok),
        "failures": len(journeys) - len(ok),
        "p50": percentile(landed, 50),
        "p95": percentile(landed, 95),
        "max": max(landed) if landed else math.nan,
        "min": min(landed) if landed else math.nan,
        "median_login": _median([j.logged_in for j in ok if j.logged_in is not None]),
        "median_server_ready": _median([j.server_ready for j in ok if j.server_ready is not None]),
        "median_landing_only": _median(
            [j.landed - j.server_ready for j in ok if j.server_ready is not None]
        ),
        "throttled_429": sum(j.throttled for j in journeys),
        "users_throttled": sum(1 for j in journeys if j.throttled),
        "retry_wait_total": sum(j.retry_wait for j in journeys),
        "wall": wall,
        "errors": errors,
    }


def spawn_log_summary(seconds: dict[str, float]) -> dict:
    values = list(seconds.values())
    return {
        "n": len(values),
        "p50": _median(values),
        "max": max(values) if values else math.nan,
    }


def fmt_s(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "failed"
    return f"{value:.1f}"


def fmt_mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value / MB:.0f}"


def ratio(stock: float | None, ours: float | None) -> str:
    """stock ÷ Imaginecole: above 1 means Imaginecole is better (faster, smaller)."""
    if stock is None or ours is None or ours == 0 or any(map(math.isnan, (stock, ours))):
        return "n/a"
    if math.isinf(stock) and not math.isinf(ours):
        return "∞ (stock failed)"
    if math.isinf(stock) or math.isinf(ours):
        return "n/a"
    return f"{stock / ours:.2f}×"


def teachers_within(budget: float, base: float, per_teacher: float) -> int | None:
    if not per_teacher:
        return None
    return max(0, math.floor((budget - base) / per_teacher))
