"""The workshop spawner: one home per participant under the data directory.

Simple mode: every single-user server runs as one OS account (the current
user, or an unprivileged service account when the hub runs as root).
Isolated mode (root only): one OS account per participant, homes mode 0700.
jupyterhub-singleuser refuses to run as root, and we never pass --allow-root.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Enum, Integer, Unicode

from .workbenches import install_workbenches


def ensure_account(name: str, home: str | None = None) -> pwd.struct_passwd:
    """Create a locked system account `name` if it does not exist (root only)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    cmd = ["useradd", "--system", "--user-group", "--shell", "/usr/sbin/nologin"]
    cmd += ["--no-create-home", "--home-dir", home or "/nonexistent", name]
    subprocess.run(cmd, check=True, capture_output=True)
    return pwd.getpwnam(name)


def isolated_account(username: str, prefix: str = "ic-") -> str:
    """The OS account for a participant; Linux names are at most 32 characters."""
    name = prefix + username
    if len(name) <= 32:
        return name
    digest = hashlib.sha256(username.encode()).hexdigest()[:6]
    return f"{name[:25]}-{digest}"


# a Unix socket path holds at most 107 bytes; a kernel's is the runtime folder
# plus "/kernel-<uuid>-ipc-<n>" (about 50), so the folder must stay short
MAX_RUNTIME_DIR = 52


def runtime_root() -> Path:
    """The hub's folder of per-server runtime folders: short, ours, not a symlink.

    Kernels talk over Unix sockets in there (`KernelManager.transport = "ipc"`),
    which never race for TCP ports when thirty launchers start at once.
    """
    root = Path(tempfile.gettempdir()) / f"ic-rt-{os.geteuid()}"
    try:
        root.mkdir(mode=0o711)
    except FileExistsError:
        pass
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        # someone else's folder, or a trap: use a fresh one of our own
        root = Path(tempfile.mkdtemp(prefix="ic-rt-"))
    os.chmod(root, 0o711)
    return root


def runtime_dir_for(root: Path, username: str) -> Path:
    """The server's JUPYTER_RUNTIME_DIR: short enough for kernel sockets."""
    path = root / username
    if len(str(path)) > MAX_RUNTIME_DIR:
        path = root / hashlib.sha256(username.encode()).hexdigest()[:12]
    return path


class WorkshopSpawner(LocalProcessSpawner):
    mode = Enum(
        ["simple", "isolated"],
        "simple",
        config=True,
        help="simple: one OS account for all servers; isolated: one OS account per participant.",
    )
    homes_dir = Unicode(config=True, help="Folder that holds one home folder per participant.")
    service_account = Unicode(
        "imaginecole",
        config=True,
        help="Unprivileged OS account that runs every server in simple mode when the hub is root.",
    )
    account_prefix = Unicode(
        "ic-", config=True, help="Prefix of the per-participant OS accounts in isolated mode."
    )
    workbench_dir = Unicode(
        "", config=True, help="Folder of workbench notebooks copied into each home at spawn."
    )
    language = Unicode("fr", config=True, help="Language of the workshop (fr, en, ar).")
    start_slots = Integer(
        4,
        config=True,
        help="Servers that may be starting at once; later logins wait in line on the "
        "spawn-pending page instead of fighting for the CPU (start-up is CPU-bound).",
    )

    # shared by every spawner of the hub process
    _slots: asyncio.Semaphore | None = None

    @property
    def home_dir(self) -> str:
        return os.path.join(self.homes_dir, self.user.name)

    @property
    def runtime_dir(self) -> str:
        return str(runtime_dir_for(runtime_root(), self.user.name))

    # whether the user holds the hub's `trainer` role: read in start(), on the hub's thread
    # (the database session is not for the worker thread that prepares the home)
    trainer = False

    def account(self) -> str | None:
        """The OS account the server runs as; None means the hub's own account."""
        if self.mode == "isolated":
            return isolated_account(self.user.name, self.account_prefix)
        if os.geteuid() == 0:
            return self.service_account
        return None

    def prepare_home(self) -> None:
        account = self.account()
        home = Path(self.home_dir)
        Path(self.homes_dir).mkdir(parents=True, exist_ok=True)
        os.chmod(self.homes_dir, 0o711 if self.mode == "isolated" else 0o755)
        home.mkdir(exist_ok=True)
        if self.workbench_dir:
            for action in install_workbenches(
                Path(self.workbench_dir), home, self.language, trainer=self.trainer
            ):
                self.log.info("workbench %s for %s", action, self.user.name)
        # a fresh runtime folder at each start: what a previous server left (sockets,
        # cookie secret, perhaps owned by another mode's account) would make this one fail
        runtime = Path(self.runtime_dir)
        shutil.rmtree(runtime, ignore_errors=True)
        runtime.mkdir(mode=0o700)
        if account is not None:
            entry = ensure_account(account, str(home))
            for root, dirs, files in os.walk(home):
                for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                    os.lchown(name, entry.pw_uid, entry.pw_gid)
            os.lchown(runtime, entry.pw_uid, entry.pw_gid)
        os.chmod(home, 0o700 if self.mode == "isolated" else 0o750)
        os.chmod(runtime, 0o700)

    def make_preexec_fn(self, name):
        account = self.account()
        home = self.home_dir
        set_ids = set_user_setuid(account, chdir=False) if account else None

        def preexec():
            if set_ids is not None:
                set_ids()
            os.chdir(home)

        return preexec

    def user_env(self, env):
        env["USER"] = self.user.name
        env["HOME"] = self.home_dir
        env["SHELL"] = shutil.which("bash") or "/bin/sh"
        env["IMAGINECOLE_LANGUAGE"] = self.language
        env["JUPYTER_RUNTIME_DIR"] = self.runtime_dir
        return env

    async def move_certs(self, paths):
        return paths

    @classmethod
    def _start_slots(cls, size: int) -> asyncio.Semaphore:
        if cls._slots is None:
            cls._slots = asyncio.Semaphore(size)
        return cls._slots

    async def _wait_listening(self, ip: str, port: int, deadline: float) -> None:
        """Return as soon as the server accepts connections.

        The hub then finds it up at its first check, instead of after an
        exponential back-off that wasted about 1.5 s per spawn.
        """
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        while loop.time() < end and self.proc is not None and self.proc.poll() is None:
            try:
                _reader, writer = await asyncio.open_connection(ip, port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            return

    async def start(self):
        async with self._start_slots(self.start_slots):
            self.trainer = any(r.name == "trainer" for r in getattr(self.user, "roles", []))
            await asyncio.to_thread(self.prepare_home)
            ip, port = await super().start()
            await self._wait_listening(ip, port, self.start_timeout)
        return ip, port
