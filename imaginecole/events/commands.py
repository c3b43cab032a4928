"""`imaginecole events …`: run a workshop or hackathon on a catalogue, over its HTTP API.

create (from a YAML file), update, roster, assign, results (CSV) and certificates (PDFs); each
talks to a running catalogue with ``--url`` and ``--token`` (or IMAGINECOLE_CATALOGUE_URL /
_TOKEN), as ``imaginecole catalogue publish`` does. See docs/events.md.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..i18n import ImaginecoleError, _


def add_commands(sub: argparse._SubParsersAction) -> None:
    from ..catalogue.cli_server import _client_options

    events = sub.add_parser(
        "events", help=_("Workshops and hackathons: create, roster, jury, results, certificates.")
    )
    events_sub = events.add_subparsers(dest="events_command", required=True)

    create = events_sub.add_parser("create", help=_("Create an event from a YAML file."))
    create.add_argument("file", type=Path, help=_("The event's YAML file (docs/events.md)."))
    _client_options(create)
    create.set_defaults(func=create_command)

    change = events_sub.add_parser("update", help=_("Change an event's fields from a YAML file."))
    change.add_argument("event", help=_("The event's slug."))
    change.add_argument("file", type=Path, help=_("A YAML file of the fields to change."))
    _client_options(change)
    change.set_defaults(func=update_command)

    roster = events_sub.add_parser("roster", help=_("Import the participants' roster (CSV)."))
    roster.add_argument("event", help=_("The event's slug."))
    roster.add_argument("csv", type=Path, help=_("The roster CSV, with its team column."))
    _client_options(roster)
    roster.set_defaults(func=roster_command)

    assign = events_sub.add_parser("assign", help=_("Assign the submissions to the jurors."))
    assign.add_argument("event", help=_("The event's slug."))
    assign.add_argument(
        "--per-submission",
        type=int,
        help=_("Jurors per submission (default: the event's setting)."),
    )
    _client_options(assign)
    assign.set_defaults(func=assign_command)

    results = events_sub.add_parser("results", help=_("Write the jury's results as CSV."))
    results.add_argument("event", help=_("The event's slug."))
    results.add_argument(
        "--out", type=Path, help=_("The CSV file to write (default: print the ranking).")
    )
    _client_options(results)
    results.set_defaults(func=results_command)

    certificates = events_sub.add_parser(
        "certificates", help=_("Make every participant's PDF certificate.")
    )
    certificates.add_argument("event", help=_("The event's slug."))
    certificates.add_argument(
        "--out", type=Path, required=True, help=_("The folder to write the PDFs into.")
    )
    _client_options(certificates)
    certificates.set_defaults(func=certificates_command)


def _client(args: argparse.Namespace):
    from ..catalogue.cli_server import Client

    return Client(args.url, args.token)


def _raw(client: Any, method: str, path: str, **kwargs: Any) -> bytes:
    return client.response(method, path, **kwargs).content


def _yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ImaginecoleError(
            "Cannot read {path}: {error}.", path=path, error=exc.strerror
        ) from exc
    except yaml.YAMLError as exc:
        raise ImaginecoleError(
            "{path} is not valid YAML: {error}", path=path, error=str(exc).splitlines()[0]
        ) from exc
    if not isinstance(data, dict):
        raise ImaginecoleError("{path} must describe the event with named fields.", path=path)
    return _jsonable(data)


def _jsonable(value: Any) -> Any:
    """YAML dates and times as ISO text, for the JSON API."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def create_command(args: argparse.Namespace) -> int:
    event = _client(args).request("POST", "api/events", json=_yaml(args.file))
    print(_("Event « {title} » created: {url}").format(title=event["title"], url=event["page"]))
    return 0


def update_command(args: argparse.Namespace) -> int:
    event = _client(args).request("PATCH", f"api/events/{args.event}", json=_yaml(args.file))
    print(_("Event « {title} » updated: {url}").format(title=event["title"], url=event["page"]))
    return 0


def roster_command(args: argparse.Namespace) -> int:
    try:
        data = args.csv.read_bytes()
    except OSError as exc:
        raise ImaginecoleError(
            "Cannot read the roster {path}: {error}.", path=args.csv, error=exc.strerror
        ) from exc
    report = _client(args).request(
        "POST",
        f"api/events/{args.event}/roster",
        data=data,
        headers={"Content-Type": "text/csv"},
    )
    for change in report["changes"]:
        print(change, file=sys.stderr)
    print(
        _("{n} participant(s) in {teams} team(s).").format(
            n=report["participants"], teams=len(report["teams"])
        )
    )
    return 0


def assign_command(args: argparse.Namespace) -> int:
    body = {} if args.per_submission is None else {"per_submission": args.per_submission}
    done = _client(args).request("POST", f"api/events/{args.event}/assignments", json=body)
    for juror, count in sorted(done["load"].items()):
        print(f"{juror}\t{count}")
    if done["short"]:
        print(
            _("{n} submission(s) have fewer than {per} jurors: name more jurors.").format(
                n=len(done["short"]), per=done["per_submission"]
            ),
            file=sys.stderr,
        )
    return 0


def results_command(args: argparse.Namespace) -> int:
    client = _client(args)
    if args.out is not None:
        data = _raw(client, "GET", f"api/events/{args.event}/results.csv")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        print(_("Results written to {path}").format(path=args.out))
        return 0
    for row in client.request("GET", f"api/events/{args.event}/results"):
        rank = row["rank"] if row["rank"] is not None else "-"
        score = "-" if row["normalised"] is None else f"{row['normalised']:+.2f}"
        print(f"{rank}\t{score}\t{row['title']}\t{row.get('team') or ''}\t{row['prize']}")
    return 0


def certificates_command(args: argparse.Namespace) -> int:
    client = _client(args)
    made = client.request("POST", f"api/events/{args.event}/certificates")
    data = _raw(client, "GET", f"api/events/{args.event}/certificates.zip")
    args.out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            (args.out / Path(name).name).write_bytes(archive.read(name))
    for item in made:
        print(f"{item['username']}\t{item['code']}\t{item['verify_url']}")
    print(_("{n} certificate(s) written to {path}").format(n=len(made), path=args.out))
    return 0
