"""`imaginecole up`: start the whole workshop stack on one machine.

The supervisor starts JupyterHub (which starts the proxy and the services),
waits until it answers, restarts the servers that were running when it was
last stopped, optionally pre-spawns the roster, and on Ctrl-C stops every
process it started.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from ..i18n import ImaginecoleError, _
from ..workshop import Workshop, load_workshop
from .api import HubAPI, spawn_many
from .config import SUPERVISOR_SERVICE, HubSettings, catalogue_prefix, repo_root
from .seed import seed_catalogue
from .spawner import ensure_account
from .tls import TLSFiles, ensure_workshop_tls, fingerprint, machine_addresses, user_tls

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


def _probe(url: str, tls: TLSFiles | None) -> bool:
    """GET `url` on this machine through the proxy; True when it answers 200."""
    import warnings

    import requests
    import urllib3

    verify: bool | str = True
    if tls and tls.ca:
        verify = str(tls.ca)  # the workshop certificate covers 127.0.0.1
    elif tls:
        # the trainer's certificate may not name 127.0.0.1: this loopback probe sends no
        # secret and only asks whether the proxy answers
        verify = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return requests.get(url, timeout=2, verify=verify).status_code == 200
    except requests.RequestException:
        return False


def _wait_proxy(url: str, tls: TLSFiles | None, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ImaginecoleError(
                "JupyterHub stopped while starting (exit code {code}); read its log above.",
                code=proc.returncode,
            )
        if _probe(url, tls):
            return
        time.sleep(0.2)
    raise ImaginecoleError(
        "The proxy did not answer on {url} within {s} seconds; read the hub's log above.",
        url=url,
        s=120,
    )


def _wait_catalogue(
    url: str, proc: subprocess.Popen, deadline: float, tls: TLSFiles | None = None
) -> bool:
    """Wait until the catalogue service answers through the proxy; False at the deadline.

    The hub starts its services in the background: a trainer told « ready » must find the
    catalogue too, not a « service unavailable » page.
    """
    while time.monotonic() < deadline and proc.poll() is None:
        if _probe(url + "api/", tls):
            return True
        time.sleep(0.2)
    return False


def _lan_addresses() -> list[str]:
    return machine_addresses()


def is_loopback(ip: str) -> bool:
    """127.0.0.1, ::1 or localhost; 0.0.0.0 (every interface) is not."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def https_enabled(mode: str, ip: str) -> bool:
    """`--https auto` is HTTPS as soon as the hub listens beyond this machine."""
    if mode in ("on", "off"):
        return mode == "on"
    return not is_loopback(ip)


def workshop_tls(
    workshop: Workshop,
    data_dir: Path,
    *,
    names: list[str] | tuple[str, ...] = (),
    cert: Path | None = None,
    key: Path | None = None,
) -> TLSFiles:
    """The trainer's certificate (CLI, then workshop.yaml) or the workshop's own one."""
    base = workshop.path.parent
    if cert is None and key is None and workshop.https.get("cert"):
        cert, key = base / workshop.https["cert"], base / workshop.https["key"]
    if cert is not None or key is not None:
        if cert is None or key is None:
            raise ImaginecoleError(
                "--https-cert and --https-key go together: give both files, or neither to let "
                "the workshop make its own certificate."
            )
        return user_tls(cert, key)
    extra = [*workshop.https.get("names", []), *names]
    return ensure_workshop_tls(data_dir / "tls", extra, label=workshop.name)


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
        apps = "imaginecole.apps.service" in line and str(data_dir / "apps") in line
        if culler or served or server or apps:
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
    https: str | None = None,
    https_names: list[str] | tuple[str, ...] = (),
    https_cert: Path | None = None,
    https_key: Path | None = None,
    redirect_port: int = 0,
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
    tls = None
    if https_enabled(https or workshop.https.get("mode", "auto"), ip):
        names = [*https_names] + ([] if ip in ("0.0.0.0", "") else [ip])
        tls = workshop_tls(workshop, data_dir, names=names, cert=https_cert, key=https_key)
    elif redirect_port:
        raise ImaginecoleError(
            "--redirect-port sends plain HTTP to HTTPS, but HTTPS is off; "
            "add --https on or leave --redirect-port out."
        )
    settings = HubSettings(
        data_dir=data_dir,
        ip=ip,
        port=port,
        isolated=isolated,
        tls=tls,
        redirect_port=redirect_port,
    )
    _check_prerequisites(settings, "imaginecole")
    seed_catalogue(workshop, data_dir)  # before the hub: the catalogue's only writer now
    # the hub's own API port: plain HTTP on 127.0.0.1 whatever the proxy serves
    api = HubAPI(
        f"http://127.0.0.1:{settings.hub_port}/hub/api", settings.secret("supervisor_api_token")
    )
    local = f"{settings.scheme}://127.0.0.1:{port}"

    env = dict(os.environ)
    env.update(IMAGINECOLE_WORKSHOP_FILE=str(workshop_file), **settings.environ())
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
        deadline = time.monotonic() + 120
        _wait_ready(api, proc, deadline)
        _wait_proxy(f"{local}/hub/api/", tls, proc, deadline)
        hosts = _lan_addresses() if ip in ("0.0.0.0", "") else [ip]
        catalogue = workshop.catalogue.get("enabled", True)
        if catalogue and not _wait_catalogue(
            f"{local}{catalogue_prefix()}", proc, time.monotonic() + 120, tls
        ):
            print(
                _(
                    "The catalogue service does not answer yet: teachers can work, but "
                    "publishing will wait until it does. Read the hub's log above."
                )
            )
        scheme = settings.scheme
        print(_("Workshop « {name} » is open at:").format(name=workshop.name))
        for host in hosts:
            print(f"    {scheme}://{host}:{port}/")
        if catalogue:
            print(_("Shared catalogue:"))
            for host in hosts:
                print(f"    {scheme}://{host}:{port}{catalogue_prefix()}")
        if tls and tls.ca:
            _print_ca(hosts, port, tls.ca)
        elif not tls and not is_loopback(ip):
            print(
                _(
                    "Warning: plain HTTP on the network. Browsers will not let teachers "
                    "record with the microphone; start with --https on."
                )
            )
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


def _print_ca(hosts: list[str], port: int, ca: Path) -> None:
    from .ca_page import CA_PAGE

    print(_("Each device trusts the workshop certificate once, from this page:"))
    for host in hosts:
        print(f"    https://{host}:{port}{CA_PAGE}")
    print(_("Its SHA-256 fingerprint, to read aloud:"))
    print(f"    {fingerprint(ca)}")


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
    # the hub's own port (`port` + 2): plain HTTP on 127.0.0.1, with or without HTTPS
    return HubAPI(f"http://127.0.0.1:{port + 2}/hub/api", token_file.read_text().strip())


__all__ = ["SUPERVISOR_SERVICE", "up", "run_prespawn", "supervisor_api", "default_data_dir"]
