"""Whether every interface string of some widget modules has its French translation."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).parents[2]
WIDGETS = REPO / "widgets"
FR_PO = REPO / "imaginecole" / "locale" / "fr" / "LC_MESSAGES" / "imaginecole.po"


def msgids(path: Path, calls: Iterable[str] = ("_",), *, methods: bool = False) -> set[str]:
    """The literal message ids a module passes first to the functions named in `calls`.

    With `methods`, calls of a method of that name (`self._("...")`) count too.
    """
    calls = set(calls)
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id in calls) or (
            methods and isinstance(func, ast.Attribute) and func.attr in calls
        ):
            found.add(node.args[0].value)
    return found


def untranslated(
    widgets: Iterable[str], calls: Iterable[str] = ("_",), *, methods: bool = False
) -> tuple[set[str], list[str]]:
    """The message ids of these files of widgets/, and those without a French translation."""
    with FR_PO.open("rb") as fh:
        catalog = read_po(fh)
    ids = set().union(*(msgids(WIDGETS / name, calls, methods=methods) for name in widgets))
    return ids, sorted(m for m in ids if m not in catalog or not catalog[m].string)
