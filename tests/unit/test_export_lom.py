"""The `lom` exporter: every grain's record is valid ScoLOMFR 3.2.1, and valid LOM strict too."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from imaginecole.exports import available, get_exporter
from imaginecole.exports.base import Bundle
from imaginecole.exports.lom import (
    LICENCES,
    LOM_NS,
    RESOURCE_TYPES,
    SCOLOMFR_CONCEPT,
    LomExporter,
    lom_element,
    to_bytes,
)
from lxml import etree

from imaginecole.bundle import validate_manifest
from tests.xmlcheck import assert_valid

GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "grains"
FIXTURES = sorted(p.name for p in GRAINS.iterdir() if (p / "manifest.json").is_file())
NS = {"lom": LOM_NS}
HOSTILE = "Maths & <sciences> </script><script>alert('x')</script>"


def load(name: str) -> dict:
    return json.loads((GRAINS / name / "manifest.json").read_text(encoding="utf-8"))


def reparse(element: etree._Element) -> etree._Element:
    return etree.fromstring(to_bytes(element))


def texts(doc: etree._Element, path: str) -> list[str]:
    return [node.text for node in doc.xpath(path, namespaces=NS)]


def test_lom_is_a_registered_exporter():
    assert "lom" in available()
    exporter = get_exporter("lom")
    assert exporter is LomExporter
    assert exporter.extension == ".xml"
    assert exporter.bundle_types == frozenset({"grain", "module", "parcours"})


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_exports_a_valid_scolomfr_record(name, tmp_path, scolomfr, lom_strict):
    bundle = Bundle.load(GRAINS / name)
    written = LomExporter().export(bundle, tmp_path / "out" / f"{name}.xml")
    data = written.read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    doc = etree.fromstring(data)
    assert_valid(scolomfr, doc)
    # the LOMv1.0 profile (for SCORM 2004 manifests) of the same grain is LOM strict
    assert_valid(lom_strict, reparse(lom_element(bundle.manifest, profile="lom")))

    meta = bundle.manifest["metadata"]
    assert texts(doc, "lom:general/lom:identifier/lom:catalog") == ["imaginecole"]
    assert texts(doc, "lom:general/lom:identifier/lom:entry") == [bundle.manifest["id"]]
    title = doc.find("lom:general/lom:title/lom:string", NS)
    assert (title.text, title.get("language")) == (meta["title"], meta["language"])
    assert texts(doc, "lom:general/lom:language") == [meta["language"]]
    assert texts(doc, "lom:technical/lom:format") == ["text/html"]
    assert texts(doc, "lom:educational/lom:typicalLearningTime/lom:duration") == [
        meta["learning_time"]
    ]
    concept = RESOURCE_TYPES[meta["resource_type"]][1]
    assert texts(doc, "lom:educational/lom:learningResourceType/lom:value") == [
        SCOLOMFR_CONCEPT + concept
    ]
    entities = texts(doc, "lom:lifeCycle/lom:contribute/lom:entity")
    assert len(entities) == len(meta["authors"])
    for entity, author in zip(entities, meta["authors"], strict=True):
        assert entity.startswith("BEGIN:VCARD\nVERSION:3.0\n")
        assert f"\nFN:{author['name']}\n" in entity


def test_default_file_name_says_what_it_is(tmp_path):
    bundle = Bundle.load(GRAINS / "single_choice")
    assert LomExporter().default_output(bundle, tmp_path) == tmp_path / "single_choice.lom.xml"


def test_export_is_deterministic(tmp_path):
    bundle = Bundle.load(GRAINS / "question_set")
    first = LomExporter().export(bundle, tmp_path / "a.xml").read_bytes()
    second = LomExporter().export(Bundle.load(GRAINS / "question_set"), tmp_path / "b.xml")
    assert first == second.read_bytes()


def test_classification_names_the_country_curriculum(scolomfr):
    # question_set: Côte d'Ivoire, CM1, mathématiques
    doc = reparse(lom_element(load("question_set")))
    assert_valid(scolomfr, doc)
    purposes = texts(doc, "lom:classification/lom:purpose/lom:value")
    assert purposes == [SCOLOMFR_CONCEPT + "discipline", SCOLOMFR_CONCEPT + "educational_level"]
    discipline, level = doc.findall("lom:classification", NS)
    source = texts(discipline, "lom:taxonPath/lom:source/lom:string")
    assert all("Côte d'Ivoire" in s for s in source)
    assert texts(discipline, "lom:taxonPath/lom:taxon/lom:id") == ["mathematiques"]
    assert "Mathématiques" in texts(discipline, "lom:taxonPath/lom:taxon/lom:entry/lom:string")
    # a path from the cycle down to the level, as the curriculum file names them
    assert texts(level, "lom:taxonPath/lom:taxon/lom:id") == ["primaire", "cm1"]
    assert "Cours moyen 1re année (CM1)" in texts(
        level, "lom:taxonPath/lom:taxon/lom:entry/lom:string[@language='fr']"
    )


def test_a_teacher_training_resource_is_for_teachers(scolomfr, lom_strict):
    manifest = load("question_set")
    manifest["metadata"].update(level="formation-enseignants", subject="pedagogie-numerique")
    assert validate_manifest(manifest) == []
    scolom = reparse(lom_element(manifest))
    assert_valid(scolomfr, scolom)
    assert texts(scolom, "lom:educational/lom:intendedEndUserRole/lom:value") == [
        SCOLOMFR_CONCEPT + "teacher"
    ]
    assert texts(scolom, "lom:educational/lom:context/lom:value") == [SCOLOMFR_CONCEPT + "training"]
    level = scolom.findall("lom:classification", NS)[1]
    assert texts(level, "lom:taxonPath/lom:taxon/lom:id") == [
        "formation",
        "formation-enseignants",
    ]
    plain = reparse(lom_element(manifest, profile="lom"))
    assert_valid(lom_strict, plain)
    assert texts(plain, "lom:educational/lom:context/lom:value") == ["training"]


@pytest.mark.parametrize("resource_type", sorted(RESOURCE_TYPES))
def test_every_resource_type_maps_to_both_vocabularies(resource_type, scolomfr, lom_strict):
    manifest = load("single_choice")
    manifest["metadata"]["resource_type"] = resource_type
    assert validate_manifest(manifest) == []
    lom_term, concept, _ = RESOURCE_TYPES[resource_type]
    doc = reparse(lom_element(manifest))
    assert_valid(scolomfr, doc)
    assert texts(doc, ".//lom:learningResourceType/lom:value") == [SCOLOMFR_CONCEPT + concept]
    strict = reparse(lom_element(manifest, profile="lom"))
    assert_valid(lom_strict, strict)
    assert texts(strict, ".//lom:learningResourceType/lom:value") == [lom_term]
    assert texts(strict, ".//lom:learningResourceType/lom:source") == ["LOMv1.0"]


@pytest.mark.parametrize("licence", sorted(LICENCES))
def test_rights_name_the_licence_and_its_address(licence, scolomfr):
    manifest = load("single_choice")
    manifest["metadata"]["licence"] = licence
    doc = reparse(lom_element(manifest))
    assert_valid(scolomfr, doc)
    short, url, name_fr, _ = LICENCES[licence]
    (french,) = texts(doc, "lom:rights/lom:description/lom:string[@language='fr']")
    assert name_fr in french and short in french and url in french
    copyright_ = texts(doc, "lom:rights/lom:copyrightAndOtherRestrictions/lom:value")
    assert copyright_ == [SCOLOMFR_CONCEPT + ("no_2" if licence == "CC0-1.0" else "yes_2")]


def test_authors_dates_and_keywords(scolomfr, lom_strict):
    manifest = load("single_choice")
    manifest["metadata"].update(
        authors=[
            {"name": "Awa Diop", "email": "awa.diop@example.org"},
            {"name": "Moussa; Traoré, fils", "username": "moussa"},
        ],
        keywords=["formes", "géométrie"],
        description="Reconnaître un triangle.",
        created="2025-03-01T23:30:00-02:00",
        modified="2025-03-04T08:00:00Z",
    )
    assert validate_manifest(manifest) == []
    for profile, schema in (("scolomfr", scolomfr), ("lom", lom_strict)):
        doc = reparse(lom_element(manifest, profile=profile))
        assert_valid(schema, doc)
    doc = reparse(lom_element(manifest))
    first, second = texts(doc, "lom:lifeCycle/lom:contribute/lom:entity")
    assert "FN:Awa Diop" in first and "EMAIL;TYPE=INTERNET:awa.diop@example.org" in first
    assert "FN:Moussa\\; Traoré\\, fils" in second  # vCard escapes ; and ,
    assert "moussa" not in second  # the hub account name stays private
    # dates in UTC days: LOM's DateTime pattern refuses a "Z" without fractions of a second
    assert texts(doc, "lom:lifeCycle/lom:contribute/lom:date/lom:dateTime") == ["2025-03-02"]
    assert texts(doc, "lom:metaMetadata/lom:contribute/lom:date/lom:dateTime") == ["2025-03-04"]
    assert texts(doc, "lom:general/lom:keyword/lom:string") == ["formes", "géométrie"]
    assert texts(doc, "lom:general/lom:description/lom:string") == ["Reconnaître un triangle."]


def test_teacher_text_is_escaped(tmp_path, scolomfr):
    # validation refuses scripts in a grain, but the exporter must not rely on it
    manifest = copy.deepcopy(load("single_choice"))
    manifest["metadata"].update(
        title=HOSTILE, description=HOSTILE, keywords=[HOSTILE], authors=[{"name": HOSTILE}]
    )
    written = LomExporter().export(Bundle(GRAINS / "single_choice", manifest), tmp_path / "x.xml")
    data = written.read_bytes()
    assert b"<script>" not in data and b"<sciences>" not in data
    assert b"Maths &amp; &lt;sciences&gt; &lt;/script&gt;&lt;script&gt;" in data
    doc = etree.fromstring(data)
    assert_valid(scolomfr, doc)
    assert texts(doc, "lom:general/lom:title/lom:string") == [HOSTILE]
    assert texts(doc, "lom:general/lom:keyword/lom:string") == [HOSTILE]


def test_the_schemas_refuse_a_wrong_term(scolomfr, lom_strict):
    """The validation above can fail: an unknown term is refused by both schemas."""
    manifest = load("single_choice")
    for profile, schema in (("scolomfr", scolomfr), ("lom", lom_strict)):
        doc = reparse(lom_element(manifest, profile=profile))
        doc.find(".//lom:learningResourceType/lom:value", NS).text = "jeu-educatif"
        assert not schema.validate(doc), profile
    # a ScoLOMFR record is not LOM strict, and the other way round
    assert not lom_strict.validate(reparse(lom_element(manifest)))
    assert not scolomfr.validate(reparse(lom_element(manifest, profile="lom")))


def test_a_grain_without_country_keeps_its_ids(scolomfr):
    manifest = load("single_choice")
    manifest["metadata"].update(level="cm1", subject="mathematiques")
    doc = reparse(lom_element(manifest))
    assert_valid(scolomfr, doc)
    assert texts(doc, "lom:classification/lom:taxonPath/lom:taxon/lom:id") == [
        "mathematiques",
        "cm1",
    ]
    assert texts(doc, "lom:educational/lom:context/lom:value") == [SCOLOMFR_CONCEPT + "school"]


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="profile"):
        lom_element(load("single_choice"), profile="dublin-core")
