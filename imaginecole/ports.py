"""Free TCP ports on 127.0.0.1 for the servers the project starts.

A port is chosen, then handed to a server that binds it a moment later. If the port came from
the kernel's ephemeral range (what binding port 0 returns), an outgoing connection made in
that moment may be lent the same local port, and the server's bind fails with "Address
already in use". Ports are therefore drawn below (or above) that range.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOWEST = 10000  # below: the well-known and registered services people run on a LAN


def ephemeral_range() -> tuple[int, int]:
    """The ports Linux lends to outgoing connections (32768–60999 by default)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


def is_free(port: int) -> bool:
    """Whether a server may bind `port` on 127.0.0.1 now."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_loopback_port(preferred: int = 0, size: int = 1) -> int:
    """A port p with p … p+size-1 free on 127.0.0.1: `preferred` when it is, else one
    outside the ephemeral range."""
    if (
        preferred
        and preferred + size <= 65536
        and all(is_free(p) for p in range(preferred, preferred + size))
    ):
        return preferred
    low, high = ephemeral_range()
    spans = [(LOWEST, low - size), (high + 1, 65536 - size)]
    candidates = [(a, b) for a, b in spans if b > a]
    for _ in range(500):
        start, end = random.choice(candidates)
        base = random.randrange(start, end)
        if all(is_free(p) for p in range(base, base + size)):
            return base
    raise OSError("no free port on 127.0.0.1")
