"""The grain bundle: schema, validation messages, saving, upgrades."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import jsonschema
import pytest

from imaginecole.bundle import (
    MAX_MANIFEST_BYTES,
    UPGRADES,
    BundleError,
    grain_kinds,
    grain_schema,
    load_manifest,
    new_grain,
    sanitize_rich_text,
    save_manifest,
    upgrade_manifest,
    validate_manifest,
)
from imaginecole.bundle.model import BACKUP, MANIFEST

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
OGG = b"OggS" + b"\0" * 32


def problems_by_path(manifest, bundle_dir=None) -> dict[str, str]:
    """path -> French and English text of the problems at that path."""
    found: dict[str, list[str]] = {}
    for p in validate_manifest(manifest, bundle_dir):
        found.setdefault(p.path, []).append(p.render("fr") + " | " + p.render("en"))
    return {path: " || ".join(texts) for path, texts in found.items()}


def without_modified(manifest):
    return {**manifest, "metadata": {**manifest["metadata"], "modified": None}}


def question_set(*questions):
    manifest = new_grain("question_set")
    manifest["questions"] = list(questions)
    return manifest


def test_published_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(grain_schema())
    assert grain_schema()["properties"]["schema_version"] == {"const": 1}


@pytest.mark.parametrize("kind", grain_kinds())
def test_new_save_load_round_trip_for_every_kind(kind, tmp_path):
    manifest = new_grain(kind, title="Mon grain", country="SN", level="cm1", subject="francais")
    # the starter is valid for the published schema itself, not only for our validator
    jsonschema.Draft202012Validator(grain_schema()).validate(manifest)
    assert validate_manifest(manifest) == []
    assert all(q["kind"] == kind for q in manifest["questions"]) or kind == "question_set"

    saved = save_manifest(tmp_path, manifest)
    loaded = load_manifest(tmp_path)
    assert loaded == saved
    assert (tmp_path / "media").is_dir()
    # only the modification time changes on save
    assert without_modified(saved) == without_modified(manifest)
    assert json.loads((tmp_path / MANIFEST).read_text("utf-8")) == saved


def test_question_set_starter_mixes_kinds_and_english_starter_is_english():
    kinds = {q["kind"] for q in new_grain("question_set")["questions"]}
    assert len(kinds) >= 3
    english = new_grain("single_choice", language="en")
    assert english["metadata"]["title"] == "New single-answer quiz"
    assert new_grain("single_choice")["metadata"]["title"].startswith("Nouveau")


def test_new_grain_refuses_unknown_kind_and_bad_country():
    with pytest.raises(BundleError) as err:
        new_grain("essay")
    assert err.value.problems[0].path == "kind"
    with pytest.raises(BundleError) as err:
        new_grain("single_choice", country="FR")
    assert err.value.problems[0].path == "metadata.country"


def test_wrong_types_are_named_by_path_in_french_and_english():
    manifest = new_grain("question_set")
    manifest["questions"][1]["answer"] = "oui"  # true_false
    manifest["questions"][0]["points"] = "deux"
    manifest["settings"]["pass_mark"] = 2
    found = problems_by_path(manifest)
    assert "type incorrect : vrai ou faux" in found["questions[1].answer"]
    assert "wrong type: expected true or false" in found["questions[1].answer"]
    assert (
        "questions[0].points : type incorrect : un nombre est attendu"
        in found["questions[0].points"]
    )
    assert "settings.pass_mark" in found


def test_problems_are_dispatched_by_question_kind_not_one_of():
    manifest = new_grain("multiple_choice")
    for choice in manifest["questions"][0]["choices"]:
        choice["correct"] = False
    manifest["questions"].append(
        {"id": "q2", "kind": "multiple_choice", "statement": "Sans choix", "answer": True}
    )
    found = problems_by_path(manifest)
    assert found["questions[0].choices"] == (
        "questions[0].choices : au moins une réponse doit être correcte"
        " | questions[0].choices: at least one answer must be correct"
    )
    assert "« choices » manque" in found["questions[1]"]
    assert "answer" in found["questions[1]"]
    assert not any("oneOf" in text or "is not valid under" in text for text in found.values())


def test_single_choice_needs_exactly_one_correct_answer():
    manifest = new_grain("single_choice")
    for choice in manifest["questions"][0]["choices"]:
        choice["correct"] = True
    found = problems_by_path(manifest)
    assert "exactly one answer must be correct, found 3" in found["questions[0].choices"]


def test_no_answers_at_all():
    manifest = new_grain("single_choice")
    manifest["questions"][0]["choices"] = []
    found = problems_by_path(manifest)
    assert "at least 2 item(s) are needed, found 0" in found["questions[0].choices"]


@pytest.mark.parametrize("statement", ["", "   ", "<p> &nbsp; </p>", "<p><br></p>"])
def test_empty_statement_is_rejected(statement):
    manifest = new_grain("true_false")
    manifest["questions"][0]["statement"] = statement
    found = problems_by_path(manifest)
    assert "questions[0].statement" in found
    assert "vide" in found["questions[0].statement"]


def test_ten_megabytes_of_text_get_one_clear_message(tmp_path):
    manifest = new_grain("true_false")
    manifest["questions"][0]["statement"] = "a" * (10 * 1024 * 1024)
    problems = validate_manifest(manifest)
    assert len(problems) == 1
    assert problems[0].path == ""
    assert "10.0 MB; the limit is 2 MB" in problems[0].render("en")
    assert "la limite est de 2 Mo" in problems[0].render("fr")
    # the file on disk is refused before it is parsed
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(BundleError) as err:
        load_manifest(tmp_path)
    assert "the limit is 2 MB" in str(err.value)
    assert MAX_MANIFEST_BYTES == 2 * 1024 * 1024


def test_long_statement_under_the_cap_is_too_long_for_the_field():
    manifest = new_grain("true_false")
    manifest["questions"][0]["statement"] = "a" * 20001
    assert "at most 20000 are allowed" in problems_by_path(manifest)["questions[0].statement"]


@pytest.mark.parametrize(
    "html",
    [
        "Bonjour <script>alert(1)</script>",
        '<p onclick="voler()">Bonjour</p>',
        '<a href="javascript:alert(1)">ici</a>',
        '<a href="jav&#x61;script:alert(1)">ici</a>',
        '<img src="x" onerror="alert(1)">',
    ],
)
def test_scripts_in_rich_text_are_rejected_not_accepted(html):
    manifest = new_grain("true_false")
    manifest["questions"][0]["statement"] = html
    found = problems_by_path(manifest)
    assert "scripts and event handlers are not allowed" in found["questions[0].statement"]


def test_script_in_a_plain_text_field_is_rejected_too():
    manifest = new_grain("single_choice")
    manifest["questions"][0]["hint"] = "<script>alert(1)</script>"
    assert "questions[0].hint" in problems_by_path(manifest)


def test_html_outside_the_subset_is_named():
    manifest = new_grain("single_choice")
    manifest["questions"][0]["choices"][0]["text"] = '<div class="x">56</div>'
    found = problems_by_path(manifest)
    assert "<div>" in found["questions[0].choices[0].text"]
    assert "<div class>" in found["questions[0].choices[0].text"]


def test_sanitize_keeps_the_subset_and_makes_links_safe():
    dirty = (
        '<p style="color:red" onclick="x()">Le <b>baobab</b> <img src=x onerror=y()>'
        '<a href="https://imaginecole.org" target="_blank">lien</a> '
        '<a href="javascript:alert(1)">piège</a><script>alert(1)</script>'
        '<span dir="rtl" lang="ar">مرحبا</span></p>'
    )
    clean = sanitize_rich_text(dirty)
    assert clean == (
        '<p>Le <b>baobab</b> <a href="https://imaginecole.org" rel="noopener noreferrer">lien'
        '</a> <a rel="noopener noreferrer">piège</a><span dir="rtl" lang="ar">مرحبا</span></p>'
    )
    manifest = new_grain("true_false")
    manifest["questions"][0]["statement"] = clean
    assert validate_manifest(manifest) == []


def test_save_sanitises_rich_text(tmp_path):
    manifest = new_grain("true_false")
    manifest["questions"][0]["statement"] = "<p>Vrai ?<script>alert(1)</script></p>"
    saved = save_manifest(tmp_path, manifest)
    assert saved["questions"][0]["statement"] == "<p>Vrai ?</p>"
    assert "script" not in (tmp_path / MANIFEST).read_text("utf-8")


def test_image_without_alt_and_audio_without_transcript():
    manifest = new_grain("question_set")
    manifest["questions"][0]["media"] = {"image": {"src": "media/carte.png"}}
    manifest["questions"][1]["media"] = {"audio": {"src": "media/son.mp3", "transcript": ""}}
    found = problems_by_path(manifest)
    assert "« alt »" in found["questions[0].media.image"]
    assert "must not be empty" in found["questions[1].media.audio.transcript"]


@pytest.mark.parametrize(
    "src", ["media/../x.png", "../x.png", "media/sub/x.png", "/etc/x.png", "media/.cache.png"]
)
def test_media_path_traversal_is_refused(src, tmp_path):
    (tmp_path / "x.png").write_bytes(PNG)
    manifest = new_grain("true_false")
    manifest["questions"][0]["media"] = {"image": {"src": src, "alt": "Une carte"}}
    found = problems_by_path(manifest, tmp_path)
    assert "must be a file inside media/" in found["questions[0].media.image.src"]


def test_media_files_are_checked_in_the_bundle(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "carte.png").write_bytes(PNG)
    (media / "faux.png").write_bytes(b"GIF89a" + b"\0" * 20)
    (media / "enorme.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024))
    manifest = new_grain("flashcards")
    card = manifest["questions"][0]["cards"][0]
    card["image"] = {"src": "media/carte.png", "alt": "Un triangle"}
    assert validate_manifest(manifest, tmp_path) == []
    for src, expected in [
        ("media/absent.png", "is missing from the bundle"),
        ("media/faux.png", "does not contain what its extension says"),
        ("media/enorme.png", "larger than 5 MB"),
        ("media/carte.mp3", "is not an allowed image file"),
    ]:
        card["image"]["src"] = src
        found = problems_by_path(manifest, tmp_path)
        assert expected in found["questions[0].cards[0].image.src"], src


def test_questions_of_another_kind_in_a_single_kind_grain():
    manifest = new_grain("single_choice")
    tf = copy.deepcopy(new_grain("true_false")["questions"][0])
    tf["id"] = "q2"
    manifest["questions"].append(tf)
    found = problems_by_path(manifest)
    assert "question_set" in found["questions[1].kind"]
    manifest["kind"] = "question_set"
    assert validate_manifest(manifest) == []


def test_fill_blanks_and_drag_words_need_marks():
    manifest = question_set(
        {"id": "a", "kind": "fill_blanks", "statement": "Complétez.", "text": "Sans trou."},
        {"id": "b", "kind": "drag_words", "statement": "Placez.", "text": "Un *mot et *deux*"},
        {"id": "c", "kind": "fill_blanks", "statement": "Complétez.", "text": "Le *chat/* dort"},
    )
    found = problems_by_path(manifest)
    assert "between asterisks" in found["questions[0].text"]
    assert "not closed" in found["questions[1].text"]
    assert "empty answer" in found["questions[2].text"]


def test_duplicate_ids_and_unknown_fields():
    manifest = new_grain("true_false")
    second = copy.deepcopy(manifest["questions"][0])
    second["choices"] = []
    manifest["questions"].append(second)
    manifest["metadata"]["auteur"] = "Awa"
    found = problems_by_path(manifest)
    assert "already used by questions[0]" in found["questions[1].id"]
    assert "not used by « true_false » questions" in found["questions[1]"]
    assert "auteur" in found["metadata"]


def test_level_error_lists_the_allowed_ids():
    with pytest.raises(BundleError) as err:
        new_grain("single_choice", country="TN", level="cm1", subject="mathematiques")
    problem = err.value.problems[0]
    assert problem.path == "metadata.level"
    assert "4-secondaire" in problem.render("en") and "9-base" in problem.render("en")
    assert "n'est pas un niveau du programme TN" in problem.render("fr")
    # the same level is fine in Senegal
    assert new_grain("single_choice", country="SN", level="cm1")["metadata"]["level"] == "cm1"


def test_atomic_save_survives_a_crash(tmp_path, monkeypatch):
    first = save_manifest(tmp_path, new_grain("single_choice", title="Première version"))
    changed = copy.deepcopy(first)
    changed["metadata"]["title"] = "Deuxième version"
    real_replace = os.replace

    def crash(src, dst, *args, **kwargs):
        if Path(dst).name == MANIFEST:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        save_manifest(tmp_path, changed)
    monkeypatch.setattr(os, "replace", real_replace)
    assert load_manifest(tmp_path) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, BACKUP, "media"])

    save_manifest(tmp_path, changed)
    assert load_manifest(tmp_path)["metadata"]["title"] == "Deuxième version"
    backup = json.loads((tmp_path / BACKUP).read_text("utf-8"))
    assert backup["metadata"]["title"] == "Première version"


def test_invalid_manifest_is_not_saved(tmp_path):
    save_manifest(tmp_path, new_grain("true_false"))
    before = (tmp_path / MANIFEST).read_bytes()
    bad = new_grain("true_false")
    bad["questions"][0]["statement"] = ""
    with pytest.raises(BundleError):
        save_manifest(tmp_path, bad)
    assert (tmp_path / MANIFEST).read_bytes() == before
    # a draft may still be autosaved, and reopened for editing
    save_manifest(tmp_path, bad, validate=False)
    assert load_manifest(tmp_path, validate=False)["questions"][0]["statement"] == ""
    with pytest.raises(BundleError):
        load_manifest(tmp_path)


def test_json_syntax_error_gives_line_and_column(tmp_path):
    (tmp_path / MANIFEST).write_text('{\n  "kind": "true_false",\n  oops\n}', "utf-8")
    with pytest.raises(BundleError) as err:
        load_manifest(tmp_path)
    assert "ligne 3, colonne 3" in str(err.value)
    assert "line 3, column 3" in str(err.value)


def test_upgrade_from_version_0(tmp_path):
    current = new_grain("true_false")
    old = copy.deepcopy(current)
    del old["type"]
    old["schema_version"] = 0
    old["metadata"]["license"] = old["metadata"].pop("licence")
    old["metadata"]["license"] = "CC-BY-4.0"
    upgraded = upgrade_manifest(old)
    assert upgraded["type"] == "grain" and upgraded["schema_version"] == 1
    assert upgraded["metadata"]["licence"] == "CC-BY-4.0"
    assert "license" not in upgraded["metadata"]
    assert old["schema_version"] == 0  # the input is left alone

    del old["schema_version"]
    del old["metadata"]["license"]
    (tmp_path / MANIFEST).write_text(json.dumps(old), "utf-8")
    loaded = load_manifest(tmp_path)
    assert loaded["metadata"]["licence"] == "CC-BY-SA-4.0"
    assert sorted(UPGRADES) == list(range(len(UPGRADES)))


def test_manifest_from_a_newer_version_is_refused():
    manifest = new_grain("true_false")
    manifest["schema_version"] = 7
    with pytest.raises(BundleError) as err:
        upgrade_manifest(manifest)
    assert "newer Imaginecole Studio" in str(err.value)
    assert "plus récente" in str(err.value)


def test_missing_manifest(tmp_path):
    with pytest.raises(BundleError) as err:
        load_manifest(tmp_path)
    assert "imaginecole grain new" in str(err.value)
