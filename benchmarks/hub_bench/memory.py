"""Proportional set size (PSS) of a running hub stack, grouped by role.

PSS splits each shared page between the processes that map it, so the PSS of
all processes adds up to the memory they really use together. That is the
figure that decides how many teachers fit in the RAM of one machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import psutil

ROLES = ("supervisor", "hub", "proxy", "service", "server", "kernel", "other")


def pss(proc: psutil.Process) -> int:
    """PSS in bytes; 0 for a process that is already gone."""
    try:
        return proc.memory_full_info().pss
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return 0


def role_of(proc: psutil.Process) -> str:
    try:
        cmd = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return "other"
    if "jupyterhub-singleuser" in cmd:
        return "server"
    if "ipykernel_launcher" in cmd:
        return "kernel"
    if "configurable-http-proxy" in cmd:
        return "proxy"
    if "jupyterhub_idle_culler" in cmd:
        return "service"
    if "imaginecole up" in cmd or "imaginecole.cli" in cmd:
        return "supervisor"
    if "jupyterhub" in cmd:
        return "hub"
    return "other"


@dataclass
class ServerMemory:
    """One teacher: the single-user server and everything it started."""

    user: str
    pid: int
    server: int = 0
    kernels: int = 0
    kernel_count: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.server + self.kernels + self.other


@dataclass
class StackMemory:
    by_role: dict[str, int] = field(default_factory=dict)
    servers: dict[str, ServerMemory] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_role.values())

    @property
    def base(self) -> int:
        """What the stack costs with no teacher: supervisor, hub, proxy, services."""
        return sum(v for k, v in self.by_role.items() if k not in ("server", "kernel", "other"))

    @property
    def teachers(self) -> int:
        return sum(v for k, v in self.by_role.items() if k in ("server", "kernel", "other"))

    def to_json(self) -> dict:
        return {
            "by_role": self.by_role,
            "total": self.total,
            "base": self.base,
            "servers": {name: {**asdict(s), "total": s.total} for name, s in self.servers.items()},
        }


def _user_of(proc: psutil.Process) -> str:
    try:
        return proc.environ().get("JUPYTERHUB_USER", f"pid-{proc.pid}")
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return f"pid-{proc.pid}"


def measure_stack(root_pid: int) -> StackMemory:
    """PSS of `root_pid` and all its descendants, with one entry per single-user server."""
    result = StackMemory(by_role={role: 0 for role in ROLES})
    try:
        root = psutil.Process(root_pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return result
    owner: dict[int, ServerMemory] = {}
    for proc in procs:
        if role_of(proc) == "server":
            entry = ServerMemory(user=_user_of(proc), pid=proc.pid)
            result.servers[entry.user] = entry
            try:
                for child in proc.children(recursive=True):
                    owner[child.pid] = entry
            except psutil.NoSuchProcess:
                pass
    for proc in procs:
        role = role_of(proc)
        size = pss(proc)
        result.by_role[role] += size
        if role == "server":
            result.servers[_user_of(proc)].server += size
        elif proc.pid in owner:
            entry = owner[proc.pid]
            if role == "kernel":
                entry.kernels += size
                entry.kernel_count += 1
            else:
                entry.other += size
    return result
