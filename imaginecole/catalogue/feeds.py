"""The Atom feed of new resources, the sitemap, robots.txt and the feeds of podcasts.

Built with lxml, so teacher text is always escaped; characters XML 1.0 forbids are dropped.
Atom 1.0 is RFC 4287; the sitemap follows sitemaps.org 0.9 (50,000 addresses at most).

A podcast's feed is its stored ``rss`` export (a zip: ``feed.xml``, the MP3s, transcripts,
chapters, cover): ``r/<uid>/feed.xml`` answers its ``feed.xml`` with every relative address
made absolute, pointing at ``r/<uid>/feed/<member>``, which serves the zip's members (byte
ranges too: podcast apps seek in an episode that way), read by blocks from the stored zip.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from . import labels
from .auth import CatalogueHandler, WebError

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50
SITEMAP_LIMIT = 50_000
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", str(value or ""))


def rfc3339(value: datetime | None) -> str:
    value = value or datetime.now(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FeedHandler(CatalogueHandler):
    def get(self) -> None:
        items = self.catalogue.recent(limit=FEED_SIZE)
        site = self.settings["site_config"].site_name or self._("Imaginecole catalogue")

        def sub(parent, tag: str, text: object = None, **attrs: str):
            element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
            if text is not None:
                element.text = xml_text(text)
            return element

        feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
        feed.set("{http://www.w3.org/XML/1998/namespace}lang", self.language)
        sub(feed, "id", self.absolute_url("feed.atom"))
        sub(feed, "title", self._("{site}: new resources").format(site=site))
        updated = max((r.datestamp for r in items), default=None)
        sub(feed, "updated", rfc3339(updated))
        sub(sub(feed, "author"), "name", site)
        sub(feed, "link", rel="self", href=self.absolute_url("feed.atom"))
        sub(feed, "link", rel="alternate", type="text/html", href=self.absolute_url())
        sub(feed, "generator", "Imaginecole Studio")
        for r in items:
            entry = sub(feed, "entry")
            page = self.absolute_url(f"r/{r.uid}")
            sub(entry, "id", f"urn:uuid:{r.uid}" if _is_uuid(r.uid) else page)
            title = sub(entry, "title", r.title)
            title.set("type", "text")
            sub(entry, "updated", rfc3339(r.datestamp))
            published = r.published.created if r.published else r.datestamp
            sub(entry, "published", rfc3339(published))
            for name in r.authors or [r.owner or site]:
                sub(sub(entry, "author"), "name", name)
            sub(entry, "link", rel="alternate", type="text/html", href=page)
            summary = r.description or ""
            sub(entry, "summary", summary, type="text")
            for facet, value in (("country", r.country), ("subject", r.subject)):
                if value:
                    label = labels.facet_value_label(facet, value, self.language, r.country)
                    sub(entry, "category", term=f"{facet}:{value}", label=xml_text(label))
            sub(entry, "rights", labels.licence_name(r.licence))
        self.set_header("Content-Type", "application/atom+xml; charset=utf-8")
        self.finish(etree.tostring(feed, xml_declaration=True, encoding="utf-8"))


def _is_uuid(value: str) -> bool:
    return bool(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value)
    )


def published_pages(catalogue, limit: int = SITEMAP_LIMIT):
    """(uid, datestamp) of every public resource, newest first."""
    yield from catalogue.published_uids()[:limit]


class SitemapHandler(CatalogueHandler):
    def get(self) -> None:
        urlset = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})

        def add(path: str, lastmod: datetime | None = None) -> None:
            url = etree.SubElement(urlset, f"{{{SITEMAP}}}url")
            etree.SubElement(url, f"{{{SITEMAP}}}loc").text = self.absolute_url(path)
            if lastmod is not None:
                etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = rfc3339(lastmod)

        add("")
        add("recherche")
        add("applications")
        for code in labels.COUNTRIES:
            add(f"pays/{code.lower()}/")
        for uid, datestamp in published_pages(self.catalogue, SITEMAP_LIMIT - len(urlset)):
            add(f"r/{uid}", datestamp)
        self.set_header("Content-Type", "application/xml; charset=utf-8")
        self.finish(etree.tostring(urlset, xml_declaration=True, encoding="utf-8"))


class RobotsHandler(CatalogueHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        lines = [
            "User-agent: *",
            f"Disallow: {self.url('api/')}",
            f"Disallow: {self.url('connexion')}",
            f"Disallow: {self.url('mes-publications')}",
            f"Disallow: {self.url('relecture')}",
            f"Disallow: {self.url('actualites')}",
            f"Allow: {self.url()}",
            f"Sitemap: {self.absolute_url('sitemap.xml')}",
        ]
        self.finish("\n".join(lines) + "\n")


PODCAST_MEMBER_TYPES = {
    ".mp3": "audio/mpeg",
    ".opus": "audio/ogg",
    ".vtt": "text/vtt; charset=utf-8",
    ".json": "application/json+chapters",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".xml": "application/rss+xml; charset=utf-8",
}
BLOCK = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class PodcastFeedHandler(CatalogueHandler):
    """``r/<uid>/feed.xml``: the stored ``rss`` export's feed, its addresses made absolute."""

    def get(self, uid: str) -> None:
        import zipfile
        from urllib.parse import quote, urlsplit

        from imaginecole.exports.podcast_files import ITUNES, PODCAST

        _info, stream = self.catalogue.file(uid, "rss", None, self.principal)
        with stream, zipfile.ZipFile(stream) as archive:
            try:
                data = archive.read("feed.xml")
            except KeyError:
                raise WebError(404, "There is nothing at this address.") from None
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)

        def absolute(url: str | None) -> str | None:
            if not url or urlsplit(url).scheme:
                return url
            return self.absolute_url(f"r/{quote(uid)}/feed/{url}")

        targets = [
            ("channel/item/enclosure", "url"),
            (f"channel/item/{{{PODCAST}}}transcript", "url"),
            (f"channel/item/{{{PODCAST}}}chapters", "url"),
            (f"channel/{{{ITUNES}}}image", "href"),
        ]
        for path, attribute in targets:
            for element in root.iterfind(path):
                element.set(attribute, absolute(element.get(attribute)))
        for element in root.iterfind("channel/image/url"):
            element.text = absolute(element.text)
        page = self.absolute_url(f"r/{quote(uid)}")
        for element in root.iterfind("channel/link"):
            element.text = page
        for element in root.iterfind("channel/image/link"):
            element.text = page
        self.set_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


class PodcastFileHandler(CatalogueHandler):
    """``r/<uid>/feed/<member>``: a file of the stored ``rss`` export, by blocks, with ranges."""

    async def get(self, uid: str, member: str) -> None:
        await self.send_member(uid, member, body=True)

    async def head(self, uid: str, member: str) -> None:
        await self.send_member(uid, member, body=False)

    async def send_member(self, uid: str, member: str, *, body: bool) -> None:
        import zipfile
        from pathlib import PurePosixPath

        from imaginecole.exports.archive import check_member_name

        check_member_name(member)
        suffix = PurePosixPath(member).suffix.lower()
        if suffix not in PODCAST_MEMBER_TYPES:
            raise WebError(404, "There is nothing at this address.")
        _info, stream = self.catalogue.file(uid, "rss", None, self.principal)
        with stream, zipfile.ZipFile(stream) as archive:
            try:
                entry = archive.getinfo(member)
            except KeyError:
                raise WebError(404, "There is nothing at this address.") from None
            size = entry.file_size
            start, end = 0, size - 1
            wanted = self.request.headers.get("Range", "").strip()
            match = _RANGE.match(wanted) if wanted else None
            if match and (match.group(1) or match.group(2)):
                first, last = match.groups()
                if first:
                    start, end = int(first), min(int(last) if last else size - 1, size - 1)
                else:  # the last N bytes
                    start = max(0, size - int(last))
                if start > end or start >= size:
                    self.set_status(416)
                    self.set_header("Content-Range", f"bytes */{size}")
                    return self.finish()
                self.set_status(206)
                self.set_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.set_header("Content-Type", PODCAST_MEMBER_TYPES[suffix])
            self.set_header("Accept-Ranges", "bytes")
            self.set_header("Content-Length", str(end - start + 1))
            self.set_header("X-Content-Type-Options", "nosniff")
            self.set_header("Access-Control-Allow-Origin", "*")  # web podcast players
            if not body:
                return self.finish()
            with archive.open(entry) as source:
                if start:
                    source.seek(start)  # stored audio: a real seek; deflated text: small
                left = end - start + 1
                while left > 0:
                    block = source.read(min(BLOCK, left))
                    if not block:
                        break
                    left -= len(block)
                    self.write(block)
                    await self.flush()
        self.finish()


def routes(at) -> list[tuple]:
    from .api import UID

    return [
        (at(f"r/{UID}/feed.xml"), PodcastFeedHandler),
        (at(f"r/{UID}/feed/([A-Za-z0-9._-]{{1,200}})"), PodcastFileHandler),
        (at("feed.atom"), FeedHandler),
        (at("sitemap.xml"), SitemapHandler),
        (at("robots.txt"), RobotsHandler),
    ]
