"""`lom`: a grain's description as a LOM record, in the ScoLOMFR 3.2 profile (`.xml`).

One description of the grain, three XML bindings of it:

- ``lom_element(manifest)``: IEEE LOM XML (1484.12.3) with the ScoLOMFR vocabularies (concept
  URIs, source ``SCOLOMFRv3.2``). Valid against the ScoLOMFR 3.2.1 schemas (``scolomfr.xsd``):
  the record the ``lom`` exporter writes and the catalogue serves.
- ``lom_element(manifest, profile="lom")``: the same record with the LOMv1.0 vocabularies,
  valid against ``lomStrict.xsd``: the metadata of SCORM 2004 manifests (ADL's ``lom.xsd`` is
  LOM strict, so it refuses ScoLOMFR terms).
- ``imsmd_element(manifest)``: IMS Meta-data 1.2.1, the LOM binding of SCORM 1.2 manifests.

A module or a parcours (imaginecole.sequence) gets the same record with what makes it a whole:
aggregation level 3 (module) or 4 (parcours), a linear (module) or hierarchical (parcours)
structure, its duration as typicalLearningTime (a parcours: the sum of its modules' durations,
when `lom_element` is given the modules' manifests), its objectives as educational
descriptions, and one ``haspart`` relation per part (a parcours: per module), each naming the
part's identifier exactly as the part's own record does (catalog ``imaginecole``, entry its
id); ``part_of`` adds ``ispartof`` relations (a module inside parcours).

Teacher text only ever becomes element text or attribute values, which lxml escapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from imaginecole.i18n import N_

from .base import Bundle, Exporter, write_output

if TYPE_CHECKING:
    from lxml import etree

LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
IMSMD_NS = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CATALOG = "imaginecole"
SCOLOMFR_SOURCE = "SCOLOMFRv3.2"
SCOLOMFR_CONCEPT = "http://data.education.fr/voc/scolomfr/concept/"

Profile = Literal["scolomfr", "lom"]

# resource_type -> (LOMv1.0 token, ScoLOMFR voc-010 concept, IMS MD 1.2 token).
# Only the voc-010 concepts named after their LOM term are used: their meaning can be checked
# offline. A game and a memo sheet have no such concept: they take the nearest one.
RESOURCE_TYPES: dict[str, tuple[str, str, str]] = {
    "exercice": ("exercise", "exercise", "Exercise"),
    "questionnaire": ("questionnaire", "questionnaire", "Questionnaire"),
    "autoevaluation": ("self assessment", "self_assessment", "Self Assessment"),
    "evaluation": ("exam", "exam", "Exam"),
    "jeu-educatif": ("exercise", "exercise", "Exercise"),
    "fiche-memo": ("narrative text", "lecture", "Narrative Text"),
}

# The other vocabulary terms: key -> (LOMv1.0 token, ScoLOMFR concept or None, IMS MD token).
# None: the element is not part of ScoLOMFR and is left out of that profile.
TERMS: dict[str, tuple[str, str | None, str]] = {
    "atomic": ("atomic", "atomic", "Atomic"),
    "linear": ("linear", "linear", "Linear"),
    "hierarchical": ("hierarchical", "hierarchical", "Hierarchical"),
    "aggregation_1": ("1", "scolomfr-voc-008-num-01", "1"),
    "aggregation_3": ("3", "scolomfr-voc-008-num-03", "3"),
    "aggregation_4": ("4", "scolomfr-voc-008-num-04", "4"),
    # ScoLOMFR voc-009 takes the Dublin Core terms for these two
    "haspart": ("haspart", "http://purl.org/dc/terms/hasPart", "HasPart"),
    "ispartof": ("ispartof", "http://purl.org/dc/terms/isPartOf", "IsPartOf"),
    "author": ("author", "author", "Author"),
    "creator": ("creator", "creator", "Creator"),
    "active": ("active", None, "Active"),
    "learner": ("learner", "learner", "Learner"),
    "teacher": ("teacher", "teacher", "Teacher"),
    "school": ("school", "school", "School"),
    "training": ("training", "training", "Training"),
    "no_cost": ("no", "no", "no"),
    "copyright_yes": ("yes", "yes_2", "yes"),
    "copyright_no": ("no", "no_2", "no"),
    "discipline": ("discipline", "discipline", "Discipline"),
    "educational_level": ("educational level", "educational_level", "Educational Level"),
}

# SPDX id -> (short name, deed URL, French name, English name)
LICENCES: dict[str, tuple[str, str, str, str]] = {
    "CC-BY-SA-4.0": (
        "CC BY-SA 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution - Partage dans les mêmes conditions 4.0 International",
        "Creative Commons Attribution-ShareAlike 4.0 International",
    ),
    "CC-BY-4.0": (
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
        "Creative Commons Attribution 4.0 International",
    ),
    "CC-BY-NC-SA-4.0": (
        "CC BY-NC-SA 4.0",
        "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        "Creative Commons Attribution - Pas d'utilisation commerciale - "
        "Partage dans les mêmes conditions 4.0 International",
        "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
    ),
    "CC-BY-NC-4.0": (
        "CC BY-NC 4.0",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "Creative Commons Attribution - Pas d'utilisation commerciale 4.0 International",
        "Creative Commons Attribution-NonCommercial 4.0 International",
    ),
    "CC0-1.0": (
        "CC0 1.0",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "CC0 1.0 Universel (transfert dans le domaine public)",
        "CC0 1.0 Universal (Public Domain Dedication)",
    ),
}

CYCLE_NAMES: dict[str, tuple[str, str]] = {
    "prescolaire": ("Préscolaire", "Pre-school"),
    "primaire": ("Primaire", "Primary"),
    "college": ("Collège (premier cycle du secondaire)", "Lower secondary"),
    "lycee": ("Lycée (second cycle du secondaire)", "Upper secondary"),
    "formation": ("Formation des enseignants", "Teacher training"),
}
# IMS MD 1.2 has finer contexts than LOM's "school"
IMSMD_CONTEXTS = {
    "prescolaire": "Primary Education",
    "primaire": "Primary Education",
    "college": "Secondary Education",
    "lycee": "Secondary Education",
    "formation": "Continuous Formation",
}

# (language, text) pairs of one LangString
Strings = list[tuple[str, str]]


@dataclass
class Taxon:
    id: str
    names: Strings


@dataclass
class Taxonomy:
    purpose: str  # a TERMS key
    source: Strings
    path: list[Taxon]


@dataclass
class Description:
    """What the three bindings say, read once from the grain's manifest."""

    id: str
    language: str
    title: str
    description: str
    keywords: list[str]
    authors: list[str]  # vCards
    created: str | None  # YYYY-MM-DD
    modified: str | None
    resource_type: str
    learning_time: str | None
    cycle: str | None
    licence: str
    taxonomies: list[Taxonomy] = field(default_factory=list)
    structure: str = "atomic"  # a TERMS key
    aggregation: str = "aggregation_1"  # a TERMS key
    objectives: list[str] = field(default_factory=list)
    # (kind, id, title): kind a TERMS key ("haspart", "ispartof")
    relations: list[tuple[str, str, str]] = field(default_factory=list)


def vcard(name: str, email: str | None = None) -> str:
    """A vCard 3.0 for a person known by one name (no family/given split is guessed)."""

    def esc(text: str) -> str:
        text = " ".join(text.split())  # no line break may enter a vCard value
        return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")

    lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{esc(name)};;;;", f"FN:{esc(name)}"]
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{esc(email)}")
    lines.append("END:VCARD")
    return "\n".join(lines)


def _day(value: str | None) -> str | None:
    """An RFC 3339 date-time as its UTC day: LOM's DateTime pattern refuses `...:00Z`."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date().isoformat()


def _curriculum_entry(country: str | None, key: str, wanted: str | None) -> dict | None:
    if not (country and wanted):
        return None
    from imaginecole.curricula import curriculum
    from imaginecole.i18n import ImaginecoleError

    try:
        entries = curriculum(country)[key]
    except ImaginecoleError:
        return None
    return next((dict(e) for e in entries if e["id"] == wanted), None)


def _taxonomies(meta: dict[str, Any]) -> tuple[list[Taxonomy], str | None]:
    from imaginecole.workshop.countries import COUNTRIES

    country = meta.get("country")
    country_name = COUNTRIES.get(country or "", "")
    found: list[Taxonomy] = []
    cycle = None

    def source(fr: str, en: str) -> Strings:
        if country_name:
            return [("fr", f"{fr} – {country_name}"), ("en", f"{en} – {country_name}")]
        return [("fr", fr), ("en", en)]

    subject_id = meta.get("subject")
    if subject_id:
        entry = _curriculum_entry(country, "subjects", subject_id)
        names = [("fr", entry["name_fr"]), ("en", entry["name_en"])] if entry else []
        found.append(
            Taxonomy(
                "discipline",
                source(
                    "Imaginecole : disciplines du programme", "Imaginecole: curriculum subjects"
                ),
                [Taxon(subject_id, names)],
            )
        )
    level_id = meta.get("level")
    if level_id:
        entry = _curriculum_entry(country, "levels", level_id)
        path = []
        if entry:
            cycle = entry["cycle"]
            fr, en = CYCLE_NAMES[cycle]
            path.append(Taxon(cycle, [("fr", fr), ("en", en)]))
            path.append(Taxon(level_id, [("fr", entry["name_fr"]), ("en", entry["name_en"])]))
        else:
            path.append(Taxon(level_id, []))
        found.append(
            Taxonomy(
                "educational_level",
                source("Imaginecole : niveaux scolaires", "Imaginecole: school levels"),
                path,
            )
        )
    return found, cycle


def minutes_duration(minutes: int) -> str:
    """Minutes as an ISO 8601 duration (PT1H30M)."""
    hours, rest = divmod(max(0, int(minutes)), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def sequence_learning_time(
    manifest: dict[str, Any], modules: list[dict[str, Any]] | None = None
) -> str | None:
    """A module's duration, or the sum of a parcours' modules' durations (`modules`: their
    manifests); None when it is not known."""
    if manifest.get("type") == "module":
        minutes = (manifest.get("module") or {}).get("duration_minutes")
        return minutes_duration(minutes) if minutes else None
    if manifest.get("type") == "parcours" and modules:
        minutes = [(m.get("module") or {}).get("duration_minutes") for m in modules]
        if all(minutes):
            return minutes_duration(sum(minutes))
    return None


def describe(
    manifest: dict[str, Any],
    *,
    modules: list[dict[str, Any]] | None = None,
    part_of: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> Description:
    """The resource's description, from its manifest (already validated). For a parcours,
    `modules` are its modules' manifests (for the total duration); `part_of` are the (id,
    title) of the sequences that hold this resource."""
    meta = manifest.get("metadata") or {}
    language = meta.get("language") or "fr"
    taxonomies, cycle = _taxonomies(meta)
    kind = manifest.get("type", "grain")
    body = manifest.get(kind) if kind in ("module", "parcours") else None
    extra: dict[str, Any] = {}
    if isinstance(body, dict):
        items = body.get("parts" if kind == "module" else "modules") or []
        extra = {
            "structure": "linear" if kind == "module" else "hierarchical",
            "aggregation": "aggregation_3" if kind == "module" else "aggregation_4",
            "objectives": [str(o) for o in body.get("objectives") or [] if str(o).strip()],
            "relations": [("haspart", str(i["id"]), str(i.get("title", ""))) for i in items],
        }
    extra.setdefault("relations", [])
    extra["relations"] += [("ispartof", str(uid), str(title)) for uid, title in part_of]
    learning_time = sequence_learning_time(manifest, modules) or meta.get("learning_time")
    return Description(
        id=str(manifest.get("id", "")),
        language=language,
        title=meta.get("title", ""),
        description=meta.get("description", ""),
        keywords=list(meta.get("keywords") or []),
        authors=[vcard(a["name"], a.get("email")) for a in meta.get("authors") or []],
        created=_day(meta.get("created")),
        modified=_day(meta.get("modified")),
        resource_type=meta.get("resource_type") or "exercice",
        learning_time=learning_time,
        cycle=cycle,
        licence=meta.get("licence") or "CC-BY-SA-4.0",
        taxonomies=taxonomies,
        **extra,
    )


def licence_text(licence: str) -> Strings:
    """The rights description: the licence's name and the address of its deed, fr and en."""
    short, url, fr, en = LICENCES.get(licence, (licence, "", licence, licence))
    return [
        ("fr", f"Licence : {fr} ({short}) – {url}".rstrip(" –")),
        ("en", f"Licence: {en} ({short}) – {url}".rstrip(" –")),
    ]


# -- IEEE LOM XML binding (ScoLOMFR or LOMv1.0 vocabularies) --------------------------------


def lom_element(
    manifest: dict[str, Any],
    profile: Profile = "scolomfr",
    *,
    modules: list[dict[str, Any]] | None = None,
    part_of: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> etree._Element:
    """The resource's LOM record as an lxml element ``{http://ltsc.ieee.org/xsd/LOM}lom``.

    ``profile="scolomfr"`` (default) uses ScoLOMFR 3.2 concept URIs and validates against
    ``scolomfr.xsd``; ``profile="lom"`` uses LOMv1.0 terms and validates against
    ``lomStrict.xsd`` (and so inside SCORM 2004 manifests).

    A module or parcours gets its aggregation level, structure, objectives and ``haspart``
    relations from its manifest; a parcours' typicalLearningTime needs `modules`, its modules'
    manifests (``[m for m, _, _ in resolve(folder).modules()]``). `part_of`: (id, title) of
    each module or parcours that holds this resource, as ``ispartof`` relations.
    """
    from lxml import etree

    if profile not in ("scolomfr", "lom"):
        raise ValueError(f"unknown LOM profile {profile!r}")
    d = describe(manifest, modules=modules, part_of=part_of)
    scolomfr = profile == "scolomfr"

    def sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        node = etree.SubElement(parent, f"{{{LOM_NS}}}{name}")
        if text is not None:
            node.text = text
        return node

    def langstring(parent: etree._Element, name: str, strings: Strings) -> etree._Element:
        node = sub(parent, name)
        for language, text in strings:
            sub(node, "string", text).set("language", language)
        return node

    def vocab(parent: etree._Element, name: str, term: tuple[str, str | None, str]) -> None:
        lom_value, concept, _ = term
        if scolomfr and concept is None:
            return
        node = sub(parent, name)
        if scolomfr:
            sub(node, "source", SCOLOMFR_SOURCE)
            full = concept if concept.startswith("http") else SCOLOMFR_CONCEPT + concept
            sub(node, "value", full)
        else:
            sub(node, "source", "LOMv1.0")
            sub(node, "value", lom_value)

    def identifier(parent: etree._Element, entry: str | None = None) -> None:
        node = sub(parent, "identifier")
        sub(node, "catalog", CATALOG)
        sub(node, "entry", d.id if entry is None else entry)

    def contribute(parent: etree._Element, role: str, entities: list[str], day: str | None):
        node = sub(parent, "contribute")
        vocab(node, "role", TERMS[role])
        for entity in entities:
            sub(node, "entity", entity)
        if day:
            sub(sub(node, "date"), "dateTime", day)

    lom = etree.Element(f"{{{LOM_NS}}}lom", nsmap={None: LOM_NS})

    general = sub(lom, "general")
    identifier(general)
    langstring(general, "title", [(d.language, d.title)])
    sub(general, "language", d.language)
    if d.description:
        langstring(general, "description", [(d.language, d.description)])
    for keyword in d.keywords:
        langstring(general, "keyword", [(d.language, keyword)])
    vocab(general, "structure", TERMS[d.structure])
    vocab(general, "aggregationLevel", TERMS[d.aggregation])

    if d.authors:
        contribute(sub(lom, "lifeCycle"), "author", d.authors, d.created or d.modified)

    meta = sub(lom, "metaMetadata")
    identifier(meta)
    contribute(meta, "creator", [vcard("Imaginecole Studio")], d.modified or d.created)
    sub(meta, "metadataSchema", "LOMv1.0")
    if scolomfr:
        sub(meta, "metadataSchema", SCOLOMFR_SOURCE)
    sub(meta, "language", d.language)

    sub(sub(lom, "technical"), "format", "text/html")

    educational = sub(lom, "educational")
    vocab(educational, "interactivityType", TERMS["active"])
    lom_type, concept, imsmd_type = RESOURCE_TYPES.get(d.resource_type, RESOURCE_TYPES["exercice"])
    vocab(educational, "learningResourceType", (lom_type, concept, imsmd_type))
    # a resource for teacher training (the « formation » cycle) is for teachers, in training
    training = d.cycle == "formation"
    vocab(educational, "intendedEndUserRole", TERMS["teacher" if training else "learner"])
    vocab(educational, "context", TERMS["training" if training else "school"])
    if d.learning_time:
        sub(sub(educational, "typicalLearningTime"), "duration", d.learning_time)
    for objective in d.objectives:
        langstring(educational, "description", [(d.language, objective)])
    sub(educational, "language", d.language)

    rights = sub(lom, "rights")
    vocab(rights, "cost", TERMS["no_cost"])
    public_domain = d.licence.startswith("CC0")
    vocab(
        rights,
        "copyrightAndOtherRestrictions",
        TERMS["copyright_no" if public_domain else "copyright_yes"],
    )
    langstring(rights, "description", licence_text(d.licence))

    for kind, uid, title in d.relations:
        relation = sub(lom, "relation")
        vocab(relation, "kind", TERMS[kind])
        resource = sub(relation, "resource")
        identifier(resource, uid)
        if title:
            langstring(resource, "description", [(d.language, title)])

    for taxonomy in d.taxonomies:
        classification = sub(lom, "classification")
        vocab(classification, "purpose", TERMS[taxonomy.purpose])
        path = sub(classification, "taxonPath")
        langstring(path, "source", taxonomy.source)
        for taxon in taxonomy.path:
            node = sub(path, "taxon")
            sub(node, "id", taxon.id)
            if taxon.names:
                langstring(node, "entry", taxon.names)
    return lom


# -- IMS Meta-data 1.2.1 binding (SCORM 1.2) ----------------------------------------------


def imsmd_element(
    manifest: dict[str, Any], *, modules: list[dict[str, Any]] | None = None
) -> etree._Element:
    """The resource's record as ``{http://www.imsglobal.org/xsd/imsmd_rootv1p2p1}lom``.

    SCORM 1.2 manifests validate their metadata against IMS Meta-data 1.2.1, not IEEE LOM.
    """
    from lxml import etree

    d = describe(manifest, modules=modules)

    def sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        node = etree.SubElement(parent, f"{{{IMSMD_NS}}}{name}")
        if text is not None:
            node.text = text
        return node

    def langstrings(parent: etree._Element, name: str, strings: Strings) -> etree._Element:
        node = sub(parent, name)
        for language, text in strings:
            sub(node, "langstring", text).set(XML_LANG, language)
        return node

    def vocab(parent: etree._Element, name: str, token: str) -> None:
        node = sub(parent, name)
        langstrings(node, "source", [("x-none", "LOMv1.0")])
        langstrings(node, "value", [("x-none", token)])

    def catalogentry(parent: etree._Element) -> None:
        node = sub(parent, "catalogentry")
        sub(node, "catalog", CATALOG)
        langstrings(node, "entry", [("x-none", d.id)])

    def contribute(parent: etree._Element, role: str, entities: list[str], day: str | None):
        node = sub(parent, "contribute")
        vocab(node, "role", role)
        for entity in entities:
            sub(sub(node, "centity"), "vcard", entity)
        if day:
            sub(sub(node, "date"), "datetime", day)

    lom = etree.Element(f"{{{IMSMD_NS}}}lom", nsmap={"imsmd": IMSMD_NS})

    general = sub(lom, "general")
    langstrings(general, "title", [(d.language, d.title)])
    catalogentry(general)
    sub(general, "language", d.language)
    if d.description:
        langstrings(general, "description", [(d.language, d.description)])
    for keyword in d.keywords:
        langstrings(general, "keyword", [(d.language, keyword)])
    vocab(general, "structure", TERMS[d.structure][2])
    vocab(general, "aggregationlevel", TERMS[d.aggregation][2])

    if d.authors:
        contribute(sub(lom, "lifecycle"), TERMS["author"][2], d.authors, d.created or d.modified)

    meta = sub(lom, "metametadata")
    catalogentry(meta)
    contribute(meta, TERMS["creator"][2], [vcard("Imaginecole Studio")], d.modified or d.created)
    sub(meta, "metadatascheme", "ADL SCORM 1.2")
    sub(meta, "language", d.language)

    sub(sub(lom, "technical"), "format", "text/html")

    educational = sub(lom, "educational")
    vocab(educational, "interactivitytype", TERMS["active"][2])
    imsmd_type = RESOURCE_TYPES.get(d.resource_type, RESOURCE_TYPES["exercice"])[2]
    vocab(educational, "learningresourcetype", imsmd_type)
    role = "teacher" if d.cycle == "formation" else "learner"
    vocab(educational, "intendedenduserrole", TERMS[role][2])
    if d.cycle:
        vocab(educational, "context", IMSMD_CONTEXTS[d.cycle])
    if d.learning_time:
        sub(sub(educational, "typicallearningtime"), "datetime", d.learning_time)
    if d.objectives:  # IMS MD has one educational description
        langstrings(educational, "description", [(d.language, " ; ".join(d.objectives))])
    sub(educational, "language", d.language)

    rights = sub(lom, "rights")
    vocab(rights, "cost", TERMS["no_cost"][2])
    public_domain = d.licence.startswith("CC0")
    vocab(
        rights,
        "copyrightandotherrestrictions",
        TERMS["copyright_no" if public_domain else "copyright_yes"][2],
    )
    langstrings(rights, "description", licence_text(d.licence))

    for kind, uid, title in d.relations:
        relation = sub(lom, "relation")
        vocab(relation, "kind", TERMS[kind][2])
        resource = sub(relation, "resource")
        if title:
            langstrings(resource, "description", [(d.language, title)])
        entry = sub(resource, "catalogentry")
        sub(entry, "catalog", CATALOG)
        langstrings(entry, "entry", [("x-none", uid)])

    for taxonomy in d.taxonomies:
        classification = sub(lom, "classification")
        vocab(classification, "purpose", TERMS[taxonomy.purpose][2])
        path = sub(classification, "taxonpath")
        langstrings(path, "source", taxonomy.source[:1])  # IMS MD: one langstring only
        parent = path
        for taxon in taxonomy.path:  # IMS MD nests each taxon in the one above it
            parent = sub(parent, "taxon")
            sub(parent, "id", taxon.id)
            if taxon.names:
                langstrings(parent, "entry", taxon.names)
    return lom


def to_bytes(element: etree._Element) -> bytes:
    """An element as a UTF-8 XML document, indented, with its declaration."""
    from lxml import etree

    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class LomExporter(Exporter):
    name = "lom"
    extension = ".xml"
    bundle_types = frozenset({"grain", "module", "parcours"})
    description = N_("LOM/ScoLOMFR metadata record (XML)")

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        # other formats write XML too (moodle-xml, qti): the record says what it is
        return out_dir / f"{bundle.path.name}.lom.xml"

    def export(self, bundle: Bundle, out: Path) -> Path:
        modules = None
        if bundle.type == "parcours":  # the total duration is its modules'
            from imaginecole.sequence import resolve

            modules = [m for m, _, _ in resolve(bundle.path).modules()]
        return write_output(out, to_bytes(lom_element(bundle.manifest, modules=modules)))
