"""LOM records of modules and parcours: valid ScoLOMFR 3.2.1 and LOM strict, with their
aggregation level, duration, objectives, level and the relations to their parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle
from imaginecole.exports.lom import LOM_NS, LomExporter, imsmd_element, lom_element, to_bytes
from lxml import etree

from imaginecole.sequence import resolve
from tests.sequence_fixtures import make_module, make_parcours

NS = {"lom": LOM_NS}
HOSTILE = "Maths & <sciences> \"guillemets\" </script><script>alert('x')</script>"


@pytest.fixture(scope="module")
def parcours(tmp_path_factory) -> Path:
    return make_parcours(tmp_path_factory.mktemp("home"), 2, 2)


def valid(schema: etree.XMLSchema, element: etree._Element) -> etree._Element:
    doc = etree.fromstring(to_bytes(element))
    assert schema.validate(doc), "\n".join(str(e) for e in schema.error_log)
    return doc


def texts(doc: etree._Element, path: str) -> list[str]:
    return [n.text for n in doc.xpath(path, namespaces=NS)]


def test_lom_exports_modules_and_parcours():
    assert {"module", "parcours"} <= get_exporter("lom").bundle_types


def test_module_record(parcours, scolomfr, lom_strict, tmp_path):
    seq = resolve(parcours)
    module = seq.items[0]
    written = LomExporter().export(Bundle.load(module.path), tmp_path / "m.lom.xml")
    doc = etree.fromstring(written.read_bytes())
    assert scolomfr.validate(doc), scolomfr.error_log
    strict = valid(lom_strict, lom_element(module.manifest, profile="lom"))
    assert texts(strict, "lom:general/lom:aggregationLevel/lom:value") == ["3"]
    assert texts(strict, "lom:general/lom:structure/lom:value") == ["linear"]
    assert texts(strict, "lom:educational/lom:typicalLearningTime/lom:duration") == ["PT45M"]
    assert texts(strict, "lom:educational/lom:description/lom:string") == [
        "Lire une fraction",
        "Comparer deux fractions",
    ]
    # one haspart relation per part, named as the part's own record names itself
    assert texts(strict, "lom:relation/lom:kind/lom:value") == ["haspart"] * len(module.items)
    entries = texts(strict, "lom:relation/lom:resource/lom:identifier/lom:entry")
    assert entries == [p.id for p in module.items]
    part = lom_element(module.items[0].manifest, profile="lom")
    assert part.findtext("lom:general/lom:identifier/lom:entry", namespaces=NS) == entries[0]
    catalogs = texts(strict, "lom:relation/lom:resource/lom:identifier/lom:catalog")
    assert set(catalogs) == {part.findtext("lom:general/lom:identifier/lom:catalog", namespaces=NS)}
    # the curriculum level, by its id in the country's curriculum
    assert "cm1" in texts(doc, "lom:classification/lom:taxonPath/lom:taxon/lom:id")
    assert texts(doc, "lom:relation/lom:kind/lom:value")[0] == "http://purl.org/dc/terms/hasPart"


def test_parcours_record_sums_its_modules(parcours, scolomfr, lom_strict, tmp_path):
    seq = resolve(parcours)
    written = LomExporter().export(Bundle.load(parcours), tmp_path / "p.lom.xml")
    doc = etree.fromstring(written.read_bytes())
    assert scolomfr.validate(doc), scolomfr.error_log
    modules = [m for m, _, _ in seq.modules()]
    strict = valid(lom_strict, lom_element(seq.manifest, profile="lom", modules=modules))
    assert texts(strict, "lom:general/lom:aggregationLevel/lom:value") == ["4"]
    assert texts(strict, "lom:educational/lom:typicalLearningTime/lom:duration") == ["PT1H30M"]
    entries = texts(strict, "lom:relation/lom:resource/lom:identifier/lom:entry")
    assert entries == [m.id for m in seq.items]
    # without its modules, a parcours' duration is not known: left out, still valid
    alone = valid(lom_strict, lom_element(seq.manifest, profile="lom"))
    assert not texts(alone, "lom:educational/lom:typicalLearningTime/lom:duration")


def test_module_in_a_parcours_is_part_of_it(parcours, scolomfr, lom_strict):
    seq = resolve(parcours)
    module = seq.items[1].manifest
    part_of = [(seq.manifest["id"], seq.title)]
    valid(scolomfr, lom_element(module, part_of=part_of))
    doc = valid(lom_strict, lom_element(module, profile="lom", part_of=part_of))
    assert texts(doc, "lom:relation/lom:kind/lom:value")[-1] == "ispartof"
    assert (
        texts(doc, "lom:relation/lom:resource/lom:identifier/lom:entry")[-1] == seq.manifest["id"]
    )


def test_scorm12_binding_of_a_module(parcours):
    # IMS MD validates inside a SCORM 1.2 manifest (test_scorm_sequence); here what it says
    module = resolve(parcours).items[0].manifest
    raw = to_bytes(imsmd_element(module))
    assert raw.count(b">HasPart<") == len(module["module"]["parts"])
    assert b">3<" in raw  # aggregation level


def test_teacher_text_is_escaped(tmp_path, scolomfr):
    folder = make_module(tmp_path, 1, extra=())
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["metadata"]["title"] = HOSTILE
    manifest["module"]["objectives"] = [HOSTILE]
    manifest["module"]["parts"][0]["title"] = HOSTILE
    raw = to_bytes(lom_element(manifest))
    assert b"<script>" not in raw and b"<sciences>" not in raw
    assert raw.count(b"Maths &amp; &lt;sciences&gt;") == 3
    valid(scolomfr, lom_element(manifest))
