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
    "imaginecole.catalogue.commands",
    "imaginecole.podcast.commands",
    "imaginecole.app.commands",
    "imaginecole.events.commands",
)


def register_commands(sub, modules: tuple[str, ...], hook: str = "add_commands") -> None:
    """Let each module of `modules` add its commands to `sub` through its `hook` function."""
    import importlib

    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        getattr(module, hook)(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imaginecole", description=_("Imaginecole Studio: the workshop hub.")
    )
    parser.add_argument("--version", action="version", version=__version__)
    register_commands(parser.add_subparsers(dest="command", required=True), COMMAND_MODULES)
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
