"""The podcast manifest: a valid starter, the bundle dispatch, and clear problems."""

import copy
import json

import pytest

from imaginecole.bundle.model import load_manifest, sanitize_manifest, save_manifest
from imaginecole.bundle.validate import BundleError, validate_manifest
from imaginecole.podcast import (
    new_podcast,
    podcast_export_problems,
    podcast_schema,
    validate_podcast,
)

from .sample_podcasts import podcast_bundle


def paths(problems):
    return {p.path for p in problems}


def test_new_podcast_is_valid_and_in_the_teachers_language():
    manifest = new_podcast("fr", title="La radio", country="SN")
    assert manifest["type"] == "podcast"
    assert manifest["metadata"]["title"] == "La radio"
    assert manifest["settings"] == {"channels": "mono", "mp3_bitrate": 64, "opus_bitrate": 24}
    assert validate_podcast(manifest) == []
    assert validate_manifest(manifest) == []
    english = new_podcast("en", channels="stereo")
    assert english["settings"]["mp3_bitrate"] == 128
    assert english["metadata"]["title"] == "My podcast"


def test_schema_id_and_metadata_reference():
    schema = podcast_schema()
    assert schema["$id"] == "https://imaginecole.org/schemas/podcast/1/podcast.schema.json"
    assert schema["properties"]["metadata"]["$ref"].endswith("grain.schema.json#/$defs/metadata")


def test_sample_bundle_loads_through_the_bundle_api(tmp_path):
    manifest, folder = podcast_bundle(tmp_path / "radio")
    assert load_manifest(folder) == manifest
    assert validate_manifest(manifest, folder) == []
    assert podcast_export_problems(manifest, folder) == []
    saved = save_manifest(folder, manifest)
    assert saved["episodes"] == manifest["episodes"]


def test_problems_name_their_place(tmp_path):
    manifest, folder = podcast_bundle(tmp_path / "radio")
    bad = copy.deepcopy(manifest)
    segs = bad["episodes"][0]["segments"]
    segs[1]["id"] = "s1"  # duplicate
    segs[2]["text"] = "  "  # speech without text
    segs[0]["trim_start"], segs[0]["trim_end"] = 3.0, 1.0
    segs.append({"id": "s4", "kind": "file", "src": "media/absent.wav"})
    segs.append({"id": "s5", "kind": "file", "src": "media/notes.txt"})
    segs.append({"id": "s6", "kind": "recording"})
    bad["settings"]["channels"] = "surround"
    found = paths(validate_podcast(bad, folder))
    assert {
        "episodes[0].segments[1].id",
        "episodes[0].segments[2].text",
        "episodes[0].segments[0].trim_end",
        "episodes[0].segments[3].src",
        "episodes[0].segments[4].src",
        "episodes[0].segments[5].src",
        "settings.channels",
    } <= found
    problems = {p.path: p for p in validate_podcast(bad, folder)}
    assert "absent.wav" in problems["episodes[0].segments[3].src"].render("fr")
    assert "manque" in problems["episodes[0].segments[3].src"].render("fr")


def test_limits(tmp_path):
    manifest = new_podcast()
    manifest["episodes"][0]["segments"] = [
        {"id": f"s{i}", "kind": "speech", "text": "Bonjour"} for i in range(61)
    ]
    assert "episodes[0].segments" in paths(validate_podcast(manifest))
    manifest["episodes"][0]["segments"] = [{"id": "s1", "kind": "speech", "text": "a" * 5001}]
    assert "episodes[0].segments[0].text" in paths(validate_podcast(manifest))


def test_a_newer_podcast_is_refused(tmp_path):
    manifest, folder = podcast_bundle(tmp_path / "radio")
    manifest["schema_version"] = 2
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(BundleError, match="newer|récent"):
        load_manifest(folder)


def test_export_problems_ask_for_alt_text_and_transcript(tmp_path):
    manifest, folder = podcast_bundle(tmp_path / "radio")
    manifest["show"]["cover"]["alt"] = ""
    del manifest["episodes"][0]["transcript"]
    assert validate_podcast(manifest, folder) == []
    assert {"show.cover.alt", "episodes[0].transcript"} <= paths(
        podcast_export_problems(manifest, folder)
    )


def test_texts_are_made_plain():
    manifest = new_podcast()
    manifest["episodes"][0]["title"] = "<b>Épisode</b> <script>x</script>1"
    clean = sanitize_manifest(manifest)
    assert clean["episodes"][0]["title"] == "Épisode x1"
