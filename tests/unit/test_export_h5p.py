"""The `h5p` exporter: packages H5P accepts and keeps exactly as written.

h5p.json is checked against H5P's JSON schema and content.json field by field
against each library's semantics, through a port of H5P's own content
validator (tests/h5p_semantics.py): what it would filter out or change fails.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from babel.messages.pofile import read_po
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle, ExportError
from imaginecole.exports.h5p import H5pExporter, closure, split_library
from imaginecole.exports.h5p_text import message_ids
from referencing import Registry, Resource

from imaginecole.cli import main
from imaginecole.i18n import locale_dir

from ..h5p_semantics import Validator

REPO = Path(__file__).resolve().parents[2]
GRAINS = REPO / "tests" / "fixtures" / "grains"
KINDS = sorted(p.name for p in GRAINS.iterdir() if (p / "manifest.json").is_file())
EXPECTED_MAIN = {
    "single_choice": "H5P.MultiChoice",
    "multiple_choice": "H5P.MultiChoice",
    "true_false": "H5P.TrueFalse",
    "fill_blanks": "H5P.Blanks",
    "drag_words": "H5P.DragText",
    "matching": "H5P.DragText",
    "ordering": "H5P.SortParagraphs",
    "flashcards": "H5P.Dialogcards",
    "question_set": "H5P.QuestionSet",
    "arabic": "H5P.QuestionSet",
}


def export(bundle: Bundle, out: Path, **options: Any) -> zipfile.ZipFile:
    H5pExporter(**options).export(bundle, out)
    return zipfile.ZipFile(out)


def package(path: Path) -> tuple[dict[str, Any], dict[str, Any], zipfile.ZipFile]:
    archive = zipfile.ZipFile(path)
    return (
        json.loads(archive.read("h5p.json")),
        json.loads(archive.read("content/content.json")),
        archive,
    )


def fixture(kind: str) -> Bundle:
    return Bundle.load(GRAINS / kind)


def with_manifest(kind: str, change) -> Bundle:
    bundle = fixture(kind)
    manifest = copy.deepcopy(bundle.manifest)
    change(manifest)
    return Bundle(path=bundle.path, manifest=manifest)


def walk(value: Any, path: str = ""):
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def main_library(h5p: dict[str, Any]) -> str:
    for dep in h5p["preloadedDependencies"]:
        if dep["machineName"] == h5p["mainLibrary"]:
            return f"{dep['machineName']} {dep['majorVersion']}.{dep['minorVersion']}"
    raise AssertionError("the main library is not among the preloaded dependencies")


def covered(dep: str, deps: list[str]) -> bool:
    """`dep` ("H5P.Question 1.5", or a bare name where the closures file has no version)."""
    return dep in deps if " " in dep else any(d.split()[0] == dep for d in deps)


@pytest.fixture(scope="module")
def h5p_schema(spec_dir: Path):
    folder = spec_dir / "h5p" / "schemas"
    schema = json.loads((folder / "h5p-schema.json").read_text())
    name = json.loads((folder / "library-name-schema.json").read_text())
    registry = Registry().with_resource("library-name-schema.json", Resource.from_contents(name))
    return jsonschema.Draft7Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def library_versions(spec_dir: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in (spec_dir / "h5p" / "library").glob("*.library.json"):
        info = json.loads(path.read_text())
        found[info["machineName"]] = info
    return found


@pytest.fixture(scope="module")
def closures(spec_dir: Path) -> dict[str, list[str]]:
    """DEPENDENCY_CLOSURES.txt: main library -> its transitive preloaded dependencies."""
    text = (spec_dir / "h5p" / "DEPENDENCY_CLOSURES.txt").read_text()
    found = {}
    for line in text.splitlines()[1:]:
        name, _, deps = line.partition(": ")
        found[name] = [re.sub(r"\s*\(.*\)$", "", d).strip() for d in deps.split(", ")]
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_every_fixture_exports_a_package_h5p_keeps_unchanged(
    kind, tmp_path, spec_dir, h5p_schema, library_versions, closures
):
    out = tmp_path / f"{kind}.h5p"
    H5pExporter().export(fixture(kind), out)
    h5p, content, archive = package(out)

    # h5p.json: valid, with only fields the schema knows
    errors = [e.message for e in h5p_schema.iter_errors(h5p)]
    assert errors == []
    assert set(h5p) <= set(h5p_schema.schema["properties"])
    assert h5p["mainLibrary"] == EXPECTED_MAIN[kind]
    main = main_library(h5p)
    info = library_versions[h5p["mainLibrary"]]
    assert main == f"{info['machineName']} {info['majorVersion']}.{info['minorVersion']}"
    assert set(h5p["embedTypes"]) <= set(info["embedTypes"])
    assert h5p["license"] == "CC BY-SA" and h5p["licenseVersion"] == "4.0"

    # every library's released version, and the whole dependency closure
    deps = [
        f"{d['machineName']} {d['majorVersion']}.{d['minorVersion']}"
        for d in h5p["preloadedDependencies"]
    ]
    assert len(deps) == len(set(deps))
    for dep in deps:
        name, major, minor = split_library(dep)
        if name in library_versions:
            assert (major, minor) == (
                library_versions[name]["majorVersion"],
                library_versions[name]["minorVersion"],
            ), dep
    for dep in closures[h5p["mainLibrary"]][1:]:
        assert covered(dep, deps), f"{dep} missing from preloadedDependencies"

    # content.json: exactly what H5P's validator keeps
    validator = Validator(spec_dir)
    kept, problems = validator.check(main, content)
    assert problems == []
    assert kept == content
    for library in validator.libraries:  # sub-contents too, with their own closures
        assert library in deps
        if library.split()[0] in closures:
            assert all(covered(dep, deps) for dep in closures[library.split()[0]][1:])

    # media: every file named is in the package, under content/
    names = set(archive.namelist())
    for path, value in walk(content):
        if path.endswith("/path"):
            assert f"content/{value}" in names, value
        if path.endswith("/subContentId"):
            assert str(uuid.UUID(value)) == value
    media = sorted(n for n in names if n.startswith("content/") and n != "content/content.json")
    assert len(media) == len(fixture(kind).media_paths())


def test_true_false_correct_is_the_string_the_semantics_select_holds(tmp_path):
    _h5p, content, _ = package(H5pExporter().export(fixture("true_false"), tmp_path / "tf.h5p"))
    assert content["correct"] in ("true", "false")
    flipped = with_manifest("true_false", lambda m: m["questions"][0].update(answer=False))
    _h5p, content, _ = package(H5pExporter().export(flipped, tmp_path / "tf2.h5p"))
    assert content["correct"] == "false"


def test_a_french_grain_speaks_french(tmp_path):
    _h5p, content, _ = package(H5pExporter().export(fixture("single_choice"), tmp_path / "a.h5p"))
    assert content["UI"]["checkAnswerButton"] == "Vérifier"
    assert content["UI"]["showSolutionButton"] == "Voir la solution"
    assert content["confirmCheck"]["header"] == "Terminer ?"
    _h5p, content, _ = package(H5pExporter().export(fixture("question_set"), tmp_path / "b.h5p"))
    assert content["texts"]["nextButton"] == "Question suivante"
    assert content["endGame"]["overallFeedback"][0]["to"] == 59
    true_false = next(q for q in content["questions"] if q["library"] == "H5P.TrueFalse 1.8")
    assert true_false["params"]["l10n"]["trueText"] == "Vrai"
    # the transcript of the question's sound, since H5P.Audio has no field for it
    assert "Transcription :" in true_false["params"]["question"]


def test_arabic_and_english_grains_get_their_own_interface(tmp_path):
    _h5p, content, _ = package(H5pExporter().export(fixture("arabic"), tmp_path / "ar.h5p"))
    assert content["questions"][0]["params"]["UI"]["checkAnswerButton"] == "تحقّق"
    english = with_manifest("single_choice", lambda m: m["metadata"].update(language="en"))
    h5p, content, _ = package(H5pExporter().export(english, tmp_path / "en.h5p"))
    assert h5p["language"] == "en"
    assert content["UI"]["checkAnswerButton"] == "Check"


def test_every_interface_string_has_a_french_and_an_arabic_translation():
    for language in ("fr", "ar"):
        path = locale_dir() / language / "LC_MESSAGES" / "imaginecole.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        missing = [
            m
            for m in message_ids()
            if not (catalog.get(m, context="h5p") and catalog.get(m, context="h5p").string)
        ]
        assert missing == [], f"{language}: {missing}"


def test_two_exports_are_byte_identical(tmp_path):
    first = tmp_path / "one.h5p"
    second = tmp_path / "two.h5p"
    H5pExporter().export(fixture("question_set"), first)
    H5pExporter().export(fixture("question_set"), second)
    assert first.read_bytes() == second.read_bytes()


def test_matching_becomes_drag_text_with_one_line_per_pair(tmp_path):
    _h5p, content, _ = package(H5pExporter().export(fixture("matching"), tmp_path / "m.h5p"))
    assert content["textField"].splitlines()[0] == "Sénégal : *Dakar*"


def test_ordering_in_a_question_set_becomes_numbered_drop_zones(tmp_path):
    _h5p, content, _ = package(H5pExporter().export(fixture("question_set"), tmp_path / "q.h5p"))
    libraries = [q["library"] for q in content["questions"]]
    assert "H5P.SortParagraphs 0.12" not in libraries
    drag = [q["params"]["textField"] for q in content["questions"] if "1. *" in str(q)]
    assert drag and drag[0].startswith("1. *Préparer le champ*\n2. *Semer les graines*")


def test_flashcards_left_out_of_a_question_set_with_a_warning(tmp_path):
    bundle = fixture("question_set")
    _h5p, content, _ = package(H5pExporter().export(bundle, tmp_path / "q.h5p"))
    assert len(content["questions"]) == len(bundle.manifest["questions"]) - 1
    assert any("revision" in w and "[en]" in w for w in bundle.warnings)


def test_the_hint_of_a_fill_blanks_question_is_the_tip_of_its_first_blank(tmp_path):
    _h5p, content, _ = package(H5pExporter().export(fixture("fill_blanks"), tmp_path / "f.h5p"))
    assert content["questions"][0].startswith("Le *chat/chaton:Un animal de la maison…* boit")
    assert content["behaviour"]["caseSensitive"] is False


def test_an_answer_with_a_colon_is_refused_with_a_way_out(tmp_path):
    bundle = with_manifest(
        "fill_blanks", lambda m: m["questions"][0].update(text="Il est *12:30* à Dakar.")
    )
    with pytest.raises(ExportError) as caught:
        H5pExporter().export(bundle, tmp_path / "f.h5p")
    assert "12:30" in str(caught.value) and "12 h 30" in str(caught.value)
    assert not (tmp_path / "f.h5p").exists()


def test_a_smuggled_script_never_reaches_content_json(tmp_path, spec_dir):
    def smuggle(manifest):
        question = manifest["questions"][0]
        question["statement"] = '<p>Q<script>alert("x")</script></p><img src=x onerror=alert(1)>'
        question["choices"][0]["text"] = '<a href="javascript:alert(1)">Un</a> triangle'
        question["choices"][1]["feedback"] = "<script>alert(2)</script>"
        question["feedback"]["correct"] = "</p><script>alert(3)</script>"
        question["title"] = "<script>alert(4)</script>"

    for kind in ("single_choice",):
        bundle = with_manifest(kind, smuggle)
        _h5p, content, archive = package(H5pExporter().export(bundle, tmp_path / "s.h5p"))
        raw = archive.read("content/content.json").decode()
        assert "<script" not in raw and "<img" not in raw and "javascript:" not in raw
        assert content["question"].startswith("<p>Q</p>")
        kept, problems = Validator(spec_dir).check("H5P.MultiChoice 1.16", content)
        assert problems == [] and kept == content


def test_html_a_field_cannot_hold_becomes_what_it_can(tmp_path, spec_dir):
    def rich(manifest):
        question = manifest["questions"][0]
        question["statement"] = (
            '<p><b>Gras</b> <i>it</i> <u>sous</u> l\'<a href="https://ex.org/?a=1&amp;b=2" '
            'rel="noopener noreferrer">aide</a></p><ol><li>un</li><li>deux</li></ol>'
            '<p><span lang="ar" dir="rtl">نص</span> 3 &lt; 4 &amp; 5</p>'
        )

    bundle = with_manifest("single_choice", rich)
    _h5p, content, _ = package(H5pExporter().export(bundle, tmp_path / "r.h5p"))
    assert content["question"] == (
        "<p><strong>Gras</strong> <em>it</em> sous l'aide (https://ex.org/?a=1&amp;b=2)</p>"
        '<div>1. un</div><div>2. deux</div><p><span lang="ar" dir="rtl">نص</span> '
        "3 &lt; 4 &amp; 5</p>"
    )
    kept, problems = Validator(spec_dir).check("H5P.MultiChoice 1.16", content)
    assert problems == [] and kept == content


def fake_libraries(folder: Path, libraries: list[str]) -> None:
    for library in libraries:
        name, major, minor = split_library(library)
        path = folder / f"{name}-{major}.{minor}"
        path.mkdir(parents=True)
        info = {
            "title": name,
            "machineName": name,
            "majorVersion": major,
            "minorVersion": minor,
            "patchVersion": 0,
            "runnable": 0,
        }
        (path / "library.json").write_text(json.dumps(info))
        (path / "library.js").write_text(f"// {library}\n")


def test_with_libraries_bundles_every_library_folder_needed(tmp_path):
    libs = tmp_path / "libs"
    needed = closure(["H5P.TrueFalse 1.8", "H5P.Audio 1.5"])
    fake_libraries(libs, [*needed, "H5P.Unused 1.0"])
    out = tmp_path / "tf.h5p"
    code = main(["export", str(GRAINS / "true_false"), "--to", "h5p", "-o", str(out),
                 "--with-libraries", str(libs)])  # fmt: skip
    assert code == 0
    names = set(zipfile.ZipFile(out).namelist())
    for library in needed:
        folder = f"{split_library(library)[0]}-{'.'.join(map(str, split_library(library)[1:]))}"
        assert f"{folder}/library.json" in names
        assert f"{folder}/library.js" in names
    assert not any(n.startswith("H5P.Unused") for n in names)


def test_with_libraries_names_the_missing_ones(tmp_path):
    libs = tmp_path / "libs"
    fake_libraries(libs, [d for d in closure(["H5P.TrueFalse 1.8", "H5P.Audio 1.5"])])
    shutil.rmtree(libs / "H5P.Question-1.5")
    shutil.rmtree(libs / "H5P.Audio-1.5")
    with pytest.raises(ExportError) as caught:
        export(fixture("true_false"), tmp_path / "tf.h5p", with_libraries=libs)
    message = str(caught.value)
    assert "H5P.Question-1.5" in message and "H5P.Audio-1.5" in message
    assert "Bibliothèques H5P absentes" in message and "[en] H5P libraries missing" in message


def test_with_libraries_follows_what_a_real_library_json_asks_for(tmp_path):
    libs = tmp_path / "libs"
    fake_libraries(libs, closure(["H5P.Blanks 1.14"]))
    info_path = libs / "H5P.TextUtilities-1.3" / "library.json"
    info = json.loads(info_path.read_text())
    info["preloadedDependencies"] = [
        {"machineName": "H5P.Extra", "majorVersion": 2, "minorVersion": 1}
    ]
    info_path.write_text(json.dumps(info))
    with pytest.raises(ExportError, match="H5P.Extra-2.1"):
        export(fixture("fill_blanks"), tmp_path / "f.h5p", with_libraries=libs)


def test_the_exporter_is_registered_and_documented():
    assert get_exporter("h5p") is H5pExporter
    assert H5pExporter.option_names == {"with_libraries"}
    docs = (REPO / "docs" / "exports.md").read_text(encoding="utf-8")
    assert re.search(r"^\| `h5p` \|.*matching.*DragText", docs, re.M | re.I)


def assert_kept(spec_dir: Path, out: Path) -> dict[str, Any]:
    h5p, content, _ = package(out)
    kept, problems = Validator(spec_dir).check(main_library(h5p), content)
    assert problems == [] and kept == content
    return h5p


def test_several_questions_of_one_kind_become_a_question_set(tmp_path, spec_dir):
    def twice(manifest):
        second = copy.deepcopy(manifest["questions"][0])
        second["id"] = "encore"
        manifest["questions"].append(second)

    h5p = assert_kept(
        spec_dir, H5pExporter().export(with_manifest("matching", twice), tmp_path / "m.h5p")
    )
    assert h5p["mainLibrary"] == "H5P.QuestionSet"


def test_two_items_to_order_become_numbered_drop_zones(tmp_path, spec_dir):
    short = with_manifest(
        "ordering", lambda m: m["questions"][0].update(items=["Semer", "Récolter"])
    )
    h5p = assert_kept(spec_dir, H5pExporter().export(short, tmp_path / "o.h5p"))
    assert h5p["mainLibrary"] == "H5P.DragText"  # SortParagraphs wants 3 paragraphs at least


def test_a_sound_h5p_platforms_refuse_is_reported(tmp_path):
    folder = tmp_path / "grain"
    shutil.copytree(GRAINS / "true_false", folder)
    (folder / "media" / "son-aigu.wav").rename(folder / "media" / "son-aigu.opus")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["questions"][0]["media"]["audio"]["src"] = "media/son-aigu.opus"
    bundle = Bundle(path=folder, manifest=manifest)
    H5pExporter().export(bundle, tmp_path / "tf.h5p")
    assert any(".opus" in w and "mp3" in w for w in bundle.warnings)
