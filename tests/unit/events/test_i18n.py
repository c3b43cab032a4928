"""Every string of the events has a French translation; the public pages an Arabic one too."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_python
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
    "field_error": (2,),
}
FIELD_PREFIX = "The field « {field} » "


def python_messages() -> set[str]:
    found = set()
    for path in sorted(EVENTS.glob("*.py")):
        with path.open("rb") as fh:
            for _line, function, args, _comments in extract_python(fh, KEYWORDS, [], {}):
                spec = KEYWORDS.get(function)
                index = spec[0] - 1 if spec else 0
                args = args if isinstance(args, tuple) else (args,)
                message = args[index] if index < len(args) else None
                if not message:
                    continue
                # field_error(field, message) prefixes its message: the sentence is the msgid
                found.add(FIELD_PREFIX + message if function == "field_error" else message)
    found.discard(FIELD_PREFIX)
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


def test_every_events_string_is_in_arabic():
    """The events are pages and answers of the catalogue, which speaks Arabic too."""
    messages = python_messages() | template_messages()
    assert FIELD_PREFIX + "has {n} criteria; a rubric has at most {max}: merge or remove some." in (
        messages
    )
    assert untranslated(messages, "ar") == []


@pytest.mark.parametrize("name", PUBLIC_TEMPLATES)
def test_public_pages_are_in_arabic(name):
    messages = template_messages({name})
    assert messages
    assert untranslated(messages, "ar") == []
