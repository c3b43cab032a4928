"""App kernels with limits: memory, CPU time, an unprivileged account, a scratch folder,
no network.

Voilà asks its kernel spec manager for the notebook's kernel (``python3``); ours answers
with a spec whose command is this module, which sets the limits and then runs the IPython
kernel itself:

- ``RLIMIT_AS`` (address space) and ``RLIMIT_CPU`` (CPU seconds over the kernel's life:
  past it the kernel gets SIGXCPU and dies; the page then says the app stopped);
- when the service runs as root, the kernel runs as a locked system account that owns
  nothing (teachers' homes are 0750/0700: it cannot read them), without supplementary
  groups;
- its working folder is a fresh scratch folder (``HOME`` too), removed by the service
  once the kernel is gone;
- no hub or service token in its environment;
- with ``--no-network`` (the service runs as root and the system allows it): a network
  namespace of its own, with no interface up, so that no address answers, the hub's, the
  catalogue's and the database's on 127.0.0.1 included; the service then talks to it over
  Unix sockets (ZeroMQ's ``ipc`` transport) in a folder kernels may create sockets in but
  not list;
- the kernel is not dumpable (``PR_SET_DUMPABLE`` 0): another app's kernel, though it runs
  as the same account, can neither trace it nor read its memory; and the copy of its
  connection file (its signing key) is removed once the kernel has read it.

The kernel is started in this process once all that is done (not ``exec``, which would make
the process dumpable again).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from traitlets import Bool, Integer, Unicode

KERNEL_NAME = "python3"
CLONE_NEWNET = 0x40000000
PR_SET_DUMPABLE = 4
# environment a kernel never sees: the service's hub token and OAuth client
SECRET_PREFIXES = ("JUPYTERHUB_", "JPY_", "CONFIGPROXY_")
# one BLAS thread per kernel: each thread reserves address space, and the CPU is shared
ONE_THREAD = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


class AppKernelSpecManager(KernelSpecManager):
    """Every kernel name resolves to the limited Python kernel of the apps service."""

    mem_limit_mb = Integer(1024, config=True, help="Address-space limit of a kernel, in MB.")
    cpu_limit_seconds = Integer(
        600, config=True, help="CPU seconds a kernel may use in its life; then it is stopped."
    )
    file_limit_mb = Integer(64, config=True, help="Largest file a kernel may write, in MB.")
    scratch_dir = Unicode(
        config=True, help="Folder under which each kernel gets its own working folder."
    )
    account = Unicode(
        "", config=True, help="OS account kernels run as when the service runs as root."
    )
    no_network = Bool(
        False, config=True, help="Kernels in a network namespace of their own (needs root)."
    )

    def find_kernel_specs(self) -> dict[str, str]:
        return {KERNEL_NAME: str(Path(__file__).parent)}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name not in (KERNEL_NAME, "python", "python3"):
            raise NoSuchKernel(kernel_name)
        argv = [sys.executable, "-m", "imaginecole.apps.kernel"]
        argv += [f"--mem-mb={self.mem_limit_mb}", f"--cpu-seconds={self.cpu_limit_seconds}"]
        argv += [f"--file-mb={self.file_limit_mb}", f"--scratch={self.scratch_dir}"]
        if self.account:
            argv += [f"--account={self.account}"]
        if self.no_network:
            argv += ["--no-network"]
        argv += ["--", "-f", "{connection_file}"]
        return KernelSpec(
            argv=argv,
            display_name="Python 3 (app)",
            language="python",
            env=dict(ONE_THREAD),
            metadata={"debugger": False},
            resource_dir=str(Path(__file__).parent),
        )

    def get_all_specs(self) -> dict[str, dict]:
        spec = self.get_kernel_spec(KERNEL_NAME)
        return {KERNEL_NAME: {"resource_dir": spec.resource_dir, "spec": spec.to_dict()}}


def set_limits(mem_mb: int, cpu_seconds: int, file_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 1024 * 1024,) * 2)
    # soft: SIGXCPU (the kernel dies); hard, a little later: SIGKILL if it catches the first
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def leave_network() -> None:
    """Move this process into a new network namespace: only a loopback, down."""
    if _libc().unshare(CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def network_isolation_available() -> bool:
    """Whether this system lets the service start kernels without network (root, and no
    container policy that forbids new namespaces)."""
    probe = "from imaginecole.apps.kernel import leave_network; leave_network()"
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def scratch_folder(root: Path) -> Path:
    """A new folder named after this process: the service removes it once the pid is gone."""
    root.mkdir(parents=True, exist_ok=True, mode=0o711)
    path = root / str(os.getpid())
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(mode=0o700)
    return path


def remove_dead_scratch(root: Path) -> list[Path]:
    """Remove the scratch folders of kernels that are no longer running."""
    removed = []
    if not root.is_dir():
        return removed
    for path in root.iterdir():
        if not path.name.isdigit():
            continue
        try:
            os.kill(int(path.name), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # alive, someone else's
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Start an app kernel within its limits.")
    parser.add_argument("--mem-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument("--account", default="")
    parser.add_argument("--no-network", action="store_true")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    kernel_args = [a for a in args.kernel_args if a != "--"]
    started_in = os.getcwd()

    if args.no_network:
        leave_network()  # before the account change: it needs root
    scratch = scratch_folder(args.scratch)
    copy = None
    env = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_PREFIXES)}
    env.update(ONE_THREAD)
    env["HOME"] = str(scratch)
    env["TMPDIR"] = str(scratch)
    env["MPLCONFIGDIR"] = str(scratch / ".matplotlib")
    if args.account and os.geteuid() == 0:
        import pwd

        entry = pwd.getpwnam(args.account)
        # the connection file lives in the service's private folder: give the kernel a copy
        i = kernel_args.index("-f") + 1
        copy = scratch / "kernel.json"
        copy.write_text(Path(kernel_args[i]).read_text("utf-8"), "utf-8")
        kernel_args[i] = str(copy)
        os.chown(scratch, entry.pw_uid, entry.pw_gid)
        os.chown(copy, entry.pw_uid, entry.pw_gid)
        os.chmod(copy, 0o600)
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
        env["USER"] = env["LOGNAME"] = args.account
    _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    os.chdir(scratch)
    set_limits(args.mem_mb, args.cpu_seconds, args.file_mb)
    os.environ.clear()
    os.environ.update(env)
    # as ipykernel_launcher does: the folder this was started from is not on the path (the
    # kernel puts its own working folder, the scratch one, back)
    sys.path[:] = [p for p in sys.path if p not in ("", started_in)]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(kernel_args)
    if copy is not None:
        copy.unlink()  # the key now lives in this process only
    app.start()


if __name__ == "__main__":
    main()
