"""Real JupyterLab for the browser tests of the widgets, as a teacher runs a notebook in it.

`serve_lab` runs the venv's `jupyter lab` on 127.0.0.1 with a token, on a temporary folder
(the teacher's home), offline: no news, no update check, no extension manager reaching PyPI.
Its settings, workspaces and runtime files live in that temporary place too. At the end the
kernels are shut down, the server's process group is stopped and no kernel is left running.
`open_notebook` and `run_first_code_cell` drive Lab's notebook page in Chromium.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from imaginecole.ports import free_loopback_port

JUPYTER = Path(sys.executable).with_name("jupyter")
START_DEADLINE = 90  # seconds for Lab to answer
OPEN_TIMEOUT = 90_000  # ms for Lab's page to show the notebook
RENDER_TIMEOUT = 120_000  # ms for the kernel to start, run the cell and draw the widget
STOP_DEADLINE = 15  # seconds for the server and its kernels to stop

# user settings that keep Lab quiet and offline: no news toast, no update check
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


@dataclass
class Lab:
    url: str  # http://127.0.0.1:port/
    token: str
    home: Path
    runtime: Path  # where its kernels' connection files are
    # kernels still running once Lab had stopped (then killed): should stay empty
    left_running: list[int] = field(default_factory=list)

    def api(self, path: str, method: str = "GET") -> requests.Response:
        response = requests.request(
            method, self.url + path, headers={"Authorization": f"token {self.token}"}, timeout=10
        )
        response.raise_for_status()
        return response

    def notebook_url(self, notebook: str) -> str:
        return f"{self.url}lab/tree/{quote(notebook)}?token={self.token}"

    def kernels(self) -> list[dict]:
        return self.api("api/kernels").json()


def lab_answers(url: str, token: str) -> bool:
    """Lab serves its page (with the token) and its kernel specs."""
    headers = {"Authorization": f"token {token}"}
    page = requests.get(url + "lab", headers=headers, timeout=5)
    specs = requests.get(url + "api/kernelspecs", headers=headers, timeout=5)
    return page.status_code == 200 and specs.status_code == 200


def kernel_processes(runtime: Path) -> list[int]:
    """Pids of the kernels whose connection file is in `runtime` (the ones this Lab started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.startswith(os.fsencode(runtime) + b"/kernel-") for arg in argv):
            found.append(int(entry.name))
    return found


@contextmanager
def serve_lab(home: Path, *, log: Path | None = None) -> Iterator[Lab]:
    """JupyterLab on `home` until the block ends; yields the running `Lab`.

    Lab's output goes to `log` (home/../lab.log by default); it is shown if Lab stops.
    After the block, `lab.left_running` lists the kernels that outlived Lab (killed).
    """
    state = home.parent / f"{home.name}-lab"  # Lab's own files, outside the teacher's home
    log = log or home.parent / "lab.log"
    runtime = state / "runtime"
    settings = state / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), "utf-8")
    port = free_loopback_port()
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_DATA_DIR": str(state / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
    }
    for name in ("JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN", "JUPYTER_TOKEN"):
        env.pop(name, None)
    args = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={home}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.terminals_enabled=False",
        # offline: no news feed, no update check, no extension manager asking PyPI
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        # window.jupyterapp: the test waits for the notebook's kernel through it
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    with log.open("wb") as output:
        process = subprocess.Popen(
            args,
            cwd=home,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
        lab = Lab(f"http://127.0.0.1:{port}/", token, home, runtime)
        deadline = time.monotonic() + START_DEADLINE
        try:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"JupyterLab stopped: {log.read_text(errors='replace')}")
                try:
                    if lab_answers(lab.url, token):
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer on {lab.url} within {START_DEADLINE} s")
                time.sleep(0.25)
            yield lab
        finally:
            _stop(lab, process)


def _stop(lab: Lab, process: subprocess.Popen) -> None:
    """Shut the kernels down, stop Lab's process group, then any kernel still running."""
    try:
        for kernel in lab.kernels():
            lab.api(f"api/kernels/{kernel['id']}", method="DELETE")
    except requests.RequestException:
        pass  # Lab is gone already: its kernels are looked for below
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_DEADLINE)
    # kernels run in sessions of their own: the ones left are stopped one by one
    end = time.monotonic() + STOP_DEADLINE
    while (left := kernel_processes(lab.runtime)) and time.monotonic() < end:
        time.sleep(0.2)
    lab.left_running = left
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def open_notebook(page, lab: Lab, notebook: str) -> None:
    """Lab's page showing `notebook`, its kernel started."""
    page.goto(lab.notebook_url(notebook))
    page.locator(".jp-NotebookPanel .jp-Cell.jp-CodeCell").first.wait_for(timeout=OPEN_TIMEOUT)
    # a cell run before the notebook's kernel is connected would be dropped by Lab
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const session = panel && panel.sessionContext && panel.sessionContext.session;
            const kernel = session && session.kernel;
            return kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
        }""",
        timeout=OPEN_TIMEOUT,
    )


def run_first_code_cell(page) -> None:
    """Run the notebook's first code cell as a teacher does: click in it, Shift+Enter."""
    cell = page.locator(".jp-NotebookPanel .jp-Cell.jp-CodeCell").first
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def output_area(page):
    """The first code cell's output area, where the widget is drawn."""
    return page.locator(".jp-NotebookPanel .jp-Cell.jp-CodeCell").first.locator(
        ".jp-OutputArea-output"
    )
