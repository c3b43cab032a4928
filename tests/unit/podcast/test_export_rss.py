"""A podcast through `rss`: the feed read by two real podcast parsers (feedparser and
podcastparser), the chapters against the Podcasting 2.0 JSON chapters shape, the transcripts by
a WebVTT parser."""

from __future__ import annotations

import io
import json
import zipfile

import feedparser
import jsonschema
import podcastparser
import pytest
import webvtt
from imaginecole.exports import get_exporter, podcast_rss
from imaginecole.exports.base import ExportError
from imaginecole.exports.podcast_files import PODCAST, chapters_json, feed_xml, vtt_time
from imaginecole.exports.podcast_files import webvtt as vtt
from imaginecole.exports.podcast_rss import RssExporter, check_base_url
from lxml import etree

from imaginecole.i18n import _

from .fake_built import fake_bundle, fake_manifest

# Podcasting 2.0 JSON chapters: github.com/Podcastindex-org/podcast-namespace,
# chapters/jsonChapters.md
CHAPTERS_SCHEMA = {
    "type": "object",
    "required": ["version", "chapters"],
    "properties": {
        "version": {"const": "1.2.0"},
        "chapters": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["startTime"],
                "properties": {
                    "startTime": {"type": "number", "minimum": 0},
                    "endTime": {"type": "number", "minimum": 0},
                    "title": {"type": "string"},
                    "img": {"type": "string"},
                    "url": {"type": "string"},
                    "toc": {"type": "boolean"},
                },
            },
        },
    },
}


@pytest.fixture
def exported(tmp_path, monkeypatch):
    bundle, built = fake_bundle(tmp_path)
    monkeypatch.setattr(podcast_rss, "build_all", lambda _bundle: built)

    def export(**options):
        out = RssExporter(**options).export(bundle, tmp_path / "radio.rss.zip")
        archive = zipfile.ZipFile(out)
        return {name: archive.read(name) for name in archive.namelist()}

    return export


def test_registered_and_described_in_french():
    assert get_exporter("rss") is RssExporter
    assert _(RssExporter.description) != RssExporter.description


def test_zip_holds_feed_audio_transcripts_chapters_cover(exported):
    files = exported()
    assert sorted(files) == [
        "01-episode-1-la-rentree-les-amis.chapters.json",
        "01-episode-1-la-rentree-les-amis.mp3",
        "01-episode-1-la-rentree-les-amis.vtt",
        "02-episode-2-la-rentree-les-amis.chapters.json",
        "02-episode-2-la-rentree-les-amis.mp3",
        "02-episode-2-la-rentree-les-amis.vtt",
        "cover.png",
        "feed.xml",
    ]


def test_feedparser_sees_episodes_enclosures_durations(exported):
    files = exported(base_url="https://ecole.example/radio")
    feed = feedparser.parse(files["feed.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "La radio de l'école <CM2> & co"
    assert feed.feed.image.href == "https://ecole.example/radio/cover.png"
    assert len(feed.entries) == 2
    first = feed.entries[0]
    assert first.title == "Épisode 1 : la rentrée & <les> amis"
    (enclosure,) = first.enclosures
    assert enclosure.href == "https://ecole.example/radio/01-episode-1-la-rentree-les-amis.mp3"
    assert int(enclosure.length) == len(files["01-episode-1-la-rentree-les-amis.mp3"])
    assert enclosure.type == "audio/mpeg"
    assert first.itunes_duration == "00:00:05"
    assert first.itunes_episode == "1"
    assert first.published_parsed[:3] == (2026, 11, 21)
    base = "https://ecole.example/radio/01-episode-1-la-rentree-les-amis"
    assert first.podcast_transcript == {"url": f"{base}.vtt", "type": "text/vtt", "language": "fr"}
    assert first.podcast_chapters == {
        "url": f"{base}.chapters.json",
        "type": "application/json+chapters",
    }
    raw = etree.fromstring(files["feed.xml"])
    assert raw.find("channel/podcast:guid", {"podcast": PODCAST}).text


def test_podcastparser_sees_episodes_transcripts_chapters(exported):
    files = exported(base_url="https://ecole.example/radio/")
    parsed = podcastparser.parse(
        "https://ecole.example/radio/feed.xml", io.BytesIO(files["feed.xml"])
    )
    assert parsed["title"] == "La radio de l'école <CM2> & co"
    assert len(parsed["episodes"]) == 2
    by_number = sorted(parsed["episodes"], key=lambda e: e["number"])
    first = by_number[0]
    assert first["total_time"] == 5
    (enclosure,) = first["enclosures"]
    assert enclosure["url"] == "https://ecole.example/radio/01-episode-1-la-rentree-les-amis.mp3"
    assert enclosure["file_size"] == len(files["01-episode-1-la-rentree-les-amis.mp3"])
    assert enclosure["mime_type"] == "audio/mpeg"
    assert first["transcript_url"].endswith("01-episode-1-la-rentree-les-amis.vtt")
    assert first["chapters_json_url"].endswith("01-episode-1-la-rentree-les-amis.chapters.json")


def test_relative_urls_by_default(exported):
    files = exported()
    feed = feedparser.parse(files["feed.xml"])
    assert feed.entries[1].enclosures[0].href == "02-episode-2-la-rentree-les-amis.mp3"


def test_chapters_json_is_podcasting_2_chapters(exported):
    files = exported()
    document = json.loads(files["01-episode-1-la-rentree-les-amis.chapters.json"])
    jsonschema.validate(document, CHAPTERS_SCHEMA)
    assert document["chapters"] == [
        {"startTime": 0.0, "title": "Introduction"},
        {"startTime": 2.5, "title": "Le reportage"},
    ]


def test_manifest_chapters_win_and_past_the_end_dropped():
    episode = {"chapters": [{"start": 9.0, "title": "Fin"}, {"start": 1.0, "title": "Début"}]}
    built = [{"start": 0.0, "title": "Segment"}]
    document = json.loads(chapters_json(episode, built, duration=5.0))
    jsonschema.validate(document, CHAPTERS_SCHEMA)
    assert document["chapters"] == [{"startTime": 1.0, "title": "Début"}]


def test_vtt_parses_and_matches_the_transcript(exported, tmp_path):
    files = exported()
    path = tmp_path / "t.vtt"
    path.write_bytes(files["01-episode-1-la-rentree-les-amis.vtt"])
    captions = webvtt.read(str(path))
    transcript = fake_manifest()["episodes"][0]["transcript"]
    assert [c.start for c in captions] == ["00:00:00.000", "00:00:02.500"]
    assert [c.end for c in captions] == ["00:00:02.500", "00:00:05.000"]
    assert captions[1].text == transcript[1]["text"]
    # the teacher's "-->" cannot end the timing line; < and & are escaped
    assert "&lt;nous&gt; &amp; vous" in captions[0].raw_text


def test_vtt_time_and_empty_transcript():
    assert vtt_time(3725.5) == "01:02:05.500"
    assert vtt({"transcript": []}) == "WEBVTT\n\n"


def test_teacher_text_escaped_and_control_characters_dropped():
    manifest = fake_manifest(1)
    manifest["metadata"]["title"] = "</title><script>x</script>\x07"
    xml = feed_xml(manifest, [])
    root = etree.fromstring(xml)
    assert root.find("channel/title").text == "</title><script>x</script>"


def test_base_url_checked():
    assert check_base_url(None) == ""
    assert check_base_url("https://a.example/p") == "https://a.example/p/"
    with pytest.raises(ExportError, match="--base-url"):
        check_base_url("javascript:alert(1)")
