"""`imaginecole app …`: check a notebook and make a notebook-app bundle from it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import _


def add_commands(sub: argparse._SubParsersAction) -> None:
    app = sub.add_parser("app", help=_("Check notebooks and make them into apps (Voilà)."))
    app_sub = app.add_subparsers(dest="app_command", required=True)

    check = app_sub.add_parser(
        "check",
        help=_(
            "Run a notebook top to bottom in a clean kernel and list the packages it needs "
            "or what stops it from being an app."
        ),
    )
    check.add_argument("notebook", type=Path, help=_("the notebook (.ipynb)"))
    check.add_argument(
        "--timeout",
        type=float,
        default=120,
        help=_("seconds one cell may run (default: 120)"),
    )
    check.add_argument(
        "--language", default="fr", help=_("language of the report: fr, en or ar (default: fr)")
    )
    check.set_defaults(func=run_check)

    new = app_sub.add_parser(
        "new",
        help=_(
            "Check a notebook and make an app bundle from it: the notebook without outputs, "
            "its manifest and a thumbnail taken with Voilà."
        ),
    )
    new.add_argument("notebook", type=Path, help=_("the notebook (.ipynb)"))
    new.add_argument("dir", type=Path, help=_("the new bundle folder (must not exist or be empty)"))
    new.add_argument("--title", required=True, help=_("title of the app"))
    new.add_argument("--description", help=_("what the app shows or lets learners do"))
    new.add_argument("--language", default="fr", help=_("language of the app (default: fr)"))
    new.add_argument("--country", help=_("country code, such as SN or TN"))
    new.add_argument("--level", help=_("a level id of the country's curriculum"))
    new.add_argument("--subject", help=_("a subject id of the country's curriculum"))
    new.add_argument(
        "--author", action="append", default=[], help=_("an author's name (repeat for several)")
    )
    new.add_argument(
        "--live-only",
        action="append",
        default=[],
        metavar="TEXT",
        help=_(
            "an interaction that needs the live app, shown beside the offline version "
            "(repeat for several)"
        ),
    )
    new.add_argument(
        "--no-screenshot",
        action="store_true",
        help=_("do not take the thumbnail (it needs Voilà and Chromium)"),
    )
    new.add_argument(
        "--timeout",
        type=float,
        default=120,
        help=_("seconds one cell may run (default: 120)"),
    )
    new.set_defaults(func=run_new)


def _progress(number: int, total: int) -> None:
    print(_("cell {number} of {total}…").format(number=number, total=total), file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    from .check import check_notebook

    report = check_notebook(args.notebook, timeout=args.timeout, on_cell=_progress)
    print(report.render(args.language))
    return 0 if report.ok else 1


def run_new(args: argparse.Namespace) -> int:
    from ..bundle.model import load_manifest
    from .model import new_app

    metadata: dict = {"title": args.title, "language": args.language}
    if args.description:
        metadata["description"] = args.description
    if args.country:
        metadata["country"] = args.country.upper()
    if args.level:
        metadata["level"] = args.level
    if args.subject:
        metadata["subject"] = args.subject
    if args.author:
        metadata["authors"] = [{"name": name} for name in args.author]
    folder = new_app(
        args.notebook,
        args.dir,
        metadata,
        screenshot=not args.no_screenshot,
        live_only=args.live_only,
        timeout=args.timeout,
        on_cell=_progress,
    )
    manifest = load_manifest(folder)
    packages = ", ".join(f"{r['name']} {r['version']}" for r in manifest["app"]["requirements"])
    print(
        _("App created in {folder} (packages: {packages}).").format(
            folder=folder, packages=packages or _("none")
        )
    )
    return 0
