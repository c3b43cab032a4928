"""Modules and parcours in a real catalogue: published with their parts, records that link
both ways (API, pages, OAI-PMH LOM), parts that cannot be withdrawn while a published module
uses them, the bundle download, the database migration."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import requests
from lxml import etree

from imaginecole.catalogue.service import Catalogue, Conflict
from imaginecole.i18n import ImaginecoleError
from imaginecole.sequence import remove_item, resolve
from imaginecole.sequence.pack import pack_sequence
from tests.sequence_fixtures import make_module, make_parcours

from .test_oai import NS, oai_schema
from .webserver import Site, auth, login

# the exports every part and module gets are tested elsewhere: these tests keep to a few
FORMATS = ["html", "lom"]


def publishable(home: Path) -> None:
    """Every bundle of the home with what publication needs (the fixtures make drafts)."""
    for path in home.rglob("manifest.json"):
        manifest = json.loads(path.read_text("utf-8"))
        meta = manifest["metadata"]
        meta["description"] = meta.get("description") or f"Exercice « {meta['title']} »."
        for key, value in (("country", "SN"), ("level", "cm1"), ("subject", "mathematiques")):
            meta[key] = meta.get(key) or value
        meta["authors"] = meta.get("authors") or [{"name": "Awa Diop"}]
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")


def said(exc: ImaginecoleError, language: str) -> str:
    """The error as a person reads it in `language`."""
    from imaginecole.catalogue.auth import error_messages

    return error_messages(exc, 400)[language]


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def part_ids(folder: Path) -> list[str]:
    manifest = manifest_of(folder)
    body = manifest[manifest["type"]]
    return [e["id"] for e in body["parts" if manifest["type"] == "module" else "modules"]]


def assert_described(data: dict) -> None:
    """`data` is a Resource as openapi.yaml describes it."""
    import jsonschema
    import yaml

    from imaginecole.catalogue import api

    spec = yaml.safe_load(Path(api.__file__).with_name("openapi.yaml").read_text("utf-8"))
    schema = {"$ref": "#/components/schemas/Resource", "components": spec["components"]}
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


@pytest.fixture
def catalogue(tmp_path, catalogue_url):
    with Catalogue.open(tmp_path / "data", db_url=catalogue_url) as opened:
        yield opened


@pytest.fixture
def people(catalogue):
    return {
        name: catalogue.create_token(role, name=name)[1]
        for name, role in (("awa", "teacher"), ("kofi", "teacher"), ("mariam", "reviewer"))
    }


def test_pack_sequence_holds_every_part_and_unpacks_to_a_valid_parcours(tmp_path):
    home = tmp_path / "home"
    parcours = make_parcours(home, n_modules=2, n_grains=2)
    data = pack_sequence(parcours)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "out")
    assert "manifest.json" in names
    packed = [n for n in names if n.startswith("parts/") and n.endswith("/manifest.json")]
    assert len(packed) == 6  # 2 modules, 4 grains, each once
    assert {"parts/module-1/manifest.json", "parts/module-2/manifest.json"} <= set(packed)
    unpacked = tmp_path / "out"
    seq = resolve(unpacked, search=[unpacked / "parts"])
    assert [m.title for m in seq.items] == ["Module 1", "Module 2"]
    assert len(list(seq.parts())) == 4
    assert pack_sequence(parcours, tmp_path / "p.zip") == tmp_path / "p.zip"


def test_a_module_is_published_with_its_new_parts_and_they_link_both_ways(
    catalogue, people, tmp_path
):
    home = tmp_path / "home"
    module = make_module(home, n_grains=3, extra=())
    publishable(home)
    info = catalogue.publish(
        people["awa"], pack_sequence(module, tmp_path / "m.zip"), formats=FORMATS
    )
    assert info.type == "module" and info.state == "submitted"
    wanted = part_ids(module)
    parts = catalogue.parts(info.uid, 1, people["awa"])
    assert [p.uid for p in parts] == wanted
    assert [p.title for p in parts] == [f"Les fractions — exercice {n}" for n in (1, 2, 3)]
    assert {p.state for p in parts} == {"submitted"}  # published along, for review too
    for uid in wanted:
        part = catalogue.get(uid, people["awa"])
        assert part.owner == "awa" and part.type == "grain"
        assert [d.uid for d in catalogue.part_of(uid, people["awa"])] == [info.uid]
    # the module again: unchanged parts stay as the catalogue has them, a changed one of
    # the teacher's own gets a new version
    changed = home / "grains" / "les-fractions-exercice-2" / "manifest.json"
    manifest = json.loads(changed.read_text("utf-8"))
    manifest["metadata"]["description"] = "Une consigne plus claire."
    changed.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    again = catalogue.publish(people["awa"], module, formats=FORMATS)
    assert again.versions == 2
    versions = [catalogue.get(uid, people["awa"]).versions for uid in wanted]
    assert versions == [1, 2, 1]
    # someone else publishing a module with awa's parts: the parts stay awa's, unchanged
    for uid in wanted:
        catalogue.approve(people["mariam"], uid)
    manifest["metadata"]["description"] = "Kofi's change"
    changed.write_text(json.dumps(manifest), "utf-8")
    (home / "modules" / "les-fractions" / "manifest.json").write_text(
        json.dumps({**manifest_of(module), "id": "7f0c6a8e-2f4e-4c3b-9a51-0d2f3c4b5a69"}), "utf-8"
    )
    catalogue.publish(people["kofi"], module, formats=FORMATS)
    versions = [catalogue.get(uid, people["awa"]).versions for uid in wanted]
    assert versions == [1, 2, 1]


def test_missing_parts_are_named_with_what_to_do(catalogue, people, tmp_path):
    home = tmp_path / "home"
    module = make_module(home, n_grains=2, extra=())
    publishable(home)
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "manifest.json").write_bytes((module / "manifest.json").read_bytes())
    with pytest.raises(ImaginecoleError) as caught:
        catalogue.publish(people["awa"], alone, formats=FORMATS)
    fr, en = said(caught.value, "fr"), said(caught.value, "en")
    assert "« Les fractions — exercice 1 », « Les fractions — exercice 2 »" in fr
    assert "Publiez-les d'abord" in fr and "Publish them first" in en
    assert catalogue.submissions(people["awa"]) == []  # nothing stored

    # a part to publish along needs what publication needs, like any resource
    first_grain = sorted((home / "grains").iterdir())[0]
    saved = (first_grain / "manifest.json").read_bytes()
    manifest = manifest_of(first_grain)
    manifest["metadata"]["description"] = ""
    (first_grain / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ImaginecoleError) as caught:
        catalogue.publish(people["awa"], module, formats=FORMATS)
    assert "« Les fractions — exercice 1 » → metadata.description" in said(caught.value, "en")
    (first_grain / "manifest.json").write_bytes(saved)

    # parts already in the catalogue are found by their id: the module alone is enough
    for grain in sorted((home / "grains").iterdir()):
        catalogue.publish(people["awa"], grain, formats=FORMATS)
    info = catalogue.publish(people["awa"], alone, formats=FORMATS)
    assert [p.uid for p in catalogue.parts(info.uid, 1, people["awa"])] == part_ids(module)
    assert len(catalogue.submissions(people["awa"])) == 3

    # someone else's unpublished part is refused, by name
    with pytest.raises(ImaginecoleError) as caught:
        catalogue.publish(people["kofi"], alone, formats=FORMATS)
    assert "ne sont ni publiées ni à vous" in said(caught.value, "fr")
    assert "« Les fractions — exercice 1 »" in said(caught.value, "en")


def test_a_used_part_cannot_be_withdrawn_until_the_module_lets_it_go(catalogue, people, tmp_path):
    home = tmp_path / "home"
    module = make_module(home, n_grains=2, extra=())
    publishable(home)
    info = catalogue.publish(people["awa"], module, formats=FORMATS)
    first, second = part_ids(module)
    catalogue.approve(people["mariam"], info.uid)
    with pytest.raises(Conflict) as caught:
        catalogue.withdraw(people["awa"], first)
    assert "« Les fractions »" in said(caught.value, "fr")
    assert "Retirez-les d'abord" in said(caught.value, "fr")
    assert "Withdraw them first" in said(caught.value, "en")
    assert catalogue.get(first, people["awa"]).state == "published"  # approved with it

    # a new version without the first part, once published, frees it
    remove_item(module, first)
    catalogue.publish(people["awa"], module, formats=FORMATS)
    with pytest.raises(Conflict):  # the published version still uses it
        catalogue.withdraw(people["awa"], first)
    catalogue.approve(people["mariam"], info.uid)
    assert catalogue.withdraw(people["awa"], first).state == "withdrawn"
    with pytest.raises(Conflict):
        catalogue.withdraw(people["awa"], second)
    catalogue.withdraw(people["awa"], info.uid)
    assert catalogue.withdraw(people["awa"], second).state == "withdrawn"
    # the module again, from the teacher's folder: the withdrawn part is published again
    again = catalogue.publish(people["awa"], module, formats=FORMATS)
    assert catalogue.get(second, people["awa"]).state == "submitted"
    assert catalogue.get(second, people["awa"]).versions == 2
    assert [p.uid for p in catalogue.parts(again.uid, again.latest.number, people["awa"])] == [
        second
    ]
    # the module alone, naming a withdrawn part: the message says to publish it again
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "manifest.json").write_bytes((module / "manifest.json").read_bytes())
    catalogue.withdraw(people["awa"], again.uid)
    catalogue.withdraw(people["awa"], second)
    with pytest.raises(ImaginecoleError) as caught:
        catalogue.publish(people["awa"], alone, formats=FORMATS)
    assert "ont été retirées du catalogue" in said(caught.value, "fr")
    assert "« Les fractions — exercice 2 »" in said(caught.value, "en")


def test_approving_a_module_publishes_the_parts_sent_with_it_and_only_those(
    catalogue, people, tmp_path
):
    home = tmp_path / "home"
    module = make_module(home, n_grains=3, extra=())
    publishable(home)
    grains = sorted((home / "grains").iterdir())
    first, second, third = part_ids(module)
    # the first grain published long ago; the second too, with a newer version waiting
    for grain in grains[:2]:
        catalogue.approve(people["mariam"], catalogue.publish(people["awa"], grain).uid)
    changed = grains[1] / "manifest.json"
    manifest = json.loads(changed.read_text("utf-8"))
    manifest["metadata"]["description"] = "Une consigne plus claire."
    changed.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    assert catalogue.publish(people["awa"], grains[1], formats=FORMATS).versions == 2
    # the module sends the third grain along; asking for changes leaves its parts alone
    info = catalogue.publish(people["awa"], module, formats=FORMATS)
    catalogue.request_changes(people["mariam"], info.uid, "Ajoutez un objectif.")
    assert catalogue.get(third, people["awa"]).state == "submitted"
    info = catalogue.publish(people["awa"], module, formats=FORMATS)
    assert catalogue.approve(people["mariam"], info.uid).state == "published"
    assert catalogue.get(third).state == "published"  # public: anyone can open it
    assert catalogue.get(first, people["awa"]).versions == 1
    waiting = catalogue.get(second, people["awa"])  # its newer version waits for its own review
    assert waiting.state == "submitted" and waiting.published.number == 1
    assert [r.uid for r in catalogue.review_queue(people["mariam"])] == [second]
    history = [(v.number, v.state) for v in catalogue.history(third, people["awa"])]
    assert history == [(1, "published")]


def test_a_module_is_not_approved_while_a_part_sent_with_it_is_not_ready(
    catalogue, people, tmp_path
):
    home = tmp_path / "home"
    module = make_module(home, n_grains=2, extra=())
    publishable(home)
    first, second = part_ids(module)
    info = catalogue.publish(people["awa"], module, formats=FORMATS)
    catalogue.request_changes(people["mariam"], second, "L'image n'a pas de texte alternatif.")
    with pytest.raises(Conflict) as caught:
        catalogue.approve(people["mariam"], info.uid)
    assert "« Les fractions — exercice 2 »" in said(caught.value, "fr")
    assert "ne peut pas encore être publié" in said(caught.value, "fr")
    assert "request changes to « Les fractions »" in said(caught.value, "en")
    # nothing changed: the module and its other part still wait
    assert catalogue.get(info.uid, people["awa"]).state == "submitted"
    assert catalogue.get(first, people["awa"]).state == "submitted"
    assert catalogue.get(second, people["awa"]).state == "changes_requested"
    # the author fixes the part and publishes the module again: the part goes back with it
    fixed = sorted((home / "grains").iterdir())[1] / "manifest.json"
    manifest = json.loads(fixed.read_text("utf-8"))
    manifest["metadata"]["description"] = "Avec un texte alternatif."
    fixed.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    catalogue.publish(people["awa"], module, formats=FORMATS)
    assert catalogue.get(second, people["awa"]).state == "submitted"
    catalogue.approve(people["mariam"], info.uid)
    assert {catalogue.get(uid).state for uid in (info.uid, first, second)} == {"published"}


def test_parcours_in_oai_lom_has_parts_and_is_part_of(catalogue, people, tmp_path, spec_dir):
    from imaginecole.catalogue.oai import OAIProvider

    home = tmp_path / "home"
    parcours = make_parcours(home, n_modules=2, n_grains=2)
    publishable(home)
    info = catalogue.publish(people["awa"], parcours, formats=FORMATS)
    modules = part_ids(parcours)
    assert [p.uid for p in catalogue.parts(info.uid, 1, people["awa"])] == modules
    every = [info.uid, *modules]
    for module in modules:
        every += [p.uid for p in catalogue.parts(module, 1, people["awa"])]
    assert len(every) == 7
    catalogue.approve(people["mariam"], info.uid)  # its modules and their grains with it
    assert {catalogue.get(uid).state for uid in every} == {"published"}
    schema = oai_schema(spec_dir)
    provider = OAIProvider(catalogue, "https://catalogue.example.org/oai")

    def relations(uid: str) -> list[tuple[str, str]]:
        root = etree.fromstring(
            provider.respond(
                {
                    "verb": ["GetRecord"],
                    "identifier": [f"oai:imaginecole:{uid}"],
                    "metadataPrefix": ["lom"],
                }
            )
        )
        assert schema.validate(root), "\n".join(str(e) for e in schema.error_log)
        found = []
        for relation in root.iterfind(".//lom:relation", NS):
            kind = relation.findtext("lom:kind/lom:value", namespaces=NS).rsplit("/", 1)[1]
            found.append((kind, relation.findtext(".//lom:entry", namespaces=NS)))
        return found

    assert relations(info.uid) == [("hasPart", m) for m in modules]
    first_parts = [p.uid for p in catalogue.parts(modules[0], 1, people["awa"])]
    assert relations(modules[0]) == [("hasPart", p) for p in first_parts] + [("isPartOf", info.uid)]
    assert relations(first_parts[0]) == [("isPartOf", modules[0])]
    listed = etree.fromstring(
        provider.respond({"verb": ["ListRecords"], "metadataPrefix": ["lom"]})
    )
    assert schema.validate(listed), "\n".join(str(e) for e in schema.error_log)
    assert len(listed.findall(".//lom:relation", NS)) == 2 + 2 * (2 + 1) + 4


def test_the_migration_keeps_the_parts_down_and_up(catalogue, people, tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from imaginecole.catalogue.db import alembic_config

    home = tmp_path / "home"
    module = make_module(home, n_grains=2, extra=())
    publishable(home)
    info = catalogue.publish(people["awa"], module, formats=[])
    before = catalogue.parts(info.uid, 1, people["awa"])

    def run(step, target):
        config = alembic_config()
        with catalogue.db.write_engine.begin() as conn:
            config.attributes["connection"] = conn
            step(config, target)

    run(command.downgrade, "0003")
    assert "resource_parts" not in inspect(catalogue.db.engine).get_table_names()
    assert catalogue.get(info.uid, people["awa"]).title == "Les fractions"
    run(command.upgrade, "head")
    assert catalogue.parts(info.uid, 1, people["awa"]) == before
    assert [d.uid for d in catalogue.part_of(before[0].uid, people["awa"])] == [info.uid]


def test_module_through_the_web_api_and_pages(catalogue_url, tmp_path):
    """A teacher publishes a module over HTTP; the records, pages and bundle link up."""
    site = Site(tmp_path / "site", db_url=catalogue_url)
    try:
        home = tmp_path / "home"
        module = make_module(home, n_grains=2, extra=(), completion={"rule": "count", "count": 2})
        publishable(home)
        archive = pack_sequence(module, tmp_path / "module.zip")
        created = requests.post(
            site.url + "api/resources",
            data=archive.read_bytes(),
            headers={**auth(site.tokens["awa"]), "Content-Type": "application/zip"},
        )
        assert created.status_code == 201, created.text
        data = created.json()
        uid, wanted = data["uid"], part_ids(module)
        assert [p["uid"] for p in data["parts"]] == wanted
        assert data["sequence"]["objectives"] == ["Lire une fraction", "Comparer deux fractions"]
        assert data["sequence"]["duration_minutes"] == 45
        assert data["sequence"]["completion"] == {"rule": "count", "count": 2}
        assert data["part_of"] == []
        assert_described(data)
        mariam = auth(site.tokens["mariam"])

        def review(one: str, action: str = "approve") -> requests.Response:
            return requests.post(
                site.url + f"api/resources/{one}/review", json={"action": action}, headers=mariam
            )

        assert review(wanted[0]).json()["state"] == "published"  # a part, alone
        mine = requests.get(site.url + f"api/resources/{uid}", headers=auth(site.tokens["awa"]))
        assert [p["state"] for p in mine.json()["parts"]] == ["published", "submitted"]
        # the review queue says what approving the module does
        queue = login(site.url, site.tokens["mariam"]).get(site.url + "relecture?lang=fr").text
        assert queue.count("publie aussi celles de ses parties") == 1  # the module, not the part
        assert review(uid).json()["state"] == "published"  # the part sent along with it too

        public = requests.get(site.url + f"api/resources/{uid}").json()
        first, second = public["parts"]
        assert first["state"] == "published" and first["page"].endswith(f"r/{wanted[0]}")
        assert second["state"] == "published" and second["page"].endswith(f"r/{wanted[1]}")
        assert review(wanted[1]).status_code == 409  # already published, with the module
        part = requests.get(site.url + f"api/resources/{wanted[0]}").json()
        assert_described(public)
        assert_described(part)
        assert [(d["uid"], d["title"]) for d in part["part_of"]] == [(uid, "Les fractions")]

        page = requests.get(site.url + f"r/{uid}", params={"lang": "fr"}).text
        listed = re.search(r'<ol class="parts">(.*?)</ol>', page, re.S).group(1)
        assert listed.index("exercice 1") < listed.index("exercice 2")
        assert f'href="/r/{wanted[0]}"' in listed and f'href="/r/{wanted[1]}"' in listed
        assert "Lire une fraction" in page and "45 minutes" in page
        assert "Terminé quand au moins 2 parties sont faites" in page
        part_page = requests.get(site.url + f"r/{wanted[0]}", params={"lang": "fr"}).text
        assert "Fait partie de :" in part_page and f'href="/r/{uid}"' in part_page
        english = requests.get(site.url + f"r/{wanted[0]}", params={"lang": "en"}).text
        assert "Part of:" in english
        arabic = requests.get(site.url + f"r/{uid}", params={"lang": "ar"}).text
        assert "أجزاء هذه الوحدة" in arabic

        # the search's type facet counts modules
        found = requests.get(site.url + "api/search", params={"type": "module"}).json()
        assert [r["uid"] for r in found["items"]] == [uid]

        # the bundle the composer downloads: the module with its parts inside
        bundle = requests.get(site.url + f"api/resources/{uid}/files/bundle")
        assert bundle.status_code == 200
        assert bundle.headers["Content-Type"] == "application/zip"
        unpacked = tmp_path / "downloaded"
        with zipfile.ZipFile(io.BytesIO(bundle.content)) as zipped:
            zipped.extractall(unpacked)
        seq = resolve(unpacked, search=[unpacked / "parts"])
        assert [i.id for i in seq.items] == wanted

        # withdrawing a part in use: the page says why instead of offering the button
        owner_page = (
            login(site.url, site.tokens["awa"])
            .get(site.url + f"r/{wanted[0]}", params={"lang": "fr"})
            .text
        )
        assert "Cette ressource fait partie de « Les fractions »" in owner_page
        assert 'name="action" value="withdraw"' not in owner_page
        # and the API refuses: 409, with the module named and what to do
        refused = requests.post(
            site.url + f"api/resources/{wanted[0]}/review",
            json={"action": "withdraw"},
            headers=auth(site.tokens["awa"]),
        )
        assert refused.status_code == 409
        body = refused.json()
        assert "« Les fractions »" in body["messages"]["fr"]
        assert "Withdraw them first" in body["messages"]["en"]
        # missing parts over HTTP: 400 with both languages
        lonely = tmp_path / "lonely.zip"
        with zipfile.ZipFile(lonely, "w") as out:
            other = make_module(home, n_grains=1, extra=(), title="Seul")
            publishable(home)
            out.write(other / "manifest.json", "manifest.json")
        missing = requests.post(
            site.url + "api/resources",
            data=lonely.read_bytes(),
            headers={**auth(site.tokens["awa"]), "Content-Type": "application/zip"},
        )
        assert missing.status_code == 400
        assert "Publiez-les d'abord" in missing.json()["messages"]["fr"]
        assert "« Seul — exercice 1 »" in missing.json()["messages"]["en"]
    finally:
        site.close()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_message_of_modules_in_the_catalogue_is_translated(language):
    from babel.messages.pofile import read_po

    from tests.unit.french import REPO, msgids

    po = REPO / "imaginecole" / "locale" / language / "LC_MESSAGES" / "imaginecole.po"
    with po.open("rb") as fh:
        translated = {m.id for m in read_po(fh) if m.id and m.string}
    module = REPO / "imaginecole" / "catalogue" / "sequences.py"
    wanted = msgids(module, ("ImaginecoleError", "Conflict", "Message", "N_"))
    assert len(wanted) >= 4
    assert sorted(wanted - translated) == []


def test_a_teacher_publishes_a_parcours_folder_from_the_cli_and_the_widget_client(tmp_path):
    """`imaginecole catalogue publish PARCOURS_FOLDER` and the publish widget's client pack
    the parts with it: the catalogue gets the parcours, its modules and their grains."""
    from imaginecole.widgets.publish_client import CatalogueClient

    from .webserver import catalogue_cli

    site = Site(tmp_path / "site")
    try:
        home = tmp_path / "home"
        parcours = make_parcours(home, n_modules=2, n_grains=1)
        publishable(home)
        said_out = catalogue_cli(
            "publish", str(parcours), "--url", site.url, "--token", site.tokens["awa"]
        )
        assert "Mathématiques CM1" in said_out
        mine = requests.get(site.url + "api/me/submissions", headers=auth(site.tokens["awa"]))
        types = sorted(r["type"] for r in mine.json() if r["owner"] == "awa")
        assert types.count("parcours") == 1 and types.count("module") == 2
        assert types.count("grain") == 2 + 2  # the site's own two, and the modules' grains

        module = make_module(home, n_grains=1, extra=(), title="Les décimaux")
        publishable(home)
        created = CatalogueClient(site.url, site.tokens["kofi"]).publish(module)
        assert created["type"] == "module" and len(created["parts"]) == 1
    finally:
        site.close()
