"""Every string of the catalogue's web side has French and Arabic translations."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from imaginecole.i18n import locale_dir

REPO = Path(__file__).resolve().parents[3]
CATALOGUE = REPO / "imaginecole" / "catalogue"
TEMPLATES = REPO / "templates" / "catalogue"
CLI_SOURCES = ["cli_server.py", "commands.py"]
# what a visitor of the pages or a client of the API can read (Arabic too): everything but
# the command line, which is French and English
PAGE_SOURCES = sorted(p.name for p in CATALOGUE.glob("*.py") if p.name not in CLI_SOURCES)
KEYWORDS = {
    "_": None,
    "N_": None,
    "WebError": (2,),
    "ImaginecoleError": (1,),
    "PermissionDenied": (1,),
    "NotFound": (1,),
    "Conflict": (1,),
    "Message": (1,),
}


def python_messages(names: list[str]) -> set[str]:
    found = set()
    for name in names:
        for _line, message, _comments, _context in extract_from_file(
            "python", CATALOGUE / name, KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def template_messages() -> set[str]:
    found = set()
    for path in sorted(TEMPLATES.glob("*.html")):
        with path.open("rb") as fh:
            for _line, _func, message, _comments in babel_extract(fh, ("_",), [], {}):
                if isinstance(message, str):
                    found.add(message)
    return found


def catalog(language: str):
    with (locale_dir() / language / "LC_MESSAGES" / "imaginecole.po").open("rb") as fh:
        return read_po(fh, locale=language)


def untranslated(messages: set[str], language: str) -> list[str]:
    po = catalog(language)
    return sorted(m for m in messages if not (po.get(m) and po.get(m).string))


def test_templates_and_page_code_use_gettext():
    assert len(template_messages()) > 60
    assert "Skip to the content" in template_messages()
    assert "There is nothing at this address." in python_messages(PAGE_SOURCES)
    assert "service.py" in PAGE_SOURCES and "sequences.py" in PAGE_SOURCES


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_page_strings_are_translated(language):
    messages = template_messages() | python_messages(PAGE_SOURCES)
    assert untranslated(messages, language) == []


def test_cli_strings_are_translated_in_french():
    assert untranslated(python_messages(CLI_SOURCES), "fr") == []
