"""The harvester's pure parts: reading oai_dc and LOM records back, dates, its state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from imaginecole.catalogue import harvest as harvest_module
from imaginecole.catalogue.harvest import harvest
from imaginecole.catalogue.model import PUBLISHED
from imaginecole.catalogue.oai import OAIProvider
from imaginecole.catalogue.oai_metadata import licence_of, read_dc, read_lom
from imaginecole.catalogue.service import Catalogue
from imaginecole.cli import build_parser
from imaginecole.i18n import ImaginecoleError

META = {
    "title": "Lire l'heure",
    "description": "Une horloge & des aiguilles.",
    "language": "fr",
    "licence": "CC-BY-NC-4.0",
    "country": "TN",
    "level": "cp",
    "subject": "mathematiques",
    "authors": [{"name": "Sami, Ben Ali; fils"}, {"name": "Leïla"}],
    "keywords": ["heure", "horloge"],
}


@pytest.fixture
def catalogue(tmp_path: Path):
    with Catalogue.open(tmp_path / "data") as opened:
        yield opened


def payload(catalogue: Catalogue, uid: str, prefix: str) -> tuple[etree._Element, list[str]]:
    """The metadata element and set specs the provider sends for one record."""
    provider = OAIProvider(catalogue, "http://127.0.0.1/oai")
    data = provider.respond(
        {
            "verb": ["GetRecord"],
            "identifier": [f"oai:imaginecole:{uid}"],
            "metadataPrefix": [prefix],
        }
    )
    root = etree.fromstring(data)
    ns = {"o": "http://www.openarchives.org/OAI/2.0/"}
    specs = root.xpath("//o:setSpec/text()", namespaces=ns)
    return root.find(".//o:metadata", ns)[0], specs


def test_oai_dc_reads_back_what_the_provider_wrote(catalogue):
    editor = catalogue.create_token("editor", "ed")[1]
    uid = catalogue.publish_package(editor, META, {}, type="h5p", state=PUBLISHED).uid
    dc, specs = payload(catalogue, uid, "oai_dc")
    sets = harvest_module._sets(specs)
    assert sets == {"country": "TN", "subject": "mathematiques", "type": "h5p"}
    meta, sources, links = read_dc(dc, sets)
    assert meta == {
        "title": META["title"],
        "description": META["description"],
        "language": "fr",
        "licence": "CC-BY-NC-4.0",
        "country": "TN",
        "authors": [{"name": "Sami, Ben Ali; fils"}, {"name": "Leïla"}],
        "keywords": ["heure", "horloge"],  # the curriculum subject is not a keyword
    }
    assert (sources, links) == ([], {})


def test_lom_reads_back_level_and_subject_too(catalogue):
    editor = catalogue.create_token("editor", "ed")[1]
    uid = catalogue.publish_package(editor, META, {}, type="h5p", state=PUBLISHED).uid
    lom, _specs = payload(catalogue, uid, "lom")
    meta, sources, _links = read_lom(lom)
    assert meta["title"] == META["title"]
    assert (meta["level"], meta["subject"], meta["licence"]) == (
        "cp",
        "mathematiques",
        "CC-BY-NC-4.0",
    )
    assert [a["name"] for a in meta["authors"]] == ["Sami, Ben Ali; fils", "Leïla"]
    assert meta["keywords"] == ["heure", "horloge"]
    assert sources == []


def record(identifier: str, metadata: str = "", status: str = "") -> harvest_module._Record:
    xml = (
        f'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header{status}>'
        f"<identifier>{identifier}</identifier><datestamp>2024-05-01T10:00:00Z</datestamp>"
        f"<setSpec>country:SN</setSpec><setSpec>type:grain</setSpec></header>{metadata}</record>"
    )
    return harvest_module._Record(etree.fromstring(xml))


DC_RECORD = (
    '<metadata><!-- a comment first --><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Titre</dc:title>{source}'
    "</oai_dc:dc></metadata>"
)


def test_records_are_stored_skipped_or_rejected(catalogue):
    report = harvest_module.HarvestReport("https://sn.example.org/oai", "oai_dc", None, None)
    page = []  # stored as the harvester does: one transaction for the page

    def store(rec):
        read = harvest_module._read(report.url, "oai_dc", rec, "oai:imaginecole:", report)
        if read is not None:
            page.append(read)

    store(record("oai:sn:1", DC_RECORD.format(source="")))
    # this catalogue's own records, directly or through the catalogue they went to
    store(record("oai:imaginecole:2", DC_RECORD.format(source="")))
    store(record("oai:sn:3", DC_RECORD.format(source="<dc:source>oai:imaginecole:9</dc:source>")))
    # broken records are reported, not fatal
    store(record("oai:sn:4"))
    store(record("", DC_RECORD.format(source="")))
    store(record("oai:sn:5", DC_RECORD.replace("Titre", "")))
    store(record("oai:sn:1", status=' status="deleted"'))
    store(record("oai:sn:6", status=' status="deleted"'))  # never here: nothing to delete
    harvest_module._store(catalogue, page, report)
    assert (report.stored, report.skipped, report.deleted) == (1, 2, 1)
    assert [why for _id, why in report.rejected] == [
        "pas de métadonnées",
        "une fiche sans identifiant",
        "pas de titre",
    ]
    assert catalogue.count() == 0


def test_foreign_oai_dc_is_cut_to_the_bundle_limits():
    dc = etree.fromstring(
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{'T' * 500}</dc:title><dc:title>second</dc:title>"
        + "".join(f"<dc:subject>mot {i}</dc:subject>" for i in range(40))
        + "<dc:language>français</dc:language>"
        "<dc:coverage>Burkina Faso</dc:coverage>"
        "<dc:rights>http://creativecommons.org/publicdomain/zero/1.0/</dc:rights>"
        "<dc:identifier>https://ailleurs.example.org/r/1</dc:identifier>"
        "<dc:source>oai:imaginecole:abc</dc:source>"
        "</oai_dc:dc>"
    )
    meta, sources, links = read_dc(dc)
    assert len(meta["title"]) == 200 and len(meta["keywords"]) == 30
    assert "language" not in meta  # not a language code
    assert (meta["country"], meta["licence"]) == ("BF", "CC0-1.0")
    assert links == {"page": "https://ailleurs.example.org/r/1"}
    assert sources == ["oai:imaginecole:abc"]


@pytest.mark.parametrize(
    "texts,expected",
    [
        (
            ["Licence : CC BY-SA 4.0 – https://creativecommons.org/licenses/by-sa/4.0/"],
            "CC-BY-SA-4.0",
        ),
        (["http://creativecommons.org/licenses/by/4.0"], "CC-BY-4.0"),
        (["CC-BY-NC-SA-4.0"], "CC-BY-NC-SA-4.0"),
        (["Tous droits réservés"], "Tous droits réservés"),
        ([], None),
    ],
)
def test_licence_from_rights(texts, expected):
    assert licence_of(texts) == expected


def test_sets_ignore_values_this_catalogue_does_not_know():
    found = harvest_module._sets(["country:FR", "type:video", "subject:Maths Avancées", "x"])
    assert found == {}


@pytest.mark.parametrize(
    "value,ok",
    [("2024-02-29", True), ("2024-02-29T10:00:00Z", True), ("2023-02-29", False), ("hier", False)],
)
def test_since_dates(value, ok):
    assert harvest_module._valid_since(value) is ok


def test_state_file_is_written_whole_and_read_back(tmp_path):
    path = tmp_path / "data" / "harvest-state.json"
    state = {"https://x/oai oai_dc ": {"from": "2024-01-01T00:00:00Z", "records": 3}}
    harvest_module._save_state(path, state)
    assert json.loads(path.read_text()) == state
    assert harvest_module._load_state(path) == state
    assert [p.name for p in path.parent.iterdir()] == ["harvest-state.json"]
    path.write_text("{broken")
    with pytest.raises(ImaginecoleError) as caught:
        harvest_module._load_state(path)
    assert str(path) in str(caught.value) and "[en]" in str(caught.value)


def test_bad_arguments_fail_before_any_request(catalogue, tmp_path):
    state = tmp_path / "state.json"
    with pytest.raises(ImaginecoleError, match="marc21"):
        harvest(catalogue, "http://127.0.0.1:9/oai", metadata_prefix="marc21", state_file=state)
    with pytest.raises(ImaginecoleError, match="hier"):
        harvest(catalogue, "http://127.0.0.1:9/oai", since="hier", state_file=state)


def test_the_command_takes_its_documented_options():
    args = build_parser().parse_args(
        [
            "catalogue",
            "harvest",
            "https://sn.example.org/oai",
            "--data",
            "/tmp/d",
            "--db-url",
            "postgresql://x/y",
            "--set",
            "country:SN",
            "--prefix",
            "lom",
            "--from",
            "2024-01-01",
        ]
    )
    assert (args.url, args.data, args.db_url) == (
        "https://sn.example.org/oai",
        Path("/tmp/d"),
        "postgresql://x/y",
    )
    assert (args.set_spec, args.prefix, args.since) == ("country:SN", "lom", "2024-01-01")
    assert args.func is harvest_module.run_harvest
