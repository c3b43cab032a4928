"""The catalogue's publish request, when it names an event: the resource goes to the event.

The publish widget (widgets/publish_client.py) and ``imaginecole catalogue publish --event``
send an event name with the bundle. When an event of the catalogue has that slug or title, the
new version is checked as a submission first (a participant with a team, before the deadline,
their own resource), published « submitted » as usual, tagged with the event's slug, and
recorded as their team's submission. Another name stays a plain tag, as before. A new version
of a resource submitted to an event whose deadline passed is refused until the results are out.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from .service import Events


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
