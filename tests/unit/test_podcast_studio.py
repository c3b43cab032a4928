"""The podcast studio without a browser: chunked recording, recovery, operations, uploads.

What the page sends is applied as it would arrive (``studio._on_deck_message`` with the
chunk's bytes as the buffer, ``studio.handle`` for operations) and what reaches the disk
is read back from manifest.json and media/.
"""

from __future__ import annotations

import html
import json
import subprocess
from pathlib import Path

import pytest
from imaginecole.widgets.media_upload import MAX_UPLOAD_AUDIO_BYTES
from imaginecole.widgets.podcast_ops import PodcastOpError, apply_op
from imaginecole.widgets.podcast_recording import (
    PART_SUFFIX,
    ChunkWriter,
    leftover_parts,
    recover_part,
)
from imaginecole.widgets.podcast_strings import deck_strings
from imaginecole.widgets.podcast_studio import PodcastStudio

from .french import untranslated
from .podcast.sample_podcasts import podcast_bundle, speech, tone


@pytest.fixture(scope="module")
def webm(tmp_path_factory) -> bytes:
    """3 s of speech as WebM/Opus, what MediaRecorder sends."""
    folder = tmp_path_factory.mktemp("rec")
    wav = speech(folder / "voice.wav", "Bonjour, ceci est un essai du micro de la classe.")
    out = folder / "voice.webm"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-nostdin", "-i", str(wav), "-c:a", "libopus", str(out)],
        check=True,
    )
    return out.read_bytes()


@pytest.fixture
def bundle(tmp_path) -> Path:
    folder = tmp_path / "podcasts" / "radio"
    podcast_bundle(folder)
    return folder


@pytest.fixture
def studio(bundle) -> PodcastStudio:
    return PodcastStudio(bundle, language="fr", autosave_delay=0)


def saved(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text("utf-8"))


def saved_segments(bundle: Path) -> list[dict]:
    return saved(bundle)["episodes"][0]["segments"]


def send_recording(studio: PodcastStudio, data: bytes, target: str = "") -> None:
    """What the page sends: start, 1 s chunks (here 1000-byte slices) with buffers, stop."""
    studio._on_deck_message(None, {"type": "start", "target": target}, [])
    for seq, at in enumerate(range(0, len(data), 1000)):
        chunk = memoryview(data[at : at + 1000])
        studio._on_deck_message(None, {"type": "chunk", "seq": seq}, [chunk])


def duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


# -- chunks ---------------------------------------------------------------------------------


def test_chunks_are_on_disk_as_they_come_and_finish_renames(tmp_path):
    writer = ChunkWriter(tmp_path, "s9")
    assert writer.append(0, b"abc")
    assert (tmp_path / "media" / f"s9{PART_SUFFIX}").read_bytes() == b"abc"
    assert not writer.append(0, b"abc")  # sent twice: kept once
    assert writer.append(1, b"def")
    assert (tmp_path / "media" / f"s9{PART_SUFFIX}").read_bytes() == b"abcdef"
    assert writer.append(3, b"ghi")  # a lost chunk: what follows is still kept
    assert writer.missing == 1
    final = writer.finish()
    assert final == tmp_path / "media" / "s9.webm"
    assert final.read_bytes() == b"abcdefghi"
    assert not (tmp_path / "media" / f"s9{PART_SUFFIX}").exists()


def test_an_empty_recording_leaves_nothing(studio, bundle):
    before = saved_segments(bundle)
    studio._on_deck_message(None, {"type": "start", "target": ""}, [])
    studio._on_deck_message(None, {"type": "stop"}, [])
    assert saved_segments(bundle) == before
    assert leftover_parts(bundle) == []
    assert studio.notice.text == "Rien n'a été enregistré."


def test_recording_becomes_a_segment_on_disk(studio, bundle, webm):
    send_recording(studio, webm)
    part = next((bundle / "media").glob(f"*{PART_SUFFIX}"))
    assert part.read_bytes() == webm  # every chunk is on the disk before stop
    assert studio.deck.chunks == len(range(0, len(webm), 1000))
    studio._on_deck_message(None, {"type": "stop"}, [])
    segment = saved_segments(bundle)[-1]
    assert segment["kind"] == "recording"
    path = bundle / segment["src"]
    assert path.suffix == ".webm" and path.read_bytes() == webm
    assert duration(path) >= 2.0
    assert not part.exists()
    view = studio.deck.segments[-1]
    assert view["duration"] >= 2.0 and len(view["peaks"]) > 100


def test_record_again_replaces_the_source_and_resets_the_trims(studio, bundle, webm):
    studio.handle({"op": "trim", "segment": "s1", "start": 0.5, "end": 1.5})
    send_recording(studio, webm, target="s1")
    studio._on_deck_message(None, {"type": "stop"}, [])
    first = saved_segments(bundle)[0]
    assert first["id"] == "s1" and first["src"].endswith(".webm")
    assert (first["trim_start"], first["trim_end"]) == (0.0, None)
    assert len(saved_segments(bundle)) == 3


def test_a_draft_narration_is_replaced_by_a_recording(studio, bundle, webm):
    send_recording(studio, webm, target="s3")
    studio._on_deck_message(None, {"type": "stop"}, [])
    third = saved_segments(bundle)[2]
    assert third["kind"] == "recording" and "text" not in third and "voice" not in third
    assert (bundle / third["src"]).read_bytes() == webm


def test_an_interrupted_recording_is_recovered_on_open(bundle, webm):
    first = PodcastStudio(bundle, autosave_delay=0)
    send_recording(first, webm)
    # the tab is closed: no stop ever comes, the kernel goes
    first.writer.abandon()
    assert leftover_parts(bundle)
    studio = PodcastStudio(bundle, autosave_delay=0)
    assert studio.recover_box.layout.display is None
    assert "interrompu" in studio.recover_text.value
    segment_id = studio.recover()
    segment = next(s for s in saved_segments(bundle) if s["id"] == segment_id)
    assert (bundle / segment["src"]).read_bytes() == webm
    assert leftover_parts(bundle) == []
    assert studio.recover_box.layout.display == "none"


def test_recover_part_never_overwrites(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "s4-recovered.webm").write_bytes(b"old")
    part = media / f"s4{PART_SUFFIX}"
    part.write_bytes(b"new")
    final = recover_part(part)
    assert final.name == "s4-recovered-2.webm" and final.read_bytes() == b"new"
    assert (media / "s4-recovered.webm").read_bytes() == b"old"


def test_a_leftover_can_be_deleted(bundle):
    (bundle / "media" / f"s7{PART_SUFFIX}").write_bytes(b"\x1a\x45\xdf\xa3 lost")
    studio = PodcastStudio(bundle, autosave_delay=0)
    studio.discard_leftover()
    assert leftover_parts(bundle) == []
    assert len(saved_segments(bundle)) == 3


# -- operations -----------------------------------------------------------------------------


def test_trims_reach_the_disk(studio, bundle):
    assert studio.handle({"op": "trim", "segment": "s1", "start": 0.25, "end": 1.8})
    first = saved_segments(bundle)[0]
    assert (first["trim_start"], first["trim_end"]) == (0.25, 1.8)
    assert studio.handle({"op": "trim", "segment": "s1", "start": 0.3, "end": None})
    assert saved_segments(bundle)[0]["trim_end"] is None
    assert studio.deck.segments[0]["trim_start"] == 0.3


def test_a_bad_trim_is_refused_and_explained(studio, bundle):
    assert not studio.handle({"op": "trim", "segment": "s1", "start": 2.0, "end": 2.05})
    assert "0,1 s" in studio.notice.text or "0.1 s" in studio.notice.text
    assert saved_segments(bundle)[0].get("trim_end") is None


def test_reorder_reaches_the_disk(studio, bundle):
    assert studio.handle({"op": "move", "segment": "s1", "step": 1})
    assert [s["id"] for s in saved_segments(bundle)] == ["s2", "s1", "s3"]
    assert studio.handle({"op": "move", "segment": "s3", "to": 0})  # dragged to the top
    assert [s["id"] for s in saved_segments(bundle)] == ["s3", "s2", "s1"]
    assert not studio.handle({"op": "move", "segment": "s3", "step": -1})
    assert [s["id"] for s in studio.deck.segments] == ["s3", "s2", "s1"]


def test_title_and_remove_reach_the_disk(studio, bundle):
    studio.handle({"op": "title", "segment": "s2", "title": "Le jeu"})
    studio.handle({"op": "remove", "segment": "s3"})
    assert [(s["id"], s.get("title")) for s in saved_segments(bundle)] == [
        ("s1", "Introduction"),
        ("s2", "Le jeu"),
    ]


def test_speech_segment(studio, bundle):
    segment_id = studio.add_speech("Bonjour à toutes et à tous.")
    segment = saved_segments(bundle)[-1]
    assert segment == {**segment, "id": segment_id, "kind": "speech", "voice": "fr"}
    assert studio.add_speech("   ") is None
    assert studio.notice.text == "Écrivez d'abord le texte à lire."
    assert studio.preview_segment(segment_id).startswith("data:audio/mpeg;base64,")


def test_episodes_are_added_and_chosen(studio, bundle):
    assert studio.add_episode("La fête de l'école") == 1
    episodes = saved(bundle)["episodes"]
    assert [e["id"] for e in episodes] == ["e1", "e2"] and episodes[1]["segments"] == []
    assert studio.deck.segments == [] and studio.episode_title.value == "La fête de l'école"
    studio.add_speech("Bienvenue à la fête.")
    assert [s["id"] for s in saved(bundle)["episodes"][1]["segments"]] == ["s4"]
    studio.episode_choice.value = 0
    assert [s["id"] for s in studio.deck.segments] == ["s1", "s2", "s3"]
    assert studio.episode_title.value == "Épisode 1 : la semaine"


def test_apply_op_changes_a_copy():
    manifest = {"episodes": [{"id": "e1", "segments": [{"id": "s1", "kind": "file"}]}]}
    edited, _result = apply_op(manifest, 0, {"op": "remove", "segment": "s1"})
    assert edited["episodes"][0]["segments"] == []
    assert manifest["episodes"][0]["segments"] == [{"id": "s1", "kind": "file"}]
    with pytest.raises(PodcastOpError):
        apply_op(manifest, 0, {"op": "remove", "segment": "nope"})


# -- uploads and jingle ---------------------------------------------------------------------


def test_an_upload_becomes_a_segment(studio, bundle, tmp_path):
    data = tone(tmp_path / "bell.mp3", seconds=1.0).read_bytes()
    segment_id = studio.receive_upload("Cloche de l'école.mp3", data)
    segment = saved_segments(bundle)[-1]
    assert segment["id"] == segment_id and segment["kind"] == "file"
    assert (bundle / segment["src"]).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.txt", b"hello", "« notes.txt » n'est pas un son"),
        ("image.png", b"\x89PNG\r\n\x1a\n", "« image.png » n'est pas un son"),
        ("fake.mp3", b"not an mp3 at all", "« fake.mp3 » ne contient pas ce"),
        ("long.wav", b"RIFF\0\0\0\0WAVE" + bytes(MAX_UPLOAD_AUDIO_BYTES), "dépasse 8 Mo"),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message(studio, bundle, name, content, expected):
    before = sorted(p.name for p in (bundle / "media").iterdir())
    assert studio.receive_upload(name, content) is None
    assert expected in html.unescape(studio.upload_errors.value)
    assert studio.upload_errors.layout.display is None
    assert sorted(p.name for p in (bundle / "media").iterdir()) == before
    assert len(saved_segments(bundle)) == 3


def test_the_jingle_reaches_the_disk(studio, bundle, tmp_path):
    data = tone(tmp_path / "jingle.wav", seconds=2.0).read_bytes()
    studio.jingle_check.value = True
    assert studio.set_jingle("jingle.wav", data)
    jingle = saved(bundle)["episodes"][0]["intro_jingle"]
    assert jingle["src"] == "media/jingle.wav" and jingle["duck_db"] == 14
    studio.jingle_check.value = False
    assert "intro_jingle" not in saved(bundle)["episodes"][0]


def test_build_shows_the_measured_loudness(studio):
    built = studio.build()
    assert built is not None, studio.build_errors.value
    assert "LUFS" in studio.build_result.value and "<audio controls" in studio.build_result.value


def test_a_folder_without_a_podcast_is_said(tmp_path):
    studio = PodcastStudio(tmp_path)
    assert studio.manifest is None
    assert "ne peut pas être ouvert" in studio.children[-1].value


# -- languages ------------------------------------------------------------------------------


def test_every_string_is_translated_into_french():
    ids, missing = untranslated(
        ["podcast_studio.py", "podcast_export.py", "podcast_strings.py"], methods=True
    )
    assert ids and not missing
    for module, calls in (
        ("podcast_studio.py", ("Message", "N_")),
        ("podcast_ops.py", ("PodcastOpError",)),
        ("podcast_recording.py", ("RecordingError",)),
    ):
        ids, missing = untranslated([module], calls)
        assert ids and not missing, module


def test_english_is_complete(bundle):
    studio = PodcastStudio(bundle, language="en", autosave_delay=0)
    assert studio.upload.description == "Add a sound file"
    assert studio.deck.strings["record"] == "Record a new segment"
    assert studio.deck.segments[0]["label"] == "Segment 1: s1.wav"

    english, french = deck_strings("en"), deck_strings("fr")
    assert "Segment 1 : s1.wav" == PodcastStudio(bundle).deck.segments[0]["label"]
    assert english.keys() == french.keys()
    assert all(english.values()) and english["record"] == "Record a new segment"
    assert french["record"] != english["record"]


# -- export ---------------------------------------------------------------------------------


def test_export_gives_a_download_or_says_what_to_fix(studio):
    assert studio.export_form.export("mp3") == "la-radio-de-l-ecole.mp3"
    assert 'download="la-radio-de-l-ecole.mp3"' in studio.export_form.download.value
    studio.manifest["show"]["cover"]["alt"] = ""
    studio.save_now()
    assert studio.export_form.export("rss") == ""
    assert "ne peut pas encore être exporté" in html.unescape(studio.export_form.errors.value)
