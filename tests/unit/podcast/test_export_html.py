"""A podcast through `html`: one offline page with the players, chapters, transcripts and notes."""

from __future__ import annotations

import base64
import re
import zipfile

import pytest
from imaginecole.exports import podcast_audio, podcast_html
from imaginecole.exports.html import HtmlExporter
from lxml import html as lxml_html

from .fake_built import fake_bundle


@pytest.fixture
def fake(tmp_path, monkeypatch):
    bundle, built = fake_bundle(tmp_path)
    monkeypatch.setattr(podcast_audio, "build_all", lambda _bundle: built)
    return bundle, built


def test_one_page_with_audio_inlined(fake, tmp_path):
    bundle, built = fake
    exporter = HtmlExporter()
    out = exporter.default_output(bundle, tmp_path / "out")
    assert out.name == "radio.html"
    page = exporter.export(bundle, out).read_text("utf-8")
    doc = lxml_html.fromstring(page)
    audios = doc.findall(".//audio")
    assert len(audios) == 2
    assert all(a.get("controls") is not None for a in audios)
    first = audios[0].get("src")
    assert first.startswith("data:audio/mpeg;base64,")
    assert base64.b64decode(first.split(",", 1)[1]) == built[0][1].mp3.read_bytes()
    assert doc.find(".//img").get("src").startswith("data:image/png;base64,")
    assert doc.find(".//img").get("alt") == "Un micro devant l'école"
    # no address elsewhere but the show notes' link
    assert "Content-Security-Policy" in page
    assert re.findall(r'(?:src)="https?:', page) == []


def test_chapters_transcript_notes_and_escaping(fake, tmp_path):
    bundle, _built = fake
    page = HtmlExporter().export(bundle, tmp_path / "radio.html").read_text("utf-8")
    doc = lxml_html.fromstring(page)
    episode = doc.find_class("icq-episode")[0]
    chapters = episode.find_class("icq-chapter")
    assert [c.get("data-start") for c in chapters] == ["0.0", "2.5"]
    assert "Introduction" in chapters[0].text_content()
    cues = episode.find_class("icq-cue")
    assert [c.get("data-start") for c in cues] == ["0.0", "2.5"]
    assert "Bonjour à tous --> c'est <nous> & vous" in cues[0].text_content()
    assert "<nous>" not in page  # the teacher's text is escaped
    assert "<les> amis" not in page
    assert episode.find(".//h3").text == "Épisode 1 : la rentrée & <les> amis"
    notes = episode.find_class("icq-notes")[0]
    assert [p.text_content() for p in notes.findall("p")] == [
        "Merci à la directrice.",
        "https://ecole.example",
    ]
    assert notes.find(".//a").get("href") == "https://ecole.example"
    assert doc.get("lang") == "fr"
    assert "Chapitres" in page or "Chapters" in page


def test_arabic_page_is_right_to_left(fake, tmp_path):
    bundle, _built = fake
    bundle.manifest["metadata"]["language"] = "ar"
    doc = lxml_html.fromstring(HtmlExporter().export(bundle, tmp_path / "r.html").read_bytes())
    assert doc.get("dir") == "rtl"
    assert doc.get("lang") == "ar"


def test_large_audio_goes_beside_the_page_in_a_zip(fake, tmp_path, monkeypatch):
    bundle, _built = fake
    monkeypatch.setattr(podcast_html, "INLINE_AUDIO_LIMIT", 100)
    out = HtmlExporter().export(bundle, tmp_path / "radio.html")
    assert out.name == "radio.zip"
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        page = archive.read("index.html").decode()
    assert names == [
        "01-episode-1-la-rentree-les-amis.mp3",
        "02-episode-2-la-rentree-les-amis.mp3",
        "cover.png",
        "index.html",
    ]
    assert 'src="01-episode-1-la-rentree-les-amis.mp3"' in page
    assert "data:audio" not in page


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_page_string_translated(language):
    strings = podcast_html.page_strings(language)
    english = podcast_html.page_strings("en")
    assert [k for k in strings if strings[k] == english[k]] == []


def test_every_export_message_has_french(tmp_path, monkeypatch):
    from imaginecole.exports.base import ExportError
    from imaginecole.exports.podcast_rss import check_base_url

    from imaginecole.bundle.validate import Problem
    from imaginecole.i18n import Message, translations

    bundle, _built = fake_bundle(tmp_path)
    missing = podcast_html.MISSING_TEMPLATE
    assert translations("fr").gettext(missing) != missing
    problem = Problem("show.cover.alt", Message("the cover needs its alternative text"))
    assert "ne peut pas encore être exporté" in str(
        podcast_audio.PodcastNotReady(bundle, [problem])
    )
    with pytest.raises(ExportError, match="n'est pas une adresse web"):
        check_base_url("ftp://x")
    bundle.manifest["episodes"] = []
    monkeypatch.setattr("imaginecole.podcast.podcast_export_problems", lambda *args: [])
    with pytest.raises(ExportError, match="n'a encore aucun épisode"):
        podcast_audio.build_all(bundle)
