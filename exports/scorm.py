"""`scorm12` and `scorm2004`: a grain as one SCO in a SCORM package (`.zip`) for an LMS.

The package holds ``imsmanifest.xml``, ``index.html`` (the player page of render_standalone,
with the SCORM shell ``scorm_runtime.js`` inlined) and the grain's media as files beside it,
under ``media/``. The same bundle gives the same bytes.

The manifest carries the grain's metadata inline: IMS Meta-data 1.2.1 for SCORM 1.2 and IEEE
LOM (LOMv1.0 vocabularies, as ADL's lom.xsd requires) for SCORM 2004 4th edition. The pass
mark (``settings.pass_mark``) becomes ``adlcp:masteryscore`` (percent) in 1.2 and the primary
objective's ``imsss:minNormalizedMeasure`` with ``satisfiedByMeasure`` in 2004.

The XSD files are named by ``xsi:schemaLocation`` but not shipped: LMSs do not read them, the
product never carries the official specs, and the tests validate every manifest against them.
"""

from __future__ import annotations

import json
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
    root = etree.Element(
        f"{{{cp}}}manifest",
        nsmap={None: cp, "adlcp": adlcp, "imsmd": SCORM12["imsmd"], "xsi": XSI},
    )
    root.set("identifier", ids["manifest"])
    root.set("version", "1")
    root.set(f"{{{XSI}}}schemaLocation", _schema_location(SCORM12_XSD))

    metadata = etree.SubElement(root, f"{{{cp}}}metadata")
    etree.SubElement(metadata, f"{{{cp}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{cp}}}schemaversion").text = "1.2"
    metadata.append(imsmd_element(manifest))

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
    nsmap = {
        None: cp,
        "adlcp": adlcp,
        "adlseq": SCORM2004["adlseq"],
        "adlnav": SCORM2004["adlnav"],
        "imsss": imsss,
        "xsi": XSI,
    }
    root = etree.Element(f"{{{cp}}}manifest", nsmap=nsmap)
    root.set("identifier", ids["manifest"])
    root.set("version", "1")
    root.set(f"{{{XSI}}}schemaLocation", _schema_location(SCORM2004_XSD))

    metadata = etree.SubElement(root, f"{{{cp}}}metadata")
    etree.SubElement(metadata, f"{{{cp}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{cp}}}schemaversion").text = "2004 4th Edition"
    metadata.append(lom_element(manifest, profile="lom"))

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


class ScormExporter(Exporter):
    """One SCO per grain; subclasses choose the SCORM version."""

    extension = ".zip"
    version: ClassVar[str] = ""

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        # html may write <name>.zip too: each SCORM version gets its own name
        return out_dir / f"{bundle.path.name}.{self.name}.zip"

    def entries(self, bundle: Bundle) -> list[tuple[str, bytes]]:
        """Every file of the package, imsmanifest.xml included."""
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

        return write_zip(out, self.entries(bundle))


class Scorm12Exporter(ScormExporter):
    name = "scorm12"
    version = "1.2"
    description = N_("SCORM 1.2 package for a learning platform (Moodle, Chamilo…)")


class Scorm2004Exporter(ScormExporter):
    name = "scorm2004"
    version = "2004"
    description = N_("SCORM 2004 (4th edition) package for a learning platform")
