"""Start and stop the two hub stacks under comparison, each in its own temp folder.

`ImaginecoleStack` runs the product's supervisor (`imaginecole up`).
`StockStack` runs `jupyterhub` with `stock_jupyterhub_config.py`.
Both use the repo's configurable-http-proxy and listen on 127.0.0.1 only.

Every process a stack starts works in, or names, the stack's temp folder, so
`sweep()` finds whatever survived a stop without matching anything else on
the machine.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests
import yaml

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parents[1]
ACCOUNT = "imaginecole"
TOOK = re.compile(r"User (\S+) took ([0-9.]+) seconds to start")
STALL = re.compile(r"JupyterHub metrics:\d+\] Event loop was unresponsive for at least ([0-9.]+)s")


def venv_bin() -> Path:
    return Path(sys.executable).parent


def proxy_command() -> Path:
    return REPO / "node_modules" / ".bin" / "configurable-http-proxy"


def free_port_block(start: int, size: int = 3, avoid: set[int] | None = None) -> int:
    """The first port P >= start such that P .. P+size-1 are all free on 127.0.0.1."""
    avoid = avoid or set()
    for port in range(start, 65000 - size, size):
        if avoid & set(range(port, port + size)):
            continue
        try:
            for p in range(port, port + size):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    raise RuntimeError("no free block of ports on 127.0.0.1")


def base_env() -> dict[str, str]:
    """Our environment without Jupyter settings that would leak into a stack."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "JPY_", "IMAGINECOLE_", "CONFIGPROXY"))
    }
    env["PATH"] = f"{venv_bin()}:/usr/local/bin:/usr/bin:/bin"
    env["PYTHONUNBUFFERED"] = "1"  # the supervisor's "is open" line must reach the log now
    return env


def sweep(root: Path) -> list[str]:
    """Stop every process that works in or names `root`; return their command lines."""
    mark = str(root)
    found = []
    for proc in psutil.process_iter(["pid", "cwd", "cmdline"]):
        if proc.pid == os.getpid():
            continue
        cwd = proc.info.get("cwd") or ""
        cmd = " ".join(proc.info.get("cmdline") or [])
        if cwd.startswith(mark) or mark in cmd:
            found.append(proc)
    names = []
    for proc in found:
        try:
            names.append(" ".join(proc.cmdline())[:160])
            proc.terminate()
        except psutil.NoSuchProcess:
            continue
    _gone, alive = psutil.wait_procs(found, timeout=5)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
    return names


class Stack:
    """A hub stack started in `workdir`; subclasses say how."""

    label = "stack"
    landing = "/lab"  # the page a teacher lands on, relative to /user/NAME
    stop_timeout = 60.0

    def __init__(self, workdir: Path, port: int, users: list[str], password: str) -> None:
        self.workdir = workdir
        self.port = port
        self.users = users
        self.password = password
        self.log_path = workdir / "stack.log"
        self.proc: subprocess.Popen | None = None
        self._log = None
        self.ready_at: float | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def ready_marker(self) -> re.Pattern:
        raise NotImplementedError

    def root_pid(self) -> int:
        """The process whose tree holds the whole stack."""
        assert self.proc is not None
        return self.proc.pid

    def hub_pid(self) -> int:
        return self.root_pid()

    def start(self, timeout: float = 120.0) -> float:
        """Start the stack and wait until the hub answers; return the seconds it took."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd, env = self.command()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = started + timeout
        marker = self.ready_marker()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.label} exited while starting (code {self.proc.returncode}); "
                    f"see {self.log_path}:\n{self.log_text()[-2000:]}"
                )
            if marker.search(self.log_text()) and self._hub_answers():
                self.ready_at = time.monotonic()
                return self.ready_at - started
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} not ready after {timeout:.0f} s; see {self.log_path}")

    def _hub_answers(self) -> bool:
        try:
            return requests.get(f"{self.base_url}/hub/api/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def log_text(self) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return ""

    def spawn_seconds(self) -> dict[str, float]:
        """What the hub logged: 'User NAME took X seconds to start' (the last one per user)."""
        return {m[1]: float(m[2]) for m in TOOK.finditer(self.log_text())}

    def throttled_in_log(self) -> int:
        return self.log_text().count("pending spawns, throttling")

    def log_size(self) -> int:
        return len(self.log_text())

    def hub_loop_stalls(self, since: int = 0) -> dict:
        """The hub's own warnings that its event loop was blocked (every request waits)."""
        stalls = [float(m[1]) for m in STALL.finditer(self.log_text()[since:])]
        return {"count": len(stalls), "total": sum(stalls), "max": max(stalls, default=0.0)}

    def hub_stopped_cleanly(self) -> bool:
        """JupyterHub logs '...done' at the very end of its own shutdown."""
        text = self.log_text()
        tail = text[text.rfind("initiating shutdown") :] if "initiating shutdown" in text else ""
        return "...done" in tail

    def stop(self) -> dict:
        """Stop the stack the way its operator would, then sweep what is left."""
        result = {"seconds": 0.0, "graceful": True, "killed": [], "leftovers": []}
        if self.proc is None:
            result["leftovers"] = sweep(self.workdir)
            return result
        started = time.monotonic()
        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            result["graceful"] = False
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        # children that outlived their parent: the stack did not stop them itself
        for proc in family:
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    result["killed"].append(" ".join(proc.cmdline())[:160])
                    proc.kill()
            except psutil.NoSuchProcess:
                continue
        psutil.wait_procs(family, timeout=5)
        result["seconds"] = time.monotonic() - started
        result["hub_clean_exit"] = self.hub_stopped_cleanly()
        result["leftovers"] = sweep(self.workdir)
        if self._log:
            self._log.close()
        return result


class StockStack(Stack):
    label = "stock JupyterHub + JupyterLab"
    landing = "/lab"

    def command(self) -> tuple[list[str], dict[str, str]]:
        homes = self.workdir / "homes"
        homes.mkdir(exist_ok=True)
        env = base_env()
        env.update(
            STOCK_HUB_DIR=str(self.workdir),
            STOCK_HUB_PORT=str(self.port),
            STOCK_HUB_PROXY=str(proxy_command()),
            STOCK_HUB_PASSWORD=self.password,
            STOCK_HUB_USERS=",".join(self.users),
            STOCK_HUB_SINGLEUSER=str(venv_bin() / "jupyterhub-singleuser"),
        )
        if os.geteuid() == 0:
            from imaginecole.hub.spawner import ensure_account

            entry = ensure_account(ACCOUNT)
            os.chown(homes, entry.pw_uid, entry.pw_gid)
            env["STOCK_HUB_ACCOUNT"] = ACCOUNT
        config = BENCH_DIR / "stock_jupyterhub_config.py"
        return [sys.executable, "-m", "jupyterhub", "-f", str(config)], env

    def ready_marker(self) -> re.Pattern:
        return re.compile(r"JupyterHub is now running at")


class ImaginecoleStack(Stack):
    label = "Imaginecole"
    stop_timeout = 120.0  # the supervisor itself gives the hub 60 s, then 10 s to children

    def __init__(
        self,
        workdir: Path,
        port: int,
        users: list[str],
        password: str,
        *,
        base_workshop: Path,
        auth: str = "first-use",
        prespawn: bool = False,
    ) -> None:
        super().__init__(workdir, port, users, password)
        self.base_workshop = base_workshop
        self.auth = auth
        self.prespawn = prespawn
        self.data = workdir / "data"
        self.workshop = self.write_workshop()
        self.landing = self._landing()

    def write_workshop(self) -> Path:
        """The base workshop (the demo by default) with the benchmark's roster and auth."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        data = yaml.safe_load(self.base_workshop.read_text("utf-8"))
        data["workshop"]["name"] = "Banc d'essai hub_storm"
        data["workshop"]["slug"] = "hub-storm"
        data.pop("trainers", None)
        data["roster"] = "roster.csv"
        if self.auth == "workshop-code":
            data["auth"] = {
                "mode": "workshop-code",
                "code": self.password,
                "trainer_code": self.password + "-formation",
            }
        else:
            data["auth"] = {
                "mode": "first-use",
                **{k: v for k, v in data.get("auth", {}).items() if k == "min_password_length"},
            }
        lines = ["username,full_name,email,role,country,team"]
        country = data["workshop"]["country"]
        lines += [f"{u},Enseignant {u},,teacher,{country}," for u in self.users]
        (self.workdir / "roster.csv").write_text("\n".join(lines) + "\n", "utf-8")
        path = self.workdir / "workshop.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    def _landing(self) -> str:
        from imaginecole.hub.config import landing_url
        from imaginecole.workshop import load_workshop

        return landing_url(load_workshop(self.workshop))

    def command(self) -> tuple[list[str], dict[str, str]]:
        cmd = [str(venv_bin() / "imaginecole"), "up", str(self.workshop)]
        cmd += ["--data", str(self.data), "--port", str(self.port)]
        if self.prespawn:
            cmd.append("--prespawn")
        return cmd, base_env()

    def ready_marker(self) -> re.Pattern:
        return re.compile(r"est ouvert|is open at")

    def hub_pid(self) -> int:
        assert self.proc is not None
        for child in psutil.Process(self.proc.pid).children():
            if "jupyterhub" in " ".join(child.cmdline()):
                return child.pid
        raise RuntimeError("the supervisor has no jupyterhub child")

    def token(self) -> str:
        return (self.data / "secrets" / "supervisor_api_token").read_text().strip()

    def ready_servers(self) -> set[str]:
        """Users whose default server is ready, asked with the supervisor's token."""
        resp = requests.get(
            f"{self.base_url}/hub/api/users",
            params={"limit": 1000},
            headers={"Authorization": f"token {self.token()}"},
            timeout=30,
        )
        resp.raise_for_status()
        return {u["name"] for u in resp.json() if (u.get("servers") or {}).get("", {}).get("ready")}

    def wait_all_ready(self, names: list[str], timeout: float) -> tuple[float, set[str]]:
        """Poll until every server in `names` is ready; return seconds and those ready."""
        started = time.monotonic()
        ready: set[str] = set()
        while time.monotonic() - started < timeout:
            assert self.proc is not None
            if self.proc.poll() is not None:
                break
            try:
                ready = self.ready_servers() & set(names)
            except requests.RequestException:
                pass
            if len(ready) == len(names):
                break
            time.sleep(0.5)
        return time.monotonic() - started, ready
