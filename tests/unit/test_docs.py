"""Executable docs: a CLI option, config trait or workshop field left undocumented fails here."""

import argparse
import re
from pathlib import Path

import pytest
from traitlets import HasTraits

from imaginecole.cli import build_parser
from imaginecole.hub.auth import WorkshopCodeAuthenticator
from imaginecole.hub.spawner import WorkshopSpawner
from imaginecole.workshop.config import workshop_schema

DOCS = Path(__file__).parents[2] / "docs"


def commands(parser, prefix=("imaginecole",)):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*prefix, name))
    yield " ".join(prefix), parser


def cli_section(text: str, command: str) -> str:
    # a heading naming the command followed by its arguments (FILE, [WORKSHOP], --opt)
    heading = re.compile(rf"^## .*`{re.escape(command)}(?: [A-Z\[-][^`]*)?`", re.M)
    match = heading.search(text)
    assert match, f"docs/cli.md has no section for `{command}`"
    end = text.find("\n## ", match.end())
    return text[match.start() : end if end > 0 else None]


@pytest.mark.parametrize("command,parser", list(commands(build_parser())))
def test_every_cli_option_is_documented(command, parser):
    own = [
        a
        for a in parser._actions
        if not isinstance(a, (argparse._SubParsersAction, argparse._HelpAction))
    ]
    if not own:
        return  # a command group
    section = cli_section((DOCS / "cli.md").read_text(), command)
    for action in own:
        names = action.option_strings or [action.dest]
        for name in names:
            assert f"`{name}`" in section, f"{command}: `{name}` is undocumented"


@pytest.mark.parametrize("cls", [WorkshopSpawner, WorkshopCodeAuthenticator])
def test_every_own_config_trait_is_documented_with_help(cls: type[HasTraits]):
    text = (DOCS / "configuration.md").read_text()
    parents = set()
    for base in cls.__mro__[1:]:
        if issubclass(base, HasTraits):
            parents |= set(base.class_traits(config=True))
    own = set(cls.class_traits(config=True)) - parents
    assert own, "the class should define its own options"
    for name in own:
        assert cls.class_traits()[name].help, f"{cls.__name__}.{name} has no help="
        assert f"`{cls.__name__}.{name}`" in text, f"{cls.__name__}.{name} is undocumented"


def schema_paths(schema, prefix=""):
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        if sub.get("type") == "object" and "properties" in sub:
            yield from schema_paths(sub, path + ".")
        elif sub.get("type") == "array" and "properties" in sub.get("items", {}):
            yield from schema_paths(sub["items"], path + "[].")
        else:
            yield path


def test_every_workshop_field_is_documented():
    text = (DOCS / "configuration.md").read_text()
    for path in schema_paths(workshop_schema()):
        assert f"`{path}`" in text, f"workshop.yaml field {path} is undocumented"


def test_every_exporter_is_documented_and_described_in_french():
    from imaginecole.exports import available, get_exporter

    from imaginecole.i18n import translations

    text = (DOCS / "exports.md").read_text()
    french = translations("fr").gettext
    assert available()
    for name in available():
        assert f"`{name}`" in text, f"exporter {name} is undocumented in docs/exports.md"
        description = get_exporter(name).description
        assert description and french(description) != description, f"{name}: no French"
