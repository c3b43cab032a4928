"""The `scorm12` and `scorm2004` exporters: valid manifests, complete and deterministic packages."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from pathlib import Path

import pytest
from imaginecole.exports import available, get_exporter
from imaginecole.exports.base import Bundle
from imaginecole.exports.html import HtmlExporter
from imaginecole.exports.lom import IMSMD_NS, LOM_NS
from imaginecole.exports.scorm import (
    SCORM12,
    SCORM2004,
    Scorm12Exporter,
    Scorm2004Exporter,
    runtime_script,
)
from lxml import etree

from tests.xmlcheck import assert_valid

GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "grains"
FIXTURES = sorted(p.name for p in GRAINS.iterdir() if (p / "manifest.json").is_file())
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
HOSTILE = "Maths & <sciences> </script><script>alert('x')</script>"

VERSIONS = {
    "1.2": {
        "exporter": Scorm12Exporter,
        "driver": "scorm/1.2/_driver.xsd",
        "ns": {"cp": SCORM12["imscp"], "adlcp": SCORM12["adlcp"], "md": IMSMD_NS},
        "schemaversion": "1.2",
        "scorm_type": f"{{{SCORM12['adlcp']}}}scormtype",
        "xsds": ["imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd", "adlcp_rootv1p2.xsd"],
    },
    "2004": {
        "exporter": Scorm2004Exporter,
        "driver": "scorm/2004/_driver.xsd",
        "ns": {"cp": SCORM2004["imscp"], "imsss": SCORM2004["imsss"], "lom": LOM_NS},
        "schemaversion": "2004 4th Edition",
        "scorm_type": f"{{{SCORM2004['adlcp']}}}scormType",
        "xsds": ["imscp_v1p1.xsd", "adlcp_v1p3.xsd", "imsss_v1p0.xsd", "lom.xsd"],
    },
}


@pytest.fixture(scope="module")
def schemas(spec_dir: Path) -> dict[str, etree.XMLSchema]:
    # the drivers import every namespace of a manifest from the local XSD files
    return {
        v: etree.XMLSchema(etree.parse(str(spec_dir / c["driver"]))) for v, c in VERSIONS.items()
    }


def export(version: str, bundle: Bundle, out: Path) -> tuple[zipfile.ZipFile, etree._Element]:
    written = VERSIONS[version]["exporter"]().export(bundle, out)
    archive = zipfile.ZipFile(written)
    return archive, etree.fromstring(archive.read("imsmanifest.xml"))


@pytest.mark.parametrize("name", ["scorm12", "scorm2004"])
def test_scorm_exporters_are_registered(name):
    assert name in available()
    exporter = get_exporter(name)
    assert exporter is {"scorm12": Scorm12Exporter, "scorm2004": Scorm2004Exporter}[name]
    assert exporter.extension == ".zip"


def test_each_format_has_its_own_default_file_name(tmp_path):
    bundle = Bundle.load(GRAINS / "flashcards")
    names = {
        Scorm12Exporter().default_output(bundle, tmp_path),
        Scorm2004Exporter().default_output(bundle, tmp_path),
        HtmlExporter().default_output(bundle, tmp_path).with_suffix(".zip"),
    }
    assert len(names) == 3


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", FIXTURES)
def test_manifest_is_valid_and_lists_every_file(name, version, schemas, tmp_path):
    config = VERSIONS[version]
    ns = config["ns"]
    bundle = Bundle.load(GRAINS / name)
    archive, doc = export(version, bundle, tmp_path / "sco.zip")
    assert_valid(schemas[version], doc)

    assert doc.findtext("cp:metadata/cp:schema", namespaces=ns) == "ADL SCORM"
    assert doc.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == config["schemaversion"]
    (resource,) = doc.findall("cp:resources/cp:resource", ns)
    assert resource.get(config["scorm_type"]) == "sco"
    assert resource.get("href") == "index.html"
    listed = [f.get("href") for f in resource.findall("cp:file", ns)]
    assert set(archive.namelist()) == {"imsmanifest.xml", *listed}
    assert "index.html" in listed
    for media in bundle.media_paths():
        assert archive.read(media) == bundle.media_bytes(media)
    (item,) = doc.findall(".//cp:item", ns)
    assert item.get("identifierref") == resource.get("identifier")
    assert doc.get("identifier").startswith("imaginecole-")

    # the XSDs are named, not shipped (the product never carries the official specs)
    assert not [n for n in archive.namelist() if n.endswith(".xsd")]
    location = doc.get(XSI_LOCATION).split()
    for xsd in config["xsds"]:
        assert xsd in location

    page = archive.read("index.html").decode("utf-8")
    assert f'"version": "{version}"' in page
    assert "ImaginecoleScorm.start(" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "a network address"


@pytest.mark.parametrize("name", FIXTURES)
def test_scorm2004_carries_the_lom_record(name, tmp_path):
    bundle = Bundle.load(GRAINS / name)
    _, doc = export("2004", bundle, tmp_path / "sco.zip")
    ns = VERSIONS["2004"]["ns"]
    (lom,) = doc.findall("cp:metadata/lom:lom", ns)
    assert (
        lom.findtext("lom:general/lom:identifier/lom:entry", namespaces=ns) == bundle.manifest["id"]
    )
    assert lom.findtext("lom:general/lom:title/lom:string", namespaces=ns) == bundle.title


@pytest.mark.parametrize("name", FIXTURES)
def test_scorm12_carries_the_imsmd_record(name, tmp_path):
    bundle = Bundle.load(GRAINS / name)
    _, doc = export("1.2", bundle, tmp_path / "sco.zip")
    ns = VERSIONS["1.2"]["ns"]
    (lom,) = doc.findall("cp:metadata/md:lom", ns)
    assert lom.findtext("md:general/md:title/md:langstring", namespaces=ns) == bundle.title
    entry = lom.findtext("md:general/md:catalogentry/md:entry/md:langstring", namespaces=ns)
    assert entry == bundle.manifest["id"]


def test_pass_mark_goes_into_both_manifests(tmp_path):
    bundle = Bundle.load(GRAINS / "question_set")  # pass_mark 0.6
    _, doc12 = export("1.2", bundle, tmp_path / "a.zip")
    ns12 = VERSIONS["1.2"]["ns"]
    assert doc12.findtext(".//cp:item/adlcp:masteryscore", namespaces=ns12) == "60"
    _, doc04 = export("2004", bundle, tmp_path / "b.zip")
    ns04 = VERSIONS["2004"]["ns"]
    (primary,) = doc04.findall(
        ".//cp:item/imsss:sequencing/imsss:objectives/imsss:primaryObjective", ns04
    )
    assert primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext("imsss:minNormalizedMeasure", namespaces=ns04) == "0.6000"
    page = zipfile.ZipFile(tmp_path / "b.zip").read("index.html").decode()
    assert 'ImaginecoleScorm.start({"passMark": 0.6, "scored": true, "version": "2004"});' in page


def test_flashcards_are_completed_not_scored(tmp_path):
    bundle = Bundle.load(GRAINS / "flashcards")
    _, doc12 = export("1.2", bundle, tmp_path / "a.zip")
    assert doc12.find(".//adlcp:masteryscore", VERSIONS["1.2"]["ns"]) is None
    _, doc04 = export("2004", bundle, tmp_path / "b.zip")
    assert doc04.find(".//imsss:primaryObjective", VERSIONS["2004"]["ns"]) is None
    page = zipfile.ZipFile(tmp_path / "b.zip").read("index.html").decode()
    assert '"scored": false' in page


@pytest.mark.parametrize("version", VERSIONS)
def test_same_bundle_same_bytes(version, tmp_path):
    exporter = VERSIONS[version]["exporter"]
    first = exporter().export(Bundle.load(GRAINS / "question_set"), tmp_path / "a" / "x.zip")
    second = exporter().export(Bundle.load(GRAINS / "question_set"), tmp_path / "b" / "y.zip")
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("version", VERSIONS)
def test_teacher_text_is_escaped(version, schemas, tmp_path):
    # validation refuses scripts in a grain, but the exporter must not rely on it
    manifest = copy.deepcopy(json.loads((GRAINS / "single_choice" / "manifest.json").read_text()))
    manifest["metadata"].update(
        title=HOSTILE, description=HOSTILE, keywords=[HOSTILE], authors=[{"name": HOSTILE}]
    )
    bundle = Bundle(GRAINS / "single_choice", manifest)
    archive, doc = export(version, bundle, tmp_path / "sco.zip")
    raw = archive.read("imsmanifest.xml")
    assert b"<script>" not in raw and b"<sciences>" not in raw
    assert b"Maths &amp; &lt;sciences&gt; &lt;/script&gt;&lt;script&gt;" in raw
    assert_valid(schemas[version], doc)
    ns = VERSIONS[version]["ns"]
    assert doc.findtext("cp:organizations/cp:organization/cp:title", namespaces=ns) == HOSTILE
    # in the page, the title cannot close the grain's <script> element either
    assert "</script><script>alert" not in archive.read("index.html").decode()


@pytest.mark.parametrize("version", VERSIONS)
def test_the_schemas_check_the_metadata_too(version, schemas, tmp_path):
    """The validation above can fail: a broken record inside the manifest is refused."""
    _, doc = export(version, Bundle.load(GRAINS / "single_choice"), tmp_path / "sco.zip")
    ns = VERSIONS[version]["ns"]
    if version == "2004":
        doc.find(".//lom:learningResourceType/lom:value", ns).text = "jeu-educatif"
    else:
        etree.SubElement(doc.find(".//md:general", ns), f"{{{IMSMD_NS}}}not-in-imsmd")
    assert not schemas[version].validate(doc)


def test_runtime_is_read_from_the_file_beside_the_module():
    source = runtime_script()
    assert "API_1484_11" in source and "LMSInitialize" in source
    assert "</script" not in source.lower()
    # no network from the SCO: it only talks to the LMS's API object
    assert not re.search(r"\b(fetch|XMLHttpRequest|sendBeacon|WebSocket)\b", source)
