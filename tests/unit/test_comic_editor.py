"""The comic editor without a browser: operations, undo and redo, autosave, refusals.

What the page sends (``{"op": "move", …}``) is applied with ``editor.apply`` (or
``editor.handle``, which explains a refusal instead of raising), and what reaches the disk
is read back from manifest.json.
"""

from __future__ import annotations

import datetime
import html
import json
import math
import shutil
import zipfile
from pathlib import Path

import pytest
from imaginecole.widgets.comic_canvas import canvas_strings, palette_items
from imaginecole.widgets.comic_editor import ComicEditor
from imaginecole.widgets.comic_history import History
from imaginecole.widgets.comic_ops import OpError, apply_op

from imaginecole.comic.validate import validate_comic

from .french import untranslated

REPO = Path(__file__).parents[2]
COMIC = REPO / "tests" / "fixtures" / "comics" / "ecole"


@pytest.fixture
def comic(tmp_path) -> Path:
    folder = tmp_path / "comics" / "ecole"
    shutil.copytree(COMIC, folder)
    return folder


@pytest.fixture
def editor(comic) -> ComicEditor:
    return ComicEditor(comic, language="fr", autosave_delay=0)


def upload(name: str, content: bytes) -> dict:
    """A file as ipywidgets' FileUpload holds it once the browser sent it."""
    return {
        "name": name,
        "type": "image/png",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": datetime.datetime(2026, 11, 28, tzinfo=datetime.UTC),
    }


def saved(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def find(manifest: dict, panel: str, el: str | None = None) -> dict:
    for page in manifest["pages"]:
        for p in page["panels"]:
            if p["id"] == panel:
                if el is None:
                    return p
                return next(e for e in p["elements"] if e["id"] == el)
    raise KeyError(panel)


def test_the_editor_shows_the_rendered_page_with_named_elements(editor):
    canvas = editor.canvas
    assert canvas.svg.startswith("<svg")
    assert 'data-panel="p1-1"' in canvas.svg and 'data-el="e1"' in canvas.svg
    assert "ic-hit" in canvas.svg  # the renderer's grab rectangles, for_editor=True
    labels = {(e["panel"], e["id"]): e["label"] for e in canvas.elements}
    assert labels[("p1-1", "e1")] == "Awa (personnage), case 1"
    assert labels[("p1-1", "b1")].startswith("Bulle de parole : « Bonjour Moussa")
    assert [p["n"] for p in canvas.panels] == [1, 2, 3]
    assert canvas.panels[0]["w"] > 0 and canvas.panel == "p1-1"
    assert editor.status == "Ouverte ; tout est enregistré."


def test_move_resize_flip_and_layer_reach_the_disk(editor, comic):
    editor.apply({"op": "move", "panel": "p1-1", "el": "e1", "x": 0.55, "y": 0.6})
    awa = find(saved(comic), "p1-1", "e1")
    assert (awa["x"], awa["y"]) == (0.55, 0.6)

    editor.apply({"op": "resize", "panel": "p1-1", "el": "e1", "scale": 0.8})
    editor.apply({"op": "scale_by", "panel": "p1-1", "el": "e1", "factor": 1.1})
    assert find(saved(comic), "p1-1", "e1")["scale"] == pytest.approx(0.88)
    editor.apply({"op": "resize", "panel": "p1-1", "el": "b1", "w": 0.5, "h": 0.3})
    bubble = find(saved(comic), "p1-1", "b1")
    assert (bubble["w"], bubble["h"]) == (0.5, 0.3)

    editor.apply({"op": "flip", "panel": "p1-1", "el": "e1"})
    assert find(saved(comic), "p1-1", "e1")["flip"] is True

    # Awa (z 1) goes in front of everything, then one step back
    editor.apply({"op": "layer", "panel": "p1-1", "el": "e1", "step": "front"})
    panel = find(saved(comic), "p1-1")
    top = max(panel["elements"], key=lambda e: e["z"])
    assert top["id"] == "e1"
    editor.apply({"op": "layer", "panel": "p1-1", "el": "e1", "step": -1})
    order = [e["id"] for e in sorted(find(saved(comic), "p1-1")["elements"], key=lambda e: e["z"])]
    assert order[-2] == "e1"
    assert validate_comic(saved(comic), comic) == []


def test_text_in_place_and_delete(editor, comic):
    editor.apply({"op": "set_text", "panel": "p1-1", "el": "b1", "text": "Salut Moussa !"})
    assert find(saved(comic), "p1-1", "b1")["text"] == "Salut Moussa !"
    assert "Salut Moussa" in editor.canvas.svg

    editor.apply({"op": "delete", "panel": "p1-1", "el": "e1"})
    panel = find(saved(comic), "p1-1")
    assert "e1" not in [e["id"] for e in panel["elements"]]
    # the bubble that Awa spoke no longer points at her
    assert all(e.get("speaker") != "e1" for e in panel["elements"])


def test_palettes_add_characters_props_and_text_to_the_chosen_panel(editor, comic):
    editor.select("p1-2")
    ref = next(a["ref"] for a in editor.canvas.palette if a["kind"] == "character")
    new = editor.apply({"op": "add", "panel": "p1-2", "kind": "character", "art": ref})
    assert editor.canvas.selected == f"p1-2/{new}"
    element = find(saved(comic), "p1-2", new)
    assert element["kind"] == "character" and element["art"] == ref
    for spec in (
        {"kind": "prop", "art": "openmoji:1F4D6"},
        {"kind": "bubble", "style": "whisper"},
        {"kind": "bubble", "style": "thought"},
        {"kind": "caption"},
        {"kind": "sfx"},
    ):
        editor.apply({"op": "add", "panel": "p1-2", **spec})
    kinds = [e["kind"] for e in find(saved(comic), "p1-2")["elements"]]
    assert kinds[-6:] == ["character", "prop", "bubble", "bubble", "caption", "sfx"]
    bubble = find(saved(comic), "p1-2")["elements"][-3]
    assert bubble["style"] == "thought" and bubble["speaker"] == new  # the last character
    assert find(saved(comic), "p1-2")["elements"][-1]["text"] == "BOUM !"
    ids = [e["id"] for e in find(saved(comic), "p1-2")["elements"]]
    assert len(ids) == len(set(ids))
    assert validate_comic(saved(comic), comic) == []


def test_the_palette_shows_one_skin_tone_at_a_time_with_labels(editor):
    canvas = editor.canvas
    assert [tone for tone, _label in canvas.skins] == [
        "light",
        "medium-light",
        "medium",
        "medium-dark",
        "dark",
    ]
    characters = [a for a in canvas.palette if a["kind"] == "character"]
    props = [a for a in canvas.palette if a["kind"] == "prop"]
    assert len(characters) >= 50 and len(props) >= 20
    assert all(a["thumb"].startswith("data:image/svg+xml;base64,") for a in canvas.palette)
    assert any(a["tags"].get("hair") == "headscarf" for a in characters)
    assert any(a["tags"].get("expression") == "raising-hand" for a in characters)
    before = {a["ref"] for a in characters}
    canvas.skin = "light"
    after = {a["ref"] for a in canvas.palette if a["kind"] == "character"}
    assert after and not before & after
    assert {a["label"] for a in palette_items("en", "light")} >= {"Woman", "Boy"}


def test_backgrounds_and_panel_descriptions(editor, comic):
    editor.apply(
        {
            "op": "set_background",
            "panel": "p1-2",
            "background": {"kind": "color", "color": "#FFEEDD"},
        }
    )
    assert find(saved(comic), "p1-2")["background"] == {"kind": "color", "color": "#ffeedd"}
    editor.apply(
        {
            "op": "set_background",
            "panel": "p1-2",
            "background": {"kind": "gradient", "from": "#87ceeb", "to": "#ffffff"},
        }
    )
    assert find(saved(comic), "p1-2")["background"]["kind"] == "gradient"
    editor.apply(
        {
            "op": "set_background",
            "panel": "p1-2",
            "background": {"kind": "scene", "scene": "market"},
        }
    )
    assert find(saved(comic), "p1-2")["background"] == {"kind": "scene", "scene": "market"}

    editor.apply({"op": "set_alt", "panel": "p1-2", "alt": "Moussa cherche son cahier."})
    assert find(saved(comic), "p1-2")["alt"] == "Moussa cherche son cahier."


def test_a_panel_without_description_is_flagged_and_blocks_the_export(editor, comic):
    editor.select("p1-3")
    original = editor.panel_form.alt.value
    assert original.startswith("La maîtresse")
    editor.panel_form.alt.value = ""
    assert find(saved(comic), "p1-3")["alt"] == ""
    warning = editor.panel_form.alt_warning
    assert "Obligatoire pour exporter" in warning.value and warning.layout.display is None
    assert editor.canvas.panels[2]["alt_missing"] is True  # the page shows a badge on it
    assert "La case 3 n'a pas encore de description" in editor.canvas.warnings[0]
    assert editor.export_form.export("png") == ""
    assert "ne peut pas encore être exportée" in editor.export_form.errors.value
    assert editor.export_form.download.value == ""
    # typing in the field, letter by letter, is one step of Undo
    for text in ("L", "Le", "Le rang"):
        editor.panel_form.alt.value = text
    assert find(saved(comic), "p1-3")["alt"] == "Le rang"
    assert "Obligatoire" not in warning.value
    editor.undo()
    assert find(saved(comic), "p1-3")["alt"] == original
    assert editor.panel_form.alt.value == original


def test_export_buttons_come_from_the_registry_and_give_a_download(editor, comic):
    labels = [b.description for b in editor.export_form.buttons]
    assert "Images (PNG)" in labels and "PDF à imprimer" in labels
    name = editor.export_form.export("cbz")
    assert name.endswith(".cbz")
    assert 'download="une-journee-a-l-ecole.cbz"' in editor.export_form.download.value


def test_pages_add_move_remove_layout_and_gutter(editor, comic):
    new_id = editor.apply({"op": "page_add", "after": 0, "layout": "grid6"})
    pages = saved(comic)["pages"]
    assert [p["id"] for p in pages][1] == new_id and len(pages[1]["panels"]) == 6
    assert editor.page == 1 and editor.page_form.choice.value == 1
    assert editor.canvas.panels[0]["id"] == pages[1]["panels"][0]["id"]

    editor.apply({"op": "page_move", "page": 1, "step": 1})
    assert [p["id"] for p in saved(comic)["pages"]][2] == new_id and editor.page == 2

    editor.apply({"op": "set_layout", "page": 2, "layout": "rows", "rows": [1, 2]})
    page = saved(comic)["pages"][2]
    assert page["rows"] == [1, 2] and len(page["panels"]) == 3
    editor.apply({"op": "set_gutter", "page": 2, "gutter": 48})
    assert saved(comic)["pages"][2]["gutter"] == 48

    editor.apply({"op": "set_layout", "page": 2, "layout": "webtoon"})
    added = editor.apply({"op": "panel_add", "page": 2})
    assert len(saved(comic)["pages"][2]["panels"]) == 4
    editor.apply({"op": "panel_move", "page": 2, "panel": added, "step": -1})
    assert saved(comic)["pages"][2]["panels"][2]["id"] == added
    editor.apply({"op": "panel_remove", "page": 2, "panel": added})

    editor.apply({"op": "page_remove", "page": 2})
    assert [p["id"] for p in saved(comic)["pages"]] == ["p1", "p2"]
    assert editor.page == 1
    assert validate_comic(saved(comic), comic) == []


def test_a_layout_never_drops_a_panel_that_holds_something(editor, comic):
    before = (comic / "manifest.json").read_bytes()
    with pytest.raises(OpError) as caught:
        editor.apply({"op": "set_layout", "page": 1, "layout": "strip3"})
    assert "la case 4 n'est pas vide" in caught.value.render("fr")
    assert (comic / "manifest.json").read_bytes() == before


def test_undo_and_redo_restore_the_manifest_on_disk(editor, comic):
    original = saved(comic)
    editor.apply({"op": "move", "panel": "p1-1", "el": "e1", "x": 0.9, "y": 0.9})
    editor.apply({"op": "delete", "panel": "p1-1", "el": "b1"})
    assert editor.canvas.can_undo and not editor.canvas.can_redo
    assert editor.undo() and editor.undo()
    assert editor.undo() is False  # nothing left
    assert saved(comic)["pages"] == original["pages"]
    assert editor.canvas.can_redo and not editor.canvas.can_undo
    editor.apply({"op": "redo"})
    assert find(saved(comic), "p1-1", "e1")["x"] == 0.9
    editor.handle({"op": "redo"})
    assert "b1" not in [e["id"] for e in find(saved(comic), "p1-1")["elements"]]
    # a new edit forgets what could be redone
    editor.undo()
    editor.apply({"op": "flip", "panel": "p1-1", "el": "e2"})
    assert editor.redo() is False


@pytest.mark.parametrize(
    "op, expected",
    [
        ({"op": "move", "panel": "p1-1", "el": "nobody", "x": 0.5, "y": 0.5}, "pas d'élément"),
        ({"op": "move", "panel": "p9", "el": "e1", "x": 0.5, "y": 0.5}, "pas de case p9"),
        ({"op": "move", "panel": "p1-1", "el": "e1", "x": math.nan, "y": 0.5}, "un nombre"),
        ({"op": "move", "panel": "p1-1", "el": "e1", "x": "left", "y": 0.5}, "un nombre"),
        ({"op": "resize", "panel": "p1-1", "el": "e1", "scale": math.inf}, "un nombre"),
        ({"op": "set_text", "panel": "p1-1", "el": "b1", "text": "a" * 401}, "401 caractères"),
        (
            {"op": "set_text", "panel": "p1-1", "el": "e1", "text": "Bonjour"},
            "contiennent du texte",
        ),
        ({"op": "flip", "panel": "p1-1", "el": "b1"}, "peuvent être retournés"),
        ({"op": "add", "panel": "p1-1", "kind": "dragon"}, "ne peut pas être ajouté"),
        (
            {
                "op": "set_background",
                "panel": "p1-1",
                "background": {"kind": "color", "color": "red"},
            },
            "#ff8800",
        ),
        ({"op": "page_remove", "page": 7}, "pas de page 8"),
        ({"op": "explode"}, "n'est pas une modification"),
        ("move", "n'est pas une modification"),
    ],
)
def test_a_bad_operation_is_refused_and_nothing_is_saved(editor, comic, op, expected):
    before = (comic / "manifest.json").read_bytes()
    state = json.dumps(editor.manifest, sort_keys=True)
    assert editor.handle(op) is False
    assert expected in editor.notice.text
    assert editor.notice.tone == "error"
    assert (comic / "manifest.json").read_bytes() == before
    assert json.dumps(editor.manifest, sort_keys=True) == state
    assert not editor.history.can_undo
    assert not (comic / "manifest.draft.json").exists()


def test_the_page_sends_operations_as_custom_messages(editor, comic):
    editor.canvas._handle_custom_msg(
        {"op": "move", "panel": "p1-1", "el": "e2", "x": 0.1, "y": 0.5}, []
    )
    assert find(saved(comic), "p1-1", "e2")["x"] == 0.1
    editor.canvas._handle_custom_msg({"op": "move", "panel": "p1-1", "el": "e2"}, [])
    assert editor.notice.tone == "error"


def test_an_invalid_edit_goes_to_the_draft_and_keeps_the_last_valid_manifest(editor, comic):
    before = (comic / "manifest.json").read_bytes()
    editor.apply({"op": "add", "panel": "p1-1", "kind": "prop", "art": "openmoji:FFFFF"})
    assert (comic / "manifest.json").read_bytes() == before
    draft = json.loads((comic / "manifest.draft.json").read_text("utf-8"))
    assert draft["pages"][0]["panels"][0]["elements"][-1]["art"] == "openmoji:FFFFF"
    assert editor.status.startswith("Brouillon enregistré")
    # reopening finds the draft; undo makes the comic valid again and removes the draft
    again = ComicEditor(comic, autosave_delay=0)
    assert again.opened_draft and again.status.startswith("Brouillon rouvert")
    editor.undo()
    assert not (comic / "manifest.draft.json").exists()


def test_history_is_bounded():
    manifest = json.loads((COMIC / "manifest.json").read_text("utf-8"))
    history = History(limit=5)
    state = manifest
    for i in range(8):
        history.push(state)
        state, _result = apply_op(
            state, {"op": "move", "panel": "p1-1", "el": "e1", "x": i / 10, "y": 0.5}
        )
    steps = 0
    while (previous := history.undo(state)) is not None:
        state = previous
        steps += 1
    assert steps == 5
    assert find(state, "p1-1", "e1")["x"] == 0.2  # the 3 oldest edits cannot be undone


def test_the_editor_keeps_at_most_its_history_limit(comic):
    editor = ComicEditor(comic, autosave_delay=0, history_limit=3)
    for i in range(6):
        editor.apply({"op": "move", "panel": "p1-1", "el": "e1", "x": i / 10, "y": 0.5})
    assert sum(editor.undo() for _ in range(10)) == 3


def test_the_editor_is_complete_in_english(comic):
    editor = ComicEditor(comic, language="en", autosave_delay=0)
    assert editor.canvas.strings["tool_undo"] == "Undo"
    assert editor.page_form.choice.options[0][0] == "Page 1 of 2"
    assert editor.panel_form.alt.description == "Description of the panel (required to export)"
    labels = {(e["panel"], e["id"]): e["label"] for e in editor.canvas.elements}
    assert labels[("p1-1", "e1")] == "Awa (character), panel 1"
    editor.handle({"op": "flip", "panel": "p1-1", "el": "b1"})
    assert editor.notice.text == "Only characters, objects and images can be flipped."


def test_images_of_the_bundle_reach_the_page_as_data_urls(editor):
    editor.page = 1
    assert 'data-el="e2"' in editor.canvas.svg
    assert "data:image/png;base64," in editor.canvas.svg
    assert 'href="media/' not in editor.canvas.svg


def test_a_page_the_renderer_cannot_draw_is_said_not_raised(editor, monkeypatch):
    import imaginecole.comic.render as render

    def broken(*_args, **_kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(render, "render_page", broken)
    editor.apply({"op": "move", "panel": "p1-1", "el": "e1", "x": 0.4, "y": 0.6})
    assert editor.canvas.svg == ""
    assert editor.canvas.warnings == ["Cette page ne peut pas encore être dessinée : boom"]


def test_a_grain_folder_is_not_opened_as_a_comic(tmp_path):
    folder = REPO / "tests" / "fixtures" / "grains" / "single_choice"
    shutil.copytree(folder, tmp_path / "grain")
    editor = ComicEditor(tmp_path / "grain")
    assert editor.manifest is None
    assert "pas une BD" in editor.children[-1].value


def test_an_uploaded_background_goes_into_media(editor, comic):
    png = (COMIC / "media" / "carte.png").read_bytes()
    editor.select("p1-2")
    editor.panel_form.background_upload.value = (upload("cour.png", png),)
    background = find(saved(comic), "p1-2")["background"]
    assert background == {"kind": "image", "src": "media/cour.png", "fit": "cover"}
    assert (comic / "media" / "cour.png").read_bytes() == png


def test_an_image_waits_for_its_description(editor, comic):
    png = (COMIC / "media" / "carte.png").read_bytes()
    editor.select("p1-2")
    form = editor.panel_form
    form.image_upload.value = (upload("ballon.png", png),)
    assert "Écrivez d'abord la description" in html.unescape(form.image_errors.value)
    assert not (comic / "media" / "ballon.png").exists()
    form.image_alt.value = "Un ballon rouge."
    form.image_upload.value = (upload("ballon.png", png),)
    image = find(saved(comic), "p1-2")["elements"][-1]
    assert (image["kind"], image["src"], image["alt"]) == (
        "image",
        "media/ballon.png",
        "Un ballon rouge.",
    )


def test_the_chosen_bubble_form_changes_style_and_speaker(editor, comic):
    editor.select("p1-1", "b1")
    form = editor.element_form
    assert form.style.layout.display is None and form.image_alt.layout.display == "none"
    form.style.value = "shout"
    assert find(saved(comic), "p1-1", "b1")["style"] == "shout"
    form.speaker.value = "e2"
    assert find(saved(comic), "p1-1", "b1")["speaker"] == "e2"
    form.text.value = "Vite, en classe !"
    assert find(saved(comic), "p1-1", "b1")["text"] == "Vite, en classe !"


def test_every_string_of_the_comic_editor_is_in_french():
    ids, missing = untranslated(
        [
            "comic_canvas.py",
            "comic_editor.py",
            "comic_export.py",
            "comic_forms.py",
            "comic_ops.py",
        ],
        ("_", "OpError", "Message"),
        methods=True,
    )
    assert len(ids) > 150
    assert missing == []


def test_every_tool_has_a_label_and_its_key():
    strings = canvas_strings("fr")
    for name in ("left", "bigger", "flip", "forward", "delete", "undo", "redo", "edit"):
        assert strings[f"tool_{name}"]
        assert strings[f"tool_{name}_key"].startswith(strings[f"tool_{name}"] + " (")
    assert strings["tool_undo_key"] == "Annuler (Ctrl+Z)"


def test_cbz_export_holds_every_page(editor, comic):
    editor.export_form.export("cbz")
    href = editor.export_form.download.value.split('href="', 1)[1].split('"', 1)[0]
    import base64
    import io

    data = base64.b64decode(href.split(",", 1)[1])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert [n for n in archive.namelist() if n.endswith(".png")] == ["0001.png", "0002.png"]


def test_text_too_long_for_its_bubble_is_warned_next_to_its_page(editor):
    assert editor.canvas.warnings == []
    editor.apply({"op": "set_text", "panel": "p1-1", "el": "b1", "text": "Bonjour " * 45})
    assert editor.canvas.warnings == [
        "La bulle b1 de la case 1, page 1 déborde : raccourcissez le texte ou agrandissez la bulle"
    ]
    editor.page = 1
    assert editor.canvas.warnings == []
    editor.page = 0
    editor.apply({"op": "resize", "panel": "p1-1", "el": "b1", "w": 1.2, "h": 0.9})
    assert editor.canvas.warnings == []


def test_a_panel_sound_waits_for_its_transcript_and_can_be_undone(editor, comic):
    editor.select("p1-2")
    slot = editor.panel_form.audio_slot
    sound = b"ID3" + b"\x00" * 64
    assert not slot.receive("lecture.mp3", sound)
    assert "transcription" in html.unescape(slot.notice.value)
    assert "audio" not in find(saved(comic), "p1-2")
    slot.text.value = "Moussa pense : oh non, j'ai oublié mon cahier !"
    audio = find(saved(comic), "p1-2")["audio"]
    assert audio == {
        "src": "media/lecture.mp3",
        "transcript": "Moussa pense : oh non, j'ai oublié mon cahier !",
    }
    assert (comic / "media" / "lecture.mp3").read_bytes() == sound
    # another panel has its own sound slot; back on panel 2 the sound is still there
    editor.select("p1-1")
    assert editor.panel_form.audio_slot.item is None
    editor.select("p1-2")
    assert editor.panel_form.audio_slot.item["src"] == "media/lecture.mp3"
    editor.undo()
    assert "audio" not in find(saved(comic), "p1-2")
    assert editor.panel_form.audio_slot.item is None
