"""The Atom feed of new resources, the sitemap and robots.txt.

Built with lxml, so teacher text is always escaped; characters XML 1.0 forbids are dropped.
Atom 1.0 is RFC 4287; the sitemap follows sitemaps.org 0.9 (50,000 addresses at most).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from . import labels
from .auth import CatalogueHandler

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


def routes(at) -> list[tuple]:
    return [
        (at("feed.atom"), FeedHandler),
        (at("sitemap.xml"), SitemapHandler),
        (at("robots.txt"), RobotsHandler),
    ]
