"""A full OAI-PMH harvest over real HTTP, with a real client library (sickle).

A catalogue serves ``/oai`` from a tornado server on 127.0.0.1; sickle harvests more records
than one page, following resumption tokens, with deleted records and a set filter. Then a
second catalogue harvests the first with `harvest()`, again incrementally, and the first
harvests the second back without taking its own records home.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
import tornado.web
from sickle import Sickle
from sickle.iterator import OAIResponseIterator
from sqlalchemy import update
from tornado.httpserver import HTTPServer

from imaginecole.catalogue.db import Resource
from imaginecole.catalogue.harvest import harvest
from imaginecole.catalogue.model import PUBLISHED
from imaginecole.catalogue.oai import OAIHandler
from imaginecole.catalogue.service import Catalogue
from imaginecole.i18n import ImaginecoleError
from imaginecole.ports import free_loopback_port

RECORDS = 230  # three pages of 100
COUNTRIES = ("SN", "ML", "CI", "TN")


class OAIServer:
    """A tornado server with only the OAI handler, in a thread of its own."""

    def __init__(self, catalogue: Catalogue, **options) -> None:
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}/oai"
        # xsrf_cookies on, as in the web app: harvesters POST without cookies all the same
        self.app = tornado.web.Application(
            [(r"/oai", OAIHandler, {"catalogue": catalogue, **options})], xsrf_cookies=True
        )
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def serve() -> None:
            self.loop = asyncio.get_running_loop()
            self.stopped = asyncio.Event()
            server = HTTPServer(self.app)
            server.listen(self.port, "127.0.0.1")
            self.ready.set()
            await self.stopped.wait()
            server.stop()
            await server.close_all_connections()

        asyncio.run(serve())

    def start(self) -> OAIServer:
        self.thread.start()
        assert self.ready.wait(30), "the OAI server did not start"
        deadline = time.monotonic() + 30
        while True:  # ready when it answers
            try:
                requests.get(self.url, params={"verb": "Identify"}, timeout=5)
                return self
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stopped.set)
        self.thread.join(30)
        assert not self.thread.is_alive()


def backdate(catalogue: Catalogue, hours: int) -> None:
    """Every record changed `hours` ago, so that later changes are the only recent ones."""
    moment = (datetime.now(UTC) - timedelta(hours=hours)).replace(tzinfo=None, microsecond=0)
    with catalogue.db.write() as s:
        s.execute(update(Resource).values(datestamp=moment))


def add(catalogue: Catalogue, editor, i: int) -> str:
    country = COUNTRIES[i % len(COUNTRIES)]
    metadata = {
        "title": f"Ressource {i:03d} : fractions & décimaux",
        "description": f"Exercice {i} <b>gras</b>",
        "language": "fr",
        "licence": "CC-BY-SA-4.0",
        "country": country,
        "level": "cm1",
        "subject": "mathematiques" if i % 2 else "francais",
        "authors": [{"name": f"Auteur {i}"}],
        "keywords": ["fractions"],
    }
    return catalogue.publish_package(editor, metadata, {}, type="h5p", state=PUBLISHED).uid


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_urls(request) -> Iterator[tuple[str | None, str | None]]:
    """Database URLs of the source and of the harvesting catalogue (None: SQLite)."""
    if request.param == "sqlite":
        yield None, None
        return
    server = request.getfixturevalue("postgres_server")
    names = [server.create_database(), server.create_database()]
    yield server.url(names[0]), server.url(names[1])
    for name in names:
        server.drop_database(name)


@pytest.fixture(scope="module")
def source(tmp_path_factory, db_urls) -> Iterator[tuple[Catalogue, object, dict[int, str]]]:
    catalogue = Catalogue.open(
        tmp_path_factory.mktemp("source") / "data",
        db_url=db_urls[0],
        repository_id="imaginecole-sn",
    )
    editor = catalogue.create_token("editor", "editrice")[1]
    uids = {i: add(catalogue, editor, i) for i in range(RECORDS)}
    for i in (3, 50, 170):
        catalogue.withdraw(editor, uids[i], "retirée")
    backdate(catalogue, 2)
    yield catalogue, editor, uids
    catalogue.close()


@pytest.fixture(scope="module")
def server(source) -> Iterator[OAIServer]:
    running = OAIServer(source[0]).start()
    yield running
    running.stop()


def sickle_client(server: OAIServer, method: str = "GET") -> Sickle:
    return Sickle(server.url, http_method=method, timeout=60)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_full_harvest_delivers_every_record_once(source, server, method):
    _catalogue, _editor, uids = source
    client = sickle_client(server, method)
    records = client.ListRecords(metadataPrefix="oai_dc")
    seen: dict[str, object] = {}
    for record in records:
        identifier = record.header.identifier
        assert identifier not in seen, f"{identifier} delivered twice"
        seen[identifier] = record
    expected = {f"oai:imaginecole-sn:{uid}" for uid in uids.values()}
    assert set(seen) == expected
    deleted = {i for i, r in seen.items() if r.deleted}
    assert deleted == {f"oai:imaginecole-sn:{uids[i]}" for i in (3, 50, 170)}
    kept = seen[f"oai:imaginecole-sn:{uids[7]}"]
    # the resource's page, next to /oai, then its uuid
    assert kept.metadata["identifier"] == [
        server.url.replace("/oai", f"/r/{uids[7]}"),
        f"urn:uuid:{uids[7]}",
    ]
    assert kept.metadata["title"] == ["Ressource 007 : fractions & décimaux"]
    assert kept.metadata["description"] == ["Exercice 7 <b>gras</b>"]
    assert kept.header.setSpecs == ["country:TN", "subject:mathematiques", "type:h5p"]
    # the last page closed the list with an empty token
    assert records.resumption_token.token is None
    assert records.resumption_token.complete_list_size == str(RECORDS)


def test_lists_are_paged_with_resumption_tokens(server):
    client = Sickle(server.url, iterator=OAIResponseIterator, timeout=60)
    pages = list(client.ListIdentifiers(metadataPrefix="lom"))
    ns = "{http://www.openarchives.org/OAI/2.0/}"
    tokens = [page.xml.find(f".//{ns}resumptionToken") for page in pages]
    assert len(pages) == 3
    assert [t.get("cursor") for t in tokens] == ["0", "100", "200"]
    assert [bool(t.text) for t in tokens] == [True, True, False]
    assert {t.get("completeListSize") for t in tokens} == {str(RECORDS)}


def test_set_filter_and_single_verbs(source, server):
    _catalogue, _editor, uids = source
    client = sickle_client(server)
    headers = list(client.ListIdentifiers(metadataPrefix="oai_dc", set="country:ML"))
    expected = {f"oai:imaginecole-sn:{uids[i]}" for i in range(RECORDS) if i % 4 == 1}
    assert {h.identifier for h in headers} == expected
    assert all("country:ML" in h.setSpecs for h in headers)
    sets = {s.setSpec for s in client.ListSets()}
    assert {"country:SN", "subject:francais", "type:h5p"} <= sets
    formats = {f.metadataPrefix for f in client.ListMetadataFormats()}
    assert formats == {"oai_dc", "lom"}
    record = client.GetRecord(identifier=f"oai:imaginecole-sn:{uids[8]}", metadataPrefix="lom")
    assert "Ressource 008" in record.raw
    identify = client.Identify()
    assert (identify.baseURL, identify.deletedRecord) == (server.url, "persistent")


def test_protocol_errors_reach_the_client(server):
    from sickle.oaiexceptions import BadArgument, CannotDisseminateFormat, NoRecordsMatch

    client = sickle_client(server)
    with pytest.raises(CannotDisseminateFormat):
        next(iter(client.ListRecords(metadataPrefix="marc21")))
    with pytest.raises(NoRecordsMatch):
        next(iter(client.ListRecords(metadataPrefix="oai_dc", set="country:GN")))
    with pytest.raises(BadArgument):
        next(iter(client.ListRecords(metadataPrefix="oai_dc", until="demain")))
    answer = requests.get(server.url, params={"verb": "Dance"}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
    assert b'code="badVerb"' in answer.content


def test_catalogue_to_catalogue_harvest_then_incremental_then_no_echo(
    source, server, db_urls, tmp_path
):
    catalogue, editor, uids = source
    state = tmp_path / "harvest-state.json"
    with Catalogue.open(
        tmp_path / "regional", db_url=db_urls[1], repository_id="imaginecole-regional"
    ) as regional:
        progress: list[tuple[int, int | None]] = []
        started = time.monotonic()
        report = harvest(
            regional,
            server.url,
            metadata_prefix="lom",
            state_file=state,
            progress=lambda done, total, _label: progress.append((done, total)),
        )
        full_seconds = time.monotonic() - started
        print(f"\nfull harvest of {RECORDS} records (lom, 3 pages): {full_seconds:.2f} s")
        # the three records deleted at the source were never here: nothing to delete
        assert (report.received, report.stored, report.deleted) == (RECORDS, RECORDS - 3, 0)
        assert (report.skipped, report.rejected, report.since) == (0, [], None)
        assert progress[-1] == (RECORDS, RECORDS)
        assert regional.count() == RECORDS - 3
        found = regional.search("fractions", filters={"country": ["ML"], "level": ["cm1"]})
        assert found.total == len(
            [i for i in range(RECORDS) if i % 4 == 1 and i not in (3, 50, 170)]
        )
        item = found.items[0]
        assert item.origin == server.url and item.origin_identifier.startswith(
            "oai:imaginecole-sn:"
        )
        assert (item.subject, item.licence) == ("mathematiques", "CC-BY-SA-4.0")
        source_uid = next(u for u in uids.values() if item.origin_identifier.endswith(u))
        assert item.links == {"page": server.url.replace("/oai", f"/r/{source_uid}")}

        # changes at the source: one new record, one withdrawn, one new version approved
        new = add(catalogue, editor, 999)
        catalogue.withdraw(editor, uids[10], "retirée")
        again = harvest(regional, server.url, metadata_prefix="lom", state_file=state)
        assert again.since == report.response_date
        assert (again.received, again.stored, again.deleted) == (2, 1, 1)
        assert regional.count() == RECORDS - 3 - 1 + 1
        titles = {r.title for r in regional.search("Ressource 999").items}
        assert titles == {"Ressource 999 : fractions & décimaux"}
        assert regional.search("Ressource 010").total == 0

        # a harvest with nothing new changes nothing
        quiet = harvest(regional, server.url, metadata_prefix="lom", state_file=state)
        assert quiet.stored + quiet.deleted <= 2 and regional.count() == RECORDS - 3

        # the source harvests the regional catalogue back: all of it is its own
        back_server = OAIServer(regional).start()
        try:
            back = harvest(
                catalogue,
                back_server.url,
                metadata_prefix="oai_dc",
                state_file=tmp_path / "back.json",
            )
        finally:
            back_server.stop()
        # every record came from the source; the one deleted record carries no provenance
        assert (back.received, back.skipped, back.stored) == (RECORDS - 3 + 1, RECORDS - 3, 0)
        assert catalogue.count() == RECORDS - 4 + 1
        assert catalogue.get(new).title == "Ressource 999 : fractions & décimaux"


def test_unreachable_or_wrong_endpoints_say_what_to_do(source, server, tmp_path):
    catalogue = source[0]
    closed = f"http://127.0.0.1:{free_loopback_port()}/oai"
    with pytest.raises(ImaginecoleError) as caught:
        harvest(catalogue, closed, state_file=tmp_path / "s.json", timeout=10)
    message = str(caught.value)
    assert closed in message and "[en]" in message
    wrong = server.url.replace("/oai", "/nothing-here")
    with pytest.raises(ImaginecoleError, match="404"):
        harvest(catalogue, wrong, state_file=tmp_path / "s.json", timeout=10)
    with pytest.raises(ImaginecoleError, match="badArgument|BadArgument"):
        harvest(catalogue, server.url, set_spec="pays SN", state_file=tmp_path / "s.json")
    assert not (tmp_path / "s.json").exists()  # nothing complete, nothing remembered


def test_the_command_harvests_and_reports(source, server, tmp_path, capsys):
    from imaginecole.cli import main

    data = tmp_path / "national"
    code = main(["catalogue", "harvest", server.url, "--data", str(data), "--set", "country:CI"])
    out = capsys.readouterr()
    assert code == 0, out.err
    # a progress line, then the summary
    assert server.url in out.out and out.err.startswith("\r") and out.err.endswith("\n")
    assert (data / "harvest-state.json").is_file()
    public = source[0].search("", filters={"country": ["CI"]}).total
    with Catalogue.open(data) as national:
        assert national.count() == public
        assert national.search("", filters={"country": ["SN"]}).total == 0
