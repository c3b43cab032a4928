"""Ctrl-C stops every process `imaginecole up` started, even when pressed twice."""

import signal
import time

import psutil
import pytest

pytestmark = pytest.mark.integration

PASSWORD = "baobab-sous-le-soleil"


def workshop_processes(hub) -> list[psutil.Process]:
    """Hub, proxy, services and servers of this workshop (by port, data folder or home)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "environ"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            env = proc.info["environ"] or {}
        except psutil.Error:
            continue
        if proc.pid == hub.proc.pid:
            continue
        if (
            f"--port {hub.port}" in cmdline
            or env.get("IMAGINECOLE_DATA") == str(hub.data)
            or str(hub.data) in env.get("HOME", "")
        ):
            found.append(proc)
    return found


def test_repeated_ctrl_c_leaves_nothing_running(hub):
    hub.login("moussa.ba", PASSWORD)
    hub.wait_server("moussa.ba")
    before = workshop_processes(hub)
    names = " ".join(" ".join(p.cmdline()) for p in before)
    assert "jupyterhub-singleuser" in names and "configurable-http-proxy" in names

    # an impatient trainer presses Ctrl-C again and again for two seconds
    end = time.monotonic() + 2
    while time.monotonic() < end and hub.proc.poll() is None:
        hub.proc.send_signal(signal.SIGINT)
        time.sleep(0.01)
    hub.proc.wait(timeout=120)

    _gone, alive = psutil.wait_procs(before, timeout=15)
    assert alive == [], [" ".join(p.cmdline()) for p in alive]
    assert workshop_processes(hub) == []
