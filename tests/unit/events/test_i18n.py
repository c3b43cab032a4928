"""Every string of the events has a French translation; the public pages an Arabic one too."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from imaginecole.i18n import locale_dir

REPO = Path(__file__).resolve().parents[3]
EVENTS = REPO / "imaginecole" / "events"
TEMPLATES = REPO / "templates" / "events"
PUBLIC_TEMPLATES = ("events.html", "event.html", "certificate_check.html", "certificate.html")
KEYWORDS = {
    "_": None,
    "N_": None,
    "Message": (1,),
    "WebError": (2,),
    "ImaginecoleError": (1,),
    "PermissionDenied": (1,),
    "NotFound": (1,),
    "Conflict": (1,),
}


def python_messages() -> set[str]:
    found = set()
    for path in sorted(EVENTS.glob("*.py")):
        for _line, message, _comments, _context in extract_from_file("python", path, KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    # field_error(field, message) prefixes its messages: the whole sentence is the msgid
    found.discard("The field « {field} » ")
    return found


def template_messages(names=None) -> set[str]:
    found = set()
    for path in sorted(TEMPLATES.glob("*.html")):
        if names and path.name not in names:
            continue
        with path.open("rb") as fh:
            for _line, _func, message, _comments in babel_extract(fh, ("_",), [], {}):
                if isinstance(message, str):
                    found.add(message)
    return found


def untranslated(messages: set[str], language: str) -> list[str]:
    with (locale_dir() / language / "LC_MESSAGES" / "imaginecole.po").open("rb") as fh:
        po = read_po(fh, locale=language)
    return sorted(m for m in messages if not (po.get(m) and po.get(m).string))


def test_every_events_string_is_in_french():
    messages = python_messages() | template_messages()
    assert len(messages) > 100
    assert untranslated(messages, "fr") == []


@pytest.mark.parametrize("name", PUBLIC_TEMPLATES)
def test_public_pages_are_in_arabic(name):
    messages = template_messages({name})
    assert messages
    assert untranslated(messages, "ar") == []
