"""`imaginecole export`: every format through the one exporter registry."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imaginecole import progress
from imaginecole.i18n import ImaginecoleError, _

from . import available, get_exporter
from .base import Bundle


def add_commands(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help=_("Export bundles to packages (html, h5p, scorm…)."))
    export.add_argument("bundles", nargs="*", type=Path, help=_("bundle folder(s)"))
    export.add_argument("--to", help=_("format name, or « all »"))
    export.add_argument(
        "-o", "--output", type=Path, help=_("output file (one bundle, one format) or folder")
    )
    export.add_argument("--list", action="store_true", help=_("list the formats and stop"))
    export.add_argument(
        "--with-libraries",
        type=Path,
        help=_("h5p: folder of H5P library folders to bundle in the package"),
    )
    export.add_argument(
        "--width",
        metavar="PX",
        help=_("png, cbz, epub: page width in pixels (default 1240)"),
    )
    export.add_argument(
        "--paper",
        help=_("pdf of a comic: « a4 » (default) or « a5-booklet » (A5 booklet on A4 sheets)"),
    )
    export.add_argument(
        "--base-url",
        metavar="URL",
        help=_("rss: web address of the folder the feed will be put in (default: relative names)"),
    )
    export.set_defaults(func=run_export)


def comic_options(args: argparse.Namespace) -> dict[str, object]:
    """`--width` and `--paper`, checked before any export starts (a clear error, once)."""
    from .comic_pages import check_width
    from .comic_pdf import check_paper

    width = getattr(args, "width", None)
    paper = getattr(args, "paper", None)
    return {
        "width": None if width is None else check_width(width),
        "paper": None if paper is None else check_paper(paper),
    }


def run_export(args: argparse.Namespace) -> int:
    names = available()
    if args.list:
        for name in names:
            print(f"{name:12} {_(get_exporter(name).description)}")
        return 0
    if not args.bundles or not args.to:
        raise ImaginecoleError("Give at least one bundle folder and --to FORMAT (see --list).")
    formats = names if args.to == "all" else [args.to]
    unknown = [f for f in formats if f not in names]
    if unknown:
        raise ImaginecoleError(
            "Unknown format « {name} ». Known formats: {known}.",
            name=unknown[0],
            known=", ".join(names),
        )
    options = comic_options(args)
    if getattr(args, "base_url", None):
        from .podcast_rss import check_base_url

        check_base_url(args.base_url)  # a clear error before any export starts
    single = len(args.bundles) == 1 and len(formats) == 1
    out_dir = args.output if not single or args.output is None else None
    out_dir = out_dir or (Path.cwd() if args.output is None else args.output)
    jobs = [(b, f) for b in args.bundles for f in formats]
    failures = 0
    loaded: dict[Path, Bundle] = {}
    for index, (path, fmt) in enumerate(jobs, 1):
        try:
            bundle = loaded.get(path) or loaded.setdefault(path, Bundle.load(path))
        except ImaginecoleError as exc:
            if len(jobs) == 1:
                raise
            failures += 1
            print(f"\n{path}: {exc}", file=sys.stderr)
            continue
        exporter = get_exporter(fmt)(
            with_libraries=args.with_libraries,
            base_url=getattr(args, "base_url", None),
            **options,
        )
        if not exporter.accepts(bundle):
            if args.to != "all":
                raise ImaginecoleError(
                    "The format {fmt} does not take a bundle of type {type} ({path}).",
                    fmt=fmt,
                    type=bundle.type,
                    path=path,
                )
            continue
        if single and args.output is not None and args.output.suffix:
            target = args.output
        else:
            target = exporter.default_output(bundle, out_dir)
        seen = len(bundle.warnings)
        try:
            written = exporter.export(bundle, target)
        except ImaginecoleError as exc:
            failures += 1
            print(f"\n{path} → {fmt}: {exc}", file=sys.stderr)
            continue
        for warning in bundle.warnings[seen:]:
            print(f"\n{path} → {fmt}: {warning}", file=sys.stderr)
        progress.show(index, len(jobs), f"{path.name} → {fmt}")
        if len(jobs) == 1:
            print(written)
    return 1 if failures else 0
