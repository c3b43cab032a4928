"""QuizBuilder, its forms, autosave, media upload and the workbenches, driven from Python.

Each test acts as the teacher would through the widgets (setting a field's value, clicking
a button) and checks what the teacher or a learner would notice: the files in the bundle,
the messages next to the fields, the preview.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import re
import struct
import zlib
from pathlib import Path

import ipywidgets
import pytest
from imaginecole.widgets.autosave import DRAFT, Debouncer, open_bundle
from imaginecole.widgets.form_fields import plain_from_rich, rich_from_plain
from imaginecole.widgets.gift_import import GiftImport
from imaginecole.widgets.media_upload import MAX_UPLOAD_AUDIO_BYTES
from imaginecole.widgets.player_preview import PlayerPreview, preview_media
from imaginecole.widgets.question_lists import (
    CardsBody,
    ChoicesBody,
    ItemsBody,
    PairsBody,
)
from imaginecole.widgets.quiz_builder import QuizBuilder
from imaginecole.widgets.quiz_workbench import QuizWorkbench, slugify

from imaginecole.bundle import create_bundle, grain_kinds, load_manifest, new_grain
from imaginecole.bundle.model import BACKUP, MANIFEST
from imaginecole.curricula import levels
from imaginecole.player import player_assets

from .french import untranslated

WIDGETS = Path(__file__).parents[2] / "widgets"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def wav() -> bytes:
    data = b"\x00\x00" * 800
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data))
    return b"RIFF" + struct.pack("<I", 4 + len(body) - 4 + len(data)) + body + data


@pytest.fixture
def grain(tmp_path, monkeypatch):
    """Make a grain of a kind in tmp_path and return its folder."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    def make(kind: str = "single_choice", **metadata) -> Path:
        folder = tmp_path / kind
        create_bundle(folder, new_grain(kind, "fr", title=f"Essai {kind}", **metadata))
        return folder

    return make


def saved(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text("utf-8"))


def next_sibling(root: ipywidgets.Widget, widget: ipywidgets.Widget) -> ipywidgets.Widget:
    """The widget placed right after `widget`, wherever it is under `root`."""
    stack = [root]
    while stack:
        box = stack.pop()
        children = list(getattr(box, "children", ()))
        for i, child in enumerate(children):
            if child is widget:
                return children[i + 1]
        stack.extend(children)
    raise AssertionError("widget not found")


def shown_errors(slot: ipywidgets.HTML) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", slot.value)).replace("⚠", "").strip()


# -- every kind -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", grain_kinds())
def test_every_kind_opens_edits_and_autosaves_a_valid_manifest(grain, kind):
    folder = grain(kind)
    builder = QuizBuilder(folder)
    assert len(builder.editors) == len(load_manifest(folder)["questions"])
    assert builder.problems == []
    editor = builder.editors[0]
    editor.statement.value = "Une consigne écrite par l'enseignant"
    manifest = load_manifest(folder)  # validates
    assert manifest["questions"][0]["statement"] == "Une consigne écrite par l'enseignant"
    assert builder.status.startswith("Enregistré à")
    added = builder.add_question()
    assert added is not None and len(load_manifest(folder)["questions"]) == len(builder.editors)
    ids = [q["id"] for q in load_manifest(folder)["questions"]]
    assert len(ids) == len(set(ids))


def test_choices_text_right_answer_and_feedback(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    body = builder.editors[0].body
    assert isinstance(body, ChoicesBody)
    rows = body.rows.children
    rows[0].children[0].value = "Bamako"
    rows[1].children[0].value = "Dakar"
    # single choice: ticking answer 2 unticks answer 1
    body._checks[1].value = True
    assert body._checks[0].value is False
    rows[1].children[3].value = "Oui, c'est la capitale."
    q = saved(folder)["questions"][0]
    assert [c["text"] for c in q["choices"][:2]] == ["Bamako", "Dakar"]
    assert [c["correct"] for c in q["choices"]] == [False, True, False]
    assert q["choices"][1]["feedback"] == "Oui, c'est la capitale."
    body.add()
    assert len(builder.manifest["questions"][0]["choices"]) == 4


def test_every_kind_specific_field(grain):
    tf = QuizBuilder(grain("true_false"))
    tf.editors[0].body.answer.value = False
    assert saved(Path(tf.bundle_dir))["questions"][0]["answer"] is False

    blanks = QuizBuilder(grain("fill_blanks"))
    blanks.editors[0].body.text.value = "La capitale du Mali est *Bamako/bamako*."
    assert saved(Path(blanks.bundle_dir))["questions"][0]["text"].endswith("*Bamako/bamako*.")

    words = QuizBuilder(grain("drag_words"))
    distractors = words.editors[0].body.children[-2]
    distractors.value = "riz, mil ; sorgho"
    assert saved(Path(words.bundle_dir))["questions"][0]["distractors"] == ["riz", "mil", "sorgho"]

    matching = QuizBuilder(grain("matching"))
    pairs = matching.editors[0].body
    assert isinstance(pairs, PairsBody)
    pairs.add()
    left, right = pairs.rows.children[-1].children[0].children
    left.children[0].value = "Niger"
    right.children[0].value = "Niamey"
    assert saved(Path(matching.bundle_dir))["questions"][0]["pairs"][-1] == {
        "left": "Niger",
        "right": "Niamey",
    }

    ordering = QuizBuilder(grain("ordering"))
    items = ordering.editors[0].body
    assert isinstance(items, ItemsBody)
    items.move(3, -1)
    assert saved(Path(ordering.bundle_dir))["questions"][0]["items"] == ["3", "12", "105", "27"]

    cards = QuizBuilder(grain("flashcards"))
    body = cards.editors[0].body
    assert isinstance(body, CardsBody)
    body.add()
    new = body.rows.children[-1].children
    new[0].value = "Cercle"
    assert cards.problems_at("questions[0].cards[2].back")  # still empty: not saved as valid
    new[2].value = "Une figure toute ronde."
    assert saved(Path(cards.bundle_dir))["questions"][0]["cards"][-1] == {
        "front": "Cercle",
        "back": "Une figure toute ronde.",
    }


def test_question_set_mixes_kinds_and_keeps_a_pass_mark(grain):
    folder = grain("question_set")
    builder = QuizBuilder(folder)
    builder.add_kind.value = "matching"
    builder.add_question()
    builder.add_kind.value = "flashcards"
    builder.add_question()
    builder.settings_form.pass_mark.value = 80
    data = saved(folder)
    assert [q["kind"] for q in data["questions"]][-2:] == ["matching", "flashcards"]
    assert data["settings"]["pass_mark"] == 0.8


def test_rich_text_is_typed_as_plain_text():
    assert rich_from_plain("3 < 5 & 7 > 2") == "3 &lt; 5 &amp; 7 &gt; 2"
    assert plain_from_rich(rich_from_plain("a<b\nligne 2")) == "a<b\nligne 2"
    assert rich_from_plain("H<sub>2</sub>O") == "H<sub>2</sub>O"
    assert plain_from_rich("<p>Déjà <b>riche</b></p>") == "<p>Déjà <b>riche</b></p>"


def test_a_statement_with_a_less_than_sign_survives_saving_and_reopening(grain):
    folder = grain("single_choice")
    QuizBuilder(folder).editors[0].statement.value = "Vrai : 3 < 5 ?"
    assert QuizBuilder(folder).editors[0].statement.value == "Vrai : 3 < 5 ?"


# -- reorder, delete, undo --------------------------------------------------------------------


def test_questions_move_up_and_down_with_labelled_buttons(grain):
    folder = grain("question_set")
    builder = QuizBuilder(folder)
    kinds = [q["kind"] for q in builder.manifest["questions"]]
    first, last = builder.editors[0], builder.editors[-1]
    assert first.up.disabled and not first.down.disabled and last.down.disabled
    assert first.up.description == "Monter" and first.down.description == "Descendre"
    last.up.click()
    assert [q["kind"] for q in saved(folder)["questions"]] == [kinds[0], kinds[2], kinds[1]]
    assert builder.editors[1] is last and not last.down.disabled
    assert "2 sur 3" in builder.notice.text
    last.down.click()
    assert [q["kind"] for q in saved(folder)["questions"]] == kinds
    assert last.heading.value.count("Question 3 sur 3") == 1


def test_delete_a_question_then_undo_it(grain):
    folder = grain("question_set")
    builder = QuizBuilder(folder)
    before = saved(folder)["questions"]
    assert not builder.can_undo and builder.undo_button.layout.display == "none"
    builder.editors[1].remove.click()
    assert [q["id"] for q in saved(folder)["questions"]] == [before[0]["id"], before[2]["id"]]
    assert builder.undo_button.layout.display is None
    assert builder.undo_button.description == "Annuler la suppression"
    builder.undo_button.click()
    assert saved(folder)["questions"] == before
    assert not builder.can_undo and builder.undo_button.layout.display == "none"


def test_the_last_question_cannot_be_deleted(grain):
    builder = QuizBuilder(grain("true_false"))
    assert builder.editors[0].remove.disabled
    builder.delete_question(builder.editors[0])
    assert len(builder.manifest["questions"]) == 1


def test_delete_an_answer_then_undo_it(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    before = saved(folder)["questions"][0]["choices"]
    body = builder.editors[0].body
    body.delete(1)
    assert [c["id"] for c in saved(folder)["questions"][0]["choices"]] == ["c1", "c3"]
    assert "réponse 2" in builder.notice.text
    assert builder.undo()
    assert saved(folder)["questions"][0]["choices"] == before
    # the form shows the answer again
    assert builder.editors[0].body.rows.children[1].children[0].value == before[1]["text"]


# -- media ------------------------------------------------------------------------------------


def test_an_image_waits_for_its_alternative_text(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    slot = builder.editors[0].media.slots["image"]
    assert not slot.receive("Triangle rouge.PNG", png())
    assert not any((folder / "media").iterdir())
    assert "texte alternatif" in shown_errors(slot.notice)
    assert "media" not in saved(folder)["questions"][0]
    slot.text.value = "Un petit carré rouge"
    media = saved(folder)["questions"][0]["media"]
    assert media == {"image": {"src": "media/triangle-rouge.png", "alt": "Un petit carré rouge"}}
    assert (folder / "media" / "triangle-rouge.png").read_bytes() == png()
    assert shown_errors(slot.notice) == ""
    assert builder.preview.media["media/triangle-rouge.png"].startswith("data:image/png;base64,")
    # the alt text goes on being edited in the same field
    slot.text.value = "Un carré rouge"
    assert saved(folder)["questions"][0]["media"]["image"]["alt"] == "Un carré rouge"


def test_an_image_with_its_text_is_stored_at_once_and_can_be_removed_and_put_back(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    slot = builder.editors[0].media.slots["image"]
    slot.text.value = "Carte du Sénégal"
    slot._on_upload({"new": ({"name": "carte.png", "content": memoryview(png())},)})
    assert saved(folder)["questions"][0]["media"]["image"]["src"] == "media/carte.png"
    assert slot.upload.value == ()
    slot.remove.click()
    assert "media" not in saved(folder)["questions"][0]
    builder.undo()
    assert saved(folder)["questions"][0]["media"]["image"]["alt"] == "Carte du Sénégal"


def test_a_sound_needs_its_transcript_and_replaces_an_image(grain):
    folder = grain("true_false")
    builder = QuizBuilder(folder)
    media = builder.editors[0].media
    media.slots["image"].text.value = "Un fleuve"
    media.slots["image"].receive("fleuve.png", png())
    audio = media.slots["audio"]
    assert audio.layout.display == "none"  # one medium per question
    media.holder.pop("media")
    media.refresh()
    assert not audio.receive("son.wav", wav())
    assert "transcription" in shown_errors(audio.notice)
    audio.text.value = "Le Niger coule à Bamako."
    assert saved(folder)["questions"][0]["media"] == {
        "audio": {"src": "media/son.wav", "transcript": "Le Niger coule à Bamako."}
    }


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.svg", b"<svg/>", "n'est pas un fichier média autorisé"),
        ("son.mp3", b"ID3" + b"\x00" * 20, "n'est pas une image"),
        ("faux.png", b"GIF89a" + b"\x00" * 20, "ne contient pas ce qu'annonce son extension"),
        ("lourde.png", png() + b"\x00" * (5 * 1024 * 1024), "dépasse 5 Mo"),
    ],
)
def test_a_refused_image_says_why_in_french_and_stays_out(grain, name, content, expected):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    slot = builder.editors[0].media.slots["image"]
    slot.text.value = "Une image"
    assert not slot.receive(name, content)
    assert expected in shown_errors(slot.notice)
    assert slot.notice.value.count('role="alert"') == 1
    assert not any((folder / "media").iterdir())


def test_a_sound_over_the_upload_cap_is_refused(grain):
    builder = QuizBuilder(grain("single_choice"))
    slot = builder.editors[0].media.slots["audio"]
    slot.text.value = "Transcription"
    big = wav() + b"\x00" * MAX_UPLOAD_AUDIO_BYTES
    assert not slot.receive("long.wav", big)
    assert "dépasse 8 Mo" in shown_errors(slot.notice)


def test_flashcards_take_an_image_per_card(grain):
    folder = grain("flashcards")
    builder = QuizBuilder(folder)
    card_media = builder.editors[0].body.rows.children[0].children[4].media
    image = card_media.slots["image"]
    image.text.value = "Un triangle"
    assert image.receive("triangle.png", png())
    assert saved(folder)["questions"][0]["cards"][0]["image"]["src"] == "media/triangle.png"


# -- autosave and drafts ---------------------------------------------------------------------


def test_autosave_keeps_the_previous_version_as_a_backup(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    builder.editors[0].statement.value = "Première version"
    builder.editors[0].statement.value = "Deuxième version"
    assert load_manifest(folder)["questions"][0]["statement"] == "Deuxième version"
    backup = json.loads((folder / BACKUP).read_text("utf-8"))
    assert backup["questions"][0]["statement"] == "Première version"


def test_an_invalid_edit_keeps_the_last_valid_manifest_and_saves_a_draft(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    builder.editors[0].statement.value = "Quelle est la capitale du Mali ?"
    valid = (folder / MANIFEST).read_bytes()
    builder.editors[0].statement.value = ""
    assert (folder / MANIFEST).read_bytes() == valid
    assert load_manifest(folder)["questions"][0]["statement"] == "Quelle est la capitale du Mali ?"
    draft = json.loads((folder / DRAFT).read_text("utf-8"))
    assert draft["questions"][0]["statement"] == ""
    assert builder.status.startswith("Brouillon non valide enregistré à")
    assert builder.status_line.tone == "warning"

    # reopening finds the draft, problems included, and fixing it removes the draft
    again = QuizBuilder(folder)
    assert again.opened_draft and again.editors[0].statement.value == ""
    assert again.status.startswith("Brouillon repris")
    again.editors[0].statement.value = "Quelle est la capitale du Niger ?"
    assert not (folder / DRAFT).exists()
    assert load_manifest(folder)["questions"][0]["statement"] == "Quelle est la capitale du Niger ?"
    assert again.status.startswith("Enregistré à")


def test_a_draft_older_than_the_manifest_is_not_reopened(grain):
    folder = grain("single_choice")
    (folder / DRAFT).write_text(json.dumps(load_manifest(folder) | {"kind": "x"}), "utf-8")
    import os

    stamp = (folder / MANIFEST).stat().st_mtime_ns
    os.utime(folder / DRAFT, ns=(stamp - 10**9, stamp - 10**9))
    manifest, from_draft = open_bundle(folder)
    assert not from_draft and manifest["kind"] == "single_choice"


def test_a_failed_save_is_shown_and_the_work_stays_in_the_page(grain, monkeypatch):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("imaginecole.widgets.autosave.save_manifest", disk_full)
    builder.editors[0].statement.value = "Pas encore sur le disque"
    assert builder.status.startswith("Impossible d'enregistrer")
    assert builder.status_line.tone == "error"
    assert builder.manifest["questions"][0]["statement"] == "Pas encore sur le disque"


def test_saves_wait_for_a_pause_in_the_typing(grain):
    folder = grain("single_choice")

    async def typing() -> tuple[bytes, bytes, dict]:
        builder = QuizBuilder(folder, autosave_delay=0.2)
        before = (folder / MANIFEST).read_bytes()
        for text in ("Q", "Qu", "Que", "Quel âge ?"):
            builder.editors[0].statement.value = text
        during = (folder / MANIFEST).read_bytes()
        await asyncio.sleep(0.6)
        return before, during, saved(folder)

    before, during, after = asyncio.run(typing())
    assert during == before
    assert after["questions"][0]["statement"] == "Quel âge ?"


def test_an_edit_still_waiting_is_saved_when_the_kernel_stops(grain):
    from imaginecole.widgets.quiz_builder import _flush_open_builders

    folder = grain("single_choice")

    async def edit_then_stop() -> bytes:
        builder = QuizBuilder(folder, autosave_delay=60)
        builder.editors[0].statement.value = "Écrit juste avant la fermeture"
        before = (folder / MANIFEST).read_bytes()
        _flush_open_builders()  # what atexit runs when the kernel shuts down
        return before

    before = asyncio.run(edit_then_stop())
    assert "Écrit juste avant la fermeture" not in before.decode()
    assert saved(folder)["questions"][0]["statement"] == "Écrit juste avant la fermeture"


def test_debouncer_flush_runs_the_pending_call_once():
    calls = []

    async def run() -> None:
        debouncer = Debouncer(lambda: calls.append(1), 10)
        debouncer.schedule()
        debouncer.schedule()
        assert debouncer.pending and calls == []
        debouncer.flush()
        assert not debouncer.pending

    asyncio.run(run())
    assert calls == [1]


# -- errors next to their field --------------------------------------------------------------


def test_errors_appear_next_to_the_field_they_concern(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    editor = builder.editors[0]
    body = editor.body
    answer2 = body.rows.children[1].children[0]
    answer2.value = ""
    slot = next_sibling(builder, answer2)
    assert shown_errors(slot) == "ne doit pas être vide"
    assert 'role="alert"' in slot.value and slot.layout.display is None
    other = next_sibling(builder, body.rows.children[0].children[0])
    assert shown_errors(other) == "" and other.layout.display == "none"

    body._checks[0].value = False
    assert "exactement une réponse doit être correcte" in shown_errors(body.list_errors)

    editor.statement.value = "  "
    assert shown_errors(next_sibling(builder, editor.statement)).startswith("l'énoncé est vide")

    builder.metadata_form.title.value = ""
    title_slot = next_sibling(builder, builder.metadata_form.title)
    assert shown_errors(title_slot) == "ne doit pas être vide"
    assert shown_errors(builder.global_errors) == ""

    answer2.value = "54"
    assert shown_errors(slot) == ""


def test_a_missing_alt_text_shows_by_the_image(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    slot = builder.editors[0].media.slots["image"]
    slot.text.value = "Carré"
    slot.receive("carre.png", png())
    slot.text.value = ""
    assert shown_errors(slot.errors) == "ne doit pas être vide"
    assert (folder / DRAFT).exists()


# -- metadata ---------------------------------------------------------------------------------


def test_country_then_its_levels_and_subjects(grain):
    folder = grain("single_choice")
    form = QuizBuilder(folder).metadata_form
    assert form.level.disabled and form.subject.disabled
    form.country.value = "SN"
    sn_levels = [value for _label, value in form.level.options][1:]
    assert sn_levels == [item["id"] for item in levels("SN")]
    form.level.value = "cm2"
    form.subject.value = "mathematiques"
    meta = saved(folder)["metadata"]
    assert (meta["country"], meta["level"], meta["subject"]) == ("SN", "cm2", "mathematiques")
    form.country.value = "TN"
    assert [value for _label, value in form.level.options][1:] == [i["id"] for i in levels("TN")]
    assert form.level.value == ""
    meta = load_manifest(folder)["metadata"]
    # cm2 is not a Tunisian level; mathematics is a Tunisian subject too
    assert meta["country"] == "TN" and "level" not in meta
    assert meta["subject"] == "mathematiques" == form.subject.value
    form.country.value = ""
    assert form.level.disabled and "subject" not in saved(folder)["metadata"]


def test_metadata_pick_lists_and_free_fields(grain):
    folder = grain("single_choice")
    form = QuizBuilder(folder).metadata_form
    assert form.licence.value == "CC-BY-SA-4.0"
    form.grain_language.value = "other"
    assert form.language_code.layout.display is None
    form.language_code.value = "wo"
    form.resource_type.value = "autoevaluation"
    form.learning_time.value = "PT20M"
    form.keywords.value = "capitales, Afrique, capitales"
    form.authors.value = "Awa Diop, Moussa Traoré"
    form.team.value = "Équipe 3"
    meta = saved(folder)["metadata"]
    assert meta["language"] == "wo"
    assert (meta["resource_type"], meta["learning_time"]) == ("autoevaluation", "PT20M")
    assert meta["keywords"] == ["capitales", "Afrique"]
    assert meta["authors"] == [{"name": "Awa Diop"}, {"name": "Moussa Traoré"}]
    assert meta["team"] == "Équipe 3"


def test_authors_are_prefilled_from_the_hub_user(grain, monkeypatch):
    folder = grain("single_choice")
    monkeypatch.setenv("JUPYTERHUB_USER", "awa")
    builder = QuizBuilder(folder)
    assert builder.metadata_form.authors.value == "awa"
    assert saved(folder)["metadata"]["authors"] == [{"name": "awa", "username": "awa"}]


# -- preview ----------------------------------------------------------------------------------


def test_the_preview_is_the_one_player_and_follows_every_edit(grain):
    folder = grain("single_choice")
    builder = QuizBuilder(folder)
    js, css = player_assets()
    assert js in builder.preview._esm and css in builder.preview._css
    assert (WIDGETS / "player_preview.js").read_text("utf-8") in builder.preview._esm
    assert not re.search(r"""(?:import|from)\s*\(?\s*["']https?:""", builder.preview._esm)
    builder.editors[0].statement.value = "Combien font 6 × 7 ?"
    assert builder.preview.manifest["questions"][0]["statement"] == "Combien font 6 × 7 ?"
    assert builder.preview.strings["check"] == "Vérifier"


def test_the_preview_speaks_the_grain_language():
    preview = PlayerPreview(manifest=new_grain("true_false", "ar"))
    assert preview.ui_language == "ar" and preview.strings["true"] != "True"
    preview.manifest = new_grain("true_false", "en")
    assert preview.ui_language == "en" and preview.strings["true"] == "True"


def test_preview_media_leaves_out_what_is_missing_or_too_big(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(png())
    (tmp_path / "media" / "b.png").write_bytes(png() + b"\x00" * 100)
    manifest = new_grain("flashcards")
    cards = manifest["questions"][0]["cards"]
    cards[0]["image"] = {"src": "media/a.png", "alt": "a"}
    cards[1]["image"] = {"src": "media/b.png", "alt": "b"}
    manifest["questions"][0]["media"] = {"image": {"src": "media/absent.png", "alt": "c"}}
    media, skipped = preview_media(tmp_path, manifest, max_file_bytes=len(png()) + 10)
    assert media["media/a.png"].startswith("data:image/png;base64,")
    assert media["media/b.png"] == "" and media["media/absent.png"] == ""
    assert sorted(skipped) == ["media/absent.png", "media/b.png"]


# -- the workbench ---------------------------------------------------------------------------


def test_the_workbench_opens_on_choose_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bench = QuizWorkbench()
    assert bench.step == 1 and bench.builder is None
    assert all(b.disabled for b in bench.step_buttons[1:]) and bench.next_button.disabled
    bench.step_buttons[3].click()
    assert bench.step == 1
    assert list(tmp_path.iterdir()) == []
    assert bench.no_grain.layout.display is None


def test_the_workbench_creates_lists_and_reopens_grains(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    bench = QuizWorkbench()
    bench.create_button.click()
    assert "titre" in shown_errors(bench.create_errors)
    bench.new_title.value = "Les capitales d'Afrique"
    bench.new_kind.value = "matching"
    bench.create_button.click()
    folder = tmp_path / "grains" / "les-capitales-d-afrique"
    assert bench.step == 2 and Path(bench.bundle_dir) == folder
    assert load_manifest(folder)["metadata"]["title"] == "Les capitales d'Afrique"
    assert bench.builder.view == "questions"
    bench.next_button.click()
    assert bench.step == 3 and bench.builder.view == "details"
    bench.next_button.click()
    assert bench.builder.view == "preview"
    # the same title gives another folder
    bench.create("Les capitales d'Afrique", "ordering")
    assert Path(bench.bundle_dir).name == "les-capitales-d-afrique-2"
    fresh = QuizWorkbench()
    assert [g.path.name for g in fresh.grains] == [
        "les-capitales-d-afrique-2",
        "les-capitales-d-afrique",
    ]
    fresh.grain_list.value = str(folder)
    fresh.open_button.click()
    assert fresh.step == 2 and fresh.builder.manifest["kind"] == "matching"


def test_slugs_are_plain_ascii_folder_names():
    assert slugify("Les élèves de 6e : « fractions » !") == "les-eleves-de-6e-fractions"
    assert slugify("   ") == "grain"
    assert slugify("اختبار") == "grain"


def test_export_gives_a_single_offline_page_with_the_media_inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bench = QuizWorkbench()
    builder = bench.create("Quiz exporté", "single_choice")
    builder.editors[0].statement.value = "Quelle figure voyez-vous ?"
    image = builder.editors[0].media.slots["image"]
    image.text.value = "Un carré rouge"
    image.receive("carre.png", png())
    bench.step_buttons[4].click()
    assert bench.step == 5
    match = re.search(
        r'href="data:text/html;charset=utf-8;base64,([^"]+)" download="([^"]+)"',
        bench.download.value,
    )
    assert match and match.group(2) == "quiz-exporte.html"
    page = base64.b64decode(match.group(1)).decode("utf-8")
    assert "Quelle figure voyez-vous ?" in page
    assert "data:image/png;base64," in page
    assert not re.search(r"""(?:src|href)=["']https?://""", page)
    # the way to the catalogue, named as the launcher names it
    assert "« Publier dans le catalogue »" in bench.export_panel.children[1].children[1].value


def test_export_warns_that_an_invalid_grain_exports_its_last_valid_version(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bench = QuizWorkbench()
    builder = bench.create("Quiz", "true_false")
    builder.editors[0].statement.value = "Le Niger traverse le Mali."
    builder.editors[0].statement.value = ""
    bench.step = 5
    assert "dernière version valide" in bench.export_warning.value
    page = base64.b64decode(bench.download.value.split("base64,")[1].split('"')[0]).decode()
    assert "Le Niger traverse le Mali." in page


def test_the_english_workbench_speaks_english(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bench = QuizWorkbench(language="en")
    assert bench.create_button.description == "Create the grain"
    builder = bench.create("Capitals", "single_choice")
    assert builder.editors[0].up.description == "Move up"
    assert builder.status.startswith("Opened at")
    assert load_manifest(bench.bundle_dir)["metadata"]["language"] == "en"


# -- GIFT import ------------------------------------------------------------------------------


def test_gift_errors_give_line_and_column_and_create_nothing(tmp_path):
    gift = GiftImport(grains_dir=str(tmp_path / "grains"))
    gift.load_file(
        "quiz.gift", "::Q1:: Capitale du Mali ? {=Bamako ~Dakar}\n\nMal formée {=a ~b\n".encode()
    )
    assert gift.run_import() is None
    text = re.sub(r"<[^>]+>", " ", gift.errors.value)
    assert "ligne 3, colonne 12" in text and "quiz.gift" in text
    assert 'role="alert"' in gift.errors.value
    assert not (tmp_path / "grains").exists()


def test_gift_import_opens_the_new_grain_in_the_builder(tmp_path):
    gift = GiftImport(grains_dir=str(tmp_path / "grains"))
    gift.text.value = (
        "$CATEGORY: Géographie/Capitales\n\n::Mali:: Capitale du Mali ? {=Bamako ~Dakar}\n"
    )
    builder = gift.run_import()
    assert builder is not None and builder.problems == []
    folder = tmp_path / "grains" / "capitales"
    assert load_manifest(folder)["questions"][0]["choices"][0]["text"] == "Bamako"
    assert "1 question(s) importée(s)" in gift.status.text
    builder.editors[0].statement.value = "Quelle est la capitale du Mali ?"
    assert load_manifest(folder)["questions"][0]["statement"] == "Quelle est la capitale du Mali ?"


def test_gift_file_in_windows_1252_is_read(tmp_path):
    gift = GiftImport(grains_dir=str(tmp_path))
    gift.load_file("ancien.gift", "Où est Dakar ? {=Sénégal ~Mali}".encode("cp1252"))
    assert gift.text.value == "Où est Dakar ? {=Sénégal ~Mali}"


# -- French first ----------------------------------------------------------------------------


def test_every_interface_string_of_the_quiz_widgets_is_in_french():
    ids, missing = untranslated(
        [
            "player_preview.py",
            "form_fields.py",
            "media_upload.py",
            "question_forms.py",
            "question_lists.py",
            "metadata_form.py",
            "quiz_builder.py",
            "quiz_workbench.py",
            "gift_import.py",
        ]
    )
    assert len(ids) > 150
    assert missing == []
