"""The OAI-PMH provider against a real catalogue: every verb, every error, valid responses.

Each response is validated against the official OAI-PMH.xsd, whose ``metadata`` wildcard is
strict: the oai_dc and ScoLOMFR payloads are validated against their own schemas too.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import update

from imaginecole.catalogue import oai as oai_module
from imaginecole.catalogue.db import Resource
from imaginecole.catalogue.model import PUBLISHED
from imaginecole.catalogue.oai import ListState, OAIError, OAIProvider, oai_response
from imaginecole.catalogue.service import Catalogue

HERE = Path(oai_module.__file__).parent
GRAINS = Path(__file__).resolve().parents[2] / "fixtures" / "grains"
NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
}
BASE = "https://catalogue.example.org/oai"
HOSTILE = "Maths & <sciences> </script><script>alert('x')</script>\x0b]]>"


def oai_schema(spec_dir: Path) -> etree.XMLSchema:
    """OAI-PMH.xsd with oai_dc.xsd and ScoLOMFR, the remote imports resolved offline."""
    local = {
        "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": HERE / "simpledc20021212.xsd",
        "http://www.w3.org/2001/03/xml.xsd": spec_dir / "lom/ieee-lom-1484.12.3/xml.xsd",
    }

    class Offline(etree.Resolver):
        def resolve(self, url, pubid, context):
            if url in local:
                return self.resolve_filename(str(local[url]), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Offline())
    imports = [
        ("http://www.openarchives.org/OAI/2.0/", HERE / "OAI-PMH.xsd"),
        ("http://www.openarchives.org/OAI/2.0/oai_dc/", HERE / "oai_dc.xsd"),
        (NS["lom"], spec_dir / "lom/scolomfr-schemas-3.2.1/scolomfr.xsd"),
    ]
    wrapper = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{}</xs:schema>'.format(
        "".join(
            f'<xs:import namespace="{ns}" schemaLocation="{path.resolve().as_uri()}"/>'
            for ns, path in imports
        )
    )
    doc = etree.fromstring(wrapper.encode(), parser, base_url=HERE.resolve().as_uri() + "/")
    return etree.XMLSchema(etree.ElementTree(doc))


@pytest.fixture(scope="module")
def schema(spec_dir: Path) -> etree.XMLSchema:
    return oai_schema(spec_dir)


@pytest.fixture
def catalogue(tmp_path: Path, catalogue_url: str):
    with Catalogue.open(tmp_path / "data", db_url=catalogue_url) as opened:
        yield opened


@pytest.fixture
def editor(catalogue: Catalogue):
    return catalogue.create_token("editor", "editrice")[1]


def add(catalogue: Catalogue, editor, **meta) -> str:
    """A resource published directly, with complete metadata unless told otherwise."""
    metadata = {
        "title": "Les fractions",
        "description": "Comparer des fractions simples.",
        "language": "fr",
        "licence": "CC-BY-SA-4.0",
        "country": "SN",
        "level": "cm1",
        "subject": "mathematiques",
        "authors": [{"name": "Awa Diop", "email": "awa@example.org", "username": "awa"}],
        "keywords": ["fractions", "comparaison"],
    }
    kind = meta.pop("type", "h5p")
    metadata.update(meta)
    info = catalogue.publish_package(editor, metadata, {}, type=kind, state=PUBLISHED)
    return info.uid


def set_datestamp(catalogue: Catalogue, uid: str, moment: datetime) -> None:
    """Move a record in time (the service stamps changes with the clock)."""
    with catalogue.db.write() as s:
        s.execute(
            update(Resource)
            .where(Resource.uid == uid)
            .values(datestamp=moment.astimezone(UTC).replace(tzinfo=None))
        )


def ask(provider: OAIProvider, schema: etree.XMLSchema, **arguments) -> etree._Element:
    """The response to a request (a list value repeats the argument), after validation."""
    args = {k: v if isinstance(v, list) else [v] for k, v in arguments.items()}
    data = provider.respond(args)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    assert schema.validate(root), "\n".join(str(e) for e in schema.error_log)
    return root


def error_code(root: etree._Element) -> str | None:
    node = root.find("o:error", NS)
    return None if node is None else node.get("code")


def ids(root: etree._Element) -> list[str]:
    return root.xpath(".//o:header/o:identifier/text()", namespaces=NS)


@pytest.fixture
def provider(catalogue: Catalogue) -> OAIProvider:
    return OAIProvider(catalogue, BASE, page_size=3)


# -- Identify, ListMetadataFormats, ListSets ------------------------------------------------


def test_identify_describes_the_repository(catalogue, editor, provider, schema):
    add(catalogue, editor)
    root = ask(provider, schema, verb="Identify")
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == BASE
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:adminEmail", namespaces=NS) == "catalogue@catalogue.example.org"
    earliest = identify.findtext("o:earliestDatestamp", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", earliest)
    request = root.find("o:request", NS)
    assert (request.text, dict(request.attrib)) == (BASE, {"verb": "Identify"})


def test_identify_of_an_empty_catalogue_is_valid(provider, schema):
    root = ask(provider, schema, verb="Identify")
    assert root.find("o:Identify", NS) is not None


def test_list_metadata_formats(catalogue, editor, provider, schema):
    uid = add(catalogue, editor)
    for args in ({}, {"identifier": f"oai:imaginecole:{uid}"}):
        root = ask(provider, schema, verb="ListMetadataFormats", **args)
        prefixes = root.xpath("//o:metadataPrefix/text()", namespaces=NS)
        assert prefixes == ["oai_dc", "lom"]
    root = ask(provider, schema, verb="ListMetadataFormats", identifier="oai:imaginecole:nope")
    assert error_code(root) == "idDoesNotExist"


def test_list_sets_names_every_country_type_and_subject_in_use(catalogue, editor, provider, schema):
    add(catalogue, editor, country="ML", subject="francais")
    root = ask(provider, schema, verb="ListSets")
    sets = dict(
        zip(
            root.xpath("//o:setSpec/text()", namespaces=NS),
            root.xpath("//o:setName/text()", namespaces=NS),
            strict=True,
        )
    )
    assert sets["country:SN"] == "Sénégal" and sets["country:ML"] == "Mali"
    assert len([s for s in sets if s.startswith("country:")]) == 12
    assert "type:h5p" in sets and "type:grain" not in sets
    assert "subject:francais" in sets and "subject:mathematiques" not in sets
    root = ask(provider, schema, verb="ListSets", resumptionToken="abc")
    assert error_code(root) == "badResumptionToken"


# -- records --------------------------------------------------------------------------------


def test_get_record_oai_dc_says_what_the_resource_is(catalogue, editor, provider, schema):
    uid = add(catalogue, editor)
    root = ask(
        provider, schema, verb="GetRecord", identifier=f"oai:imaginecole:{uid}",
        metadataPrefix="oai_dc",
    )  # fmt: skip
    header = root.find(".//o:header", NS)
    assert header.get("status") is None
    assert header.findtext("o:identifier", namespaces=NS) == f"oai:imaginecole:{uid}"
    assert header.xpath("o:setSpec/text()", namespaces=NS) == [
        "country:SN",
        "subject:mathematiques",
        "type:h5p",
    ]
    dc = root.find(".//oai_dc:dc", NS)

    def values(name):
        return dc.xpath(f"dc:{name}/text()", namespaces=NS)

    assert values("title") == ["Les fractions"]
    assert dc.find("dc:title", NS).get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert values("creator") == ["Awa Diop"]
    assert values("subject") == ["Mathématiques", "fractions", "comparaison"]
    assert values("language") == ["fr"]
    assert values("coverage") == ["Sénégal"]
    assert values("type") == ["InteractiveResource", "h5p"]
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in values("rights")
    assert values("identifier") == [f"urn:uuid:{uid}"]
    assert values("source") == []
    # authors' addresses and accounts stay in the catalogue
    assert b"awa@example.org" not in etree.tostring(root) and b">awa<" not in etree.tostring(root)


def test_get_record_lom_is_a_valid_scolomfr_record(catalogue, editor, provider, schema):
    uid = add(catalogue, editor)
    root = ask(
        provider, schema, verb="GetRecord", identifier=f"oai:imaginecole:{uid}",
        metadataPrefix="lom",
    )  # fmt: skip
    lom = root.find(".//lom:lom", NS)
    assert lom.xpath("lom:general/lom:identifier/lom:entry/text()", namespaces=NS) == [uid]
    assert lom.xpath("lom:general/lom:title/lom:string/text()", namespaces=NS) == ["Les fractions"]
    taxa = lom.xpath("lom:classification/lom:taxonPath/lom:taxon/lom:id/text()", namespaces=NS)
    assert taxa == ["mathematiques", "primaire", "cm1"]
    assert lom.find("lom:technical/lom:location", NS) is None  # no page address given
    paged = OAIProvider(catalogue, BASE, resource_url=lambda uid: f"https://c.example.org/r/{uid}")
    root = ask(
        paged, schema, verb="GetRecord", identifier=f"oai:imaginecole:{uid}", metadataPrefix="lom"
    )
    assert root.xpath("//lom:technical/lom:location/text()", namespaces=NS) == [
        f"https://c.example.org/r/{uid}"
    ]


def test_a_published_bundle_serves_its_own_manifest(catalogue, editor, provider, schema):
    reviewer = catalogue.create_token("reviewer", "relectrice")[1]
    info = catalogue.publish(editor, GRAINS / "question_set", formats=["html"])
    catalogue.approve(reviewer, info.uid)
    identifier = f"oai:imaginecole:{info.uid}"
    lom = ask(provider, schema, verb="GetRecord", identifier=identifier, metadataPrefix="lom")
    assert lom.xpath("//lom:typicalLearningTime/lom:duration/text()", namespaces=NS) == ["PT5M"]
    dc = ask(provider, schema, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert dc.xpath("//dc:title/text()", namespaces=NS) == ["Évaluation : révisions de CM1"]
    assert "text/html" in dc.xpath("//dc:format/text()", namespaces=NS)
    assert dc.xpath("//o:setSpec/text()", namespaces=NS) == [
        "country:CI",
        "subject:mathematiques",
        "type:grain",
    ]


def test_hostile_text_is_escaped_and_xml_safe(catalogue, editor, provider, schema):
    uid = add(catalogue, editor, title=HOSTILE, description=HOSTILE, keywords=[HOSTILE[:50]])
    for prefix in ("oai_dc", "lom"):
        root = ask(
            provider, schema, verb="GetRecord", identifier=f"oai:imaginecole:{uid}",
            metadataPrefix=prefix,
        )  # fmt: skip
        data = etree.tostring(root)
        assert b"<script>" not in data and b"<sciences>" not in data
        titles = root.xpath("//dc:title/text() | //lom:general/lom:title/lom:string/text()",
                            namespaces=NS)  # fmt: skip
        assert titles == [" ".join(HOSTILE.split())]


def test_text_xml_cannot_carry_is_dropped():
    from imaginecole.catalogue.oai_metadata import _scrub, clean

    assert clean("a\x00b\x0bc\ud800d\ufffee\tf\n") == "abcde\tf\n"
    assert _scrub({"t": ["x\x1fy", 3]}) == {"t": ["xy", 3]}


def test_withdrawn_record_is_a_persistent_deleted_record(catalogue, editor, provider, schema):
    keep, gone = add(catalogue, editor, title="Gardée"), add(catalogue, editor, title="Retirée")
    catalogue.withdraw(editor, gone, "doublon")
    for prefix in ("oai_dc", "lom"):
        root = ask(
            provider, schema, verb="GetRecord", identifier=f"oai:imaginecole:{gone}",
            metadataPrefix=prefix,
        )  # fmt: skip
        record = root.find(".//o:record", NS)
        assert record.find("o:header", NS).get("status") == "deleted"
        assert record.find("o:metadata", NS) is None
    root = ask(provider, schema, verb="ListRecords", metadataPrefix="oai_dc")
    status = {
        h.findtext("o:identifier", namespaces=NS): h.get("status")
        for h in root.iterfind(".//o:header", NS)
    }
    assert status == {f"oai:imaginecole:{keep}": None, f"oai:imaginecole:{gone}": "deleted"}


def test_unpublished_resources_do_not_exist_for_oai(catalogue, editor, provider, schema):
    teacher = catalogue.create_token("teacher", "enseignant")[1]
    info = catalogue.publish_package(
        teacher, {"title": "Brouillon", "language": "fr"}, {}, type="h5p"
    )
    root = ask(
        provider, schema, verb="GetRecord", identifier=f"oai:imaginecole:{info.uid}",
        metadataPrefix="oai_dc",
    )  # fmt: skip
    assert error_code(root) == "idDoesNotExist"
    assert error_code(ask(provider, schema, verb="ListIdentifiers", metadataPrefix="lom")) == (
        "noRecordsMatch"
    )


def test_harvested_records_carry_the_identifier_they_have_at_their_source(
    catalogue, provider, schema
):
    stamp = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    info = catalogue.upsert_harvested(
        "https://ml.example.org/oai",
        "oai:imaginecole-ml:1234",
        {"title": "Lecture", "language": "fr", "country": "ML", "licence": "CC0-1.0"},
        stamp,
        False,
    )
    identifier = f"oai:imaginecole:{info.uid}"
    dc = ask(provider, schema, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert dc.xpath("//dc:source/text()", namespaces=NS) == ["oai:imaginecole-ml:1234"]
    assert dc.xpath("//dc:identifier/text()", namespaces=NS) == []
    lom = ask(provider, schema, verb="GetRecord", identifier=identifier, metadataPrefix="lom")
    pairs = [
        (i.findtext("lom:catalog", namespaces=NS), i.findtext("lom:entry", namespaces=NS))
        for i in lom.iterfind(".//lom:general/lom:identifier", NS)
    ]
    assert ("oai", "oai:imaginecole-ml:1234") in pairs


# -- lists, pages and tokens ----------------------------------------------------------------


def test_lists_come_in_pages_that_add_up_to_every_record_once(catalogue, editor, schema):
    made = {f"oai:imaginecole:{add(catalogue, editor, title=f'R{i}')}" for i in range(7)}
    provider = OAIProvider(catalogue, BASE, page_size=3)
    for verb in ("ListIdentifiers", "ListRecords"):
        seen, tokens, cursors = [], 0, []
        root = ask(provider, schema, verb=verb, metadataPrefix="oai_dc")
        while True:
            seen += ids(root)
            token = root.find(f"o:{verb}/o:resumptionToken", NS)
            assert token is not None
            assert token.get("completeListSize") == "7"
            cursors.append(token.get("cursor"))
            if not token.text:
                break
            tokens += 1
            request_args = {"verb": verb, "resumptionToken": token.text}
            root = ask(provider, schema, **request_args)
            assert dict(root.find("o:request", NS).attrib) == request_args
        assert (tokens, cursors) == (2, ["0", "3", "6"])
        assert sorted(seen) == sorted(made) and len(seen) == 7


def test_one_page_lists_have_no_token(catalogue, editor, schema):
    add(catalogue, editor)
    root = ask(OAIProvider(catalogue, BASE), schema, verb="ListRecords", metadataPrefix="lom")
    assert len(ids(root)) == 1
    assert root.find(".//o:resumptionToken", NS) is None


def test_resumption_token_keeps_the_set_and_dates(catalogue, editor, schema):
    for i in range(5):
        add(catalogue, editor, title=f"SN{i}", country="SN")
        add(catalogue, editor, title=f"ML{i}", country="ML")
    provider = OAIProvider(catalogue, BASE, page_size=2)
    root = ask(provider, schema, verb="ListRecords", metadataPrefix="oai_dc", set="country:ML")
    titles = root.xpath("//dc:title/text()", namespaces=NS)
    while token := root.findtext(".//o:resumptionToken", namespaces=NS):
        root = ask(provider, schema, verb="ListRecords", resumptionToken=token)
        titles += root.xpath("//dc:title/text()", namespaces=NS)
    assert sorted(titles) == [f"ML{i}" for i in range(5)]


def test_sets_filter_by_country_subject_and_type(catalogue, editor, provider, schema):
    a = add(catalogue, editor, country="SN", subject="francais", type="h5p")
    b = add(catalogue, editor, country="TN", subject="mathematiques", type="scorm")
    for spec, expected in (
        ("country:TN", [b]),
        ("subject:francais", [a]),
        ("type:scorm", [b]),
    ):
        root = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        assert ids(root) == [f"oai:imaginecole:{uid}" for uid in expected]
    for spec in ("country:GN", "nowhere:xx", "type:comic"):
        root = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        assert error_code(root) == "noRecordsMatch"


def test_from_and_until_at_day_and_second_granularity(catalogue, editor, provider, schema):
    old, mid, new = (add(catalogue, editor, title=t) for t in ("old", "mid", "new"))
    set_datestamp(catalogue, old, datetime(2024, 1, 10, 23, 59, 59, tzinfo=UTC))
    set_datestamp(catalogue, mid, datetime(2024, 1, 11, 12, 0, 0, tzinfo=UTC))
    set_datestamp(catalogue, new, datetime(2024, 1, 12, 0, 0, 0, tzinfo=UTC))

    def listed(**bounds):
        root = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", **bounds)
        if error_code(root) == "noRecordsMatch":
            return []
        return root.xpath("//o:datestamp/text()", namespaces=NS)

    assert listed(**{"from": "2024-01-11"}) == ["2024-01-11T12:00:00Z", "2024-01-12T00:00:00Z"]
    assert listed(until="2024-01-11") == ["2024-01-10T23:59:59Z", "2024-01-11T12:00:00Z"]
    assert listed(**{"from": "2024-01-11", "until": "2024-01-11"}) == ["2024-01-11T12:00:00Z"]
    # bounds are inclusive, to the second
    assert listed(**{"from": "2024-01-11T12:00:00Z", "until": "2024-01-11T12:00:00Z"}) == [
        "2024-01-11T12:00:00Z"
    ]
    assert listed(**{"from": "2024-01-11T12:00:01Z"}) == ["2024-01-12T00:00:00Z"]
    assert listed(until="2024-01-10T23:59:58Z") == []
    assert listed(**{"from": "2024-01-12", "until": "2024-01-10"}) == []


def test_a_record_changed_between_pages_is_not_lost(catalogue, editor, schema):
    uids = [add(catalogue, editor, title=f"R{i}") for i in range(4)]
    for i, uid in enumerate(uids):
        set_datestamp(catalogue, uid, datetime(2024, 3, 1, tzinfo=UTC) + timedelta(minutes=i))
    provider = OAIProvider(catalogue, BASE, page_size=2)
    root = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    first = ids(root)
    # the first record changes: it moves to the end of the list, after the cursor
    set_datestamp(catalogue, uids[0], datetime(2024, 3, 2, tzinfo=UTC))
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    rest = ids(ask(provider, schema, verb="ListIdentifiers", resumptionToken=token))
    assert set(first + rest) == {f"oai:imaginecole:{u}" for u in uids}


# -- errors ---------------------------------------------------------------------------------

ERRORS = [
    ({}, "badVerb"),
    ({"verb": "Dance"}, "badVerb"),
    ({"verb": ""}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListIdentifiers", "metadataPrefix": ["oai_dc", "lom"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"}, "badArgument"),
    (
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-01-01T00:00:00"},
        "badArgument",
    ),  # noqa: E501
    (
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-01-01",
            "until": "2024-02-01T00:00:00Z",
        },
        "badArgument",
    ),  # fmt: skip
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "pays SN"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:imaginecole:x"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "not a uri", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListMetadataFormats", "identifier": ["a:b", "a:c"]}, "badArgument"),
    ({"verb": "ListSets", "set": "country:SN"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    (
        {"verb": "GetRecord", "identifier": "oai:imaginecole:x", "metadataPrefix": "mods"},
        "cannotDisseminateFormat",
    ),  # noqa: E501
    (
        {"verb": "GetRecord", "identifier": "oai:imaginecole:x", "metadataPrefix": "oai_dc"},
        "idDoesNotExist",
    ),  # noqa: E501
    (
        {"verb": "GetRecord", "identifier": "oai:elsewhere:x", "metadataPrefix": "lom"},
        "idDoesNotExist",
    ),  # noqa: E501
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": ""}, "badResumptionToken"),
]


@pytest.mark.parametrize("arguments,code", ERRORS)
def test_every_protocol_error_has_its_own_code(
    catalogue, editor, provider, schema, arguments, code
):
    add(catalogue, editor)
    root = ask(provider, schema, **arguments)
    assert error_code(root) == code, etree.tostring(root)
    request = root.find("o:request", NS)
    assert request.text == BASE
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # nothing refused is echoed
    else:
        assert request.get("verb") == arguments["verb"]


def test_tokens_of_another_verb_or_tampered_tokens_are_refused(catalogue, editor, schema):
    for i in range(3):
        add(catalogue, editor, title=f"R{i}")
    provider = OAIProvider(catalogue, BASE, page_size=1)
    root = ask(provider, schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    other = ask(provider, schema, verb="ListRecords", resumptionToken=token)
    assert error_code(other) == "badResumptionToken"
    body, check = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["cursor"] = -5
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    for bad in (f"{forged}.{check}", token[:-1], token + "x"):
        root = ask(provider, schema, verb="ListIdentifiers", resumptionToken=bad)
        assert error_code(root) == "badResumptionToken"


# -- pure parts -----------------------------------------------------------------------------


def test_token_round_trip_keeps_every_argument():
    moment = datetime(2024, 1, 2, 3, 4, 5, 600_000)
    state = ListState("ListRecords", "lom", "2024-01-01", "2024-12-31", "country:SN",
                      (moment, 42), 200, 1234)  # fmt: skip
    token = state.encode()
    assert re.fullmatch(r"[A-Za-z0-9_\-]+\.[0-9a-f]{10}", token)
    assert ListState.decode(token, "ListRecords") == state


@pytest.mark.parametrize(
    "value,end,expected",
    [
        ("2024-02-29", False, datetime(2024, 2, 29, tzinfo=UTC)),
        ("2024-02-29", True, datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC)),
        ("2024-02-29T10:11:12Z", False, datetime(2024, 2, 29, 10, 11, 12, tzinfo=UTC)),
        ("2024-02-29T10:11:12Z", True, datetime(2024, 2, 29, 10, 11, 12, 999_999, tzinfo=UTC)),
    ],
)
def test_datestamp_bounds(value, end, expected):
    assert oai_module.parse_datestamp(value, end=end) == expected


@pytest.mark.parametrize("value", ["2023-02-29", "2024-1-1", "2024-01-01T10:00Z", "2024-01-01 "])
def test_bad_datestamps_are_bad_arguments(value):
    with pytest.raises(OAIError) as caught:
        oai_module.parse_datestamp(value, end=False)
    assert caught.value.code == "badArgument"


def test_oai_response_function_and_page_size(catalogue, editor, schema):
    for i in range(3):
        add(catalogue, editor, title=f"R{i}")
    data = oai_response(
        catalogue, BASE, {"verb": ["ListIdentifiers"], "metadataPrefix": ["oai_dc"]}, page_size=2
    )
    root = etree.fromstring(data)
    assert schema.validate(root)
    assert len(ids(root)) == 2
    with pytest.raises(ValueError):
        OAIProvider(catalogue, BASE, page_size=0)


def test_vendored_schemas_are_the_official_ones():
    # a changed byte would make them no longer the files openarchives.org publishes
    import hashlib

    digests = {
        name: hashlib.sha256((HERE / name).read_bytes()).hexdigest()
        for name in ("OAI-PMH.xsd", "oai_dc.xsd")
    }
    assert digests == EXPECTED_DIGESTS


EXPECTED_DIGESTS = {
    "OAI-PMH.xsd": "da217eb992fff3261ce109282e8be17f46f84cfb2e417667aa5c9359744fc55d",
    "oai_dc.xsd": "7383d21bca49c1186627e820a5da7ec209febfc5b4295fada39720ad0cebee9a",
}
