"""The Atom feed (RFC 4287), the sitemap (sitemaps.org 0.9) and robots.txt."""

from __future__ import annotations

import re

import pytest
import requests
from lxml import etree

from .test_web_pages import publish_outside
from .webserver import Site

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
XSS = "<b>Titre</b> & <script>x()</script>"

# sitemaps.org's sitemap.xsd (last modified 2008-03-26), the parts a urlset uses
SITEMAP_XSD = b"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
            targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            elementFormDefault="qualified">
  <xsd:element name="urlset">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
        <xsd:element ref="url" maxOccurs="unbounded"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
  <xsd:element name="url">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:element name="loc" type="tLoc"/>
        <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
        <xsd:element name="changefreq" type="tChangeFreq" minOccurs="0"/>
        <xsd:element name="priority" type="tPriority" minOccurs="0"/>
        <xsd:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
  <xsd:simpleType name="tLoc">
    <xsd:restriction base="xsd:anyURI">
      <xsd:minLength value="12"/>
      <xsd:maxLength value="2048"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="tLastmod">
    <xsd:union>
      <xsd:simpleType><xsd:restriction base="xsd:date"/></xsd:simpleType>
      <xsd:simpleType><xsd:restriction base="xsd:dateTime"/></xsd:simpleType>
    </xsd:union>
  </xsd:simpleType>
  <xsd:simpleType name="tChangeFreq">
    <xsd:restriction base="xsd:string">
      <xsd:enumeration value="always"/><xsd:enumeration value="hourly"/>
      <xsd:enumeration value="daily"/><xsd:enumeration value="weekly"/>
      <xsd:enumeration value="monthly"/><xsd:enumeration value="yearly"/>
      <xsd:enumeration value="never"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="tPriority">
    <xsd:restriction base="xsd:decimal">
      <xsd:minInclusive value="0.0"/>
      <xsd:maxInclusive value="1.0"/>
    </xsd:restriction>
  </xsd:simpleType>
</xsd:schema>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = Site(tmp_path_factory.mktemp("web-feeds"))
    xss = publish_outside(running, title=XSS, description=XSS)
    running.xss = xss
    yield running
    running.close()


def check_atom(feed: etree._Element) -> None:
    """What RFC 4287 requires of a feed and of its entries."""
    assert feed.tag == f"{ATOM}feed"

    def one(parent, name):
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{parent.tag} needs exactly one atom:{name}"
        return found[0]

    for name in ("id", "title", "updated"):
        one(feed, name)
    assert RFC3339.match(one(feed, "updated").text)
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    ids = [one(e, "id").text for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        one(entry, "title")
        assert RFC3339.match(one(entry, "updated").text)
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
        assert re.match(r"^(urn:uuid:[0-9a-f-]{36}|https?://)", one(entry, "id").text)


def test_atom_feed_is_valid_and_escapes_teacher_text(site):
    response = requests.get(site.url + "feed.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    assert b"<script>" not in response.content and b"&lt;script&gt;" in response.content
    feed = etree.fromstring(response.content)
    check_atom(feed)
    titles = [t.text for t in feed.iter(f"{ATOM}title")]
    assert "<b>Titre</b> & <script>x()</script>" in titles
    assert "Les formes géométriques" in titles
    assert site.pending not in response.text  # not published


def test_sitemap_validates_against_the_sitemaps_schema(site):
    response = requests.get(site.url + "sitemap.xml")
    doc = etree.fromstring(response.content)
    schema = etree.XMLSchema(etree.fromstring(SITEMAP_XSD))
    assert schema.validate(doc), schema.error_log
    locs = [loc.text for loc in doc.iter(f"{SM}loc")]
    assert f"{site.url}r/{site.published}" in locs and f"{site.url}pays/tn/" in locs
    assert not any(site.pending in loc for loc in locs)


def test_robots_points_to_the_sitemap(site):
    text = requests.get(site.url + "robots.txt").text
    assert f"Sitemap: {site.url}sitemap.xml" in text and "Disallow: /api/" in text


def test_characters_xml_forbids_are_dropped():
    from imaginecole.catalogue.feeds import xml_text

    assert xml_text("a\x0bb\x00c\ufffe d\U0001f600") == "abc d\U0001f600"
