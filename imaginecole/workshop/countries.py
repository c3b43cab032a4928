"""The twelve countries of the Imaginecole initiative."""

from __future__ import annotations

import unicodedata

# ISO 3166-1 alpha-2 code -> French name (the working language).
COUNTRIES: dict[str, str] = {
    "BJ": "Bénin",
    "BF": "Burkina Faso",
    "CM": "Cameroun",
    "CI": "Côte d'Ivoire",
    "GN": "Guinée",
    "ML": "Mali",
    "NE": "Niger",
    "SN": "Sénégal",
    "TD": "Tchad",
    "TG": "Togo",
    "MR": "Mauritanie",
    "TN": "Tunisie",
}


def fold(text: str) -> str:
    """Lower case without accents, for lenient matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


_BY_NAME = {fold(name): code for code, name in COUNTRIES.items()}


def country_code(value: str) -> str | None:
    """The code for a code or a French name (« sénégal », « SN »); None if unknown."""
    text = value.strip()
    if text.upper() in COUNTRIES:
        return text.upper()
    return _BY_NAME.get(fold(text))
