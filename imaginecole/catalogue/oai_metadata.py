"""One record's metadata in ``oai_dc`` and in LOM (ScoLOMFR): written, and read back.

The provider (`oai.py`) writes a catalogue record in both formats; the harvester
(`harvest.py`) reads records in both formats back into bundle-style metadata. Written records
never carry authors' e-mail addresses or accounts; read records are cut to the bundle
metadata's limits. A harvested record carries the identifier it has at its source (``dc:source``,
or a LOM ``general/identifier`` of catalog ``oai``): that is how a catalogue recognises its own
records coming back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from .model import ResourceInfo

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DC = f"{{{DC_NS}}}"
LOM = f"{{{LOM_NS}}}"
# the bundle metadata's limits (grain.schema.json)
LIMITS = {"title": 200, "description": 2000, "keyword": 60, "keywords": 30, "author": 120}
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
# what XML 1.0 cannot carry
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# DCMI Type vocabulary, by resource type
DCMI_TYPES = {
    "comic": "Image",
    "podcast": "Sound",
    "module": "Collection",
    "parcours": "Collection",
    "notebook-app": "InteractiveResource",
}
# ScoLOMFR learning resource type (voc-010 concept, also a LOMv1.0 term) by resource type,
# when the author kept the metadata form's default « exercice »
LOM_RESOURCE_TYPES = {"notebook-app": "simulation"}
DEFAULT_RESOURCE_TYPE = "exercice"


def clean(text: object) -> str:
    """Text XML 1.0 can carry."""
    return NOT_XML.sub("", str(text))


def _scrub(value: Any) -> Any:
    """A JSON-like value with every string cleaned, for code that sets lxml text itself."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def utc(moment: datetime) -> datetime:
    """A datestamp as an aware UTC datetime (stores may drop the zone: it is UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- writing --------------------------------------------------------------------------------


def manifest(info: ResourceInfo) -> dict[str, Any]:
    """The published manifest's id and metadata, or one made from the record's columns.

    Without e-mail addresses or accounts, and with text XML can carry.
    """
    version = info.published or info.latest
    stored = dict(version.manifest) if version and version.manifest else {}
    meta = dict(stored.get("metadata") or {})
    if not meta:
        meta = {
            "title": info.title,
            "description": info.description,
            "language": info.language,
            "licence": info.licence,
            "authors": [{"name": name} for name in info.authors],
            "keywords": list(info.keywords),
        }
        for key in ("country", "level", "subject", "event", "team"):
            if getattr(info, key):
                meta[key] = getattr(info, key)
    authors = meta.get("authors") or []
    meta["authors"] = [
        {"name": a["name"]} for a in authors if isinstance(a, dict) and a.get("name")
    ]
    if not LANGUAGE.match(str(meta.get("language") or "")):
        meta["language"] = "und"
    return _scrub({"id": stored.get("id") or info.uid, "metadata": meta})


def lom_element(
    info: ResourceInfo,
    resource_url: Callable[[str], str] | None = None,
    part_of: Iterable[tuple[str, str]] = (),
) -> etree._Element:
    """The record in LOM (ScoLOMFR): its page as ``technical/location``; if it was
    harvested, its source's identifier as a ``general/identifier`` of catalog ``oai``; a
    module's or parcours' parts as ``relation`` hasPart, and the modules and parcours
    that hold it (`part_of`: uid, title) as isPartOf."""
    from imaginecole.exports.lom import lom_element as scolomfr

    described = manifest(info)
    lom = scolomfr(described)
    add_relations(lom, info, part_of)
    chosen = described["metadata"].get("resource_type") or DEFAULT_RESOURCE_TYPE
    if info.type in LOM_RESOURCE_TYPES and chosen == DEFAULT_RESOURCE_TYPE:
        from imaginecole.exports.lom import SCOLOMFR_CONCEPT

        value = lom.find(f"{LOM}educational/{LOM}learningResourceType/{LOM}value")
        value.text = SCOLOMFR_CONCEPT + LOM_RESOURCE_TYPES[info.type]
    if info.origin_identifier:
        first = lom.find(f"{LOM}general/{LOM}identifier")
        source = etree.Element(f"{LOM}identifier")
        etree.SubElement(source, f"{LOM}catalog").text = "oai"
        etree.SubElement(source, f"{LOM}entry").text = clean(info.origin_identifier)
        first.addnext(source)
    if resource_url is not None:
        location = etree.Element(f"{LOM}location")
        location.text = clean(resource_url(info.uid))
        lom.find(f"{LOM}technical/{LOM}format").addnext(location)
    return lom


def _parts(info: ResourceInfo) -> list[tuple[str, str]]:
    """(uid, title) of the parts the record's version names, if it is a module or parcours."""
    if info.type not in ("module", "parcours"):
        return []
    version = info.published or info.latest
    stored = version.manifest if version and isinstance(version.manifest, dict) else {}
    body = stored.get(info.type) if isinstance(stored.get(info.type), dict) else {}
    entries = body.get("parts" if info.type == "module" else "modules") or []
    return [
        (str(e["id"]), str(e.get("title") or ""))
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    ]


def add_relations(lom: etree._Element, info: ResourceInfo, part_of: list[tuple[str, str]]) -> None:
    """LOM ``relation`` elements (ScoLOMFR kinds: Dublin Core hasPart / isPartOf), placed
    after ``rights`` and before ``classification``, as the schema orders them."""
    from imaginecole.exports.lom import CATALOG, SCOLOMFR_SOURCE

    relations = [("hasPart", uid, title) for uid, title in _parts(info)]
    relations += [("isPartOf", uid, title) for uid, title in part_of]
    if not relations:
        return
    anchor = lom.find(f"{LOM}rights")
    if anchor is None:
        anchor = lom.find(f"{LOM}educational")
    language = str((manifest(info)["metadata"]).get("language") or "und")
    for kind, uid, title in relations:
        relation = etree.Element(f"{LOM}relation")
        node = etree.SubElement(relation, f"{LOM}kind")
        etree.SubElement(node, f"{LOM}source").text = SCOLOMFR_SOURCE
        etree.SubElement(node, f"{LOM}value").text = f"http://purl.org/dc/terms/{kind}"
        resource = etree.SubElement(relation, f"{LOM}resource")
        identifier = etree.SubElement(resource, f"{LOM}identifier")
        etree.SubElement(identifier, f"{LOM}catalog").text = CATALOG
        etree.SubElement(identifier, f"{LOM}entry").text = clean(uid)
        if title:
            description = etree.SubElement(resource, f"{LOM}description")
            string = etree.SubElement(description, f"{LOM}string")
            string.set("language", language)
            string.text = clean(title)
        anchor.addnext(relation)
        anchor = relation


def dc_element(
    info: ResourceInfo, publisher: str, resource_url: Callable[[str], str] | None = None
) -> etree._Element:
    """The record in Dublin Core: readable by any harvester, read back by `read_dc`."""
    from imaginecole.exports.lom import LICENCES, licence_text
    from imaginecole.workshop.countries import COUNTRIES

    described = manifest(info)
    meta, uid = described["metadata"], str(described["id"])
    language = meta["language"]
    dc = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")

    def add(name: str, text: str | None, lang: bool = False) -> None:
        if text:
            node = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
            node.text = clean(text)
            if lang and language != "und":
                node.set(XML_LANG, language)

    add("title", meta.get("title"), lang=True)
    for author in meta["authors"]:
        add("creator", author["name"])
    add("subject", subject_name(meta.get("country"), meta.get("subject")), lang=True)
    for keyword in meta.get("keywords") or []:
        add("subject", keyword, lang=True)
    add("description", meta.get("description"), lang=True)
    add("publisher", publisher)
    version = info.published or info.latest
    created = version.created if version else info.datestamp
    add("date", utc(created).date().isoformat())
    add("type", DCMI_TYPES.get(info.type, "InteractiveResource"))
    add("type", info.type)
    for media_type in sorted({f.media_type for f in (version.files if version else [])}):
        add("format", media_type)
    if resource_url is not None:
        add("identifier", resource_url(info.uid))
    if not info.origin and UUID.match(uid):
        add("identifier", f"urn:uuid:{uid}")
    if info.origin_identifier:
        add("source", info.origin_identifier)
    add("language", language if language != "und" else None)
    if meta.get("country"):
        add("coverage", COUNTRIES.get(meta["country"], meta["country"]))
    licence = meta.get("licence") or ""
    if licence in LICENCES:
        add("rights", LICENCES[licence][1])
    add("rights", dict(licence_text(licence))["fr"] if licence else None)
    return dc


def subject_name(country: str | None, subject: str | None) -> str | None:
    """The subject's name in the country's curriculum (French), else its id."""
    if not subject:
        return None
    if country:
        from imaginecole.curricula import curriculum
        from imaginecole.i18n import ImaginecoleError

        try:
            for entry in curriculum(country)["subjects"]:
                if entry["id"] == subject:
                    return entry["name_fr"]
        except ImaginecoleError:
            pass
    return subject


# -- reading --------------------------------------------------------------------------------


def _text(node: etree._Element | None, limit: int | None = None) -> str:
    text = " ".join((node.text or "").split()) if node is not None else ""
    return text[:limit] if limit else text


def licence_of(texts: list[str]) -> str | None:
    """The SPDX id of a licence named by its deed address, else the first text."""
    from imaginecole.exports.lom import LICENCES

    deeds = {url.split("://", 1)[1].rstrip("/"): spdx for spdx, (_s, url, *_r) in LICENCES.items()}
    for text in texts:
        for found in re.findall(r"https?://\S+", text):
            spdx = deeds.get(found.split("://", 1)[1].rstrip("/).,"))
            if spdx:
                return spdx
    for text in texts:
        if text in LICENCES:
            return text
    return texts[0][:200] if texts else None


def _metadata(
    title: str,
    description: str,
    language: str,
    authors: list[str],
    keywords: list[str],
    licence: str | None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": title[: LIMITS["title"]],
        "description": description[: LIMITS["description"]],
        "authors": [{"name": a[: LIMITS["author"]]} for a in authors if a][:50],
        "keywords": list(dict.fromkeys(k[: LIMITS["keyword"]] for k in keywords if k))[
            : LIMITS["keywords"]
        ],
    }
    if licence:
        meta["licence"] = licence
    if LANGUAGE.match(language):
        meta["language"] = language
    return meta


def read_dc(
    dc: etree._Element, sets: dict[str, str] | None = None
) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """Bundle metadata, provenance identifiers and links from an ``oai_dc:dc`` element."""
    from imaginecole.workshop.countries import country_code

    def texts(name: str, limit: int | None = None) -> list[str]:
        return [t for t in (_text(n, limit) for n in dc.findall(f"{DC}{name}")) if t]

    sets = sets or {}
    subjects = texts("subject")
    # an Imaginecole catalogue lists the curriculum subject first, then the keywords
    curriculum_subject = subject_name(sets.get("country"), sets.get("subject"))
    if subjects and curriculum_subject and subjects[0] == curriculum_subject:
        subjects = subjects[1:]
    meta = _metadata(
        (texts("title") or [""])[0],
        "\n".join(texts("description")),
        (texts("language") or [""])[0],
        texts("creator"),
        subjects,
        licence_of(texts("rights")),
    )
    for coverage in texts("coverage"):
        code = country_code(coverage)
        if code:
            meta["country"] = code
            break
    pages = [i for i in texts("identifier") if re.match(r"https?://", i)]
    return meta, texts("source"), ({"page": pages[0]} if pages else {})


def read_lom(lom: etree._Element) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """Bundle metadata, provenance identifiers and links from a LOM (ScoLOMFR) record."""

    def strings(path: str) -> list[str]:
        return [t for t in (_text(n) for n in lom.iterfind(f"{path}/{LOM}string")) if t]

    general = f"{LOM}general"
    authors = []
    for contribute in lom.iterfind(f"{LOM}lifeCycle/{LOM}contribute"):
        for entity in contribute.iterfind(f"{LOM}entity"):
            name = _vcard_name(entity.text or "")
            if name:
                authors.append(name)
    meta = _metadata(
        (strings(f"{general}/{LOM}title") or [""])[0],
        "\n".join(strings(f"{general}/{LOM}description")),
        _text(lom.find(f"{general}/{LOM}language")),
        authors,
        strings(f"{general}/{LOM}keyword"),
        licence_of(strings(f"{LOM}rights/{LOM}description")),
    )
    for classification in lom.iterfind(f"{LOM}classification"):
        purpose = _text(classification.find(f"{LOM}purpose/{LOM}value"))
        ids = [_text(t) for t in classification.iterfind(f"{LOM}taxonPath/{LOM}taxon/{LOM}id")]
        if ids and purpose.rsplit("/", 1)[-1] == "discipline":
            meta["subject"] = ids[-1][:60]
        elif ids and purpose.rsplit("/", 1)[-1].replace(" ", "_") == "educational_level":
            meta["level"] = ids[-1][:40]
    sources = [
        _text(i.find(f"{LOM}entry"))
        for i in lom.iterfind(f"{general}/{LOM}identifier")
        if _text(i.find(f"{LOM}catalog")) == "oai"
    ]
    locations = [_text(n) for n in lom.iterfind(f"{LOM}technical/{LOM}location")]
    pages = [loc for loc in locations if re.match(r"https?://", loc)]
    return meta, sources, ({"page": pages[0]} if pages else {})


def _vcard_name(card: str) -> str:
    for line in card.splitlines():
        if line.upper().startswith("FN:"):
            value = line[3:].strip()
            return re.sub(r"\\([,;\\])", r"\1", value)
    return ""
