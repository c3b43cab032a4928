"""The catalogue's publish request, when it names an event: the resource goes to the event.

The publish widget (widgets/publish_client.py) and ``imaginecole catalogue publish --event``
send an event name with the bundle. When an event of the catalogue has that slug or title, the
new version is checked as a submission first (a participant with a team, before the deadline,
their own resource), published « submitted » as usual, tagged with the event's slug, and
recorded as their team's submission. Another name stays a plain tag, as before. A new version
of a resource submitted to an event whose deadline passed is refused until the results are out,
and so is withdrawing it from the catalogue (`check_withdraw`, called by `Catalogue.withdraw`).
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from ..catalogue.errors import Conflict
from .service import Events, locked_submission


def bundle_uid(path: Path) -> str | None:
    """The "id" of the zipped bundle's manifest.json, if it can be read; else None."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "manifest.json"]
            names.sort(key=lambda n: n.count("/"))
            if not names:
                return None
            manifest = json.loads(archive.read(names[0]).decode("utf-8"))
    except (OSError, ValueError, zipfile.BadZipFile, KeyError):
        return None
    uid = manifest.get("id") if isinstance(manifest, dict) else None
    return uid if isinstance(uid, str) and uid else None


def publish(
    catalogue: Any,
    principal: Any,
    bundle: Path,
    *,
    note: str = "",
    event: str | None = None,
    challenge: str | None = None,
) -> Any:
    """`catalogue.publish(...)`, submitting to the event `event` names when there is one."""
    events = Events(catalogue)
    uid = bundle_uid(bundle)
    if uid is not None:
        events.check_new_version(principal, uid)
    found = events.find(event) if event else None
    if found is None:
        return catalogue.publish(principal, bundle, note=note, event=event)
    team, challenge = events.check_may_submit(principal, found, uid, challenge)
    resource = catalogue.publish(principal, bundle, note=note, event=found.slug)
    events.record_submission(principal, found, resource.uid, team, challenge)
    return resource


def check_withdraw(conn: Connection, res: Any, now: datetime) -> None:
    """Conflict when the resource row `res` is submitted to an event whose deadline passed and
    whose results are not out: withdrawing it would take it from the jury. `conn` is the
    catalogue's transaction (the withdrawal's own)."""
    row = locked_submission(conn, res.uid, now)
    if row is not None:
        raise Conflict(
            "« {resource} » is submitted to « {title} », whose submissions closed at {deadline} "
            "(UTC): it cannot be withdrawn while the jury judges it. Withdraw it once the "
            "results are published.",
            resource=res.title,
            title=row.title,
            deadline=row.deadline.strftime("%Y-%m-%d %H:%M"),
        )
