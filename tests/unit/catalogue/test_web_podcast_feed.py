"""A published podcast's feed served by the catalogue: `r/<uid>/feed.xml`, its addresses made
absolute, and the files of the stored `rss` export at `r/<uid>/feed/<member>` (with ranges)."""

from __future__ import annotations

import io
import json
import zipfile

import feedparser
import podcastparser
import pytest
import requests

from ..podcast.sample_podcasts import podcast_bundle
from .webserver import Site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("podcast-site")
    site = Site(folder)
    manifest, bundle = podcast_bundle(folder / "radio", episodes=2)
    manifest["metadata"].update({"level": "cm2", "subject": "francais", "keywords": ["radio"]})
    (bundle / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    awa, mariam = site.principals["awa"], site.principals["mariam"]
    site.podcast = site.catalogue.publish(awa, bundle, formats=["rss"]).uid
    site.catalogue.approve(mariam, site.podcast, "Bravo !")
    _info, stream = site.catalogue.file(site.podcast, "rss")
    with stream, zipfile.ZipFile(stream) as archive:
        site.stored = {name: archive.read(name) for name in archive.namelist()}
    yield site
    site.close()


def test_feed_with_absolute_addresses_read_by_both_parsers(site):
    url = f"{site.url}r/{site.podcast}/feed.xml"
    response = requests.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    files = f"{site.url}r/{site.podcast}/feed/"
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.link == f"{site.url}r/{site.podcast}"
    assert feed.feed.image.href == files + "cover.png"
    assert [e.enclosures[0].href for e in feed.entries] == [
        files + "01-episode-1-la-semaine.mp3",
        files + "02-episode-2-la-semaine.mp3",
    ]
    assert feed.entries[0].podcast_transcript["url"] == files + "01-episode-1-la-semaine.vtt"
    parsed = podcastparser.parse(url, io.BytesIO(response.content))
    first = min(parsed["episodes"], key=lambda e: e["number"])
    assert first["enclosures"][0]["url"] == files + "01-episode-1-la-semaine.mp3"
    assert first["chapters_json_url"] == files + "01-episode-1-la-semaine.chapters.json"
    assert first["transcript_url"] == files + "01-episode-1-la-semaine.vtt"
    assert first["total_time"] > 3
    # every address of the feed answers with the stored file
    for address in (first["enclosures"][0]["url"], first["chapters_json_url"]):
        got = requests.get(address)
        assert got.status_code == 200
        assert got.content == site.stored[address.rsplit("/", 1)[1]]
    assert requests.get(files + "cover.png").headers["Content-Type"] == "image/png"


def test_audio_served_with_ranges(site):
    url = f"{site.url}r/{site.podcast}/feed/01-episode-1-la-semaine.mp3"
    mp3 = site.stored["01-episode-1-la-semaine.mp3"]
    head = requests.head(url)
    assert head.status_code == 200
    assert head.headers["Accept-Ranges"] == "bytes"
    assert int(head.headers["Content-Length"]) == len(mp3)
    part = requests.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(mp3)}"
    assert part.content == mp3[100:200]
    tail = requests.get(url, headers={"Range": "bytes=-50"})
    assert tail.content == mp3[-50:]
    assert requests.get(url, headers={"Range": f"bytes={len(mp3)}-"}).status_code == 416


def test_nothing_else_is_served(site):
    base = f"{site.url}r/{site.podcast}/feed/"
    assert requests.get(base + "nothing.mp3").status_code == 404
    assert requests.get(base + "manifest.txt").status_code == 404
    assert requests.get(base + "..%2Ffeed.xml").status_code == 404
    # a grain has no feed
    assert requests.get(f"{site.url}r/{site.published}/feed.xml").status_code == 404
    assert requests.get(f"{site.url}r/unknown-uid/feed.xml").status_code == 404
