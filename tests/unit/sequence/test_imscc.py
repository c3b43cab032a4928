"""`imscc`: IMS Common Cartridge 1.3 of a grain, a module and a parcours.

The official CC 1.3 XSDs are not in the spec folder and could not be brought into the
repository (tests/fixtures/imscc/README.md says where they are and why). So, as the closest
official schemas: the manifest, moved to the IMS CP 1.1 namespace, is validated against
``qti/imscp_v1p1.xsd``; its CC LOM record, moved to the IEEE LOM namespace, against
``lomStrict.xsd``; and the rules the CC 1.3 profile XSD adds to CP (read from
``ccv1p3_imscp_v1p2_v1p0.xsd``) are checked one by one here.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from imaginecole.exports import available, get_exporter
from imaginecole.exports.base import Bundle
from imaginecole.exports.imscc import ASSESSMENT, CC_NS, LOMM_NS, QTI12_NS, ImsccExporter
from lxml import etree

from imaginecole.sequence import resolve
from tests.sequence_fixtures import make_module, make_parcours

GRAINS = Path(__file__).resolve().parents[2] / "fixtures" / "grains"
CP11 = "http://www.imsglobal.org/xsd/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/LOM"
NS = {"cc": CC_NS, "lomm": LOMM_NS, "q": QTI12_NS}
# ccv1p3_imscp_v1p2_v1p0.xsd, Resource.Type/@type
CC13_TYPES = {
    "webcontent",
    "imsqti_xmlv1p2/imscc_xmlv1p3/assessment",
    "imsqti_xmlv1p2/imscc_xmlv1p3/question-bank",
    "associatedcontent/imscc_xmlv1p3/learning-application-resource",
    "imsdt_xmlv1p3",
    "imswl_xmlv1p3",
    "imsbasiclti_xmlv1p3",
    "idpfepub_epubv3p0",
    "imsapip_zipv1p0",
    "imsiwb_iwbv1p0",
    "assignment_xmlv1p0",
}
CC_PROFILES = {
    "cc.multiple_choice.v0p1",
    "cc.multiple_response.v0p1",
    "cc.true_false.v0p1",
    "cc.fib.v0p1",
}
HOSTILE = "Maths & <sciences> \"guillemets\" </script><script>alert('x')</script>"


class _LocalOnly(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url.startswith(("http:", "https:")):
            raise AssertionError(f"a schema asked for the network: {url}")
        return None


@pytest.fixture(scope="module")
def cp_schema(spec_dir: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalOnly())
    return etree.XMLSchema(etree.parse(str(spec_dir / "qti" / "imscp_v1p1.xsd"), parser))


def renamed(element: etree._Element, old: str, new: str) -> etree._Element:
    """A copy of `element` with every name in namespace `old` moved to `new`."""
    raw = etree.tostring(element).replace(old.encode(), new.encode())
    return etree.fromstring(raw)


def check_manifest(raw: bytes, names: set[str], cp_schema, lom_strict) -> etree._Element:
    doc = etree.fromstring(raw)
    assert doc.tag == f"{{{CC_NS}}}manifest"
    # the CC LOM record: LOM strict once in the IEEE namespace
    (lom,) = doc.findall("cc:metadata/lomm:lom", NS)
    as_lom = renamed(lom, LOMM_NS, LOM)
    assert lom_strict.validate(as_lom), lom_strict.error_log
    # the package: IMS CP 1.1 once in its namespace (without the LOM it does not know)
    bare = etree.fromstring(raw)
    metadata = bare.find("cc:metadata", NS)
    metadata.remove(metadata.find("lomm:lom", NS))
    as_cp = renamed(bare, CC_NS, CP11)
    assert cp_schema.validate(as_cp), cp_schema.error_log
    # the CC 1.3 profile's own rules
    assert doc.findtext("cc:metadata/cc:schema", namespaces=NS) == "IMS Common Cartridge"
    assert doc.findtext("cc:metadata/cc:schemaversion", namespaces=NS) == "1.3.0"
    assert doc.get("version") is None
    (organization,) = doc.findall("cc:organizations/cc:organization", NS)
    assert organization.get("structure") == "rooted-hierarchy"
    (root,) = organization.findall("cc:item", NS)
    assert root.find("cc:title", NS) is None  # the root item has no title
    resources = {r.get("identifier"): r for r in doc.findall("cc:resources/cc:resource", NS)}
    for item in root.iter(f"{{{CC_NS}}}item"):
        if item is root:
            continue
        assert item.findtext("cc:title", namespaces=NS)
        if item.get("identifierref"):
            assert not item.findall("cc:item", NS)  # a learning object holds no item
            assert item.get("identifierref") in resources
    for resource in resources.values():
        kind = resource.get("type")
        assert kind in CC13_TYPES
        files = [f.get("href") for f in resource.findall("cc:file", NS)]
        assert len(files) == len(set(files)) and set(files) <= names
        if kind == ASSESSMENT:  # one file, no href, depends on webcontent only
            assert resource.get("href") is None and len(files) == 1
            for dependency in resource.findall("cc:dependency", NS):
                assert resources[dependency.get("identifierref")].get("type") == "webcontent"
        elif resource.get("href"):
            assert resource.get("href") in files
    return doc


def check_qti(raw: bytes) -> etree._Element:
    doc = etree.fromstring(raw)
    assert doc.tag == f"{{{QTI12_NS}}}questestinterop"
    (assessment,) = doc.findall("q:assessment", NS)
    for item in assessment.iter(f"{{{QTI12_NS}}}item"):
        fields = {
            f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS)
            for f in item.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS)
        }
        assert fields["cc_profile"] in CC_PROFILES
        assert item.find("q:presentation", NS) is not None
        assert item.findall("q:resprocessing/q:respcondition", NS)
    return doc


def export(folder: Path, out: Path) -> tuple[Bundle, zipfile.ZipFile]:
    bundle = Bundle.load(folder)
    written = ImsccExporter().export(bundle, out)
    assert written.suffix == ".imscc"
    return bundle, zipfile.ZipFile(written)


def test_imscc_is_registered():
    assert "imscc" in available()
    exporter = get_exporter("imscc")
    assert exporter is ImsccExporter
    assert exporter.bundle_types == {"grain", "module", "parcours"}


@pytest.mark.parametrize("name", ["single_choice", "multiple_choice", "true_false", "flashcards"])
def test_a_grain_is_a_one_item_cartridge(name, tmp_path, cp_schema, lom_strict):
    bundle, archive = export(GRAINS / name, tmp_path / "g.imscc")
    names = set(archive.namelist())
    doc = check_manifest(archive.read("imsmanifest.xml"), names, cp_schema, lom_strict)
    (item,) = doc.findall("cc:organizations/cc:organization/cc:item/cc:item", NS)
    assert item.findtext("cc:title", namespaces=NS) == bundle.title
    qti = [n for n in names if n.endswith("assessment.xml")]
    if name == "flashcards":  # nothing to assess: its page
        assert not qti and any(n.endswith("/index.html") for n in names)
    else:
        (qti_name,) = qti
        doc = check_qti(archive.read(qti_name))
        assert len(doc.findall(".//q:item", NS)) == len(bundle.manifest["questions"])


def test_module_cartridge(tmp_path, cp_schema, lom_strict):
    kinds = ("single_choice", "multiple_choice", "true_false", "flashcards")
    folder = make_module(tmp_path, 4, kinds=kinds, extra=("comic",))
    bundle, archive = export(folder, tmp_path / "m.imscc")
    names = set(archive.namelist())
    doc = check_manifest(archive.read("imsmanifest.xml"), names, cp_schema, lom_strict)
    seq = resolve(folder)
    (module,) = doc.findall("cc:organizations/cc:organization/cc:item/cc:item", NS)
    assert module.findtext("cc:title", namespaces=NS) == seq.title
    items = module.findall("cc:item", NS)
    assert [i.findtext("cc:title", namespaces=NS) for i in items] == [p.title for p in seq.parts()]
    resources = {r.get("identifier"): r for r in doc.findall("cc:resources/cc:resource", NS)}
    kinds_found = [resources[i.get("identifierref")].get("type") for i in items]
    assert kinds_found == [ASSESSMENT] * 3 + ["webcontent"] * 2
    for resource in resources.values():
        if resource.get("type") == ASSESSMENT:
            check_qti(archive.read(resource.find("cc:file", NS).get("href")))
        elif resource.get("href"):
            page = archive.read(resource.get("href")).decode("utf-8")
            assert "<html" in page.lower()
    # the flashcards cannot be a CC quiz: the teacher is told
    assert any("exercice 4" in w for w in bundle.warnings)


def test_parcours_cartridge_has_a_folder_per_module(tmp_path, cp_schema, lom_strict):
    folder = make_parcours(tmp_path, 2, 2)
    _bundle, archive = export(folder, tmp_path / "p.imscc")
    doc = check_manifest(
        archive.read("imsmanifest.xml"), set(archive.namelist()), cp_schema, lom_strict
    )
    seq = resolve(folder)
    modules = doc.findall("cc:organizations/cc:organization/cc:item/cc:item", NS)
    assert [m.findtext("cc:title", namespaces=NS) for m in modules] == [m.title for m in seq.items]
    for element, module in zip(modules, seq.items, strict=True):
        titles = [i.findtext("cc:title", namespaces=NS) for i in element.findall("cc:item", NS)]
        assert titles == [p.title for p in module.items]


def test_fill_blanks_with_one_blank_is_a_cc_fib(tmp_path, cp_schema, lom_strict):
    grain = json.loads((GRAINS / "fill_blanks" / "manifest.json").read_text("utf-8"))
    grain["questions"] = [dict(grain["questions"][0], text="Le *chat/chaton* dort.")]
    _bundle = Bundle(GRAINS / "fill_blanks", grain)
    written = ImsccExporter().export(_bundle, tmp_path / "f.imscc")
    archive = zipfile.ZipFile(written)
    (qti,) = [n for n in archive.namelist() if n.endswith("assessment.xml")]
    doc = check_qti(archive.read(qti))
    answers = [v.text for v in doc.iterfind(".//q:varequal", NS)]
    assert answers == ["chat", "chaton"]
    assert doc.find(".//q:response_str/q:render_fib", NS) is not None


def test_teacher_text_is_escaped(tmp_path, cp_schema, lom_strict):
    grain = json.loads((GRAINS / "single_choice" / "manifest.json").read_text("utf-8"))
    grain["metadata"]["title"] = HOSTILE
    grain["metadata"]["description"] = HOSTILE
    grain["questions"][0]["choices"][0]["text"] = HOSTILE
    bundle = Bundle(GRAINS / "single_choice", grain)
    archive = zipfile.ZipFile(ImsccExporter().export(bundle, tmp_path / "h.imscc"))
    for name in archive.namelist():
        if name.endswith(".xml"):
            raw = archive.read(name)
            assert b"<script>" not in raw and b"<sciences>" not in raw, name
            assert b"&lt;sciences&gt;" in raw, name
    doc = check_manifest(
        archive.read("imsmanifest.xml"), set(archive.namelist()), cp_schema, lom_strict
    )
    title = doc.findtext("cc:metadata/lomm:lom/lomm:general/lomm:title/lomm:string", namespaces=NS)
    assert title == HOSTILE


def test_no_page_fetches_the_network(tmp_path):
    folder = make_module(tmp_path, 1, kinds=("flashcards",), extra=("comic",))
    _bundle, archive = export(folder, tmp_path / "m.imscc")
    network = re.compile(r"""\b(?:src|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
    for name in archive.namelist():
        if name.endswith(".html"):
            assert not network.search(archive.read(name).decode("utf-8")), name


def test_same_module_same_bytes(tmp_path):
    folder = make_module(tmp_path, 2, extra=())
    first = ImsccExporter().export(Bundle.load(folder), tmp_path / "a" / "m.imscc")
    second = ImsccExporter().export(Bundle.load(folder), tmp_path / "b" / "m.imscc")
    assert first.read_bytes() == second.read_bytes()
