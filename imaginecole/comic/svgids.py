"""Ids of SVG documents: made unique before SVGs are nested in one another or in a page.

A page drawn by :mod:`.render` nests each art once as a ``<symbol>``; the page exporters nest
whole pages in one PDF sheet, one EPUB or one HTML page. Each prefixes the ids it brings in.
"""

from __future__ import annotations

import re
from typing import Any

SVG_NS = "http://www.w3.org/2000/svg"
_URL_REF = re.compile(r"url\(\s*(['\"]?)#([^)'\"]+)\1\s*\)")


def prefix_ids(root: Any, prefix: str) -> None:
    """Give every ``id`` under `root` the `prefix`, and every reference to it (in place).

    References are ``#id`` values (``href``, ``xlink:href``), ``url(#id)`` in attributes and
    ``<style>``, and the ids listed by ``aria-labelledby``/``aria-describedby``.
    """
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    if not ids:
        return

    def url(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"url(#{prefix}{name})" if name in ids else match.group(0)

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if attr == "id":
                el.set(attr, prefix + value)
            elif value.startswith("#") and value[1:] in ids:
                el.set(attr, "#" + prefix + value[1:])
            elif "url(" in value:
                el.set(attr, _URL_REF.sub(url, value))
            elif attr.startswith("aria-") and attr.endswith(("labelledby", "describedby")):
                el.set(attr, " ".join(prefix + v if v in ids else v for v in value.split()))
        if el.tag == f"{{{SVG_NS}}}style" and el.text and "url(" in el.text:
            el.text = _URL_REF.sub(url, el.text)
