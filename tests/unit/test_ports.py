"""Ports the project hands to the servers it starts: free, and not ones the kernel lends to
outgoing connections (an outgoing connection on the chosen port made the hub's catalogue fail
to start in CI with "Address already in use")."""

from __future__ import annotations

import socket

from imaginecole.ports import ephemeral_range, free_loopback_port
from imaginecole.ports import is_free as bindable


def test_a_chosen_block_is_free_and_outside_the_ephemeral_range():
    low, high = ephemeral_range()
    for _ in range(50):
        base = free_loopback_port(size=5)
        assert all(bindable(p) for p in range(base, base + 5))
        assert base + 4 < low or base > high


def test_a_free_preferred_port_is_kept_and_a_busy_one_replaced():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        chosen = free_loopback_port(busy)
        assert chosen != busy and bindable(chosen)
        free = free_loopback_port(size=2)
        assert free_loopback_port(free) == free
        # a block is replaced when any of its ports is taken, not only the first
        assert free_loopback_port(busy - 1, size=2) != busy - 1
