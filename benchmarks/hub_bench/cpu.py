"""CPU seconds spent by a stack during a phase, and by everything else on the machine.

Timings on a shared two-core machine depend on what else runs. The CPU time a
stack spends per teacher does not, so it is the figure to compare when the
machine is busy; the share taken by other processes says how far to trust
the wall-clock figures.

The meter samples the stack's process tree every `interval` seconds and keeps
the last CPU time seen per process: a process that exits loses at most its
last interval, so the figures are slight underestimates.
"""

from __future__ import annotations

import os
import threading
import time

import psutil


def _busy(times) -> float:
    return (
        times.user
        + times.nice
        + times.system
        + getattr(times, "irq", 0.0)
        + getattr(times, "softirq", 0.0)
        + getattr(times, "steal", 0.0)
    )


def _own(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


class CpuMeter:
    def __init__(self, root_pid: int, interval: float = 0.5) -> None:
        self.root_pid = root_pid
        self.interval = interval
        self.first: dict[tuple[int, float], float] = {}
        self.last: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)

    def _tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.root_pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _sample(self) -> None:
        for proc in self._tree():
            try:
                key = (proc.pid, proc.create_time())  # pids are reused
                used = _own(proc)
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            self.first.setdefault(key, used if not self._started else 0.0)
            self.last[key] = used

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self._started = False
        self._sample()  # what existed before the phase only counts from now
        self._started = True
        self._machine0 = _busy(psutil.cpu_times())
        self._client0 = sum(os.times()[:2])
        self._wall0 = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._sample()
        self.wall = time.monotonic() - self._wall0
        self.machine = _busy(psutil.cpu_times()) - self._machine0
        self.client = sum(os.times()[:2]) - self._client0
        self.stack = sum(self.last[k] - self.first.get(k, 0.0) for k in self.last)

    def result(self) -> dict:
        cores = psutil.cpu_count() or 1
        others = max(0.0, self.machine - self.stack - self.client)
        return {
            "wall": self.wall,
            "stack_cpu": self.stack,
            "client_cpu": self.client,
            "machine_busy_cpu": self.machine,
            "others_cpu": others,
            "others_share": others / (self.wall * cores) if self.wall else 0.0,
        }
