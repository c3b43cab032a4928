"""The catalogue's OAI-PMH 2.0 endpoint: what national platforms and other catalogues harvest.

``OAIProvider(catalogue, base_url).respond(arguments)`` turns the arguments of one request
(``{name: [values]}``, repeated names kept) into the XML response bytes; it needs no server.
``OAIHandler`` serves it over HTTP, GET and POST (``application/x-www-form-urlencoded``).

- The six verbs; ``oai_dc`` (Dublin Core) and ``lom`` (LOM in the ScoLOMFR 3.2 profile, the
  record the ``lom`` exporter writes).
- Sets by country, subject and type: ``country:SN``, ``subject:mathematiques``, ``type:grain``.
- Deleted records are kept (``deletedRecord`` persistent): a resource withdrawn after its
  publication answers with a header ``status="deleted"``.
- ``from``/``until`` at day or second granularity; pages of ``page_size`` records (100) with
  opaque resumption tokens carrying ``cursor`` and ``completeListSize``.
- Every protocol error has its own code; a response never echoes arguments it refused.
- The records themselves are written by `oai_metadata`: harvested ones carry the identifier
  they have at their source, so that catalogue's harvester skips its own records; authors'
  e-mail addresses and accounts never leave the catalogue.

Teacher text only ever becomes element text or attribute values, which lxml escapes; characters
XML 1.0 cannot carry are dropped first.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import tornado.web
from lxml import etree
from tornado.ioloop import IOLoop

from ..i18n import ImaginecoleError, _
from .oai_metadata import OAI_DC_NS, OAI_DC_SCHEMA, XSI_NS, clean, dc_element, lom_element, utc

if TYPE_CHECKING:
    from .model import ResourceInfo
    from .service import Catalogue

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"

PAGE_SIZE = 100


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


METADATA_FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC_NS),
    "lom": MetadataFormat("lom", "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd", LOM_NS),
}

# verb -> (required arguments, optional arguments); resumptionToken is exclusive
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
}

# the patterns of OAI-PMH.xsd, so that every echoed argument is valid there
SETSPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*\Z")
PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+\Z")
# an absolute URI, RFC 3986 characters only (percent escapes included)
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+\Z")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")


class OAIError(Exception):
    """One protocol error: its OAI-PMH code and a message for the harvester's operator."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def datestamp(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ``, the repository's granularity."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(value: str, *, end: bool) -> datetime:
    """A ``from`` (start of the second or day) or ``until`` (its last microsecond) bound."""
    try:
        if DAY.match(value):
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        if SECOND.match(value):
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return moment + timedelta(microseconds=999_999) if end else moment
    except ValueError:
        pass
    raise OAIError(
        "badArgument",
        f"'{clean(value)}' is not a datestamp: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC).",
    )


def set_specs(info: ResourceInfo) -> list[str]:
    """The sets a record belongs to, as its header lists them."""
    specs = []
    if info.country:
        specs.append(f"country:{info.country}")
    if info.subject:
        specs.append(f"subject:{info.subject}")
    if info.type:
        specs.append(f"type:{info.type}")
    return [s for s in specs if SETSPEC.match(s)]


# -- resumption tokens ----------------------------------------------------------------------


@dataclass
class ListState:
    """Where a list stands: the original arguments and the keyset cursor of the next page."""

    verb: str
    prefix: str
    since: str | None
    until: str | None
    set_spec: str | None
    after: tuple[datetime, int] | None = None
    cursor: int = 0
    total: int | None = None

    def encode(self) -> str:
        payload = {
            "v": 1,
            "verb": self.verb,
            "prefix": self.prefix,
            "from": self.since,
            "until": self.until,
            "set": self.set_spec,
            "after": [self.after[0].isoformat(), self.after[1]] if self.after else None,
            "cursor": self.cursor,
            "total": self.total,
        }
        raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        check = hashlib.sha256(raw).hexdigest()[:10]
        return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + check

    @classmethod
    def decode(cls, token: str, verb: str) -> ListState:
        bad = OAIError(
            "badResumptionToken",
            "The resumption token is invalid or was not issued for this verb: "
            "start the list again without it.",
        )
        try:
            body, check = token.rsplit(".", 1)
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            if hashlib.sha256(raw).hexdigest()[:10] != check:
                raise bad
            data = json.loads(raw)
            after = data["after"]
            state = cls(
                verb=data["verb"],
                prefix=data["prefix"],
                since=data["from"],
                until=data["until"],
                set_spec=data["set"],
                after=(datetime.fromisoformat(after[0]), int(after[1])) if after else None,
                cursor=int(data["cursor"]),
                total=None if data["total"] is None else int(data["total"]),
            )
        except (ValueError, KeyError, TypeError, IndexError, binascii.Error) as exc:
            raise bad from exc
        valid = (
            data.get("v") == 1
            and state.verb == verb
            and state.prefix in METADATA_FORMATS
            and all(v is None or isinstance(v, str) for v in (state.since, state.until))
            and (state.set_spec is None or bool(SETSPEC.match(str(state.set_spec))))
            and state.cursor >= 0
            and (state.total is None or state.total >= 0)
        )
        if not valid:
            raise bad
        return state


# -- the provider ---------------------------------------------------------------------------


class OAIProvider:
    """Answers OAI-PMH requests from a `Catalogue`.

    ``base_url`` is the endpoint's address as harvesters reach it (``https://…/oai``).
    ``resource_url(uid)`` gives a resource's public page, listed as ``dc:identifier``.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        base_url: str,
        *,
        page_size: int = PAGE_SIZE,
        repository_name: str | None = None,
        admin_email: str | None = None,
        resource_url: Callable[[str], str] | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.catalogue = catalogue
        self.base_url = base_url
        self.page_size = page_size
        self.repository_name = repository_name or _("Imaginecole Studio catalogue")
        self.admin_email = admin_email or _default_email(base_url)
        self.resource_url = resource_url
        self.identifier_prefix = f"oai:{catalogue.repository_id}:"

    # entry point

    def respond(self, arguments: Mapping[str, Sequence[str]]) -> bytes:
        """The XML response to one request; ``arguments`` maps each name to its values."""
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        self._sub(root, "responseDate", datestamp(datetime.now(UTC)))
        request = self._sub(root, "request", self.base_url)
        try:
            verb, args = self._check(arguments)
            # arguments are echoed only once they are known to be legal (OAI-PMH 3.6)
            request.set("verb", verb)
            for name, value in args.items():
                request.set(name, value)
            body = getattr(self, f"_{verb}")(args)
        except OAIError as error:
            node = self._sub(root, "error", clean(error.message))
            node.set("code", error.code)
        else:
            root.append(body)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _check(self, arguments: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
        verbs = list(arguments.get("verb", []))
        if len(verbs) != 1:
            raise OAIError(
                "badVerb",
                "The verb argument is repeated." if verbs else "The verb argument is missing.",
            )
        verb = verbs[0]
        if verb not in VERBS:
            raise OAIError(
                "badVerb",
                f"'{clean(verb)}' is not an OAI-PMH verb: use one of {', '.join(VERBS)}.",
            )
        required, optional = VERBS[verb]
        args: dict[str, str] = {}
        for name, values in arguments.items():
            if name == "verb":
                continue
            if name not in required | optional:
                raise OAIError("badArgument", f"{verb} takes no argument '{clean(name)}'.")
            if len(values) != 1:
                raise OAIError("badArgument", f"The argument '{name}' is repeated.")
            args[name] = values[0]
        if "resumptionToken" in args:
            if len(args) > 1:
                raise OAIError(
                    "badArgument", "resumptionToken is an exclusive argument: send it alone."
                )
            return verb, args
        missing = sorted(required - args.keys())
        if missing:
            raise OAIError("badArgument", f"{verb} needs the argument '{missing[0]}'.")
        if "metadataPrefix" in args and not PREFIX.match(args["metadataPrefix"]):
            raise OAIError("badArgument", "Illegal metadataPrefix syntax.")
        if "set" in args and not SETSPEC.match(args["set"]):
            raise OAIError("badArgument", "Illegal set syntax (for example country:SN).")
        if "identifier" in args and not IDENTIFIER.match(args["identifier"]):
            raise OAIError("badArgument", "The identifier is not a URI (oai:…).")
        bounds = [args[name] for name in ("from", "until") if name in args]
        for value in bounds:
            parse_datestamp(value, end=False)
        if len(bounds) == 2 and len(bounds[0]) != len(bounds[1]):
            raise OAIError("badArgument", "from and until must have the same granularity.")
        return verb, args

    # verbs

    def _Identify(self, args: dict[str, str]) -> etree._Element:
        node = etree.Element(f"{{{OAI_NS}}}Identify")
        self._sub(node, "repositoryName", clean(self.repository_name))
        self._sub(node, "baseURL", self.base_url)
        self._sub(node, "protocolVersion", "2.0")
        self._sub(node, "adminEmail", self.admin_email)
        self._sub(node, "earliestDatestamp", datestamp(self.catalogue.earliest_datestamp()))
        self._sub(node, "deletedRecord", "persistent")
        self._sub(node, "granularity", "YYYY-MM-DDThh:mm:ssZ")
        return node

    def _ListMetadataFormats(self, args: dict[str, str]) -> etree._Element:
        if "identifier" in args:
            self._record(args["identifier"])  # idDoesNotExist; every record has both formats
        node = etree.Element(f"{{{OAI_NS}}}ListMetadataFormats")
        for fmt in METADATA_FORMATS.values():
            entry = self._sub(node, "metadataFormat")
            self._sub(entry, "metadataPrefix", fmt.prefix)
            self._sub(entry, "schema", fmt.schema)
            self._sub(entry, "metadataNamespace", fmt.namespace)
        return node

    def _ListSets(self, args: dict[str, str]) -> etree._Element:
        if "resumptionToken" in args:
            raise OAIError("badResumptionToken", "ListSets answers in one page: send no token.")
        from imaginecole.workshop.countries import COUNTRIES

        # the twelve countries are sets even while empty, so the list is never empty
        names = {f"country:{code}": name for code, name in COUNTRIES.items()}
        names |= dict(self.catalogue.oai_sets())
        node = etree.Element(f"{{{OAI_NS}}}ListSets")
        for spec in sorted(names):
            if not SETSPEC.match(spec):
                continue
            entry = self._sub(node, "set")
            self._sub(entry, "setSpec", spec)
            self._sub(entry, "setName", clean(names[spec]))
        return node

    def _GetRecord(self, args: dict[str, str]) -> etree._Element:
        fmt = self._format(args["metadataPrefix"])
        info = self._record(args["identifier"])
        node = etree.Element(f"{{{OAI_NS}}}GetRecord")
        node.append(self.record_element(info, fmt))
        return node

    def _ListIdentifiers(self, args: dict[str, str]) -> etree._Element:
        return self._list("ListIdentifiers", args)

    def _ListRecords(self, args: dict[str, str]) -> etree._Element:
        return self._list("ListRecords", args)

    def _list(self, verb: str, args: dict[str, str]) -> etree._Element:
        if "resumptionToken" in args:
            state = ListState.decode(args["resumptionToken"], verb)
        else:
            self._format(args["metadataPrefix"])
            state = ListState(
                verb, args["metadataPrefix"], args.get("from"), args.get("until"), args.get("set")
            )
        fmt = self._format(state.prefix)
        since = parse_datestamp(state.since, end=False) if state.since else None
        until = parse_datestamp(state.until, end=True) if state.until else None
        query = {"since": since, "until": until, "set_spec": state.set_spec}
        try:
            rows = self.catalogue.oai_records(**query, after=state.after, limit=self.page_size + 1)
        except ImaginecoleError:  # a set of no facet the catalogue knows
            rows = []
        if not rows:
            raise OAIError("noRecordsMatch", "No record matches these arguments.")
        page, more = rows[: self.page_size], len(rows) > self.page_size
        if state.total is None:
            state.total = len(page) if not more else self._count(query)
        node = etree.Element(f"{{{OAI_NS}}}{verb}")
        if verb == "ListRecords" and fmt.prefix == "lom":
            self._part_of = self.catalogue.public_part_of([info.uid for _key, info in page])
        for _key, info in page:
            if verb == "ListRecords":
                node.append(self.record_element(info, fmt))
            else:
                node.append(self.header_element(info))
        delivered = state.cursor + len(page)
        if more or state.cursor:
            token = self._sub(node, "resumptionToken")
            # the list may have grown or shrunk since it began: never claim less than seen
            size = max(state.total, delivered + (1 if more else 0))
            token.set("completeListSize", str(size))
            token.set("cursor", str(state.cursor))
            if more:
                following = replace(state, after=page[-1][0], cursor=delivered)
                token.text = following.encode()
        return node

    def _count(self, query: dict[str, Any]) -> int:
        return self.catalogue.oai_count(**query)

    # lookups

    def _format(self, prefix: str) -> MetadataFormat:
        if prefix not in METADATA_FORMATS:
            raise OAIError(
                "cannotDisseminateFormat",
                f"'{clean(prefix)}' is not served here: use {' or '.join(METADATA_FORMATS)}.",
            )
        return METADATA_FORMATS[prefix]

    def _record(self, identifier: str) -> ResourceInfo:
        missing = OAIError("idDoesNotExist", f"No record has the identifier '{clean(identifier)}'.")
        if not identifier.startswith(self.identifier_prefix):
            raise missing
        uid = identifier[len(self.identifier_prefix) :]
        info = self.catalogue.oai_record(uid)
        if info is None:
            raise missing
        return info

    # records

    def identifier(self, info: ResourceInfo) -> str:
        return f"{self.identifier_prefix}{info.uid}"

    def header_element(self, info: ResourceInfo) -> etree._Element:
        header = etree.Element(f"{{{OAI_NS}}}header")
        if info.deleted:
            header.set("status", "deleted")
        self._sub(header, "identifier", self.identifier(info))
        self._sub(header, "datestamp", datestamp(info.datestamp))
        for spec in set_specs(info):
            self._sub(header, "setSpec", spec)
        return header

    def record_element(self, info: ResourceInfo, fmt: MetadataFormat) -> etree._Element:
        record = etree.Element(f"{{{OAI_NS}}}record")
        record.append(self.header_element(info))
        if not info.deleted:
            metadata = self._sub(record, "metadata")
            if fmt.prefix == "lom":
                known = getattr(self, "_part_of", None)
                if known is None or info.uid not in known:
                    known = self.catalogue.public_part_of([info.uid])
                metadata.append(lom_element(info, self.resource_url, known.get(info.uid, [])))
            else:
                metadata.append(dc_element(info, self.repository_name, self.resource_url))
        return record

    def _sub(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        node = etree.SubElement(parent, f"{{{OAI_NS}}}{name}")
        if text is not None:
            node.text = text
        return node


def _default_email(base_url: str) -> str:
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower()
    if "." in host and not re.match(r"[\d.]+\Z", host):
        return f"catalogue@{host}"
    return "catalogue@localhost.localdomain"


def oai_response(
    catalogue: Catalogue,
    base_url: str,
    arguments: Mapping[str, Sequence[str]],
    *,
    page_size: int = PAGE_SIZE,
) -> bytes:
    """The XML response to one OAI-PMH request (see `OAIProvider` for the options)."""
    return OAIProvider(catalogue, base_url, page_size=page_size).respond(arguments)


# -- HTTP -----------------------------------------------------------------------------------


class OAIHandler(tornado.web.RequestHandler):
    """The OAI-PMH endpoint, GET and POST (``application/x-www-form-urlencoded``).

    Mount it at ``/oai`` (behind the service prefix, if any)::

        (r"/oai", OAIHandler, {"catalogue": catalogue})

    Optional keys of that dict: ``page_size`` (records per page, 100),
    ``repository_name``, ``admin_email`` (Identify), ``resource_url`` (``uid -> URL`` of a
    resource's public page, listed as ``dc:identifier``; default: the page ``r/<uid>`` next
    to ``oai``, as the web app routes it). The base URL is the request's own (protocol,
    host, path; with ``xheaders=True`` the proxy's protocol). POST skips the XSRF check:
    harvesters send no cookie, and the endpoint only reads. Protocol errors are answered
    with HTTP 200, as OAI-PMH requires.
    """

    def initialize(
        self,
        catalogue: Catalogue,
        page_size: int = PAGE_SIZE,
        repository_name: str | None = None,
        admin_email: str | None = None,
        resource_url: Callable[[str], str] | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.options = {
            "page_size": page_size,
            "repository_name": repository_name,
            "admin_email": admin_email,
            "resource_url": resource_url,
        }

    def check_xsrf_cookie(self) -> None:
        return None

    async def get(self) -> None:
        await self._respond()

    async def post(self) -> None:
        await self._respond()

    async def _respond(self) -> None:
        arguments = {
            name: [value.decode("utf-8", errors="replace") for value in values]
            for name, values in self.request.arguments.items()
        }
        base_url = f"{self.request.protocol}://{self.request.host}{self.request.path}"
        options = dict(self.options)
        if options["resource_url"] is None and base_url.endswith("/oai"):
            site = base_url[: -len("oai")]
            options["resource_url"] = lambda uid: f"{site}r/{uid}"
        provider = OAIProvider(self.catalogue, base_url, **options)
        # the catalogue's calls block: keep the event loop free for other requests
        body = await IOLoop.current().run_in_executor(None, provider.respond, arguments)
        self.set_header("Content-Type", "text/xml; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(body)
