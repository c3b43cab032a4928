"""The Markdown report of a hub_storm run, built only from the measured results."""

from __future__ import annotations

import math

from .report import GB, MB, fmt_mb, fmt_s, ratio


def _get(d: dict | None, *keys, default=None):
    for key in keys:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _num(value) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if value in ("inf", "nan"):
        return float(value)
    return None


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("✅ yes" if ok else "❌ no")


def _trio(s: dict | None, keys=("p50", "p95", "max")) -> str:
    if not s:
        return "n/a"
    return " / ".join(fmt_s(_num(s.get(k))) for k in keys)


def _cold_parts(run: dict | None) -> str:
    cold = _get(run, "cold_fallback") or _get(run, "cold")
    if not cold:
        return "n/a"
    login, ready, landed = cold.get("logged_in"), cold.get("server_ready"), cold.get("landed")
    page = landed - ready if landed is not None and ready is not None else None
    return f"{fmt_s(login)} / {fmt_s(ready)} / {fmt_s(page)}"


def _cold_total(run: dict | None) -> float | None:
    cold = _get(run, "cold_fallback") or _get(run, "cold")
    if not cold:
        return None
    return cold.get("landed") if cold.get("ok") else math.inf


def _idle(run: dict | None) -> str:
    mem = _get(run, "idle_memory")
    if not mem:
        return "n/a"
    if mem["kernel_count"]:
        return f"{fmt_mb(mem['server'])} + {fmt_mb(mem['kernels'])} = **{fmt_mb(mem['total'])}**"
    return f"{fmt_mb(mem['server'])} + no kernel = **{fmt_mb(mem['total'])}**"


def _storm_target(ours: dict | None, stock: dict | None) -> bool | None:
    p95, ref = _num(_get(ours, "p95")), _num(_get(stock, "p95"))
    if p95 is None or ref is None:
        return None
    if math.isinf(p95):
        return False
    return p95 <= 20 and (math.isinf(ref) or ref / p95 >= 2)


def _storm_rows(label: str, ours: dict | None, stock: dict | None, n: int, extra: str) -> list:
    return [
        [
            "2",
            f"Storm of {n} logins{label}: p50 / p95 / max (s)",
            _trio(ours),
            _trio(stock),
            ratio(_num(_get(stock, "p95")), _num(_get(ours, "p95"))) + " (p95)",
            "p95 ≤ 20 s and ≥ 2× better",
            _mark(_storm_target(ours, stock)),
        ],
        [
            "2",
            "… failures; 429 answers (teachers throttled, s waited)",
            _failures(ours),
            _failures(stock),
            "",
            "0 failures",
            _mark(None if not ours else ours.get("failures") == 0),
        ],
        [
            "2",
            "… stack CPU per teacher (CPU-s); other processes' share of the machine",
            _cpu(ours),
            _cpu(stock),
            "n/a (stock failed)"
            if _get(stock, "failures")
            else ratio(
                _num(_get(stock, "stack_cpu_per_teacher")),
                _num(_get(ours, "stack_cpu_per_teacher")),
            ),
            "",
            "",
        ],
        [
            "2",
            "… hub event loop blocked: times, total s, longest s (hub's own warning)",
            _stalls(_get(ours, "cpu", "hub_loop_stalls")),
            _stalls(_get(stock, "cpu", "hub_loop_stalls")),
            "",
            "",
            "",
        ],
        [
            "2",
            "… medians: login / server ready / page only (s)" + extra,
            _trio(ours, ("median_login", "median_server_ready", "median_landing_only")),
            _trio(stock, ("median_login", "median_server_ready", "median_landing_only")),
            "",
            "",
            "",
        ],
    ]


def _cpu(s: dict | None) -> str:
    if not s or s.get("stack_cpu_per_teacher") is None:
        return "n/a"
    return f"{s['stack_cpu_per_teacher']:.1f}; {s['cpu']['others_share']:.0%}"


def _stalls(st: dict | None) -> str:
    if not st:
        return "n/a"
    return f"{st['count']}, {st['total']:.1f}, {st['max']:.1f}"


def _failures(s: dict | None) -> str:
    if not s:
        return "n/a"
    return (
        f"{s['failures']}/{s['n']}; {s['throttled_429']} "
        f"({s['users_throttled']}, {fmt_s(_num(s['retry_wait_total']))} s)"
    )


def _memory_rows(ours: dict | None, stock: dict | None) -> list:
    o, k = _get(ours, "after_storm") or {}, _get(stock, "after_storm") or {}
    d = _get(ours, "direct")
    rows = [
        [
            "4",
            "Stack without teachers: supervisor + hub + proxy + services (MB)",
            fmt_mb(o.get("base")),
            fmt_mb(k.get("base")),
            "",
            "",
            "",
        ],
        [
            "4",
            f"Total PSS after the storm, {o.get('n_servers', '?')} / {k.get('n_servers', '?')}"
            " servers running (MB)",
            fmt_mb(o.get("total")),
            fmt_mb(k.get("total")),
            "",
            "",
            "",
        ],
        [
            "4",
            "Per teacher, server + kernels, from that total (MB)",
            fmt_mb(o.get("per_teacher")),
            fmt_mb(k.get("per_teacher")),
            ratio(_num(k.get("per_teacher")), _num(o.get("per_teacher"))),
            "",
            "",
        ],
        [
            "4",
            "Teachers within 12 GB (extrapolated)",
            str(o.get("teachers_in_12gb", "n/a")),
            str(k.get("teachers_in_12gb", "n/a")),
            ratio(_num(o.get("teachers_in_12gb")), _num(k.get("teachers_in_12gb"))),
            "≥ 50",
            _mark(None if o.get("teachers_in_12gb") is None else o["teachers_in_12gb"] >= 50),
        ],
    ]
    kd = _get(stock, "direct")
    if d or kd:
        met = None if not d or d["n_servers"] < 50 else d["total"] <= 12 * GB
        rows.append(
            [
                "4",
                "Measured: teachers logged in, total PSS (MB)",
                f"{d['n_servers']}: **{fmt_mb(d['total'])}**" if d else "not run",
                f"{kd['n_servers']}: {fmt_mb(kd['total'])}" if kd else "not run",
                "",
                "50 within 12 GB",
                _mark(met),
            ]
        )
    elif _get(ours, "direct_skipped"):
        rows.append(["4", "Measured 50 teachers", ours["direct_skipped"], "", "", "", ""])
    return rows


def _table(rows: list[list[str]]) -> str:
    head = [
        "#",
        "Measure",
        "Imaginecole",
        "Stock JupyterHub + Lab",
        "Stock ÷ Imaginecole",
        "Target",
        "Met",
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _machine(results: dict) -> list[str]:
    m = results.get("machine", {})
    pk = m.get("packages", {})
    runs = results.get("runs", {})
    load = ", ".join(
        f"{r.get('label', name)}: {_get(r, 'background', 'cpu_busy_percent_1s')} % CPU busy, "
        f"load {_get(r, 'background', 'loadavg_1m'):.2f}"
        for name, r in runs.items()
        if _get(r, "background")
    )
    return [
        f"Run of {results.get('started_utc', '?')} UTC, {fmt_s(results.get('duration_s'))} s. "
        f"Machine: {m.get('cpu_model')}, {m.get('cores_logical')} logical cores "
        f"({m.get('cores_physical')} physical), {m.get('ram_total', 0) / GB:.1f} GB RAM, "
        f"{m.get('os')}, as {m.get('running_as')}.",
        f"Python {m.get('python')}; "
        + ", ".join(f"{k} {v}" for k, v in pk.items())
        + f"; configurable-http-proxy {m.get('configurable_http_proxy')}; node {m.get('node')}.",
        f"Machine load just before each stack (other work skews timings): {load or 'n/a'}.",
    ]


def render(results: dict) -> str:
    runs = results.get("runs", {})
    ours, stock, pre = runs.get("imaginecole"), runs.get("stock"), runs.get("imaginecole_prespawn")
    st = results.get("settings", {})
    n = st.get("users", "?")
    lines = ["# hub_storm: Imaginecole against stock JupyterHub 6 + JupyterLab", ""]
    lines += _machine(results)
    lines += [
        "",
        f"Imaginecole: `imaginecole up` with the settings of `{st.get('workshop')}`, "
        f"auth `{st.get('auth')}`, landing `{_get(ours, 'landing', default='?')}`. "
        "Stock: `jupyterhub` with `benchmarks/hub_bench/stock_jupyterhub_config.py` "
        "(SimpleLocalProcessSpawner as one unprivileged account, SharedPasswordAuthenticator, "
        "default_url `/lab`, default extensions), same configurable-http-proxy. "
        "The stacks ran one after the other. Times in seconds from opening the login page to "
        "the landing page's full HTML; a failed teacher counts as infinitely slow in the "
        f"percentiles. PSS via psutil, MB = 10⁶ bytes, after {st.get('settle')} s idle "
        f"(idle teacher) or {st.get('settle_after_storm')} s (after a storm).",
        "",
    ]
    if _get(ours, "landing_fallback"):
        fb = ours["landing_fallback"]
        lines += [
            f"**The Voilà launcher did not render** ({fb['reason']}); Imaginecole's figures "
            "below measure up to the JupyterLab page `/lab` instead, for a second cold teacher.",
            "",
        ]
    rows = [
        [
            "1",
            "Cold: login → landing page rendered (s)",
            fmt_s(_cold_total(ours)),
            fmt_s(_cold_total(stock)),
            ratio(_cold_total(stock), _cold_total(ours)),
            "",
            "",
        ],
        [
            "1",
            "… login / server ready / page only (s)",
            _cold_parts(ours),
            _cold_parts(stock),
            "",
            "",
            "",
        ],
    ]
    rows += _storm_rows(", no pre-spawn", _get(ours, "storm"), _get(stock, "storm"), n, "")
    pre_s = _get(pre, "prespawn")
    rows.append(
        [
            "2",
            f"Pre-spawn of {n} servers by `up --prespawn` (s; ready/asked; CPU-s per server)",
            (
                f"{fmt_s(pre_s['seconds'])} ({pre_s['ready']}/{pre_s['n']}; "
                f"{pre_s['cpu']['stack_cpu'] / max(1, pre_s['n']):.1f})"
            )
            if pre_s
            else "n/a",
            "— (no pre-spawn)",
            "",
            "",
            "",
        ]
    )
    rows += _storm_rows(
        " after pre-spawn (stock: none)", _get(pre, "storm"), _get(stock, "storm"), n, ""
    )
    im, sm = _get(ours, "idle_memory"), _get(stock, "idle_memory")
    rows.append(
        [
            "3",
            "Idle teacher PSS: server + Voilà kernel = total (MB)",
            _idle(ours),
            _idle(stock),
            ratio(_num(_get(sm, "total")), _num(_get(im, "total"))),
            "≤ 200 MB",
            _mark(None if not im else im["total"] <= 200 * MB),
        ]
    )
    rows += _memory_rows(ours, stock)
    rows.append(
        [
            "—",
            "Stack start until the hub answers (s; Imaginecole: plain; pre-spawn run)",
            "; ".join(fmt_s(_get(r, "start_s")) for r in (ours, pre) if r),
            fmt_s(_get(stock, "start_s")),
            "",
            "",
            "",
        ]
    )
    rows.append(
        [
            "—",
            'Hub log "took X seconds to start": p50 / max (s; n) (same order)',
            _spawn(ours, pre),
            _spawn(stock),
            "",
            "",
            "",
        ]
    )
    rows.append(
        [
            "—",
            "Stop: seconds; processes left behind (same order)",
            _stop(ours, pre),
            _stop(stock),
            "",
            "",
            "",
        ]
    )
    lines += [_table(rows), ""]
    lines += _details(runs)
    if results.get("interrupted"):
        lines.append("**Run interrupted: figures are partial.**")
    if results.get("error"):
        lines.append(f"**Run stopped by an error:** {results['error']}")
    if results.get("leftovers_at_exit"):
        lines.append(f"Processes swept at exit: {len(results['leftovers_at_exit'])}")
    return "\n".join(lines) + "\n"


def _spawn(*runs) -> str:
    parts = []
    for run in runs:
        s = _get(run, "spawn_log_summary")
        if s and s.get("n"):
            parts.append(f"{fmt_s(_num(s['p50']))} / {fmt_s(_num(s['max']))} ({s['n']})")
    return "; ".join(parts) or "n/a"


def _stop(*runs) -> str:
    parts = []
    for run in runs:
        t = _get(run, "teardown")
        if t:
            left = len(t.get("killed", [])) + len(t.get("leftovers", []))
            how = "" if t.get("hub_clean_exit", True) else " (hub killed)"
            parts.append(f"{fmt_s(t['seconds'])}{how}; {left}")
    return "; ".join(parts) or "n/a"


def _details(runs: dict) -> list[str]:
    lines = ["## Details", ""]
    for name, run in runs.items():
        label = run.get("label", name)
        prof = run.get("cold_profile") or {}
        if prof:
            imports = ", ".join(
                f"{k} {v:.2f}" for k, v in prof.get("extension_imports", {}).items()
            )
            lines.append(
                f'- {label}, cold spawn (s after the hub\'s "Spawning"): first server log line '
                f"{fmt_s(prof.get('first_server_log'))}, server running "
                f"{fmt_s(prof.get('server_running'))}, "
                f"hub done {fmt_s(prof.get('hub_took_logged'))}"
                f" (logged {fmt_s(prof.get('hub_took'))}); slow extension imports: "
                f"{imports or 'none over 0.1 s'}."
            )
        for key in ("storm", "direct_wave"):
            s = run.get(key)
            if s:
                lines.append(
                    f"- {label}, {key}: {s['ok']}/{s['n']} landed, "
                    f"wall {fmt_s(_num(s['wall']))} s, "
                    f"min {fmt_s(_num(s['min']))} s; hub log throttling lines: "
                    f"{run.get('throttled_in_log', 0)}."
                )
                for err, count in (s.get("errors") or {}).items():
                    lines.append(f"  - {count} × {err}")
        for key in ("idle_stack", "after_storm", "direct"):
            mem = run.get(key)
            if mem:
                roles = ", ".join(f"{k} {fmt_mb(v)}" for k, v in mem["by_role"].items() if v)
                lines.append(f"- {label}, PSS by role ({key}, MB): {roles}.")
        d = run.get("direct")
        if d:
            lines.append(
                f"- {label}: {d['n_servers']} teachers logged in: "
                f"total PSS {fmt_mb(d['total'])} MB "
                f"(base {fmt_mb(d['base'])} MB, {fmt_mb(d['per_teacher'])} MB per teacher)."
            )
        t = run.get("teardown") or {}
        for cmd in t.get("killed", []) + t.get("leftovers", []):
            lines.append(f"  - still running after the stack stopped: `{cmd}`")
    return lines + [""]
