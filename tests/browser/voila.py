"""Real Voilà for the browser tests of the workbenches, and waiting for their saves.

`serve_voila` runs Voilà on a notebook in a temporary folder (the teacher's home), with the
project's offline template and the French strings the hub writes for every server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from imaginecole.hub.pages import voila_resources
from imaginecole.ports import free_loopback_port
from imaginecole.subprocesses import stop

REPO = Path(__file__).resolve().parents[2]
VOILA = Path(sys.executable).with_name("voila")
START_DEADLINE = 90  # seconds for Voilà to answer
RENDER_TIMEOUT = 120_000  # ms for the kernel to run the notebook and draw the widgets
SAVE_DEADLINE = 20  # seconds for an edit to reach the disk


def any_answer(url: str) -> bool:
    """Voilà answers at all: asking for the notebook itself would start a kernel."""
    requests.get(url + "favicon.ico", timeout=5, allow_redirects=False)
    return True


def notebook_page(url: str) -> bool:
    """Voilà serves the notebook's page (which starts its kernel)."""
    return requests.get(url, timeout=5).status_code == 200


@contextmanager
def serve_voila(
    home: Path,
    notebook: str,
    *,
    log: Path | None = None,
    ready: Callable[[str], bool] = any_answer,
    host: str = "127.0.0.1",
    tls: tuple[Path, Path] | None = None,
) -> Iterator[str]:
    """Voilà serving `home / notebook` until the block ends; yields its URL.

    Voilà's output goes to `log` (home/voila.log by default); it is shown if Voilà stops.
    `ready(url)` says when Voilà is up; a request that fails is asked again.
    The URL names `host` (a browser maps it to 127.0.0.1). With `tls` (certificate, key),
    the hub's own proxy (configurable-http-proxy) serves Voilà over https, as on the hub.
    """
    log = log or home / "voila.log"
    # what the hub writes for every server: the template's French strings
    (home / "voila.json").write_text(
        json.dumps({"VoilaConfiguration": {"resources": voila_resources("fr")}}), "utf-8"
    )
    port = free_loopback_port()
    env = {
        **os.environ,
        "JUPYTER_PATH": str(REPO / "templates"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
    }
    env.pop("JUPYTERHUB_USER", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(VOILA),
                notebook,
                "--no-browser",
                f"--port={port}",
                "--Voila.ip=127.0.0.1",
                "--template=imaginecole",
            ],
            cwd=home,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + START_DEADLINE
        try:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"Voilà stopped: {log.read_text(errors='replace')}")
                try:
                    if ready(url):
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"Voilà did not answer on {url} within {START_DEADLINE} s")
                time.sleep(0.25)
            if tls:
                with _tls_proxy(port, tls, home / "proxy.log") as public:
                    yield f"https://{host}:{public}/"
            else:
                yield url.replace("127.0.0.1", host, 1)
        finally:
            stop(process)


@contextmanager
def _tls_proxy(target: int, tls: tuple[Path, Path], log: Path) -> Iterator[int]:
    """configurable-http-proxy on 127.0.0.1 terminating TLS in front of `target`."""
    port = free_loopback_port()
    proxy = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
    cmd = [str(proxy), "--ip=127.0.0.1", f"--port={port}", f"--api-port={free_loopback_port()}"]
    cmd += [f"--ssl-cert={tls[0]}", f"--ssl-key={tls[1]}"]
    cmd += [f"--default-target=http://127.0.0.1:{target}"]
    with log.open("wb") as output:
        process = subprocess.Popen(cmd, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_DEADLINE
        try:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"the proxy stopped: {log.read_text(errors='replace')}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the proxy did not answer on {port} within {START_DEADLINE} s")
                time.sleep(0.1)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=15)


def wait_for_saved(
    path: Path,
    check: Callable[[Any], bool],
    *,
    pick: Callable[[Any], Any] = lambda data: data,
    what: str | None = None,
    deadline: float = SAVE_DEADLINE,
) -> Any:
    """`pick(data)` of the JSON at `path` once `check` holds on it; fails after `deadline` s.

    A file being written, or not yet holding what `pick` looks for, is read again.
    """
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        try:
            last = pick(json.loads(path.read_text("utf-8")))
            if check(last):
                return last
        except (OSError, ValueError, KeyError, StopIteration):
            pass
        time.sleep(0.2)
    pytest.fail(f"{what or path} never reached the expected state; last seen: {last}")
