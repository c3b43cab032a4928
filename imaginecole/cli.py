"""The `imaginecole` command line.

Each command group lives next to what it drives and registers itself here
through an `add_commands(subparsers)` function; every command sets `func`.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .i18n import ImaginecoleError, _

# modules that define `add_commands(subparsers)`
COMMAND_MODULES = (
    "imaginecole.hub.commands",
    "imaginecole.bundle.commands",
    "imaginecole.exports.commands",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="imaginecole", description=_("Imaginecole Studio: the workshop hub.")
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ImaginecoleError as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
