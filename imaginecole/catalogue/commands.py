"""`imaginecole catalogue …`: each part of the catalogue adds its own commands."""

from __future__ import annotations

import argparse

from ..i18n import _

# modules that define `add_catalogue_commands(subparsers)`
SUBCOMMAND_MODULES = (
    "imaginecole.catalogue.cli_server",
    "imaginecole.catalogue.importer",
    "imaginecole.catalogue.harvest",
)


def add_commands(sub: argparse._SubParsersAction) -> None:
    from ..cli import register_commands

    catalogue = sub.add_parser(
        "catalogue", help=_("The shared catalogue: serve, publish, review, import, harvest.")
    )
    catalogue_sub = catalogue.add_subparsers(dest="catalogue_command", required=True)
    register_commands(catalogue_sub, SUBCOMMAND_MODULES, "add_catalogue_commands")
