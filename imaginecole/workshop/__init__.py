"""The workshop file: schema, loading with line numbers, and the roster."""

from .config import Workshop, WorkshopError, load_workshop
from .roster import Participant, RosterError, parse_roster

__all__ = [
    "Participant",
    "RosterError",
    "Workshop",
    "WorkshopError",
    "load_workshop",
    "parse_roster",
]
