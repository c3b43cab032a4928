"""`imaginecole podcast new|build`: a bundle from sound files, built and measured."""

import json

from imaginecole.bundle.model import load_manifest
from imaginecole.cli import main

from .sample_podcasts import corrupt, noise, speech, tone


def test_new_builds_an_episode_from_files(tmp_path, capsys):
    one = speech(tmp_path / "Bonjour tout le monde.wav", "Bonjour à tous.")
    two = tone(tmp_path / "musique.mp3", seconds=1.0)
    jingle = noise(tmp_path / "jingle.wav", seconds=3.0)
    folder = tmp_path / "radio"
    code = main(
        [
            "podcast",
            "new",
            str(folder),
            "--title",
            "La radio",
            "--segment",
            str(one),
            str(two),
            "--jingle",
            str(jingle),
            "--mono",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    manifest = load_manifest(folder)
    episode = manifest["episodes"][0]
    assert manifest["settings"]["channels"] == "mono"
    assert [s["src"] for s in episode["segments"]] == [
        "media/bonjour-tout-le-monde.wav",
        "media/musique.mp3",
    ]
    assert episode["intro_jingle"]["src"] == "media/jingle.wav"
    assert (folder / "build" / "e1.mp3").is_file() and (folder / "build" / "e1.opus").is_file()
    assert "LUFS" in out and "dBTP" in out and "e1.mp3" in out
    record = json.loads((folder / "build" / "e1.json").read_text())
    assert abs(record["result"]["lufs_mp3"] + 19) <= 1

    assert main(["podcast", "build", str(folder), "--episode", "e1"]) == 0
    assert "e1.opus" in capsys.readouterr().out


def test_new_refuses_a_corrupt_file_before_writing(tmp_path, capsys):
    bad = corrupt(tmp_path / "cassé.mp3")
    folder = tmp_path / "radio"
    assert main(["podcast", "new", str(folder), "--title", "X", "--segment", str(bad)]) == 1
    assert "cassé.mp3" in capsys.readouterr().err
    assert not folder.exists()


def test_build_an_unknown_episode(tmp_path, capsys):
    one = tone(tmp_path / "a.wav", seconds=0.5)
    folder = tmp_path / "radio"
    assert main(["podcast", "new", str(folder), "--title", "X", "--segment", str(one)]) == 0
    capsys.readouterr()
    assert main(["podcast", "build", str(folder), "--episode", "zz"]) == 1
    assert "zz" in capsys.readouterr().err
