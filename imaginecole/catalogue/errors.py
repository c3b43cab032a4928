"""The errors of catalogue operations; the web layer maps each to an HTTP status."""

from __future__ import annotations

from ..i18n import ImaginecoleError
from .model import Principal


class PermissionDenied(ImaginecoleError):
    """The principal may not do this (HTTP 403)."""


class NotFound(ImaginecoleError):
    """No such thing, or not visible to this principal (HTTP 404)."""


class Conflict(ImaginecoleError):
    """Not possible in the current state (HTTP 409)."""


NOT_FOUND = "No resource « {uid} » in the catalogue, or it is not public."


def require(principal: Principal, permission: str, message: str) -> None:
    """PermissionDenied with `message` unless `principal` holds `permission`."""
    if not principal.can(permission):
        raise PermissionDenied(message)
