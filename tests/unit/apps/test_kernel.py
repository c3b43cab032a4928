"""App kernels start within their limits: memory, CPU time, account, scratch folder, no token."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from jupyter_client import KernelManager

from imaginecole.apps.kernel import AppKernelSpecManager, remove_dead_scratch
from imaginecole.hub.spawner import ensure_account

PROBE = r"""
import json, os, resource
found = {"uid": os.getuid(), "cwd": os.getcwd(), "home": os.environ.get("HOME"),
         "token": os.environ.get("JUPYTERHUB_API_TOKEN"),
         "as": resource.getrlimit(resource.RLIMIT_AS)[0],
         "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0]}
for name, path in (("secret", SECRET), ("public", PUBLIC)):
    try:
        open(path).read()
        found[name] = "read"
    except PermissionError:
        found[name] = "refused"
try:
    big = bytearray(2 * 1024 * 1024 * 1024)
    found["memory"] = "allocated"
except MemoryError:
    found["memory"] = "refused"
print(json.dumps(found))
"""


def run(km: KernelManager, code: str, timeout: float = 60) -> str:
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        out: list[str] = []

        def keep(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(msg["content"]["ename"])

        client.execute_interactive(code, output_hook=keep, timeout=timeout)
        return "".join(out)
    finally:
        client.stop_channels()


@pytest.fixture
def teacher_home():
    """A teacher's home as the spawner leaves it in simple mode (the servers' account, 0750),
    in a folder anyone may traverse, next to a file anyone may read."""
    root = Path(tempfile.mkdtemp(prefix="ic-homes-test-"))
    os.chmod(root, 0o755)
    (root / "public.txt").write_text("public", "utf-8")
    os.chmod(root / "public.txt", 0o644)
    home = root / "moussa.ba"
    home.mkdir()
    secret = home / "notes.txt"
    secret.write_text("mes notes", "utf-8")
    if os.geteuid() == 0:
        owner = ensure_account("imaginecole", str(home))
        for path in (home, secret):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    os.chmod(home, 0o750)
    yield secret
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def scratch():
    """The kernels' scratch root, as the service makes it: outside pytest's private folder."""
    path = Path(tempfile.mkdtemp(prefix="ic-apps-test-"))
    os.chmod(path, 0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def manager(scratch: Path, **limits) -> KernelManager:
    account = ensure_account("ic-apps").pw_name if os.geteuid() == 0 else ""
    specs = AppKernelSpecManager(scratch_dir=str(scratch), account=account, **limits)
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


def test_a_kernel_runs_unprivileged_in_a_scratch_folder_within_its_limits(
    tmp_path, scratch, teacher_home
):
    km = manager(scratch, mem_limit_mb=1024, cpu_limit_seconds=300)
    public = teacher_home.parent.parent / "public.txt"
    env = {**os.environ, "JUPYTERHUB_API_TOKEN": "the-service-token"}
    km.start_kernel(env=env, cwd=str(tmp_path))
    try:
        paths = f"SECRET = {str(teacher_home)!r}\nPUBLIC = {str(public)!r}\n"
        found = json.loads(run(km, paths + PROBE))
        pid = km.provisioner.process.pid
    finally:
        km.shutdown_kernel(now=True)
    assert found["cwd"] == found["home"] == str(scratch / str(pid))
    assert found["token"] is None  # the service's hub token stays with the service
    assert found["as"] == 1024 * 1024 * 1024 and found["cpu"] == 300
    assert found["memory"] == "refused"
    if os.geteuid() == 0:
        assert found["uid"] == pwd.getpwnam("ic-apps").pw_uid
        assert found["secret"] == "refused"
    assert found["public"] == "read"  # what is refused is the teacher's home
    # the service removes the scratch folders of kernels that are gone
    assert remove_dead_scratch(scratch) == [scratch / str(pid)]
    assert not any(scratch.iterdir())


def test_a_kernel_past_its_cpu_time_is_stopped(tmp_path, scratch):
    km = manager(scratch, cpu_limit_seconds=2)
    km.start_kernel(cwd=str(tmp_path))
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.execute("while True: pass")
        deadline = time.monotonic() + 60
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        client.stop_channels()
        assert not km.is_alive(), "a kernel looping forever must be stopped by its CPU limit"
    finally:
        km.shutdown_kernel(now=True)


def test_every_kernel_name_of_an_app_gets_the_limited_kernel(tmp_path):
    specs = AppKernelSpecManager(scratch_dir=str(tmp_path), mem_limit_mb=512)
    spec = specs.get_kernel_spec("python3")
    assert "imaginecole.apps.kernel" in spec.argv and "--mem-mb=512" in spec.argv
    assert list(specs.get_all_specs()) == ["python3"]
    assert shutil.which(spec.argv[0])


NETWORK_PROBE = r"""
import errno, json, os, socket
found = {}
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=5).close()
    found["loopback"] = "reached"
except OSError as exc:
    found["loopback"] = errno.errorcode.get(exc.errno, str(exc))
found["key"] = os.path.exists("kernel.json")
found["pid"] = os.getpid()
print(json.dumps(found))
"""


def test_a_kernel_without_network_reaches_nothing_and_keeps_its_memory_to_itself(scratch):
    """What an app's kernel could otherwise do: call the hub's, the catalogue's or the
    database's port on 127.0.0.1, or read another app kernel's memory and signing key (they
    run as the same account)."""
    import socket
    import subprocess

    from imaginecole.apps.kernel import network_isolation_available
    from imaginecole.apps.service import open_for_sockets

    if os.geteuid() != 0:
        # the kernels' account and their namespace both need root: the service says so
        assert not network_isolation_available()
        return
    assert network_isolation_available(), "root may make network namespaces here"
    account = ensure_account("ic-apps")
    specs = AppKernelSpecManager(scratch_dir=str(scratch), account=account.pw_name, no_network=True)
    sockets = scratch / "sockets"
    sockets.mkdir()
    open_for_sockets(sockets)
    km = KernelManager(
        kernel_name="python3",
        kernel_spec_manager=specs,
        transport="ipc",
        connection_file=str(sockets / "kernel-test.json"),
    )
    with socket.socket() as server:  # a service of the machine, as the catalogue is
        server.bind(("127.0.0.1", 0))
        server.listen()
        km.start_kernel()
        try:
            code = f"PORT = {server.getsockname()[1]}\n" + NETWORK_PROBE
            found = json.loads(run(km, code))
            # another process of the kernels' account (another app's kernel) looks at it
            peek = subprocess.run(
                [
                    "python3",
                    "-c",
                    f"open('/proc/{found['pid']}/environ', 'rb').read()",
                ],
                user=account.pw_uid,
                group=account.pw_gid,
                extra_groups=[],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            km.shutdown_kernel(now=True)
    assert found["loopback"] == "ENETUNREACH"
    assert found["key"] is False  # its copy of the connection file is gone once read
    assert peek.returncode != 0 and "PermissionError" in peek.stderr
    assert all(p.is_socket() is False for p in sockets.iterdir())  # cleaned up at shutdown
