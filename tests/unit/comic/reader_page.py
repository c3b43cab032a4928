"""What an exported reader page holds, read with the standard library's HTML parser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# the only web addresses a reader page may hold: licences, in links and in the credits
LICENCE_URL = re.compile(r"^https://creativecommons\.org/(licenses|publicdomain)/[a-z0-9./-]+/$")


class Page(HTMLParser):
    """What a reader page holds: addresses, element ids and inline scripts (its JSON data)."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[tuple[str, str, dict]] = []
        self.ids: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for name in ("src", "href", "xlink:href", "srcset", "poster"):
            if attrs.get(name) is not None:
                self.addresses.append((tag, attrs[name], attrs))
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[-1] = (self._script, self.scripts[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def data(self) -> dict:
        return json.loads(
            next(text for attrs, text in self.scripts if attrs.get("id") == "icr-data")
        )


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page
