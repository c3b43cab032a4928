"""The catalogue's storage on SQLite and on a real PostgreSQL server.

Every test runs twice through `catalogue_url` (tests/conftest.py): once on a
fresh SQLite file, once on a fresh database of the session's PostgreSQL server.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from imaginecole.catalogue.model import (
    ANONYMOUS,
    CHANGES_REQUESTED,
    IN_REVIEW,
    PUBLISHED,
    SUBMITTED,
    WITHDRAWN,
    principal_for_role,
)
from imaginecole.catalogue.service import Catalogue, Conflict, NotFound, PermissionDenied
from imaginecole.i18n import ImaginecoleError

REPO_ROOT = Path(__file__).resolve().parents[3]
AWA = principal_for_role("awa", "teacher")
BINTA = principal_for_role("binta", "teacher")
MOUSSA = principal_for_role("moussa", "reviewer")
FATOU = principal_for_role("fatou", "editor")


@pytest.fixture
def catalogue(catalogue_url, tmp_path):
    opened = Catalogue.open(tmp_path / "data", db_url=catalogue_url)
    yield opened
    opened.close()


def package(catalogue, tmp_path, title, *, who=FATOU, state=PUBLISHED, uid=None, **metadata):
    """A small outside package published through publish_package."""
    path = tmp_path / f"{abs(hash((title, uid)))}.h5p"
    path.write_bytes(f"PK {title}".encode())
    meta = {"title": title, "language": "fr", "licence": "CC-BY-SA-4.0", **metadata}
    return catalogue.publish_package(
        who, meta, {"h5p": path}, type="h5p", kind="H5P.MultiChoice", state=state, uid=uid
    )


# -- schema ---------------------------------------------------------------------------------


def test_migrations_make_the_schema_and_match_the_models(catalogue_url, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from imaginecole.catalogue.db import Base, include_name
    from imaginecole.events.db import metadata as events_metadata

    first = Catalogue.open(tmp_path / "data", db_url=catalogue_url)
    first.close()
    again = Catalogue.open(tmp_path / "data", db_url=catalogue_url)  # idempotent
    try:
        assert again.db.revision() == "0005"
        engine = again.db.engine
        tables = set(inspect(engine).get_table_names())
        assert {
            "resources",
            "versions",
            "files",
            "reviews",
            "accounts",
            "tokens",
            "news",
            "search_changes",
        } <= tables
        if again.dialect == "sqlite":
            assert "resource_fts" in tables
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert "search_words" in tables
            columns = {c["name"] for c in inspect(engine).get_columns("resources")}
            assert "search_vector" not in columns  # moved to search_words (0003)
            indexes = {i["name"] for i in inspect(engine).get_indexes("search_words")}
            assert "ix_search_words_vector" in indexes
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_name": include_name, "compare_type": True}
            )
            # the catalogue's models and the events' tables (imaginecole/events/db.py)
            assert compare_metadata(context, [Base.metadata, events_metadata]) == []
    finally:
        again.close()


def test_the_search_words_survive_migrating_down_and_up(catalogue_url, tmp_path):
    """0003 moves PostgreSQL's search vectors to their own table and back, words and all:
    a catalogue upgraded from 0002 still finds what it found before."""
    from alembic import command

    from imaginecole.catalogue.db import alembic_config

    opened = Catalogue.open(tmp_path / "data", db_url=catalogue_url)
    try:
        package(opened, tmp_path, "Les fractions au marché", subject="mathematiques")
        package(opened, tmp_path, "Le cycle de l'eau", subject="svt")
        config = alembic_config()
        with opened.db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0002")
        assert opened.db.revision() == "0002"
        if opened.dialect == "postgresql":
            with opened.db.engine.connect() as conn:
                kept = conn.exec_driver_sql(
                    "SELECT count(*) FROM resources WHERE search_vector @@ "
                    "to_tsquery('french', 'fraction')"
                ).scalar()
            assert kept == 1
        opened.db.migrate()
        assert opened.db.revision() == "0005"
        found = opened.search("fraction")
        assert [item.title for item in found.items] == ["Les fractions au marché"]
        assert opened.search("eau").total == 1
    finally:
        opened.close()


# -- publishing -----------------------------------------------------------------------------


def test_publish_stores_the_bundle_and_every_export(catalogue, publishable_bundle):
    info = catalogue.publish(AWA, publishable_bundle(title="Les formes"), note="première")
    assert (info.state, info.owner, info.versions, info.type) == (SUBMITTED, "awa", 1, "grain")
    assert info.kind == "single_choice" and info.latest.note == "première"
    formats = {f.format for f in info.latest.files}
    assert {"bundle", "html", "scorm12", "scorm2004", "h5p", "lom", "qti21"} <= formats
    assert "pdf" not in formats  # slow: only when asked for

    _html, stream = catalogue.file(info.uid, "html", principal=AWA)
    with stream:
        page = stream.read().decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "Les formes" in page

    scorm, stream = catalogue.file(info.uid, "scorm12", principal=AWA)
    with stream, zipfile.ZipFile(io.BytesIO(stream.read())) as archive:
        assert "imsmanifest.xml" in archive.namelist()
    assert scorm.media_type == "application/zip" and scorm.size > 0

    bundle, stream = catalogue.file(info.uid, "bundle", principal=AWA)
    with stream, zipfile.ZipFile(io.BytesIO(stream.read())) as archive:
        assert archive.namelist() == ["manifest.json", "media/triangle.png"]
        assert info.uid in archive.read("manifest.json").decode()
    assert bundle.filename == "les-formes.bundle.zip"


def test_a_comic_is_published_with_its_reader_epub_and_pages(catalogue, tmp_path):
    folder = tmp_path / "ecole"
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "comics" / "ecole", folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["metadata"].update({"level": "cm1", "subject": "francais"})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")

    info = catalogue.publish(AWA, folder)
    assert (info.type, info.state) == ("comic", SUBMITTED)
    formats = {f.format for f in info.latest.files}
    assert {"bundle", "html", "epub", "cbz", "png", "kolibri"} <= formats
    assert not formats & {"scorm12", "h5p", "qti21"}  # quiz formats do not take a comic
    # the resource page previews the stored html export: the comic reader
    _html, stream = catalogue.file(info.uid, "html", principal=AWA)
    with stream:
        page = stream.read().decode("utf-8")
    assert manifest["pages"][0]["panels"][0]["alt"] in page
    _epub, stream = catalogue.file(info.uid, "epub", principal=AWA)
    with stream, zipfile.ZipFile(io.BytesIO(stream.read())) as archive:
        assert archive.read("mimetype") == b"application/epub+zip"
    catalogue.approve(MOUSSA, info.uid)
    assert [r.uid for r in catalogue.search("journée école").items] == [info.uid]
    assert catalogue.search(filters={"type": ["comic"]}).total == 1


def test_republishing_makes_a_new_version_and_keeps_the_old(catalogue, publishable_bundle):
    folder = publishable_bundle(title="Les formes")
    first = catalogue.publish(AWA, folder, formats=["html"])
    catalogue.approve(MOUSSA, first.uid)
    second = catalogue.publish(
        AWA, publishable_bundle(uid=first.uid, title="Les formes (corrigé)"), formats=["html"]
    )
    assert second.uid == first.uid and second.versions == 2 and second.state == SUBMITTED
    # the public still sees version 1 until version 2 is approved
    public = catalogue.get(first.uid)
    assert public.title == "Les formes" and public.latest.number == 1
    assert catalogue.version(first.uid, 1).state == PUBLISHED
    with pytest.raises(NotFound):
        catalogue.version(first.uid, 2)
    catalogue.approve(MOUSSA, first.uid)
    public = catalogue.get(first.uid)
    assert public.title == "Les formes (corrigé)" and public.published.number == 2
    assert [v.number for v in catalogue.history(first.uid)] == [1, 2]
    assert catalogue.version(first.uid, 1).manifest["metadata"]["title"] == "Les formes"
    # the same bundle gives the same stored zip: the bundle zip is deterministic
    third = catalogue.publish(AWA, folder, formats=[])
    assert third.latest.file("bundle").sha256 == first.latest.file("bundle").sha256


def test_failing_exporter_leaves_nothing_half_made(
    catalogue, publishable_bundle, tmp_path, monkeypatch
):
    # a real exporter plugin, registered by entry point like any third-party format
    plugin = tmp_path / "plugin"
    dist = plugin / "zz_failing-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: zz-failing\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[imaginecole.exporters]\nzz-failing = zz_failing_exporter:FailingExporter\n"
    )
    (plugin / "zz_failing_exporter.py").write_text(
        "from imaginecole.exports.base import Exporter\n"
        "class FailingExporter(Exporter):\n"
        "    name = 'zz-failing'\n"
        "    extension = '.txt'\n"
        "    def export(self, bundle, out):\n"
        "        raise OSError('disk full')\n"
    )
    good = catalogue.publish(AWA, publishable_bundle(title="Version un"), formats=["html"])
    monkeypatch.syspath_prepend(str(plugin))
    with pytest.raises(OSError, match="disk full"):
        catalogue.publish(AWA, publishable_bundle(title="Jamais publié"))
    with pytest.raises(OSError, match="disk full"):
        catalogue.publish(AWA, publishable_bundle(uid=good.uid, title="Version deux"))
    assert [r.title for r in catalogue.submissions(AWA)] == ["Version un"]
    assert catalogue.get(good.uid, AWA).versions == 1


def test_concurrent_publications_lose_nothing(catalogue, tmp_path):
    shared = package(catalogue, tmp_path, "Commun", who=AWA, state=SUBMITTED)
    errors = []

    def publish_many(who, prefix):
        try:
            for i in range(10):
                package(catalogue, tmp_path, f"{prefix} {i}", who=who, state=SUBMITTED)
                package(catalogue, tmp_path, "Commun", who=FATOU, uid=shared.uid, state=SUBMITTED)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=publish_many, args=(AWA, "Awa")),
        threading.Thread(target=publish_many, args=(BINTA, "Binta")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(catalogue.submissions(AWA)) == 11 and len(catalogue.submissions(BINTA)) == 10
    history = catalogue.history(shared.uid, FATOU)
    assert [v.number for v in history] == list(range(1, 22))


# -- review and permissions -----------------------------------------------------------------


def test_review_flow_and_who_may_do_what(catalogue, publishable_bundle):
    with pytest.raises(PermissionDenied):
        catalogue.publish(ANONYMOUS, publishable_bundle())
    info = catalogue.publish(AWA, publishable_bundle(title="La fraction"), formats=[])
    uid = info.uid

    # unpublished: invisible to the public, visible to its owner and to reviewers
    for read in (lambda: catalogue.get(uid), lambda: catalogue.file(uid, "bundle")):
        with pytest.raises(NotFound):
            read()
    assert catalogue.search("fraction").total == 0
    assert catalogue.get(uid, AWA).state == SUBMITTED
    assert [r.uid for r in catalogue.review_queue(MOUSSA)] == [uid]
    with pytest.raises(PermissionDenied):
        catalogue.review_queue(AWA)
    with pytest.raises(NotFound):
        catalogue.get(uid, BINTA)
    with pytest.raises(PermissionDenied):  # another teacher cannot add a version
        catalogue.publish(BINTA, publishable_bundle(uid=uid), formats=[])

    # teachers do not review; reviewers do not approve their own work
    with pytest.raises(PermissionDenied):
        catalogue.approve(AWA, uid)
    own = catalogue.publish(MOUSSA, publishable_bundle(title="À moi"), formats=[])
    with pytest.raises(PermissionDenied, match="own"):
        catalogue.approve(MOUSSA, own.uid)

    # changes need a comment; wrong transitions conflict
    with pytest.raises(ImaginecoleError, match="comment"):
        catalogue.request_changes(MOUSSA, uid, "  ")
    assert catalogue.start_review(MOUSSA, uid).state == IN_REVIEW
    with pytest.raises(Conflict):
        catalogue.start_review(MOUSSA, uid)
    changed = catalogue.request_changes(MOUSSA, uid, "Ajoutez une image.")
    assert changed.state == CHANGES_REQUESTED
    assert catalogue.get(uid, AWA).latest.reviews[-1].comment == "Ajoutez une image."
    with pytest.raises(Conflict):
        catalogue.approve(MOUSSA, uid)
    with pytest.raises(Conflict):
        catalogue.request_changes(MOUSSA, uid, "encore")

    # a new version goes back to review, then is published
    catalogue.publish(AWA, publishable_bundle(uid=uid, title="La fraction"), formats=[])
    published = catalogue.approve(MOUSSA, uid, "Très bien.")
    assert published.state == PUBLISHED and published.published.number == 2
    assert [r.action for r in catalogue.get(uid, AWA).latest.reviews] == ["submit", "approve"]
    public = catalogue.get(uid)
    assert public.state == PUBLISHED and public.latest.reviews == []  # comments stay private
    with pytest.raises(Conflict):
        catalogue.approve(FATOU, uid)
    assert [r.uid for r in catalogue.submissions(AWA)] == [uid]
    assert catalogue.submissions(BINTA) == []
    with pytest.raises(PermissionDenied):
        catalogue.submissions(ANONYMOUS)

    # an editor may add a version to someone else's resource
    assert catalogue.publish(FATOU, publishable_bundle(uid=uid), formats=[]).versions == 3


def test_withdraw_after_publication_is_an_oai_deletion(catalogue, publishable_bundle):
    info = catalogue.publish(AWA, publishable_bundle(title="Retiré"), formats=[])
    draft = catalogue.publish(AWA, publishable_bundle(title="Brouillon"), formats=[])
    catalogue.approve(MOUSSA, info.uid)
    with pytest.raises(PermissionDenied):
        catalogue.withdraw(BINTA, info.uid)
    withdrawn = catalogue.withdraw(AWA, info.uid, "Erreur dans la correction")
    assert withdrawn.deleted and withdrawn.state == WITHDRAWN and withdrawn.published is None
    with pytest.raises(Conflict):
        catalogue.withdraw(AWA, info.uid)
    with pytest.raises(NotFound):
        catalogue.get(info.uid)
    assert catalogue.search("retire").total == 0 and catalogue.count() == 0
    # a withdrawn draft was never public: no OAI record at all
    assert not catalogue.withdraw(AWA, draft.uid).deleted
    rows = catalogue.oai_records(since=None, until=None, set_spec=None, after=None, limit=10)
    assert [(info.uid, True)] == [(r.uid, r.deleted) for _cursor, r in rows]
    # a new approved version brings it back
    catalogue.publish(AWA, publishable_bundle(uid=info.uid, title="Retiré"), formats=[])
    assert not catalogue.approve(MOUSSA, info.uid).deleted
    assert catalogue.get(info.uid).state == PUBLISHED


# -- search ---------------------------------------------------------------------------------


@pytest.fixture
def shelf(catalogue, tmp_path):
    """Three published resources and one still in review."""
    made = {
        "fraction": package(
            catalogue,
            tmp_path,
            "La fraction",
            country="SN",
            level="cm1",
            subject="mathematiques",
            description="Partager une tarte en parts égales.",
        ),
        "eleve": package(
            catalogue,
            tmp_path,
            "Lecture : l'élève et le livre",
            country="CI",
            level="ce1",
            subject="francais",
            event="Hackathon Abidjan 2026",
        ),
        "triangle": package(
            catalogue,
            tmp_path,
            "Géométrie : les triangles",
            country="SN",
            level="cm2",
            subject="mathematiques",
            keywords=["angles", "côtés"],
        ),
        "draft": package(
            catalogue, tmp_path, "Fractions secrètes", who=AWA, state=SUBMITTED, country="SN"
        ),
    }
    return {k: v.uid for k, v in made.items()}


def test_search_understands_french(catalogue, shelf):
    def found(q, **kw):
        return [r.uid for r in catalogue.search(q, **kw).items]

    assert found("fractions") == [shelf["fraction"]]  # plural finds singular, not drafts
    assert found("eleve") == [shelf["eleve"]]
    assert found("ÉLÈVES") == [shelf["eleve"]]
    assert found("géométrie triangle") == [shelf["triangle"]]
    assert found("fract") == [shelf["fraction"]]  # the last word is a prefix
    assert found("angle") == [shelf["triangle"]]  # keywords are searched too
    assert found("tarte") == [shelf["fraction"]]  # and descriptions
    assert found("senegal", sort="title") == [shelf["triangle"], shelf["fraction"]]
    assert found("chimie") == []


def test_facets_count_the_matching_set(catalogue, shelf):
    everything = catalogue.search()
    assert everything.total == 3 and catalogue.count() == 3
    assert everything.facets["country"] == [("SN", 2), ("CI", 1)]
    assert everything.facets["subject"] == [("mathematiques", 2), ("francais", 1)]
    assert everything.facets["type"] == [("h5p", 3)]
    assert everything.facets["event"] == [("Hackathon Abidjan 2026", 1)]

    senegal = catalogue.search(filters={"country": ["SN"]})
    assert senegal.total == 2
    # a facet's own filter does not hide its other values
    assert senegal.facets["country"] == [("SN", 2), ("CI", 1)]
    assert senegal.facets["level"] == [("cm1", 1), ("cm2", 1)]
    assert senegal.facets["event"] == []

    both = catalogue.search(filters={"country": ["SN", "CI"], "subject": ["francais"]})
    assert [r.uid for r in both.items] == [shelf["eleve"]]
    assert catalogue.search("fraction").facets["level"] == [("cm1", 1)]

    # words matching most of the catalogue are counted by difference: same answers
    senegal = catalogue.search("senegal")
    assert senegal.total == 2 and senegal.facets["subject"] == [("mathematiques", 2)]
    assert senegal.facets["country"] == [("SN", 2)] and senegal.facets["event"] == []
    narrowed = catalogue.search("senegal", filters={"level": ["cm1"]})
    assert narrowed.total == 1 and narrowed.facets["level"] == [("cm1", 1), ("cm2", 1)]
    assert narrowed.facets["subject"] == [("mathematiques", 1)]

    # per_page=0: the counts alone (the home page)
    counts = catalogue.search(per_page=0)
    assert (counts.total, counts.items, counts.facets) == (3, [], everything.facets)


def test_many_matches_come_newest_first(catalogue, shelf, monkeypatch):
    from imaginecole.catalogue import search_query

    ranked = [r.uid for r in catalogue.search("senegal triangles").items]
    assert ranked == [shelf["triangle"]]
    monkeypatch.setattr(search_query, "RANK_LIMIT", 1)
    catalogue.search_cache.clear()
    newest = [r.uid for r in catalogue.search("mathematiques").items]
    assert newest == [shelf["triangle"], shelf["fraction"]]
    # filtered and paged, still newest first
    second = catalogue.search("mathematiques", filters={"country": ["SN"]}, per_page=1, page=2)
    assert (second.total, [r.uid for r in second.items]) == (2, [shelf["fraction"]])
    cm1 = catalogue.search("mathematiques", filters={"level": ["cm1", "ce1"]})
    assert [r.uid for r in cm1.items] == [shelf["fraction"]]


def test_words_in_most_resources_are_counted_the_same_way(catalogue, shelf, monkeypatch):
    """PostgreSQL counts the matches through the index when its statistics expect most of the
    catalogue to match, rather than reading their ids: the answers must not change."""
    from imaginecole.catalogue import search_query

    asked = [
        ("senegal", {}, "relevance", 1, 20),
        ("senegal", {"level": ["cm1"]}, "relevance", 1, 20),
        ("mathematiques", {}, "relevance", 2, 1),
        ("mathematiques", {"country": ["SN"]}, "recent", 1, 20),
        ("lecture", {}, "title", 1, 20),
    ]

    def answers():
        catalogue.search_cache.clear()
        found = []
        for q, filters, sort, page, per_page in asked:
            result = catalogue.search(q, filters, page=page, per_page=per_page, sort=sort)
            found.append((result.total, [r.uid for r in result.items], result.facets))
        return found

    expected = answers()
    monkeypatch.setattr(search_query.Searcher, "_expected", lambda self, query: 1e9)
    assert answers() == expected
    assert [total for total, _items, _facets in expected] == [2, 1, 2, 2, 1]


def test_ranked_matches_pass_the_filters(catalogue, shelf):
    ranked = catalogue.search("mathematiques", filters={"level": ["cm2"]})
    assert (ranked.total, [r.uid for r in ranked.items]) == (1, [shelf["triangle"]])
    assert catalogue.search("tarte", filters={"country": ["CI"]}).items == []


def test_search_sorts_and_pages(catalogue, shelf):
    titles = [r.title for r in catalogue.search(sort="title").items]
    assert titles == ["Géométrie : les triangles", "La fraction", "Lecture : l'élève et le livre"]
    recent = [r.uid for r in catalogue.search(sort="recent").items]
    assert recent == [shelf["triangle"], shelf["eleve"], shelf["fraction"]]
    assert [r.uid for r in catalogue.recent(2)] == recent[:2]
    page2 = catalogue.search(sort="title", per_page=2, page=2)
    assert (page2.total, page2.page, [r.title for r in page2.items]) == (
        3,
        2,
        ["Lecture : l'élève et le livre"],
    )


# -- OAI-PMH and harvesting -----------------------------------------------------------------


def test_oai_pages_return_each_record_once(catalogue, tmp_path):
    made = [
        package(catalogue, tmp_path, f"Grain {i}", country="SN" if i % 2 else "TN").uid
        for i in range(23)
    ]
    seen, after = [], None
    while True:
        rows = catalogue.oai_records(since=None, until=None, set_spec=None, after=after, limit=5)
        if not rows:
            break
        seen += [r.uid for _cursor, r in rows]
        after = rows[-1][0]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))

    tunisia = catalogue.oai_records(
        since=None, until=None, set_spec="country:TN", after=None, limit=100
    )
    assert len(tunisia) == 12 and {r.country for _c, r in tunisia} == {"TN"}
    stamp = tunisia[0][1].datestamp
    assert catalogue.earliest_datestamp() <= stamp and stamp.microsecond == 0
    later = catalogue.oai_records(
        since=stamp + timedelta(days=1), until=None, set_spec=None, after=None, limit=100
    )
    assert later == []
    assert ("country:TN", "Tunisie") in catalogue.oai_sets()
    assert ("type:h5p", "Paquets H5P") in catalogue.oai_sets()
    with pytest.raises(ImaginecoleError):
        catalogue.oai_records(since=None, until=None, set_spec="colour", after=None, limit=5)
    # the counts the provider gives as completeListSize agree with the lists
    assert catalogue.oai_count(since=None, until=None, set_spec=None) == 23
    assert catalogue.oai_count(since=None, until=None, set_spec="country:TN") == 12
    assert catalogue.oai_count(since=stamp + timedelta(days=1), until=None, set_spec=None) == 0
    # the sitemap: every public resource made here, newest first
    assert [uid for uid, _stamp in catalogue.published_uids()] == made[::-1]


def test_oai_record_sees_published_and_deleted_records_only(catalogue, tmp_path):
    public = package(catalogue, tmp_path, "Public").uid
    draft = package(catalogue, tmp_path, "Brouillon", state=SUBMITTED).uid
    gone = package(catalogue, tmp_path, "Retiré").uid
    catalogue.withdraw(FATOU, gone)
    assert catalogue.oai_record(public).title == "Public"
    assert catalogue.oai_record(gone).deleted
    assert catalogue.oai_record(draft) is None and catalogue.oai_record("nope") is None


def test_harvested_records_are_idempotent_and_read_only(catalogue):

    origin, ident = "https://catalogue.sn/oai", "oai:sn:1234"
    stamp = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    meta = {"title": "Les volcans", "language": "fr", "country": "SN", "subject": "svt"}
    links = {"html": "https://catalogue.sn/r/1234/html"}
    first = catalogue.upsert_harvested(origin, ident, meta, stamp, False, links=links)
    again = catalogue.upsert_harvested(origin, ident, meta, stamp, False, links=links)
    assert again == first and first.origin == origin and first.origin_identifier == ident
    assert first.links == links and first.latest.manifest["links"] == links
    assert catalogue.count() == 1 and catalogue.search("volcan").total == 1

    changed = catalogue.upsert_harvested(
        origin, ident, {**meta, "title": "Les volcans actifs"}, stamp + timedelta(days=1), False
    )
    assert changed.uid == first.uid and changed.title == "Les volcans actifs"
    assert changed.versions == 1 and changed.datestamp >= first.datestamp

    with pytest.raises(Conflict):
        catalogue.approve(MOUSSA, first.uid)
    with pytest.raises(Conflict):
        catalogue.withdraw(FATOU, first.uid)

    gone = catalogue.upsert_harvested(origin, ident, meta, stamp + timedelta(days=2), True)
    assert gone.deleted and catalogue.count() == 0
    rows = catalogue.oai_records(since=None, until=None, set_spec=None, after=None, limit=10)
    assert [(r.uid, r.deleted) for _c, r in rows] == [(first.uid, True)]
    # the deletion of a record never harvested here stores nothing
    assert catalogue.upsert_harvested(origin, "oai:sn:never", {}, stamp, True) is None
    assert catalogue.oai_count(since=None, until=None, set_spec=None) == 1


def test_harvested_pages_are_stored_in_one_transaction(catalogue):
    from datetime import UTC, datetime

    from imaginecole.catalogue.model import HarvestedRecord

    origin, stamp = "https://catalogue.ci/oai", datetime(2026, 4, 1, tzinfo=UTC)
    page = [
        HarvestedRecord(origin, f"oai:ci:{i}", {"title": f"Volcans {i}", "country": "CI"}, stamp)
        for i in range(5)
    ]
    gone = HarvestedRecord(origin, "oai:ci:0", {}, stamp + timedelta(days=1), deleted=True)
    never = HarvestedRecord(origin, "oai:ci:99", {}, stamp, deleted=True)
    assert catalogue.upsert_harvested_many([*page, gone, never]) == [True] * 6 + [False]
    result = catalogue.search("volcans")
    assert result.total == 4 and result.facets["country"] == [("CI", 4)]
    assert catalogue.upsert_harvested_many(page[1:]) == [True] * 4  # unchanged: idempotent
    assert catalogue.oai_count(since=None, until=None, set_spec=None) == 5  # 1 deleted
    # one bad record: nothing of the page is stored
    bad = HarvestedRecord(origin, "oai:ci:7", {"title": "x"}, stamp, type="video")
    with pytest.raises(ImaginecoleError, match="video"):
        catalogue.upsert_harvested_many([HarvestedRecord(origin, "oai:ci:6", {}, stamp), bad])
    assert catalogue.oai_count(since=None, until=None, set_spec=None) == 5


def test_search_answers_follow_every_public_change(catalogue, tmp_path, publishable_bundle):
    # answers are cached per catalogue generation: every public change must show at once
    assert catalogue.search("volcan").total == 0
    first = package(catalogue, tmp_path, "Les volcans", country="SN")
    assert [r.uid for r in catalogue.search("volcan").items] == [first.uid]
    pending = catalogue.publish(AWA, publishable_bundle(title="Volcans d'Afrique"), formats=[])
    assert catalogue.search("volcan").total == 1  # submitted: not public yet
    catalogue.approve(MOUSSA, pending.uid)
    assert catalogue.search("volcan").total == 2
    assert catalogue.search(filters={"country": ["SN"]}).facets["country"] == [("SN", 2)]
    catalogue.withdraw(FATOU, first.uid)
    assert [r.uid for r in catalogue.search("volcan").items] == [pending.uid]
    by_country = catalogue.search(filters={"country": ["SN"]})
    assert by_country.total == 1 and by_country.facets["country"] == [("SN", 1)]
    assert by_country.facets["level"] == [("cm1", 1)] and catalogue.count() == 1
    # a new version approved replaces the indexed text
    catalogue.publish(AWA, publishable_bundle(uid=pending.uid, title="Les séismes"), formats=[])
    catalogue.approve(MOUSSA, pending.uid)
    assert catalogue.search("volcan").total == 0
    assert [r.title for r in catalogue.search("seisme").items] == ["Les séismes"]


def test_facet_counts_in_one_process_follow_changes_made_by_another(catalogue_url, tmp_path):
    # each server process keeps the facet values in memory; another process's change
    # (a publication, a withdrawal, a harvest) must show in its next search's counts
    reader = Catalogue.open(tmp_path / "a", db_url=catalogue_url)
    writer = Catalogue.open(tmp_path / "b", db_url=catalogue_url)
    try:
        for n in range(3):
            package(writer, tmp_path, f"Histoire {n}", country="ML", level="cm1")
        first = package(writer, tmp_path, "Les volcans du Cameroun", country="CM", level="6e")
        package(writer, tmp_path, "Volcans et séismes", country="SN", level="cm2")

        def volcan_countries():
            return reader.search("volcan").facets["country"]

        assert volcan_countries() == [("CM", 1), ("SN", 1)]
        package(writer, tmp_path, "Le volcan du Mali", country="ML", level="cm1")
        assert volcan_countries() == [("CM", 1), ("ML", 1), ("SN", 1)]
        writer.withdraw(FATOU, first.uid)
        assert volcan_countries() == [("ML", 1), ("SN", 1)]
        # a new version that moves a resource to another country
        package(writer, tmp_path, "Volcans", uid=first.uid, country="TD", level="cm1")
        assert volcan_countries() == [("ML", 1), ("SN", 1), ("TD", 1)]
        writer.upsert_harvested(
            "https://ci.example.org/oai",
            "oai:ci:1",
            {"title": "Volcans de Côte d'Ivoire", "language": "fr", "country": "CI"},
            datetime(2026, 1, 1, tzinfo=UTC),
            False,
        )
        assert volcan_countries() == [("CI", 1), ("ML", 1), ("SN", 1), ("TD", 1)]
        with_level = reader.search("volcan", filters={"level": ["cm1"]})
        assert with_level.total == 2 and with_level.facets["level"] == [("cm1", 2), ("cm2", 1)]
        # a process far behind the change log reads everything again
        with writer.db.write() as conn:
            conn.exec_driver_sql(
                "UPDATE catalogue_state SET generation = generation + 100000 WHERE id = 1"
            )
        writer.withdraw(FATOU, first.uid)
        assert volcan_countries() == [("CI", 1), ("ML", 1), ("SN", 1)]
    finally:
        reader.close()
        writer.close()


def test_an_editor_may_publish_a_bundle_directly(catalogue, publishable_bundle):
    with pytest.raises(PermissionDenied):
        catalogue.publish(MOUSSA, publishable_bundle(), formats=[], state=PUBLISHED)
    info = catalogue.publish(
        FATOU,
        publishable_bundle(title="Import"),
        formats=[],
        state=PUBLISHED,
        event="Hackathon Dakar 2026",
    )
    assert info.state == PUBLISHED and catalogue.get(info.uid).published.number == 1
    assert info.event == "Hackathon Dakar 2026"
    assert catalogue.search(filters={"event": ["Hackathon Dakar 2026"]}).total == 1
    assert [r.action for r in info.latest.reviews] == ["submit", "approve"]
