"""Harvesting another catalogue over OAI-PMH, and `imaginecole catalogue harvest`.

``harvest(catalogue, url)`` pulls the records of an OAI-PMH repository (another Imaginecole
catalogue, or any repository serving ``oai_dc`` or ``lom``) with the `sickle` client and stores
them with ``Catalogue.upsert_harvested_many``, one transaction per page of ``BATCH`` records; a
deleted record marks the local copy deleted.

- Incremental: the server's ``responseDate`` at the start of the last complete harvest of a
  source (same URL, format and set) is kept in ``DATA/harvest-state.json`` (written
  atomically) and sent as ``from`` next time.
- No echo: a record whose OAI identifier, or the identifier it carries from the catalogue it
  was harvested from (``dc:source``, LOM identifier of catalog ``oai``), belongs to this
  catalogue (``oai:{repository_id}:…``) is skipped. A national and the regional catalogue can
  harvest each other without sending records round in circles.
- Harvested text is cut to the bundle metadata's limits; unknown set values are ignored.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..i18n import ImaginecoleError, _
from ..progress import bar as progress_bar
from .model import HarvestedRecord
from .oai_metadata import read_dc, read_lom

if TYPE_CHECKING:
    from .service import Catalogue

OAI_NS = "{http://www.openarchives.org/OAI/2.0/}"
PREFIXES = ("oai_dc", "lom")
STATE_FILE = "harvest-state.json"
BATCH = 100  # records stored per transaction
SINCE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?\Z")


Progress = Callable[[int, "int | None", str], None]


@dataclass
class HarvestReport:
    """What one harvest did."""

    url: str
    metadata_prefix: str
    set_spec: str | None
    since: str | None  # the ``from`` sent, None for a full harvest
    received: int = 0  # records listed by the source
    stored: int = 0  # created or updated here
    deleted: int = 0  # local copies marked deleted
    skipped: int = 0  # this catalogue's own records, coming back
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (identifier, why)
    response_date: str | None = None  # the source's clock when the harvest began
    seconds: float = 0.0


def harvest(
    catalogue: Catalogue,
    url: str,
    *,
    metadata_prefix: str = "oai_dc",
    set_spec: str | None = None,
    since: str | datetime | None = None,
    progress: Progress | None = None,
    state_file: Path | None = None,
    timeout: float = 60.0,
) -> HarvestReport:
    """Harvest ``url`` into ``catalogue``; see the module docstring.

    ``since`` (``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ``) overrides the remembered date;
    ``progress(done, total_or_None, identifier)`` is called after each record.
    """
    from sickle import Sickle

    started = time.monotonic()
    if metadata_prefix not in PREFIXES:
        raise ImaginecoleError(
            "Unknown metadata format « {prefix} »: use oai_dc or lom.", prefix=metadata_prefix
        )
    if isinstance(since, datetime):
        since = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if since is not None and not _valid_since(since):
        raise ImaginecoleError(
            "« {since} » is not a date: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC).",
            since=since,
        )
    state_path = state_file or _state_path(catalogue)
    key = f"{url} {metadata_prefix} {set_spec or ''}"
    state = _load_state(state_path)
    if since is None:
        since = state.get(key, {}).get("from")

    from sickle.app import DEFAULT_CLASS_MAP

    client = Sickle(
        url,
        max_retries=3,
        retry_status_codes=(503,),
        default_retry_after=5,
        class_mapping={**DEFAULT_CLASS_MAP, "ListRecords": _Record},
        timeout=timeout,
    )
    identify = _guarded(url, client.Identify)
    response_date = _response_date(identify)
    if since and getattr(identify, "granularity", "") == "YYYY-MM-DD":
        since = since[:10]  # the source counts in days
    report = HarvestReport(url, metadata_prefix, set_spec, since, response_date=response_date)

    params = {"metadataPrefix": metadata_prefix}
    if set_spec:
        params["set"] = set_spec
    if since:
        params["from"] = since
    own = f"oai:{catalogue.repository_id}:"
    from sickle.oaiexceptions import NoRecordsMatch

    def first() -> Any:
        try:
            return client.ListRecords(**params)  # asks for the first page
        except NoRecordsMatch:
            return None

    def following() -> _Record | None:
        try:
            return next(records, None) if records is not None else None
        except NoRecordsMatch:
            return None

    records = _guarded(url, first)
    batch: list[HarvestedRecord] = []
    while (record := _guarded(url, following)) is not None:
        report.received += 1
        read = _read(url, metadata_prefix, record, own, report)
        if read is not None:
            batch.append(read)
        if len(batch) >= BATCH:
            _store(catalogue, batch, report)
            batch = []
        if progress is not None:
            total = getattr(records.resumption_token, "complete_list_size", None)
            total = int(total) if total and str(total).isdigit() else None
            progress(report.received, total, record.identifier)
    _store(catalogue, batch, report)
    if response_date:  # a complete harvest: the next one starts where this one began
        state[key] = {"from": response_date, "records": report.received}
        _save_state(state_path, state)
    report.seconds = time.monotonic() - started
    return report


# -- one record -----------------------------------------------------------------------------


class _Record:
    """A listed record as the harvester reads it: its header and its XML.

    (sickle's own Record also turns the metadata into a dict, and fails on a record that
    has none.)
    """

    def __init__(self, xml: etree._Element) -> None:
        self.xml = xml
        header = xml.find(f"{OAI_NS}header")
        if header is None:
            header = etree.Element(f"{OAI_NS}header")
        self.identifier = " ".join((header.findtext(f"{OAI_NS}identifier") or "").split())
        self.datestamp = (header.findtext(f"{OAI_NS}datestamp") or "").strip()
        self.set_specs = [(s.text or "").strip() for s in header.iterfind(f"{OAI_NS}setSpec")]
        self.deleted = header.get("status") == "deleted"


def _read(
    url: str, prefix: str, record: _Record, own: str, report: HarvestReport
) -> HarvestedRecord | None:
    """The record to store, or None (skipped or rejected: counted in `report`)."""
    identifier = record.identifier
    if not identifier:
        report.rejected.append(("?", _("a record without identifier")))
        return None
    if identifier.startswith(own):
        report.skipped += 1
        return None
    stamp = _parse_datestamp(record.datestamp)
    if stamp is None:
        report.rejected.append((identifier, _("no valid datestamp")))
        return None
    sets = _sets(record.set_specs)
    kind = sets.get("type", "grain")
    if record.deleted:
        return HarvestedRecord(url, identifier, {}, stamp, True, kind)
    container = record.xml.find(f"{OAI_NS}metadata")
    children = [] if container is None else [c for c in container if isinstance(c.tag, str)]
    payload = children[0] if children else None
    if payload is None:
        report.rejected.append((identifier, _("no metadata")))
        return None
    if prefix == "lom":
        metadata, sources, links = read_lom(payload)
    else:
        metadata, sources, links = read_dc(payload, sets)
    if any(source.startswith(own) for source in sources):
        report.skipped += 1
        return None
    for facet in ("country", "subject"):
        if sets.get(facet):
            metadata[facet] = sets[facet]
    if not metadata.get("title"):
        report.rejected.append((identifier, _("no title")))
        return None
    return HarvestedRecord(url, identifier, metadata, stamp, False, kind, links)


def _store(catalogue: Catalogue, batch: list[HarvestedRecord], report: HarvestReport) -> None:
    """Store a page of records in one transaction; if one is refused, each on its own."""
    if not batch:
        return
    try:
        held = catalogue.upsert_harvested_many(batch)
    except ImaginecoleError:
        held = []
        for record in batch:
            try:
                held += catalogue.upsert_harvested_many([record])
            except ImaginecoleError as exc:
                report.rejected.append((record.origin_identifier, str(exc)))
                held.append(None)
    for record, kept in zip(batch, held, strict=True):
        if kept is None:
            continue
        if record.deleted:
            report.deleted += bool(kept)  # else it was never here
        else:
            report.stored += 1


def _sets(specs: list[str]) -> dict[str, str]:
    """country, subject and type from the header's sets, when they are values we know."""
    from imaginecole.workshop.countries import COUNTRIES

    from .model import RESOURCE_TYPES

    found: dict[str, str] = {}
    for spec in specs:
        facet, _sep, value = (spec or "").partition(":")
        if facet == "country" and value in COUNTRIES:
            found["country"] = value
        elif facet == "type" and value in RESOURCE_TYPES:
            found["type"] = value
        elif facet == "subject" and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", value):
            found["subject"] = value
    return found


# -- dates and state ------------------------------------------------------------------------


def _valid_since(value: str) -> bool:
    if not SINCE.match(value):
        return False
    try:
        if len(value) == 10:
            datetime.strptime(value, "%Y-%m-%d")
        else:
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


def _parse_datestamp(value: str) -> datetime | None:
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _response_date(identify: Any) -> str | None:
    root = identify.xml.getparent()
    value = root.findtext(f"{OAI_NS}responseDate") if root is not None else None
    value = (value or "").strip()
    if _parse_datestamp(value) is None:
        return None
    return value


def _state_path(catalogue: Catalogue) -> Path:
    data_dir = catalogue.data_dir
    if data_dir is None:
        raise ImaginecoleError(
            "This catalogue has no data folder to remember its harvests: pass state_file."
        )
    return Path(data_dir) / STATE_FILE


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ImaginecoleError(
            "The harvest state {path} is unreadable ({error}): delete it to harvest everything "
            "again.",
            path=path,
            error=exc,
        ) from exc
    return state if isinstance(state, dict) else {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".harvest-state-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- errors ---------------------------------------------------------------------------------


def _guarded(url: str, call: Callable[[], Any]) -> Any:
    """``call()``, with network and protocol failures as errors a person can act on."""
    import requests
    from sickle import oaiexceptions as oai

    try:
        return call()
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise ImaginecoleError(
            "The catalogue at {url} answered HTTP {status}. Check the address (it ends in "
            "/oai) and that the server is up, then harvest again.",
            url=url,
            status=status,
        ) from exc
    except requests.exceptions.RequestException as exc:
        raise ImaginecoleError(
            "Cannot reach {url} ({error}). Check the address and the network, then harvest "
            "again: what was already stored is kept.",
            url=url,
            error=type(exc).__name__,
        ) from exc
    except (oai.BadArgument, oai.BadVerb, oai.CannotDisseminateFormat) as exc:
        raise ImaginecoleError(
            "{url} refused the request ({code}: {error}). Check --prefix and --set (the "
            "server lists its formats and sets with ListMetadataFormats and ListSets).",
            url=url,
            code=type(exc).__name__,
            error=str(exc)[:300],
        ) from exc
    except oai.BadResumptionToken as exc:
        raise ImaginecoleError(
            "{url} no longer accepts its own resumption token: harvest again; what was "
            "already stored is kept.",
            url=url,
        ) from exc
    except (oai.OAIError, oai.NoSetHierarchy, oai.IdDoesNotExist) as exc:
        raise ImaginecoleError(
            "{url} answered with an OAI-PMH error: {error}. Harvest again later, or tell the "
            "administrator of that catalogue.",
            url=url,
            error=str(exc)[:300] or type(exc).__name__,
        ) from exc
    except (AttributeError, TypeError, etree.XMLSyntaxError) as exc:
        # sickle reads any answer leniently; what is not OAI-PMH fails here
        raise ImaginecoleError(
            "{url} does not answer as an OAI-PMH endpoint. Check the address: for an "
            "Imaginecole catalogue it is https://…/oai.",
            url=url,
        ) from exc


# -- the command ----------------------------------------------------------------------------


def add_catalogue_commands(sub: argparse._SubParsersAction) -> None:
    command = sub.add_parser("harvest", help=_("Harvest another catalogue's records over OAI-PMH."))
    command.add_argument("url", help=_("the OAI-PMH address of the other catalogue (…/oai)"))
    command.add_argument("--data", type=Path, required=True, help=_("this catalogue's data folder"))
    command.add_argument("--db-url", help=_("database URL (default: SQLite in the data folder)"))
    command.add_argument(
        "--set", dest="set_spec", help=_("harvest one set only, for example country:SN")
    )
    command.add_argument(
        "--prefix",
        choices=PREFIXES,
        default="oai_dc",
        help=_("metadata format: oai_dc (default) or lom (ScoLOMFR)"),
    )
    command.add_argument(
        "--from",
        dest="since",
        help=_("harvest the changes since this date (YYYY-MM-DD); default: since the last harvest"),
    )
    command.set_defaults(func=run_harvest)


def _progress(done: int, total: int | None, label: str) -> None:
    if total and total > 1:
        line = progress_bar(done, total)
    else:
        line = _("records: {done}").format(done=done)
    sys.stderr.write(f"\r{line} {label[-40:]:<40}")
    sys.stderr.flush()


def run_harvest(args: argparse.Namespace) -> int:
    from .service import Catalogue

    shown = []

    def progress(done: int, total: int | None, label: str) -> None:
        shown.append(done)
        _progress(done, total, label)

    catalogue = Catalogue.open(args.data, db_url=args.db_url)
    try:
        report = harvest(
            catalogue,
            args.url,
            metadata_prefix=args.prefix,
            set_spec=args.set_spec,
            since=args.since,
            progress=progress,
        )
    finally:
        catalogue.close()
        if shown:  # end the progress line
            sys.stderr.write("\n")
    print(
        _(
            "{url}: {received} records received, {stored} stored, {deleted} deleted, "
            "{skipped} skipped (this catalogue's own), {rejected} rejected, in {seconds:.1f} s."
        ).format(
            url=report.url,
            received=report.received,
            stored=report.stored,
            deleted=report.deleted,
            skipped=report.skipped,
            rejected=len(report.rejected),
            seconds=report.seconds,
        )
    )
    if report.since:
        print(_("Changes since {since} only.").format(since=report.since))
    for identifier, why in report.rejected:
        print(f"  {identifier}: {why}", file=sys.stderr)
    return 1 if report.rejected else 0
