"""`imaginecole grain …`: create, check and import grain bundles."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import _, gettext_for


def add_commands(sub: argparse._SubParsersAction) -> None:
    grain = sub.add_parser("grain", help=_("Create, check and import grains."))
    grain_sub = grain.add_subparsers(dest="grain_command", required=True)

    from .model import grain_kinds

    new = grain_sub.add_parser("new", help=_("Create a grain with sample content to replace."))
    new.add_argument("kind", choices=grain_kinds(), help=_("the kind of grain"))
    new.add_argument("dir", type=Path, help=_("the new bundle folder (must not exist or be empty)"))
    new.add_argument("--language", default="fr", help=_("language of the grain (default: fr)"))
    new.add_argument("--title", help=_("title of the grain"))
    new.add_argument("--country", help=_("country code, such as SN or TN"))
    new.set_defaults(func=run_new)

    validate = grain_sub.add_parser(
        "validate", help=_("Check a grain bundle and list every problem.")
    )
    validate.add_argument("dir", type=Path, help=_("the bundle folder"))
    validate.add_argument(
        "--lang", choices=("fr", "en"), default="fr", help=_("language of the report (default: fr)")
    )
    validate.set_defaults(func=run_validate)

    for name, helptext, func in (
        ("import-gift", _("Import a Moodle GIFT file as a new question set."), run_import_gift),
        ("import-csv", _("Import a CSV file as a new question set."), run_import_csv),
    ):
        cmd = grain_sub.add_parser(name, help=helptext)
        cmd.add_argument("file", type=Path, help=_("the file to import"))
        cmd.add_argument(
            "dir", type=Path, help=_("the new bundle folder (must not exist or be empty)")
        )
        cmd.add_argument("--language", default="fr", help=_("language of the grain (default: fr)"))
        cmd.add_argument("--title", help=_("title of the grain"))
        cmd.set_defaults(func=func)


def _created(manifest: dict, folder: Path) -> int:
    print(
        _("Grain « {title} » ({kind}, {n} question(s)) written to {dir}.").format(
            title=manifest["metadata"]["title"],
            kind=manifest["kind"],
            n=len(manifest["questions"]),
            dir=folder,
        )
    )
    return 0


def run_new(args: argparse.Namespace) -> int:
    from .model import create_bundle, new_grain

    country = args.country.upper() if args.country else None
    manifest = new_grain(args.kind, args.language, title=args.title, country=country)
    return _created(create_bundle(args.dir, manifest), args.dir)


def run_validate(args: argparse.Namespace) -> int:
    from .model import load_manifest
    from .validate import BundleError

    tr = gettext_for(args.lang)
    try:
        manifest = load_manifest(args.dir)
    except BundleError as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return 1
    if manifest.get("type") == "comic":
        print(
            tr("{dir}: valid comic « {title} » ({pages} page(s), {panels} panel(s)).").format(
                dir=args.dir,
                title=manifest["metadata"]["title"],
                pages=len(manifest["pages"]),
                panels=sum(len(page["panels"]) for page in manifest["pages"]),
            )
        )
        return 0
    print(
        tr("{dir}: valid grain « {title} » ({kind}, {n} question(s)).").format(
            dir=args.dir,
            title=manifest["metadata"]["title"],
            kind=manifest["kind"],
            n=len(manifest["questions"]),
        )
    )
    return 0


def run_import_gift(args: argparse.Namespace) -> int:
    from .gift import import_gift

    manifest = import_gift(args.file, args.dir, title=args.title, language=args.language)
    return _created(manifest, args.dir)


def run_import_csv(args: argparse.Namespace) -> int:
    from .csv_import import import_csv

    manifest = import_csv(args.file, args.dir, title=args.title, language=args.language)
    return _created(manifest, args.dir)
