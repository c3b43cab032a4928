"""`scorm12` and `scorm2004`: a grain as one SCO in a SCORM package (`.zip`) for an LMS.

The package holds ``imsmanifest.xml``, ``index.html`` (the player page of render_standalone,
with the SCORM shell ``scorm_runtime.js`` inlined) and the grain's media as files beside it,
under ``media/``. The same bundle gives the same bytes.

The manifest carries the grain's metadata inline: IMS Meta-data 1.2.1 for SCORM 1.2 and IEEE
LOM (LOMv1.0 vocabularies, as ADL's lom.xsd requires) for SCORM 2004 4th edition. The pass
mark (``settings.pass_mark``) becomes ``adlcp:masteryscore`` (percent) in 1.2 and the primary
objective's ``imsss:minNormalizedMeasure`` with ``satisfiedByMeasure`` in 2004.

A module or a parcours (imaginecole.sequence) is a package of several SCOs in SCORM 2004: each
part (grain, comic, podcast, notebook app) is a SCO in its own folder ``<nn>-<slug>/``
(exports/parts.py ``part_files``, with the SCORM shell), one organization orders them (a parcours:
one cluster item per module, one leaf per part) and IMS Simple Sequencing says how they go
together: choice and flow navigation, the module's completion rule as rollup rules, and each
prerequisite as a global objective that the module writes and the dependent module reads, with
a ``disabled`` precondition while it is not satisfied. A notebook app is a SCO too: it says it
is completed as soon as it is opened, so it counts in the module's rollup as it does in the
offline player. In SCORM 1.2, which has no sequencing, a module or parcours is one SCO: the
offline mini-site (exports/site.py) reporting the whole sequence's completion and score.

The XSD files are named by ``xsi:schemaLocation`` but not shipped: LMSs do not read them, the
product never carries the official specs, and the tests validate every manifest against them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from imaginecole.i18n import N_

from .base import Bundle, Exporter

if TYPE_CHECKING:
    from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"

SCORM12 = {
    "imscp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
}
SCORM12_XSD = {
    SCORM12["imscp"]: "imscp_rootv1p1p2.xsd",
    SCORM12["imsmd"]: "imsmd_rootv1p2p1.xsd",
    SCORM12["adlcp"]: "adlcp_rootv1p2.xsd",
}

SCORM2004 = {
    "imscp": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
}
SCORM2004_XSD = {
    SCORM2004["imscp"]: "imscp_v1p1.xsd",
    SCORM2004["adlcp"]: "adlcp_v1p3.xsd",
    SCORM2004["adlseq"]: "adlseq_v1p3.xsd",
    SCORM2004["adlnav"]: "adlnav_v1p3.xsd",
    SCORM2004["imsss"]: "imsss_v1p0.xsd",
    SCORM2004["lom"]: "lom.xsd",
}

SCO_HREF = "index.html"
MANIFEST = "imsmanifest.xml"
RUNTIME = "scorm_runtime.js"


def runtime_script() -> str:
    """The SCO shell's source, read from the file next to this module."""
    return (Path(__file__).with_name(RUNTIME)).read_text(encoding="utf-8")


def pass_mark(manifest: dict[str, Any]) -> float:
    value = (manifest.get("settings") or {}).get("pass_mark", 0.5)
    return min(1.0, max(0.0, float(value)))


def is_scored(manifest: dict[str, Any]) -> bool:
    """False for a grain of flashcards only: it is completed, never scored."""
    return any(q.get("kind") != "flashcards" for q in manifest.get("questions") or [])


def shell_script(manifest: dict[str, Any], version: str) -> str:
    config = {"version": version, "passMark": pass_mark(manifest), "scored": is_scored(manifest)}
    return f"{runtime_script()}\nImaginecoleScorm.start({json.dumps(config, sort_keys=True)});"


def identifiers(manifest: dict[str, Any]) -> dict[str, str]:
    # xs:ID values may not start with a digit, as a UUID may
    grain = f"imaginecole-{manifest.get('id', 'grain')}"
    return {
        "manifest": grain,
        "org": "imaginecole-org",
        "item": "imaginecole-item",
        "resource": "imaginecole-sco",
    }


def _schema_location(xsds: dict[str, str]) -> str:
    return " ".join(f"{ns} {name}" for ns, name in xsds.items())


def _manifest_root(version: str, identifier: str, lom: Any) -> etree._Element:
    """The ``<manifest>`` of a SCORM `version` ("1.2" or "2004") package: namespaces, schema
    locations, and its ``<metadata>`` holding `lom` (the LOM or IMS MD element)."""
    from lxml import etree

    if version == "1.2":
        cp, xsds, schema_version = SCORM12["imscp"], SCORM12_XSD, "1.2"
        nsmap = {"adlcp": SCORM12["adlcp"], "imsmd": SCORM12["imsmd"]}
    else:
        cp, xsds, schema_version = SCORM2004["imscp"], SCORM2004_XSD, "2004 4th Edition"
        nsmap = {k: SCORM2004[k] for k in ("adlcp", "adlseq", "adlnav", "imsss")}
    root = etree.Element(f"{{{cp}}}manifest", nsmap={None: cp, **nsmap, "xsi": XSI})
    root.set("identifier", identifier)
    root.set("version", "1")
    root.set(f"{{{XSI}}}schemaLocation", _schema_location(xsds))
    metadata = etree.SubElement(root, f"{{{cp}}}metadata")
    etree.SubElement(metadata, f"{{{cp}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{cp}}}schemaversion").text = schema_version
    metadata.append(lom)
    return root


def add_sco_resource(root, cp: str, scorm_type_attr: str, identifier: str, files) -> None:
    """The one SCO resource listing every file (the attribute is spelt per SCORM version)."""
    from lxml import etree

    resources = etree.SubElement(root, f"{{{cp}}}resources")
    resource = etree.SubElement(resources, f"{{{cp}}}resource")
    resource.set("identifier", identifier)
    resource.set("type", "webcontent")
    resource.set(scorm_type_attr, "sco")
    resource.set("href", SCO_HREF)
    for name in files:
        etree.SubElement(resource, f"{{{cp}}}file", href=name)


def manifest_12(manifest: dict[str, Any], files: list[str]) -> etree._Element:
    """``imsmanifest.xml`` of a SCORM 1.2 package with one SCO."""
    from lxml import etree

    from .lom import imsmd_element

    cp, adlcp = SCORM12["imscp"], SCORM12["adlcp"]
    ids = identifiers(manifest)
    title = (manifest.get("metadata") or {}).get("title", "")
    root = _manifest_root("1.2", ids["manifest"], imsmd_element(manifest))

    organizations = etree.SubElement(root, f"{{{cp}}}organizations", default=ids["org"])
    organization = etree.SubElement(organizations, f"{{{cp}}}organization", identifier=ids["org"])
    etree.SubElement(organization, f"{{{cp}}}title").text = title
    item = etree.SubElement(
        organization, f"{{{cp}}}item", identifier=ids["item"], identifierref=ids["resource"]
    )
    etree.SubElement(item, f"{{{cp}}}title").text = title
    if is_scored(manifest):
        mastery = etree.SubElement(item, f"{{{adlcp}}}masteryscore")
        mastery.text = f"{pass_mark(manifest) * 100:g}"

    add_sco_resource(root, cp, f"{{{adlcp}}}scormtype", ids["resource"], files)
    return root


def manifest_2004(manifest: dict[str, Any], files: list[str]) -> etree._Element:
    """``imsmanifest.xml`` of a SCORM 2004 4th edition package with one SCO."""
    from lxml import etree

    from .lom import lom_element

    cp, adlcp, imsss = SCORM2004["imscp"], SCORM2004["adlcp"], SCORM2004["imsss"]
    ids = identifiers(manifest)
    title = (manifest.get("metadata") or {}).get("title", "")
    root = _manifest_root("2004", ids["manifest"], lom_element(manifest, profile="lom"))

    organizations = etree.SubElement(root, f"{{{cp}}}organizations", default=ids["org"])
    organization = etree.SubElement(organizations, f"{{{cp}}}organization", identifier=ids["org"])
    etree.SubElement(organization, f"{{{cp}}}title").text = title
    item = etree.SubElement(
        organization, f"{{{cp}}}item", identifier=ids["item"], identifierref=ids["resource"]
    )
    etree.SubElement(item, f"{{{cp}}}title").text = title
    sequencing = etree.SubElement(item, f"{{{imsss}}}sequencing")
    if is_scored(manifest):
        objectives = etree.SubElement(sequencing, f"{{{imsss}}}objectives")
        primary = etree.SubElement(objectives, f"{{{imsss}}}primaryObjective")
        primary.set("objectiveID", "imaginecole-pass-mark")
        primary.set("satisfiedByMeasure", "true")
        measure = etree.SubElement(primary, f"{{{imsss}}}minNormalizedMeasure")
        measure.text = f"{pass_mark(manifest):.4f}"
    etree.SubElement(
        sequencing,
        f"{{{imsss}}}deliveryControls",
        completionSetByContent="true",
        objectiveSetByContent="true",
    )

    add_sco_resource(root, cp, f"{{{adlcp}}}scormType", ids["resource"], files)
    return root


SEQUENCE_TYPES = frozenset({"module", "parcours"})
# an app has nothing to answer: opening it completes it (the SCORM shell listens already)
APP_OPENED = (
    "setTimeout(function () { window.dispatchEvent(new CustomEvent('imaginecole:result', "
    "{detail: {raw: 0, max: 0, scaled: 1, completion: 'completed', success: true, "
    "answered: 0, total: 0}})); }, 0);"
)


def slug(title: str, fallback: str = "part") -> str:
    """An ASCII folder name from a title (« Les fractions » -> les-fractions)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40].strip("-") or fallback


@dataclass
class SequencePart:
    """One part of a module or parcours in a package: its place and its folder."""

    number: int  # 1.. over the whole sequence
    module: int  # index of its module in Sequence.modules()
    item: Any  # imaginecole.sequence.Item
    folder: str  # "<nn>-<slug>"

    @property
    def bundle(self) -> Bundle:
        return Bundle(path=self.item.path, manifest=self.item.manifest)


def sequence_parts(seq: Any) -> list[SequencePart]:
    """Every part of the resolved module or parcours `seq`, numbered in order, each with its
    own folder name ``<nn>-<slug>`` (two digits at least)."""
    flat = [(m, item) for m, (_, _, parts) in enumerate(seq.modules()) for item in parts]
    width = max(2, len(str(len(flat))))
    return [
        SequencePart(n, m, item, f"{n:0{width}d}-{slug(item.title)}")
        for n, (m, item) in enumerate(flat, 1)
    ]


def part_shell(manifest: dict[str, Any], version: str) -> str:
    """The SCORM shell of one part's page (an app also says it is completed when opened)."""
    script = shell_script(manifest, version)
    if manifest.get("type") == "notebook-app":
        script += "\n" + APP_OPENED
    return script


def completion_rule(manifest: dict[str, Any]) -> dict[str, Any]:
    """A module's completion rule ({"rule": "all"} when it has none)."""
    return dict((manifest.get("module") or {}).get("completion") or {"rule": "all"})


def _ss(parent: Any, name: str, **attrs: Any) -> Any:
    """An IMS Simple Sequencing element under `parent`; attribute values may be bool or int."""
    from lxml import etree

    element = etree.SubElement(parent, f"{{{SCORM2004['imsss']}}}{name}")
    for key, value in attrs.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        element.set(key, str(value))
    return element


def _rollup_rule(rules: Any, child_set: str, condition: str, action: str, **attrs: Any) -> None:
    """One rollup rule: `condition` ("completed" or "not completed") of `child_set` -> action."""
    rule = _ss(rules, "rollupRule", childActivitySet=child_set, **attrs)
    conditions = _ss(rule, "rollupConditions")
    negated = condition.startswith("not ")
    extra = {"operator": "not"} if negated else {}
    _ss(conditions, "rollupCondition", condition=condition.removeprefix("not "), **extra)
    _ss(rule, "rollupAction", action=action)


def global_objective(module_id: str) -> str:
    """The global objective a module of a parcours writes its satisfaction to."""
    return f"urn:imaginecole:module:{module_id}"


def module_sequencing(
    parent: Any,
    manifest: dict[str, Any],
    count: int,
    *,
    prerequisites: list[str] = (),  # type: ignore[assignment]
    in_parcours: bool = False,
) -> Any:
    """The sequencing of a module's activity (a cluster of `count` parts): choice and flow,
    its completion rule as rollup rules, its primary objective (written to a global objective
    in a parcours), and a ``disabled`` precondition per prerequisite not yet satisfied.

    - all: every part completed -> completed and satisfied;
    - count: at least `count` parts completed -> completed and satisfied;
    - score: every part completed -> completed; satisfied by the mean normalized measure of
      the scored parts (the others weigh 0) against the module's score.
    """
    rule = completion_rule(manifest)
    sequencing = _ss(parent, "sequencing")
    _ss(sequencing, "controlMode", choice=True, flow=True)
    if prerequisites:
        rules = _ss(sequencing, "sequencingRules")
        pre = _ss(rules, "preConditionRule")
        conditions = _ss(pre, "ruleConditions", conditionCombination="any")
        for n, _uid in enumerate(prerequisites, 1):
            # unknown is not "not satisfied" in SCORM's three-valued logic: test both
            for condition in ("satisfied", "objectiveStatusKnown"):
                _ss(
                    conditions,
                    "ruleCondition",
                    referencedObjective=f"prerequisite-{n}",
                    operator="not",
                    condition=condition,
                )
        _ss(pre, "ruleAction", action="disabled")
    rollup = _ss(sequencing, "rollupRules", rollupObjectiveSatisfied=True)
    if rule["rule"] == "count":
        needed = max(1, min(int(rule.get("count", 1)), count))
        done: dict[str, Any] = {"minimumCount": needed}
        missing: dict[str, Any] = {"minimumCount": count - needed + 1}
        done_set = missing_set = "atLeastCount"
    else:
        done, missing, done_set, missing_set = {}, {}, "all", "any"
    _rollup_rule(rollup, done_set, "completed", "completed", **done)
    if rule["rule"] != "score":
        _rollup_rule(rollup, done_set, "completed", "satisfied", **done)
        _rollup_rule(rollup, missing_set, "not completed", "notSatisfied", **missing)
    objectives = _ss(sequencing, "objectives")
    primary = _ss(objectives, "primaryObjective", objectiveID=f"module-{manifest['id']}")
    if rule["rule"] == "score":
        primary.set("satisfiedByMeasure", "true")
        minimum = min(1.0, max(0.0, float(rule.get("score", 0.5))))
        _ss(primary, "minNormalizedMeasure").text = f"{minimum:.4f}"
    if in_parcours:
        _ss(
            primary,
            "mapInfo",
            targetObjectiveID=global_objective(manifest["id"]),
            readSatisfiedStatus=False,
            readNormalizedMeasure=False,
            writeSatisfiedStatus=True,
        )
    for n, uid in enumerate(prerequisites, 1):
        objective = _ss(objectives, "objective", objectiveID=f"prerequisite-{n}")
        _ss(
            objective,
            "mapInfo",
            targetObjectiveID=global_objective(uid),
            readSatisfiedStatus=True,
            readNormalizedMeasure=False,
        )
    return sequencing


def part_sequencing(parent: Any, manifest: dict[str, Any], *, weight: float | None) -> Any:
    """A part's sequencing: its pass mark as its primary objective (scored grains), and its
    weight in its module's measure rollup (`weight`, for a score rule)."""
    sequencing = _ss(parent, "sequencing")
    if weight is not None:
        _ss(sequencing, "rollupRules", objectiveMeasureWeight=f"{weight:.4f}")
    if manifest.get("type", "grain") == "grain" and is_scored(manifest):
        objectives = _ss(sequencing, "objectives")
        primary = _ss(
            objectives, "primaryObjective", objectiveID="imaginecole-pass-mark",
            satisfiedByMeasure=True,
        )  # fmt: skip
        _ss(primary, "minNormalizedMeasure").text = f"{pass_mark(manifest):.4f}"
    _ss(sequencing, "deliveryControls", completionSetByContent=True, objectiveSetByContent=True)
    return sequencing


def _scored_part(manifest: dict[str, Any]) -> bool:
    return manifest.get("type", "grain") == "grain" and is_scored(manifest)


def sequence_manifest_2004(seq: Any, parts: list[SequencePart], files: dict[int, list[str]]):
    """``imsmanifest.xml`` of the SCORM 2004 4th edition package of a module or parcours:
    one organization, one SCO per part (`files`: part number -> its files in the package)."""
    from lxml import etree

    from .lom import lom_element

    cp, adlcp = SCORM2004["imscp"], SCORM2004["adlcp"]
    adlseq = SCORM2004["adlseq"]
    manifest = seq.manifest
    modules = [m for m, _, _ in seq.modules()] if seq.type == "parcours" else None
    lom = lom_element(manifest, profile="lom", modules=modules)
    root = _manifest_root("2004", f"imaginecole-{manifest['id']}", lom)

    organizations = etree.SubElement(root, f"{{{cp}}}organizations", default="imaginecole-org")
    organization = etree.SubElement(organizations, f"{{{cp}}}organization")
    organization.set("identifier", "imaginecole-org")
    # the prerequisites' global objectives belong to this package, not to the whole LMS
    organization.set(f"{{{adlseq}}}objectivesGlobalToSystem", "false")
    etree.SubElement(organization, f"{{{cp}}}title").text = seq.title

    def leaves(parent: Any, module_manifest: dict[str, Any], module: int) -> None:
        scored_rule = completion_rule(module_manifest)["rule"] == "score"
        for part in (p for p in parts if p.module == module):
            item = etree.SubElement(parent, f"{{{cp}}}item")
            item.set("identifier", f"item-{part.folder}")
            item.set("identifierref", f"sco-{part.folder}")
            etree.SubElement(item, f"{{{cp}}}title").text = part.item.title
            weight = (1.0 if _scored_part(part.item.manifest) else 0.0) if scored_rule else None
            part_sequencing(item, part.item.manifest, weight=weight)

    modules_list = seq.modules()
    if seq.type == "module":
        leaves(organization, manifest, 0)
        module_sequencing(organization, manifest, len(parts))
    else:
        entries = {e["id"]: e for e in manifest["parcours"]["modules"]}
        for index, (module_manifest, _path, module_parts) in enumerate(modules_list):
            cluster = etree.SubElement(organization, f"{{{cp}}}item")
            cluster.set("identifier", f"module-{index + 1:02d}")
            title = (module_manifest.get("metadata") or {}).get("title", "")
            etree.SubElement(cluster, f"{{{cp}}}title").text = title
            leaves(cluster, module_manifest, index)
            prerequisites = entries.get(module_manifest["id"], {}).get("prerequisites") or []
            module_sequencing(
                cluster,
                module_manifest,
                len(module_parts),
                prerequisites=list(prerequisites),
                in_parcours=True,
            )
        sequencing = _ss(organization, "sequencing")
        _ss(sequencing, "controlMode", choice=True, flow=True)
        rollup = _ss(sequencing, "rollupRules")
        _rollup_rule(rollup, "all", "completed", "completed")

    resources = etree.SubElement(root, f"{{{cp}}}resources")
    for part in parts:
        resource = etree.SubElement(resources, f"{{{cp}}}resource")
        resource.set("identifier", f"sco-{part.folder}")
        resource.set("type", "webcontent")
        resource.set(f"{{{adlcp}}}scormType", "sco")
        resource.set("href", f"{part.folder}/{SCO_HREF}")
        for name in files[part.number]:
            etree.SubElement(resource, f"{{{cp}}}file", href=name)
    return root


def sequence_manifest_12(seq: Any, files: list[str]):
    """``imsmanifest.xml`` of the SCORM 1.2 fallback: the whole module or parcours as one SCO
    (the mini-site), its masteryscore the module's score rule when it has one."""
    from lxml import etree

    from .lom import imsmd_element

    cp, adlcp = SCORM12["imscp"], SCORM12["adlcp"]
    manifest = seq.manifest
    modules = [m for m, _, _ in seq.modules()] if seq.type == "parcours" else None
    root = _manifest_root(
        "1.2", f"imaginecole-{manifest['id']}", imsmd_element(manifest, modules=modules)
    )
    organizations = etree.SubElement(root, f"{{{cp}}}organizations", default="imaginecole-org")
    organization = etree.SubElement(
        organizations, f"{{{cp}}}organization", identifier="imaginecole-org"
    )
    etree.SubElement(organization, f"{{{cp}}}title").text = seq.title
    item = etree.SubElement(organization, f"{{{cp}}}item", identifier="imaginecole-item")
    item.set("identifierref", "imaginecole-sco")
    etree.SubElement(item, f"{{{cp}}}title").text = seq.title
    rule = completion_rule(manifest) if seq.type == "module" else {"rule": "all"}
    if rule["rule"] == "score":
        mastery = etree.SubElement(item, f"{{{adlcp}}}masteryscore")
        mastery.text = f"{min(1.0, max(0.0, float(rule.get('score', 0.5)))) * 100:g}"
    add_sco_resource(root, cp, f"{{{adlcp}}}scormtype", "imaginecole-sco", files)
    return root


def resolve_sequence(bundle: Bundle) -> Any:
    """The module or parcours `bundle` with its parts read (BundleError names what is wrong)."""
    from imaginecole.sequence import resolve

    return resolve(bundle.path)


class ScormExporter(Exporter):
    """One SCO per grain, one SCO per part of a module or parcours (SCORM 2004) or the whole
    sequence as one SCO (SCORM 1.2); subclasses choose the SCORM version."""

    extension = ".zip"
    version: ClassVar[str] = ""
    bundle_types = frozenset({"grain", "module", "parcours"})

    def sequence_entries(self, bundle: Bundle) -> list[tuple[str, bytes | Path]]:
        """Every file of the package of a module or parcours, imsmanifest.xml included."""
        from .lom import to_bytes

        seq = resolve_sequence(bundle)
        if self.version == "1.2":
            from .site import site_files

            entries = list(site_files(seq, tracker="scorm12"))
            files = sorted(name for name, _ in entries)
            entries.append((MANIFEST, to_bytes(sequence_manifest_12(seq, files))))
            return entries
        from .parts import part_files

        parts = sequence_parts(seq)
        entries: list[tuple[str, bytes | Path]] = []
        files: dict[int, list[str]] = {}
        for part in parts:
            found = part_files(part.bundle, part_shell(part.item.manifest, self.version))
            names = [f"{part.folder}/{name}" for name, _ in found]
            # the page first: it is the resource's href
            files[part.number] = sorted(names, key=lambda n: (not n.endswith(f"/{SCO_HREF}"), n))
            entries += [(f"{part.folder}/{name}", data) for name, data in found]
        entries.append((MANIFEST, to_bytes(sequence_manifest_2004(seq, parts, files))))
        return entries

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        # html may write <name>.zip too: each SCORM version gets its own name
        return out_dir / f"{bundle.path.name}.{self.name}.zip"

    def entries(self, bundle: Bundle) -> list[tuple[str, bytes | Path]]:
        """Every file of the package, imsmanifest.xml included."""
        if bundle.type in SEQUENCE_TYPES:
            return self.sequence_entries(bundle)
        from imaginecole.player import render_standalone

        from .lom import to_bytes

        page = render_standalone(
            bundle.manifest,
            media_base="./",
            inline_media=None,
            minify=True,
            shell_script=shell_script(bundle.manifest, self.version),
        )
        entries = [(SCO_HREF, page.encode("utf-8"))]
        entries += [(path, bundle.media_bytes(path)) for path in bundle.media_paths()]
        build = manifest_12 if self.version == "1.2" else manifest_2004
        files = [name for name, _ in entries]
        entries.append((MANIFEST, to_bytes(build(bundle.manifest, files))))
        return entries

    def export(self, bundle: Bundle, out: Path) -> Path:
        from .archive import write_zip

        entries = self.entries(bundle)
        # MP3s (podcasts) are already compressed: stored, not deflated
        stored = [name for name, _ in entries if name.endswith((".mp3", ".opus", ".ogg"))]
        return write_zip(out, entries, stored=stored)


class Scorm12Exporter(ScormExporter):
    name = "scorm12"
    version = "1.2"
    description = N_("SCORM 1.2 package for a learning platform (Moodle, Chamilo…)")


class Scorm2004Exporter(ScormExporter):
    name = "scorm2004"
    version = "2004"
    description = N_("SCORM 2004 (4th edition) package for a learning platform")
