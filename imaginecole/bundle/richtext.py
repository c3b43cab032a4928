"""The rich-text subset of a grain: checking it, cleaning it, reading its text.

Rich text is a small HTML subset (see grain.schema.json). `validate` rejects
anything outside it, so exporters and the player can trust a valid manifest;
`sanitize_rich_text` brings pasted HTML into it when a bundle is saved.
"""

from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser
from typing import Any

from ..i18n import Message

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "sub", "sup", "span"}
)
# tag -> attributes allowed with any value (values checked below)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "rel"}),
    "span": frozenset({"lang", "dir"}),
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
DIRECTIONS = frozenset({"ltr", "rtl", "auto"})
# tags whose very presence means someone tried to run or embed something
DANGEROUS_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "frame",
        "frameset",
        "link",
        "meta",
        "base",
        "form",
        "svg",
        "math",
        "template",
    }
)
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _scheme_ok(url: str) -> bool:
    # entities and control characters are the classic way to hide "javascript:"
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url))
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in URL_SCHEMES


class _Scanner(HTMLParser):
    """Collects every tag and attribute outside the subset."""

    def __init__(self, subset: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.subset = subset
        self.dangerous: list[str] = []
        self.disallowed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.dangerous.append(f"<{tag}>")
        elif self.subset and tag not in ALLOWED_TAGS:
            self.disallowed.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.dangerous.append(f"{name}=")
            elif name in ("href", "src", "action", "formaction", "xlink:href") and not _scheme_ok(
                value
            ):
                self.dangerous.append(f"{name}={value[:30]!r}")
            elif not self.subset:
                continue
            elif name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self.disallowed.append(f"<{tag} {name}>")
            elif name == "dir" and value not in DIRECTIONS:
                self.disallowed.append(f'<{tag} dir="{value}">')
            elif name == "lang" and not _LANG.match(value):
                self.disallowed.append(f'<{tag} lang="{value}">')

    handle_startendtag = handle_starttag


def check_text(text: str, rich: bool) -> Message | None:
    """Why `text` is refused, or None. Plain text is only checked for scripts."""
    if "<" not in text and "&" not in text:
        return None
    scanner = _Scanner(subset=rich)
    scanner.feed(text)
    scanner.close()
    if scanner.dangerous:
        return Message(
            "scripts and event handlers are not allowed ({found}); remove them",
            found=", ".join(dict.fromkeys(scanner.dangerous)),
        )
    if scanner.disallowed:
        return Message(
            "HTML not allowed here: {found}. Allowed: {allowed}",
            found=", ".join(dict.fromkeys(scanner.disallowed)),
            allowed="p, br, strong, b, em, i, u, ul, ol, li, a[href], sub, sup, span[lang|dir]",
        )
    return None


@cache
def _cleaner() -> Any:
    import nh3  # imported lazily: exporters load the model without cleaning anything

    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}, "span": {"lang"}},
        tag_attribute_values={"span": {"dir": set(DIRECTIONS)}},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitize_rich_text(text: str) -> str:
    """`text` reduced to the rich-text subset; links get rel="noopener noreferrer"."""
    cleaned = _cleaner().clean(text)
    # a bad lang value would make the manifest invalid; dropping it loses nothing
    return re.sub(
        r'\slang="([^"]*)"', lambda m: m.group(0) if _LANG.match(m.group(1)) else "", cleaned
    )


def plain_text(text: str) -> str:
    """The visible text of rich text, tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", " ", text)).replace("\xa0", " ").strip()


def is_blank(text: str) -> bool:
    """True when nothing would be visible: only tags, spaces or &nbsp;."""
    return not plain_text(text).strip()
