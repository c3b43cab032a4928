"""`imaginecole up`: start the whole workshop stack on one machine.

The supervisor starts JupyterHub (which starts the proxy and the services),
waits until it answers, restarts the servers that were running when it was
last stopped, optionally pre-spawns the roster, and on Ctrl-C stops every
process it started.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from ..i18n import ImaginecoleError, _
from ..workshop import Workshop, load_workshop
from .api import HubAPI, spawn_many
from .config import SUPERVISOR_SERVICE, HubSettings, catalogue_prefix, repo_root
from .spawner import ensure_account

STATE_FILE = "running-servers.json"


def default_workshop() -> Path:
    return repo_root() / "hub_config" / "examples" / "demo-workshop.yaml"


def default_data_dir(workshop: Workshop) -> Path:
    if os.geteuid() == 0:
        return Path("/var/lib/imaginecole") / workshop.slug
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "imaginecole" / workshop.slug


def _check_prerequisites(settings: HubSettings, service_account: str) -> None:
    proxy = settings.tree / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        raise ImaginecoleError(
            "configurable-http-proxy is missing ({path}). Run the set-up command of the README "
            "(it runs npm ci).",
            path=proxy,
        )
    if settings.isolated and os.geteuid() != 0:
        raise ImaginecoleError(
            "--isolated creates one account per participant and must run as root (sudo)."
        )
    if os.geteuid() != 0:
        return
    account = ensure_account(service_account) if not settings.isolated else None
    # single-user servers run unprivileged: they must reach Python and the templates
    probe_user = account.pw_name if account else "nobody"
    for path in (Path(sys.executable), settings.tree / "templates", settings.data_dir):
        check = subprocess.run(["test", "-r", str(path)], user=probe_user, check=False)
        if check.returncode != 0:
            raise ImaginecoleError(
                "The account {user} cannot read {path}, so teachers' servers could not start. "
                "Install the project and its data in folders every account can read "
                "(not under /root or a private temporary folder).",
                user=probe_user,
                path=path,
            )


def _wait_ready(api: HubAPI, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ImaginecoleError(
                "JupyterHub stopped while starting (exit code {code}); read its log above.",
                code=proc.returncode,
            )
        if api.ready():
            return
        time.sleep(0.2)
    raise ImaginecoleError("JupyterHub did not answer within {s} seconds.", s=120)


def _wait_catalogue(url: str, proc: subprocess.Popen, deadline: float) -> bool:
    """Wait until the catalogue service answers through the proxy; False at the deadline.

    The hub starts its services in the background: a trainer told « ready » must find the
    catalogue too, not a « service unavailable » page.
    """
    import requests

    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(url + "api/", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def _lan_addresses() -> list[str]:
    found = []
    for addrs in psutil.net_if_addrs().values():
        for addr in addrs:
            if addr.family == socket.AF_INET and not addr.address.startswith("127."):
                found.append(addr.address)
    return found


def _leftover_proxy(data_dir: Path) -> list[psutil.Process]:
    """The proxy of this workshop if it outlived its hub (a hub that crashed leaves it)."""
    try:
        proxy = psutil.Process(int((data_dir / "proxy.pid").read_text().strip()))
        if any("configurable-http-proxy" in part for part in proxy.cmdline()):
            return [proxy]
    except (OSError, ValueError, psutil.Error):
        pass
    return []


def _leftover_services(data_dir: Path) -> list[psutil.Process]:
    """What a hub that died left of this workshop: culler, catalogue, servers and kernels.

    Recognised by their command line and folder, never by their folder alone: a trainer's
    shell opened in the data folder is left alone.
    """
    catalogue, homes = str(data_dir / "catalogue"), str(data_dir / "homes") + os.sep
    found: list[psutil.Process] = []
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        cmdline, cwd = proc.info["cmdline"] or [], proc.info["cwd"] or ""
        if proc.info["pid"] == os.getpid() or not cmdline:
            continue
        line = " ".join(cmdline)
        culler = cwd == str(data_dir) and "jupyterhub_idle_culler" in line
        served = "serve" in cmdline and "--hub" in cmdline and catalogue in cmdline
        server = "jupyterhub-singleuser" in line and cwd.startswith(homes)
        if culler or served or server:
            found.append(proc)
            try:
                found += proc.children(recursive=True)  # a server's kernels
            except psutil.Error:
                pass
    return found


def _stop(proc: subprocess.Popen, api: HubAPI, state: Path) -> None:
    """Remember running servers, then stop the hub and everything below it.

    Further Ctrl-C or SIGTERM are ignored meanwhile: a second Ctrl-C used to
    interrupt this very function and leave the hub, the proxy and every server
    running. Each step below is bounded in time instead.
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    try:
        state.write_text(json.dumps(api.running(timeout=5)))
    except Exception as exc:  # the hub may already be gone; keep the previous list
        print(_("Could not record the running servers: {error}").format(error=exc))
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    family += [p for p in _leftover_proxy(state.parent) if p not in family]
    family += [p for p in _leftover_services(state.parent) if p not in family]
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for child in family:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            continue
    _gone, alive = psutil.wait_procs(family, timeout=10)
    for child in alive:
        child.kill()


def up(
    workshop_file: Path | None = None,
    *,
    data_dir: Path | None = None,
    ip: str = "127.0.0.1",
    port: int = 8000,
    isolated: bool = False,
    prespawn: bool = False,
    ready_file: Path | None = None,
) -> int:
    """Run the workshop until interrupted; return the exit code."""
    workshop_file = Path(workshop_file or default_workshop()).resolve()
    workshop = load_workshop(workshop_file)
    lang = workshop.language
    for change in workshop.roster_changes:
        print(change)
    data_dir = Path(data_dir or default_data_dir(workshop)).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o755)
    settings = HubSettings(data_dir=data_dir, ip=ip, port=port, isolated=isolated)
    _check_prerequisites(settings, "imaginecole")
    api = HubAPI(f"http://127.0.0.1:{port}/hub/api", settings.secret("supervisor_api_token"))

    env = dict(os.environ)
    env.update(
        IMAGINECOLE_WORKSHOP_FILE=str(workshop_file),
        IMAGINECOLE_DATA=str(data_dir),
        IMAGINECOLE_IP=ip,
        IMAGINECOLE_PORT=str(port),
        IMAGINECOLE_ISOLATED="1" if isolated else "0",
    )
    config = settings.tree / "hub_config" / "jupyterhub_config.py"
    cmd = [sys.executable, "-m", "jupyterhub", "-f", str(config)]
    proc = subprocess.Popen(cmd, cwd=data_dir, env=env, start_new_session=True)
    state = data_dir / STATE_FILE
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        _wait_ready(api, proc, time.monotonic() + 120)
        hosts = _lan_addresses() if ip in ("0.0.0.0", "") else [ip]
        catalogue = workshop.catalogue.get("enabled", True)
        if catalogue and not _wait_catalogue(
            f"http://127.0.0.1:{port}{catalogue_prefix()}", proc, time.monotonic() + 120
        ):
            print(
                _(
                    "The catalogue service does not answer yet: teachers can work, but "
                    "publishing will wait until it does. Read the hub's log above."
                )
            )
        print(_("Workshop « {name} » is open at:").format(name=workshop.name))
        for host in hosts:
            print(f"    http://{host}:{port}/")
        if catalogue:
            print(_("Shared catalogue:"))
            for host in hosts:
                print(f"    http://{host}:{port}{catalogue_prefix()}")
        print(_("Press Ctrl-C to stop every process of the workshop."))
        if state.exists():
            names = [n for n in json.loads(state.read_text()) if n in workshop_names(workshop)]
            if names:
                print(_("Restarting {n} server(s) that were running.").format(n=len(names)))
                spawn_many(api, names, workshop.spawn["prespawn_parallel"])
        if prespawn:
            run_prespawn(api, workshop, lang)
        if ready_file:
            ready_file.write_text(json.dumps({"pid": os.getpid(), "hub": proc.pid}))
        while proc.poll() is None:
            time.sleep(0.5)
        print(_("JupyterHub stopped (exit code {code}).").format(code=proc.returncode))
        return proc.returncode or 1
    except KeyboardInterrupt:
        print(_("Stopping the workshop…"))
        return 0
    finally:
        _stop(proc, api, state)


def workshop_names(workshop: Workshop) -> set[str]:
    return {p.username for p in workshop.everyone}


def run_prespawn(api: HubAPI, workshop: Workshop, lang: str) -> dict[str, float | str]:
    names = workshop.teacher_names + workshop.trainer_names
    parallel = workshop.spawn["prespawn_parallel"]
    print(_("Pre-spawning {n} server(s), {p} at a time…").format(n=len(names), p=parallel))
    started = time.monotonic()
    results = spawn_many(api, names, parallel)
    failed = {k: v for k, v in results.items() if isinstance(v, str)}
    print(
        _("{ok} server(s) ready in {s:.0f} s; {bad} failed.").format(
            ok=len(results) - len(failed), s=time.monotonic() - started, bad=len(failed)
        )
    )
    for name, error in failed.items():
        print(f"  {name}: {error}")
    return results


def supervisor_api(data_dir: Path, port: int) -> HubAPI:
    token_file = data_dir / "secrets" / "supervisor_api_token"
    if not token_file.exists():
        raise ImaginecoleError(
            "No workshop data in {path}: start the workshop with « imaginecole up » first.",
            path=data_dir,
        )
    return HubAPI(f"http://127.0.0.1:{port}/hub/api", token_file.read_text().strip())


__all__ = ["SUPERVISOR_SERVICE", "up", "run_prespawn", "supervisor_api", "default_data_dir"]
