"""`scorm2004` and `scorm12` for modules and parcours: multi-SCO packages with sequencing, and
the single-SCO fallback; every manifest valid against the official XSDs."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from imaginecole.exports.base import Bundle
from imaginecole.exports.scorm import (
    APP_OPENED,
    SCORM12,
    SCORM2004,
    Scorm12Exporter,
    Scorm2004Exporter,
)
from lxml import etree

from imaginecole.sequence import resolve
from tests.sequence_fixtures import make_module, make_parcours
from tests.xmlcheck import assert_valid

NS = {"cp": SCORM2004["imscp"], "ss": SCORM2004["imsss"], "adlcp": SCORM2004["adlcp"]}
NS12 = {"cp": SCORM12["imscp"], "adlcp": SCORM12["adlcp"]}
HOSTILE = "Maths & <sciences> \"guillemets\" </script><script>alert('x')</script>"
# what a page would fetch (a link the learner may follow, <a href>, is not fetched)
NETWORK = re.compile(
    r"""(?:\b(?:src|srcset|poster|data|action)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+["']?(?:https?:)?//)""",
    re.I,
)
COMMENT = re.compile(r"/\*.*?\*/", re.S)  # a commented-out @import fetches nothing


def fetches(page: str) -> re.Match | None:
    """The first address `page` would fetch from the network, if any."""
    return NETWORK.search(COMMENT.sub("", page))


@pytest.fixture(scope="module")
def schema04(spec_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(spec_dir / "scorm/2004/_driver.xsd")))


@pytest.fixture(scope="module")
def schema12(spec_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(spec_dir / "scorm/1.2/_driver.xsd")))


def export(exporter, folder: Path, out: Path) -> tuple[zipfile.ZipFile, etree._Element]:
    written = exporter().export(Bundle.load(folder), out)
    archive = zipfile.ZipFile(written)
    return archive, etree.fromstring(archive.read("imsmanifest.xml"))


@pytest.fixture(scope="module")
def module_package(tmp_path_factory):
    """A module of three grains, the example comic and the example app."""
    home = tmp_path_factory.mktemp("home")
    folder = make_module(home, 3, extra=("comic", "app"))
    archive, doc = export(Scorm2004Exporter, folder, home / "module.zip")
    return folder, archive, doc


def titles(items) -> list[str]:
    return [i.findtext("cp:title", namespaces=NS) for i in items]


def test_module_is_a_valid_multi_sco_package(module_package, schema04):
    folder, archive, doc = module_package
    assert_valid(schema04, doc)
    seq = resolve(folder)
    organization = doc.find("cp:organizations/cp:organization", NS)
    leaves = organization.findall("cp:item", NS)
    # the organization's order is the module's order, one SCO per part
    assert titles(leaves) == [p.title for p in seq.parts()]
    resources = {r.get("identifier"): r for r in doc.findall("cp:resources/cp:resource", NS)}
    names = set(archive.namelist())
    listed = set()
    for leaf in leaves:
        resource = resources[leaf.get("identifierref")]
        assert resource.get(f"{{{NS['adlcp']}}}scormType") == "sco"
        href = resource.get("href")
        assert re.fullmatch(r"\d\d-[a-z0-9-]+/index\.html", href)
        files = [f.get("href") for f in resource.findall("cp:file", NS)]
        assert href in files and set(files) <= names
        listed |= set(files)
    assert names == listed | {"imsmanifest.xml"}
    # the grains' media and the comic's pages are there, under each part's folder
    pages = [n for n in names if n.endswith("/index.html")]
    assert len(pages) == len(leaves)


def test_every_part_page_reports_to_the_lms_and_fetches_nothing(module_package):
    _folder, archive, _doc = module_package
    for name in archive.namelist():
        if not name.endswith(".html"):
            continue
        page = archive.read(name).decode("utf-8")
        assert "ImaginecoleScorm.start(" in page, name
        assert '"version": "2004"' in page
        assert not fetches(page), f"{name} asks for the network"
    # an app has nothing to answer: its page says it is completed when opened
    seq = resolve(_folder)
    (app,) = [n for n, p in enumerate(seq.parts(), 1) if p.type == "notebook-app"]
    page = next(n for n in archive.namelist() if n.startswith(f"{app:02d}-") and "index" in n)
    assert APP_OPENED in archive.read(page).decode()


def test_module_completion_all_is_a_rollup_rule(module_package):
    _folder, _archive, doc = module_package
    sequencing = doc.find("cp:organizations/cp:organization/ss:sequencing", NS)
    control = sequencing.find("ss:controlMode", NS)
    assert (control.get("choice"), control.get("flow")) == ("true", "true")
    rules = sequencing.findall("ss:rollupRules/ss:rollupRule", NS)
    completed = [r for r in rules if r.find("ss:rollupAction", NS).get("action") == "completed"]
    (rule,) = completed
    assert rule.get("childActivitySet") == "all"
    assert rule.find(".//ss:rollupCondition", NS).get("condition") == "completed"


@pytest.mark.parametrize(
    "completion", [{"rule": "count", "count": 2}, {"rule": "score", "score": 0.7}]
)
def test_count_and_score_rules(completion, tmp_path, schema04):
    kinds = ("multiple_choice", "flashcards", "true_false")
    folder = make_module(tmp_path, 3, kinds=kinds, extra=(), completion=completion)
    _archive, doc = export(Scorm2004Exporter, folder, tmp_path / "m.zip")
    assert_valid(schema04, doc)
    organization = doc.find("cp:organizations/cp:organization", NS)
    sequencing = organization.find("ss:sequencing", NS)
    rules = sequencing.findall("ss:rollupRules/ss:rollupRule", NS)
    by_action = {r.find("ss:rollupAction", NS).get("action"): r for r in rules}
    primary = sequencing.find("ss:objectives/ss:primaryObjective", NS)
    if completion["rule"] == "count":
        rule = by_action["completed"]
        assert (rule.get("childActivitySet"), rule.get("minimumCount")) == ("atLeastCount", "2")
        assert by_action["satisfied"].get("minimumCount") == "2"
    else:
        assert by_action["completed"].get("childActivitySet") == "all"
        assert primary.get("satisfiedByMeasure") == "true"
        assert primary.findtext("ss:minNormalizedMeasure", namespaces=NS) == "0.7000"
        # the flashcards have no score: they weigh nothing in the module's mean
        weights = [
            i.find("ss:sequencing/ss:rollupRules", NS).get("objectiveMeasureWeight")
            for i in organization.findall("cp:item", NS)
        ]
        assert weights == ["1.0000", "0.0000", "1.0000"]


def test_parcours_prerequisites_and_module_order(tmp_path, schema04):
    folder = make_parcours(tmp_path, 3, 2)
    archive, doc = export(Scorm2004Exporter, folder, tmp_path / "p.zip")
    assert_valid(schema04, doc)
    seq = resolve(folder)
    clusters = doc.findall("cp:organizations/cp:organization/cp:item", NS)
    assert titles(clusters) == [m.title for m in seq.items]
    for cluster, module in zip(clusters, seq.items, strict=True):
        assert titles(cluster.findall("cp:item", NS)) == [p.title for p in module.items]
    first_id = seq.items[0].id
    target = f"urn:imaginecole:module:{first_id}"
    written = clusters[0].find("ss:sequencing/ss:objectives/ss:primaryObjective/ss:mapInfo", NS)
    assert written.get("targetObjectiveID") == target
    assert written.get("writeSatisfiedStatus") == "true"
    assert clusters[0].find("ss:sequencing/ss:sequencingRules", NS) is None
    for cluster in clusters[1:]:
        sequencing = cluster.find("ss:sequencing", NS)
        (objective,) = sequencing.findall("ss:objectives/ss:objective", NS)
        read = objective.find("ss:mapInfo", NS)
        assert read.get("targetObjectiveID") == target
        assert read.get("readSatisfiedStatus") == "true"
        rule = sequencing.find("ss:sequencingRules/ss:preConditionRule", NS)
        assert rule.find("ss:ruleAction", NS).get("action") == "disabled"
        conditions = rule.findall("ss:ruleConditions/ss:ruleCondition", NS)
        assert {c.get("referencedObjective") for c in conditions} == {objective.get("objectiveID")}
        assert {(c.get("operator"), c.get("condition")) for c in conditions} == {
            ("not", "satisfied"),
            ("not", "objectiveStatusKnown"),
        }
    organization = doc.find("cp:organizations/cp:organization", NS)
    assert organization.get(f"{{{SCORM2004['adlseq']}}}objectivesGlobalToSystem") == "false"
    # the LOM record in the manifest is the parcours': aggregation level 4
    assert b"<value>4</value>" in archive.read("imsmanifest.xml")


@pytest.mark.parametrize("exporter", [Scorm2004Exporter, Scorm12Exporter])
def test_teacher_text_is_escaped(exporter, tmp_path, schema04, schema12):
    folder = make_module(tmp_path, 1, extra=())
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["metadata"]["title"] = HOSTILE
    manifest["module"]["objectives"] = [HOSTILE]
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    archive, doc = export(exporter, folder, tmp_path / "m.zip")
    raw = archive.read("imsmanifest.xml")
    assert b"<script>" not in raw and b"<sciences>" not in raw
    assert b"Maths &amp; &lt;sciences&gt;" in raw
    assert_valid(schema04 if exporter is Scorm2004Exporter else schema12, doc)
    ns = NS if exporter is Scorm2004Exporter else NS12
    assert doc.findtext("cp:organizations/cp:organization/cp:title", namespaces=ns) == HOSTILE


def test_scorm12_is_one_sco_with_the_module_score_as_mastery(tmp_path, schema12):
    folder = make_module(tmp_path, 2, extra=(), completion={"rule": "score", "score": 0.6})
    archive, doc = export(Scorm12Exporter, folder, tmp_path / "m.zip")
    assert_valid(schema12, doc)
    (item,) = doc.findall(".//cp:item", NS12)
    assert item.findtext("adlcp:masteryscore", namespaces=NS12) == "60"
    (resource,) = doc.findall("cp:resources/cp:resource", NS12)
    assert resource.get("href") == "index.html"
    listed = {f.get("href") for f in resource.findall("cp:file", NS12)}
    assert set(archive.namelist()) == listed | {"imsmanifest.xml"}
    for name in archive.namelist():
        if name.endswith(".html"):
            assert not fetches(archive.read(name).decode("utf-8")), name


def test_scorm12_parcours_has_no_mastery_score(tmp_path, schema12):
    folder = make_parcours(tmp_path, 2, 1)
    archive, doc = export(Scorm12Exporter, folder, tmp_path / "p.zip")
    assert_valid(schema12, doc)
    assert doc.find(".//adlcp:masteryscore", NS12) is None
    assert "index.html" in archive.namelist()


def test_same_module_same_bytes(tmp_path):
    folder = make_module(tmp_path, 2, extra=("comic",))
    first = Scorm2004Exporter().export(Bundle.load(folder), tmp_path / "a" / "m.zip")
    second = Scorm2004Exporter().export(Bundle.load(folder), tmp_path / "b" / "m.zip")
    assert first.read_bytes() == second.read_bytes()
