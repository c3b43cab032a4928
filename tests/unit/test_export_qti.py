"""The `qti21` exporter: valid against the official XSDs, and it scores as the player does.

Response processing is run here by a small interpreter of the QTI 2.1 expressions the
exporter writes, so a wrong mapping or rule shows up as a wrong SCORE.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle, ExportError
from lxml import etree

GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"
QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS = {"q": QTI, "cp": CP}
ASSESSABLE = [
    "single_choice",
    "multiple_choice",
    "true_false",
    "fill_blanks",
    "drag_words",
    "matching",
    "ordering",
    "question_set",
    "arabic",
]


class _LocalOnly(etree.Resolver):
    """The schemas import each other by relative path; nothing may come from the network."""

    def resolve(self, url, pubid, context):
        if url and url.startswith(("http:", "https:", "ftp:")):
            raise AssertionError(f"a schema asked for the network: {url}")
        return None


def _schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalOnly())
    return etree.XMLSchema(etree.parse(str(path), parser))


@pytest.fixture(scope="module")
def qti_schema(spec_dir: Path) -> etree.XMLSchema:
    return _schema(spec_dir / "qti" / "qtiv2p1" / "imsqti_v2p1.xsd")


@pytest.fixture(scope="module")
def cp_schema(spec_dir: Path) -> etree.XMLSchema:
    # part of the spec folder: a missing file is a broken spec folder, not a reason to skip
    path = spec_dir / "qti" / "imscp_v1p1.xsd"
    return _schema(path)


def export(bundle: Bundle, tmp_path: Path, name: str = "out") -> dict[str, bytes]:
    out = get_exporter("qti21")().export(bundle, tmp_path / f"{name}.zip")
    with zipfile.ZipFile(out) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def fixture_bundle(name: str) -> Bundle:
    return Bundle.load(GRAINS / name)


def assert_valid(schema: etree.XMLSchema, data: bytes, name: str) -> etree._Element:
    root = etree.fromstring(data)
    if not schema.validate(root):
        errors = "\n".join(str(e) for e in list(schema.error_log)[:5])
        raise AssertionError(f"{name} is not valid:\n{errors}")
    return root


# -- a small QTI 2.1 response-processing interpreter ----------------------------------------


def _typed(base_type: str, text: str):
    text = (text or "").strip()
    if base_type == "float":
        return float(text)
    if base_type == "integer":
        return int(text)
    if base_type == "boolean":
        return text == "true"
    if base_type in ("pair", "directedPair"):
        return tuple(text.split())
    return text


class Item:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.declarations = {
            d.get("identifier"): d for d in root.findall("q:responseDeclaration", NS)
        }
        self.outcomes = {}
        for o in root.findall("q:outcomeDeclaration", NS):
            values = [
                _typed(o.get("baseType"), v.text) for v in o.findall("q:defaultValue/q:value", NS)
            ]
            single = o.get("cardinality") == "single"
            self.outcomes[o.get("identifier")] = (
                (values[0] if values else None) if single else values
            )

    def correct(self, identifier: str):
        d = self.declarations[identifier]
        values = [
            _typed(d.get("baseType"), v.text) for v in d.findall("q:correctResponse/q:value", NS)
        ]
        return values[0] if d.get("cardinality") == "single" else values

    def run(self, responses: dict) -> dict:
        self.vars = dict(self.outcomes)
        self.responses = responses
        for rule in self.root.find("q:responseProcessing", NS):
            self.rule(rule)
        return self.vars

    def rule(self, rule) -> None:
        tag = etree.QName(rule).localname
        if tag == "setOutcomeValue":
            self.vars[rule.get("identifier")] = self.eval(rule[0])
        elif tag in ("responseCondition", "outcomeCondition"):
            for branch in rule:
                kind = etree.QName(branch).localname
                if kind.endswith("Else"):
                    for sub in branch:
                        self.rule(sub)
                    return
                if self.eval(branch[0]) is True:
                    for sub in branch[1:]:
                        self.rule(sub)
                    return
        else:
            raise AssertionError(f"rule not understood by the test: {tag}")

    def variable(self, identifier: str):
        if identifier in self.responses or identifier in self.declarations:
            return self.responses.get(identifier)
        return self.vars.get(identifier)

    def map_response(self, identifier: str) -> float:
        d = self.declarations[identifier]
        mapping = d.find("q:mapping", NS)
        default = float(mapping.get("defaultValue", 0))
        entries = [
            (
                _typed(d.get("baseType"), e.get("mapKey")),
                float(e.get("mappedValue")),
                e.get("caseSensitive") != "false",
            )
            for e in mapping.findall("q:mapEntry", NS)
        ]
        value = self.responses.get(identifier)
        if value is None:
            return default
        values = value if isinstance(value, list) else [value]
        total = 0.0
        for v in dict.fromkeys(values):  # each distinct value counts once
            hits = [
                m
                for key, m, case in entries
                if key == v or (not case and str(key).casefold() == str(v).casefold())
            ]
            total += hits[0] if hits else default
        if mapping.get("lowerBound") is not None:
            total = max(total, float(mapping.get("lowerBound")))
        if mapping.get("upperBound") is not None:
            total = min(total, float(mapping.get("upperBound")))
        return total

    def eval(self, e):
        tag = etree.QName(e).localname
        args = lambda: [self.eval(c) for c in e]  # noqa: E731
        if tag == "baseValue":
            return _typed(e.get("baseType"), e.text)
        if tag == "variable":
            return self.variable(e.get("identifier"))
        if tag == "correct":
            return self.correct(e.get("identifier"))
        if tag == "mapResponse":
            return self.map_response(e.get("identifier"))
        if tag == "testVariables":
            return [v[e.get("variableIdentifier")] for v in self.item_results]
        values = args()
        if tag == "multiple":
            out = []
            for v in values:
                if v is not None:
                    out += v if isinstance(v, list) else [v]
            return out
        if any(v is None for v in values):
            return None
        flat = [x for v in values for x in (v if isinstance(v, list) else [v])]
        if tag == "sum":
            return float(sum(flat))
        if tag == "product":
            result = 1.0
            for v in flat:
                result *= v
            return result
        if tag == "divide":
            return values[0] / values[1]
        if tag == "gte":
            return values[0] >= values[1]
        if tag == "index":
            n = int(e.get("n"))
            return values[0][n - 1] if len(values[0]) >= n else None
        if tag == "match":
            a, b = values
            d = self.declarations.get(e[0].get("identifier"))
            if isinstance(a, list) and d is not None and d.get("cardinality") == "multiple":
                return sorted(a) == sorted(b)
            return a == b
        raise AssertionError(f"expression not understood by the test: {tag}")


def items_of(files: dict[str, bytes]) -> dict[str, Item]:
    """Question id -> Item, for every item of the package."""
    return {
        name.removeprefix("item-").removesuffix(".xml"): Item(etree.fromstring(data))
        for name, data in files.items()
        if name.startswith("item-")
    }


def ids(item: Item, tag: str) -> dict[str, str]:
    """Text -> identifier of the choices of `tag` in the item body."""
    return {
        "".join(c.itertext()).strip(): c.get("identifier")
        for c in item.root.iterfind(f".//q:{tag}", NS)
    }


# -- validity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ASSESSABLE)
def test_every_item_the_test_and_the_manifest_are_valid(name, tmp_path, qti_schema, cp_schema):
    bundle = fixture_bundle(name)
    files = export(bundle, tmp_path)
    manifest = assert_valid(cp_schema, files["imsmanifest.xml"], "imsmanifest.xml")
    test = assert_valid(qti_schema, files["assessment.xml"], "assessment.xml")
    items = {}
    for file_name, data in files.items():
        if file_name.startswith("item-"):
            items[file_name] = assert_valid(qti_schema, data, file_name)
    assessed = [q for q in bundle.manifest["questions"] if q["kind"] != "flashcards"]
    assert len(items) == len(assessed)

    # every file is listed once in a resource, and every listed file is in the zip
    resources = manifest.findall("cp:resources/cp:resource", NS)
    listed = [f.get("href") for r in resources for f in r.findall("cp:file", NS)]
    assert set(listed) == set(files) - {"imsmanifest.xml"}
    for r in resources:
        assert r.get("href") == r.find("cp:file", NS).get("href")
    types = {r.get("href"): r.get("type") for r in resources}
    assert types["assessment.xml"] == "imsqti_test_xmlv2p1"
    assert all(types[n] == "imsqti_item_xmlv2p1" for n in items)
    test_resource = next(r for r in resources if r.get("type") == "imsqti_test_xmlv2p1")
    depends = {d.get("identifierref") for d in test_resource.findall("cp:dependency", NS)}
    assert depends == {r.get("identifier") for r in resources} - {test_resource.get("identifier")}

    # the test refers to every item, in the grain's order
    refs = [r.get("href") for r in test.iterfind(".//q:assessmentItemRef", NS)]
    assert refs == [f"item-{q['id']}.xml" for q in assessed]
    for ref in test.iterfind(".//q:assessmentItemRef", NS):
        assert items[ref.get("href")].get("identifier") == ref.get("identifier")
    language = bundle.manifest["metadata"]["language"]
    assert all(
        i.get("{http://www.w3.org/XML/1998/namespace}lang") == language for i in items.values()
    )


def test_the_schema_check_does_fail_on_an_invalid_item(tmp_path, qti_schema):
    files = export(fixture_bundle("single_choice"), tmp_path)
    root = etree.fromstring(files["item-forme.xml"])
    root.find("q:itemBody", NS).append(etree.Element(f"{{{QTI}}}script"))
    assert not qti_schema.validate(root)


def test_media_are_packed_and_shown_with_their_text_alternative(tmp_path):
    bundle = fixture_bundle("question_set")
    files = export(bundle, tmp_path)
    assert files["media/triangle.png"] == (GRAINS / "question_set/media/triangle.png").read_bytes()
    item = etree.fromstring(files["item-forme.xml"])
    img = item.find(".//q:itemBody//q:img", NS)
    assert img.get("src") == "media/triangle.png"
    assert img.get("alt") == "Un triangle vert sur un fond gris clair"
    sound = etree.fromstring(files["item-son.xml"]).find(".//q:object", NS)
    assert sound.get("data") == "media/son-aigu.wav"
    assert sound.get("type") == bundle.media_type("media/son-aigu.wav")
    assert sound.get("type").startswith("audio/")
    assert sound.text.startswith("Un son aigu et court")


# -- scoring ----------------------------------------------------------------------------------


def test_single_choice_scores_and_feedback(tmp_path):
    item = items_of(export(fixture_bundle("single_choice"), tmp_path))["forme"]
    choice = ids(item, "simpleChoice")
    right = item.run({"RESPONSE": choice["Un triangle"]})
    assert right["SCORE"] == 1.0
    assert set(right["FEEDBACK"]) == {"correct", choice["Un triangle"]}
    wrong = item.run({"RESPONSE": choice["Un carré"]})
    assert wrong["SCORE"] == 0.0
    assert set(wrong["FEEDBACK"]) == {"incorrect", "hint", choice["Un carré"]}
    assert item.run({})["SCORE"] == 0.0
    modal = {m.get("identifier"): m.text for m in item.root.findall("q:modalFeedback", NS)}
    assert modal["correct"] == "Bravo, vous reconnaissez le triangle."
    assert modal[choice["Un carré"]] == "Un carré a quatre côtés."
    assert modal["hint"] == "Comptez les côtés de la forme."


def test_multiple_choice_without_weights_scores_as_the_player(tmp_path):
    item = items_of(export(fixture_bundle("multiple_choice"), tmp_path))["pairs"]
    c = ids(item, "simpleChoice")
    assert item.root.find(".//q:choiceInteraction", NS).get("maxChoices") == "0"
    assert item.run({"RESPONSE": [c["4"], c["10"]]})["SCORE"] == 1.0
    assert item.run({"RESPONSE": [c["4"]]})["SCORE"] == 0.5  # +1/k
    assert item.run({"RESPONSE": [c["4"], c["7"]]})["SCORE"] == 0.0  # -1/k per wrong tick
    assert item.run({"RESPONSE": [c["7"], c["15"]]})["SCORE"] == 0.0  # floored at 0
    everything = item.run({"RESPONSE": list(c.values())})
    assert everything["SCORE"] == 0.0 and "incorrect" in everything["FEEDBACK"]


def test_weighted_multiple_choice_maps_weights_onto_points(tmp_path):
    files = export(fixture_bundle("question_set"), tmp_path)
    item = items_of(files)["multiples"]
    c = ids(item, "simpleChoice")
    entries = {
        e.get("mapKey"): float(e.get("mappedValue"))
        for e in item.root.iterfind(".//q:mapEntry", NS)
    }
    assert entries == {c["10"]: 50, c["25"]: 50, c["12"]: -50, c["33"]: -50}
    assert item.run({"RESPONSE": [c["10"], c["25"]]})["SCORE"] == 2.0  # points: 2
    assert item.run({"RESPONSE": [c["10"]]})["SCORE"] == 1.0
    assert item.run({"RESPONSE": [c["10"], c["25"], c["12"]]})["SCORE"] == 1.0
    assert item.run({"RESPONSE": [c["12"], c["33"]]})["SCORE"] == 0.0


def test_true_false_is_labelled_in_the_grain_language(tmp_path):
    item = items_of(export(fixture_bundle("true_false"), tmp_path))["son"]
    labels = ids(item, "simpleChoice")
    assert labels == {"Vrai": "true", "Faux": "false"}
    assert item.run({"RESPONSE": "true"})["SCORE"] == 1.0
    assert item.run({"RESPONSE": "false"})["SCORE"] == 0.0
    arabic = items_of(export(fixture_bundle("arabic"), tmp_path, "ar"))["maa"]
    assert set(ids(arabic, "simpleChoice")) == {"صحيح", "خطأ"}


def test_fill_blanks_count_each_blank_with_alternatives_and_case(tmp_path):
    item = items_of(export(fixture_bundle("fill_blanks"), tmp_path))["phrase"]
    blanks = item.root.findall(".//q:textEntryInteraction", NS)
    assert [b.get("responseIdentifier") for b in blanks] == [
        "RESPONSE_1",
        "RESPONSE_2",
        "RESPONSE_3",
    ]
    right = {"RESPONSE_1": "chaton", "RESPONSE_2": "LAIT", "RESPONSE_3": "natte"}
    result = item.run(right)
    assert result["SCORE"] == 1.0 and "correct" in result["FEEDBACK"]
    assert item.run({**right, "RESPONSE_3": "table"})["SCORE"] == pytest.approx(2 / 3)
    assert item.run({"RESPONSE_1": "chat"})["SCORE"] == pytest.approx(1 / 3)
    assert [item.correct(f"RESPONSE_{n}") for n in (1, 2, 3)] == ["chat", "lait", "natte"]
    cloze = item.root.find(".//q:p[@class='cloze']", NS)
    assert "".join(cloze.itertext()) == "Le  boit du . Ensuite, il dort sur la ."


def test_case_sensitive_blanks(tmp_path):
    manifest = json.loads((GRAINS / "fill_blanks/manifest.json").read_text("utf-8"))
    manifest["questions"][0]["case_sensitive"] = True
    item = items_of(export(Bundle(tmp_path, manifest), tmp_path))["phrase"]
    assert {e.get("caseSensitive") for e in item.root.iterfind(".//q:mapEntry", NS)} == {"true"}
    assert item.run({"RESPONSE_1": "chat", "RESPONSE_2": "LAIT", "RESPONSE_3": "natte"})[
        "SCORE"
    ] == pytest.approx(2 / 3)


def test_drag_words_have_every_word_and_distractor_and_count_each_gap(tmp_path):
    item = items_of(export(fixture_bundle("drag_words"), tmp_path))["points-cardinaux"]
    words = ids(item, "gapText")
    assert set(words) == {"est", "ouest", "nord", "sud"}
    gaps = [g.get("identifier") for g in item.root.iterfind(".//q:gap", NS)]
    assert len(gaps) == 2
    right = [(words["est"], gaps[0]), (words["ouest"], gaps[1])]
    assert item.run({"RESPONSE": right})["SCORE"] == 1.0
    assert (
        item.run({"RESPONSE": [(words["est"], gaps[0]), (words["nord"], gaps[1])]})["SCORE"] == 0.5
    )
    assert item.run({"RESPONSE": [(words["sud"], gaps[0])]})["SCORE"] == 0.0


def test_matching_pairs_left_to_right(tmp_path):
    item = items_of(export(fixture_bundle("matching"), tmp_path))["capitales"]
    sets = item.root.findall(".//q:simpleMatchSet", NS)
    assert len(sets) == 2
    left = {c.text: c.get("identifier") for c in sets[0]}
    right = {c.text: c.get("identifier") for c in sets[1]}
    pairs = {"Sénégal": "Dakar", "Mali": "Bamako", "Niger": "Niamey", "Togo": "Lomé"}
    answer = [(left[k], right[v]) for k, v in pairs.items()]
    assert item.run({"RESPONSE": answer})["SCORE"] == 1.0
    swapped = [(left["Sénégal"], right["Bamako"]), (left["Mali"], right["Dakar"])] + answer[2:]
    assert item.run({"RESPONSE": swapped})["SCORE"] == 0.5


def test_ordering_counts_each_item_in_its_place(tmp_path):
    item = items_of(export(fixture_bundle("ordering"), tmp_path))["mil"]
    interaction = item.root.find(".//q:orderInteraction", NS)
    assert interaction.get("shuffle") == "true"  # written in the right order
    order = [c.get("identifier") for c in interaction]
    assert item.run({"RESPONSE": order})["SCORE"] == 1.0
    assert item.run({"RESPONSE": [order[1], order[0], *order[2:]]})["SCORE"] == 0.5
    assert item.run({"RESPONSE": order[::-1]})["SCORE"] == 0.0


def test_the_test_sums_scores_and_applies_the_pass_mark(tmp_path):
    files = export(fixture_bundle("question_set"), tmp_path)
    items = items_of(files)
    test = Item(etree.fromstring(files["assessment.xml"]))
    test.declarations = {}
    assert test.outcomes["MAXSCORE"] == 8.0  # seven assessed questions, one worth 2
    assert test.outcomes["PASS_MARK"] == 0.6
    scores = [{"SCORE": 1.0}] * 4 + [{"SCORE": 0.0}] * 3

    def outcome(results):
        test.item_results = results
        test.vars = dict(test.outcomes)
        test.responses = {}
        for rule in test.root.find("q:outcomeProcessing", NS):
            test.rule(rule)
        return test.vars

    assert outcome(scores) == {**test.outcomes, "SCORE": 4.0, "PASS": False}
    assert outcome([{"SCORE": 2.0}] + scores[:3] + [{"SCORE": 0.0}] * 3)["PASS"] is True
    # every item's right answer gives its full points
    assert sum(float(i.outcomes["MAXSCORE"]) for i in items.values()) == 8.0
    control = test.root.find(".//q:itemSessionControl", NS)
    assert control.get("showSolution") == "true" and control.get("maxAttempts") == "0"


# -- flashcards --------------------------------------------------------------------------------


def test_flashcards_alone_are_refused():
    with pytest.raises(ExportError) as caught:
        get_exporter("qti21")().export(fixture_bundle("flashcards"), Path("/nonexistent/x.zip"))
    assert "flashcards" in str(caught.value)


def test_flashcards_in_a_set_are_left_out_with_a_note(tmp_path):
    bundle = fixture_bundle("question_set")
    files = export(bundle, tmp_path)
    assert "item-revision.xml" not in files
    rubric = etree.fromstring(files["assessment.xml"]).find(".//q:rubricBlock", NS)
    assert rubric.get("view") == "author"
    assert "« revision »" in "".join(rubric.itertext())
    assert any("« revision »" in w for w in bundle.warnings)


# -- teacher text -------------------------------------------------------------------------------


def forged(tmp_path: Path) -> Bundle:
    """A manifest that skipped validation: the exporter must still write safe, valid XHTML."""
    manifest = json.loads((GRAINS / "single_choice/manifest.json").read_text("utf-8"))
    q = manifest["questions"][0]
    q.pop("media")
    q["statement"] = (
        '<p>Tom &amp; Jerry &lt;3 <u>souligné</u> <span dir="rtl" lang="ar">نص</span></p>'
        "<script>alert('x')</script><ul>perdu<li>un</li></ul>"
        '<a href="javascript:alert(1)">lien</a> <a href="https://example.org">ok</a>'
        "<p>a<b>\x0bb</b></p><table><tr><td>cellule</td></tr></table>"
    )
    q["choices"][0]["text"] = '<img src=x onerror="alert(2)">Un <em>triangle</em>'
    q["feedback"]["correct"] = "<b>pas du HTML</b> & < >"
    return Bundle(tmp_path, manifest)


def test_teacher_text_is_escaped_and_scripts_are_gone(tmp_path, qti_schema):
    files = export(forged(tmp_path), tmp_path)
    data = files["item-forme.xml"]
    item = assert_valid(qti_schema, data, "item-forme.xml")
    assert b"alert" not in data and b"script" not in data.lower() and b"onerror" not in data
    assert b"javascript" not in data
    statement = item.find(".//q:div[@class='statement']", NS)
    text = "".join(statement.itertext())
    assert "Tom & Jerry <3" in text and "cellule" in text and "lien" in text
    assert statement.find(".//q:span[@class='underline']", NS).text == "souligné"
    span = statement.find(".//q:span[@class='dir-rtl']", NS)
    assert span.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert [a.get("href") for a in statement.iterfind(".//q:a", NS)] == ["https://example.org"]
    assert [li.text for li in statement.iterfind(".//q:li", NS)] == ["perdu", "un"]
    choice = item.find(".//q:simpleChoice", NS)
    assert "".join(choice.itertext()) == "Un triangle" and choice.find("q:em", NS) is not None
    modal = item.find("q:modalFeedback[@identifier='correct']", NS)
    assert modal.text == "<b>pas du HTML</b> & < >" and len(modal) == 0
    assert b"&lt;b&gt;pas du HTML&lt;/b&gt; &amp; &lt; &gt;" in data


def test_same_bundle_gives_the_same_bytes(tmp_path):
    bundle = fixture_bundle("question_set")
    one = get_exporter("qti21")().export(bundle, tmp_path / "a.zip").read_bytes()
    two = get_exporter("qti21")().export(bundle, tmp_path / "b.zip").read_bytes()
    assert one == two
