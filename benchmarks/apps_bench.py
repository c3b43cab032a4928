"""Apps benchmark: time to interactive of a published app, cold Voilà against preheated.

    .venv/bin/python benchmarks/apps_bench.py              # about 14 minutes on 2 cores
    .venv/bin/python benchmarks/apps_bench.py --openings 20 --concurrent 20

Publishes the sample app (notebooks/examples/app-fractions) to a fresh catalogue
(`imaginecole catalogue serve`), then starts two apps services on it, as the hub does
(`python -m imaginecole.apps.service`, `--anonymous` here: no hub in front): one cold
(`--pool-size 0`: every opening starts a kernel and runs the notebook) and one preheated
(`--pool-size` = `--concurrent`). Both take the app from the catalogue.

Time to interactive: from the moment Debian's Chromium (Playwright) is asked for the app's
page until the first widget is drawn (the slider) and the page's kernel reports `idle`
(Voilà's kernel API, asked from the page). Each opening uses a new browser context with
the HTTP cache of one warm-up visit, as a learner's second visit; the kernel is shut down
afterwards (as Voilà does when a tab closes), and the next opening waits `--gap` seconds.

1. side by side: `--openings` openings of each, alternating cold and preheated;
2. concurrent: `--concurrent` openings of the preheated service at the same instant.

Reports p50, p95 and max, the ratio cold / preheated, and whether preheated p95 ≤ 1 s.
Writes benchmarks/results/apps_bench.md and apps_bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from bench_common import pin_two_cores, report_head, run_facts, scratch_folder, write_results

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "notebooks" / "examples" / "app-fractions"
TARGET = 1.0  # seconds, preheated p95
COLUMNS = "measure | openings: | p50 (s): | p95 (s): | max (s): | failed: | target | met"
PHASES = (
    "browser_cold",
    "browser_preheated",
    "browser_concurrent",
    "http_cold",
    "http_preheated",
    "http_concurrent",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; a failed opening counts as infinitely slow."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, deadline: float = 120) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} stopped:\n{log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=2, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {deadline} s")


def start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def publish_sample(data: Path) -> str:
    """The sample app, published in a new catalogue at `data`: its uid."""
    from imaginecole.catalogue.service import Catalogue

    bundle = data.parent / "app-fractions"
    shutil.copytree(SAMPLE, bundle)
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    manifest["id"] = str(uuid.uuid4())
    (bundle / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    catalogue = Catalogue.open(data)
    try:
        _token, editor = catalogue.create_token("editor", name="bench")
        return catalogue.publish(editor, bundle, formats=[], state="published").uid
    finally:
        catalogue.close()


async def open_app(browser, url: str, storage: dict | None) -> tuple[float, str]:
    """Browser: seconds from asking for `url` to the slider drawn and the kernel idle."""
    context = await browser.new_context(storage_state=storage)
    try:
        page = await context.new_page()
        begin = time.perf_counter()
        await page.goto(url, wait_until="commit")
        await page.get_by_role("slider").first.wait_for(timeout=300_000)
        config = json.loads(await page.locator("#jupyter-config-data").text_content())
        kernel = f"{config['baseUrl']}api/kernels/{config['kernelId']}"
        while True:
            state = await page.evaluate(
                "async (u) => (await (await fetch(u, {cache: 'no-store'})).json()).execution_state",
                kernel,
            )
            if state == "idle":
                break
            await asyncio.sleep(0.02)
        return time.perf_counter() - begin, config["kernelId"]
    finally:
        await context.close()


CONFIG = re.compile(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', re.S)


async def open_http(url: str) -> tuple[float, str]:
    """Server only: seconds from asking for `url` to the whole page received and its kernel
    answering on the page's websocket (kernel_info_reply), without a browser's own cost."""
    from tornado.httpclient import AsyncHTTPClient
    from tornado.websocket import websocket_connect

    begin = time.perf_counter()
    response = await AsyncHTTPClient().fetch(url, request_timeout=300)
    kernel_id = json.loads(CONFIG.search(response.body.decode()).group(1))["kernelId"]
    base = url.split("voila/render/")[0].replace("http://", "ws://", 1)
    session = uuid.uuid4().hex
    channels = f"{base}api/kernels/{kernel_id}/channels?session_id={session}"
    socket_ = await websocket_connect(channels)
    try:
        header = {
            "msg_id": uuid.uuid4().hex,
            "username": "bench",
            "session": session,
            "msg_type": "kernel_info_request",
            "version": "5.3",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": {}}
        await socket_.write_message(json.dumps({**message, "channel": "shell", "buffers": []}))
        while True:
            raw = await asyncio.wait_for(socket_.read_message(), 120)
            if raw is None:
                raise RuntimeError("the kernel's websocket closed")
            if isinstance(raw, str) and json.loads(raw)["msg_type"] == "kernel_info_reply":
                break
    finally:
        socket_.close()
    return time.perf_counter() - begin, kernel_id


def shutdown(base: str, kernel_id: str) -> None:
    requests.post(f"{base}voila/api/shutdown/{kernel_id}", timeout=30)


async def one(out: dict, key: str, opening, url: str) -> None:
    """Time one opening into out[key]; a failure counts as infinitely slow, never hidden."""
    try:
        seconds, kernel = await opening
        out[key].append(seconds)
        await asyncio.to_thread(shutdown, url.split("voila/")[0], kernel)
    except Exception as exc:
        out[key].append(float("inf"))
        out["failures"].setdefault(key, []).append(repr(exc)[:300])


async def measure(args: argparse.Namespace, urls: dict[str, str]) -> dict[str, Any]:
    from imaginecole.exports.pdf import CHROMIUM, CHROMIUM_ARGS
    from playwright.async_api import async_playwright

    out: dict[str, Any] = {key: [] for key in PHASES} | {"failures": {}}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # warm-up: one visit of each service (cookies; the preheated pool is used once)
        storage = {}
        for name, url in urls.items():
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(url)
            await page.get_by_role("slider").first.wait_for(timeout=300_000)
            storage[name] = await context.storage_state()
            await context.close()
        await asyncio.sleep(args.gap + 3)
        # side by side: cold, preheated, cold, preheated… in the browser, then server only
        for i in range(args.openings):
            for name in ("cold", "preheated"):
                key = f"browser_{name}"
                await one(out, key, open_app(browser, urls[name], storage[name]), urls[name])
                print(f"{key} {i + 1}: {out[key][-1]:.3f} s", file=sys.stderr)
                await asyncio.sleep(args.gap)
        for i in range(args.openings):
            for name in ("cold", "preheated"):
                key = f"http_{name}"
                await one(out, key, open_http(urls[name]), urls[name])
                print(f"{key} {i + 1}: {out[key][-1]:.3f} s", file=sys.stderr)
                await asyncio.sleep(args.gap)
        # concurrent openings of the preheated service, once the pool is full again
        url = urls["preheated"]
        await asyncio.sleep(args.refill)
        await asyncio.gather(
            *(one(out, "http_concurrent", open_http(url), url) for _ in range(args.concurrent))
        )
        await asyncio.sleep(args.refill)
        await asyncio.gather(
            *(
                one(out, "browser_concurrent", open_app(browser, url, storage["preheated"]), url)
                for _ in range(args.concurrent)
            )
        )
        await browser.close()
    return out


def summary(values: list[float]) -> dict[str, Any]:
    done = [v for v in values if v != float("inf")]
    return {
        "openings": len(values),
        "failed": len(values) - len(done),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values),
    }


def table(results: dict[str, Any]) -> str:
    n = results["concurrent_n"]
    lines = report_head(
        "Apps: time to interactive, cold Voilà against preheated",
        results,
        f"Voilà {results['voila']}",
        COLUMNS,
        facts=(f"pool size {results['pool_size']}", f"gap {results['gap']} s"),
    )

    def cell(value: float) -> str:
        return "failed" if value == float("inf") else f"{value:.3f}"

    rows = (
        ("browser_cold", "browser, cold (pool 0), one at a time", False),
        ("browser_preheated", "browser, preheated, one at a time", True),
        ("browser_concurrent", f"browser, preheated, {n} at once", False),
        ("http_cold", "server only, cold, one at a time", False),
        ("http_preheated", "server only, preheated, one at a time", True),
        ("http_concurrent", f"server only, preheated, {n} at once", True),
    )
    for key, label, check in rows:
        s = results[key]
        target = f"p95 ≤ {TARGET:g} s" if check else "—"
        met = ("yes" if s["p95"] <= TARGET else "no") if check else "—"
        lines.append(
            f"| {label} | {s['openings']} | {cell(s['p50'])} | {cell(s['p95'])} | "
            f"{cell(s['max'])} | {s['failed']} | {target} | {met} |"
        )
    lines += [
        "",
        "Cold / preheated, one at a time: browser p50 × {browser_p50:.1f}, p95 × {browser_p95:.1f};"
        " server only p50 × {http_p50:.1f}, p95 × {http_p95:.1f}.".format(**results["ratios"]),
        "",
        "Browser: from the page asked for until the slider is drawn and the page's kernel "
        "reports idle, in Debian's Chromium on the same 2 cores (its JavaScript included; a "
        "new context per opening, with the cookies of one earlier visit). Server only: until "
        "the whole page is received and its kernel answers kernel_info on the page's websocket "
        "(what the browser waits for from the server).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--openings", type=int, default=20, help="openings of each (20)")
    parser.add_argument("--concurrent", type=int, default=20, help="openings at once (20)")
    parser.add_argument("--gap", type=float, default=2.0, help="seconds between openings (2)")
    parser.add_argument("--refill", type=float, default=90.0, help="pool fill time, s (90)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    cpus = pin_two_cores()
    results: dict[str, Any] = run_facts(cpus)
    import voila

    results.update(voila=voila.__version__, pool_size=args.concurrent, gap=args.gap)
    env = {**os.environ, "JUPYTER_PATH": str(REPO / "templates"), "PYTHONUNBUFFERED": "1"}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    with scratch_folder("imaginecole-apps-bench-", args.keep) as work:
        uid = publish_sample(work / "catalogue")
        procs = []
        try:
            port = free_port()
            log = work / "catalogue.log"
            cmd = [sys.executable, "-m", "imaginecole", "catalogue", "serve"]
            cmd += ["--data", str(work / "catalogue"), "--port", str(port)]
            procs.append(start(cmd, log, env))
            catalogue = f"http://127.0.0.1:{port}/"
            wait_http(catalogue + "api/", procs[-1], log)
            urls = {}
            for name, pool in (("cold", 0), ("preheated", args.concurrent)):
                port = free_port()
                log = work / f"apps-{name}.log"
                cmd = [sys.executable, "-m", "imaginecole.apps.service", "--anonymous"]
                cmd += ["--apps-dir", str(work / f"apps-{name}"), "--catalogue-url", catalogue]
                cmd += ["--port", str(port), "--pool-size", str(pool), "--poll", "600"]
                procs.append(start(cmd, log, env))
                wait_http(f"http://127.0.0.1:{port}/", procs[-1], log)
                urls[name] = f"http://127.0.0.1:{port}/voila/render/{uid}.ipynb"
            # the preheated pool fills (kernels start and run the notebook) before timing
            time.sleep(args.refill)
            measured = asyncio.run(measure(args, urls))
        finally:
            for proc in reversed(procs):
                stop(proc)
    for key in PHASES:
        results[key] = summary(measured[key])
        results[f"{key}_seconds"] = measured[key]
    results["concurrent_n"] = args.concurrent
    results["failures"] = measured["failures"]
    results["ratios"] = {
        f"{kind}_{q}": results[f"{kind}_cold"][q] / results[f"{kind}_preheated"][q]
        for kind in ("browser", "http")
        for q in ("p50", "p95")
    }
    results["target_met"] = results["browser_preheated"]["p95"] <= TARGET
    write_results("apps_bench", json.loads(json.dumps(results, default=str)), table(results))
    return 0 if results["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
