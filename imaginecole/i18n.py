"""Interface strings through gettext catalogues (Babel .po files).

Message ids are English. French is the default language; English is complete
through the message ids themselves; Arabic covers the player and the catalogue.
The .po files are read with Babel at first use, so an editable checkout needs
no compile step.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "imaginecole"
DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "en", "ar")


def locale_dir() -> Path:
    return Path(__file__).parent / "locale"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue for `language` (``fr``, ``en``, ``ar``); English is the ids."""
    po_path = locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=language, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def N_(message: str) -> str:
    """Mark a message id for extraction (pybabel -k N_); it is translated later."""
    return message


def gettext_for(language: str | None):
    """A `_()` function bound to one language."""
    return translations(language or DEFAULT_LANGUAGE).gettext


def _(message: str, language: str | None = None) -> str:
    """Translate `message` into `language` (French by default)."""
    return translations(language or DEFAULT_LANGUAGE).gettext(message)


class Message:
    """A translatable message whose values may be messages too, rendered per language."""

    def __init__(self, message: str, **values: object) -> None:
        self.message = message
        self.values = values

    def render(self, language: str) -> str:
        values = {
            k: v.render(language) if isinstance(v, Message) else v for k, v in self.values.items()
        }
        return translations(language).gettext(self.message).format(**values)

    def __str__(self) -> str:
        fr, en = self.render("fr"), self.render("en")
        return fr if fr == en else f"{fr}\n  [en] {en}"


def bilingual(message: str, **values: object) -> str:
    """One message in French then English, for errors a person reads."""
    return str(Message(message, **values))


class ImaginecoleError(Exception):
    """An error for a person: says what, where and what to do, in French and English."""

    def __init__(self, message: str, **values: object) -> None:
        self.message_id = message
        self.values = values
        super().__init__(bilingual(message, **values))
