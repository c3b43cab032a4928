"""Bulk import of a delivery: bundles, H5P and SCORM packages, with a metadata CSV.

A delivery is a folder, or a zip of one. Each item in it (a bundle folder, or a
file) is inspected by `packages.inspect_package`, completed by its row of the
metadata CSV and published: bundles through `Catalogue.publish`, H5P and
SCORM through `Catalogue.publish_package`. Nothing is half-created: an item is
checked in full before the one service call that stores it.

Resuming: a journal (JSON lines, flushed after every item) records each item
done, keyed by its place in the delivery, its sha256 and its CSV row. A re-run skips them; without
the journal, the version note (which carries the same key) still says so, and
packages get a uid derived from their content and place, so records are never
duplicated. The import ends with a report (CSV and Markdown) of every rejected
item and why, in French and English.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import shutil
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imaginecole.exports import archive
from imaginecole.i18n import ImaginecoleError, Message, _
from imaginecole.progress import show as show_progress

from .delivery import Item, Journal, discover, journal_path, unpack_delivery
from .import_metadata import (
    Reason,
    Row,
    clean_metadata,
    curriculum_problems,
    licences,
    read_metadata_csv,
)
from .model import PUBLISHED, SUBMITTED, Principal
from .packages import BUNDLE, MANIFEST, PackageInfo, PackageLimits, inspect_package

METADATA_CSV = "metadata.csv"
NAMESPACE = uuid.UUID("5d0c3f0e-6b1e-4a43-9a4e-1c7f3a0e2b55")  # package uids
Progress = Callable[[int, int, str], None]


# -- the report ----------------------------------------------------------------------------


@dataclass
class Rejection:
    file: str
    row: int | None  # spreadsheet row of the metadata CSV, if the item has one
    reasons: list[Reason]

    def render(self, language: str) -> str:
        return " ; ".join(r.render(language).replace("\n", " ") for r in self.reasons)


@dataclass
class ImportReport:
    """What an import did: imported (file, uid), already there, rejected with reasons."""

    source: Path
    total: int = 0
    imported: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # done by an earlier run
    rejected: list[Rejection] = field(default_factory=list)
    journal: Path | None = None
    seconds: float = 0.0

    def summary(self, language: str = "fr") -> str:
        return Message(
            "{source}: {imported} imported, {skipped} already there, {rejected} rejected "
            "out of {total} ({seconds} s).",
            source=self.source,
            imported=len(self.imported),
            skipped=len(self.skipped),
            rejected=len(self.rejected),
            total=self.total,
            seconds=round(self.seconds, 1),
        ).render(language)

    def write(self, path: Path) -> tuple[Path, Path]:
        """The report as PATH.csv and PATH.md: every rejected item with its reason, fr and en."""
        csv_path, md_path = path.with_suffix(".csv"), path.with_suffix(".md")
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["row", "file", "reason_fr", "reason_en"])
        for r in self.rejected:
            cells = [r.row or "", r.file, r.render("fr"), r.render("en")]
            # a cell starting with = + - @ would run as a spreadsheet formula
            writer.writerow([f"'{c}" if str(c)[:1] in "=+-@" else c for c in cells])
        csv_path.write_text(buf.getvalue(), encoding="utf-8-sig")
        md_path.write_text(self.markdown(), encoding="utf-8")
        return csv_path, md_path

    def markdown(self) -> str:
        def cell(text: object) -> str:
            text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return text.replace("|", "\\|").replace("\n", " ")

        def both(message: str) -> str:
            return f"{_(message, 'fr')} / {message}"

        lines = [
            f"# {both('Import report')}",
            "",
            f"- {cell(self.summary('fr'))}",
            f"- {cell(self.summary('en'))}",
            f"- {both('journal')}: {cell(self.journal or '-')}",
            "",
            f"| | {both('count')} |",
            "|---|---|",
            f"| {both('imported')} | {len(self.imported)} |",
            f"| {both('already there')} | {len(self.skipped)} |",
            f"| {both('rejected')} | {len(self.rejected)} |",
            "",
        ]
        if self.rejected:
            lines += [
                f"## {both('Rejected items')}",
                "",
                f"| {both('row')} | {both('file')} | {_('reason', 'fr')} | reason |",
                "|---|---|---|---|",
            ]
            for r in self.rejected:
                lines.append(
                    f"| {r.row or ''} | {cell(r.file)} | {cell(r.render('fr'))} "
                    f"| {cell(r.render('en'))} |"
                )
        return "\n".join(lines) + "\n"


def _reason(exc: ImaginecoleError, rel: str, where: Path) -> Reason:
    """The error as a reason naming the item by its place in the delivery."""
    from imaginecole.bundle.validate import BundleError

    if isinstance(exc, BundleError):
        return BundleError(rel, exc.problems)
    values = {k: (rel if v == where or v == str(where) else v) for k, v in exc.values.items()}
    return Message(exc.message_id, **values)


# -- importing -----------------------------------------------------------------------------


def import_delivery(
    catalogue: Any,
    source: Path,
    principal: Principal,
    *,
    metadata_csv: Path | None = None,
    state: str = SUBMITTED,
    progress: Progress | None = None,
    journal: Path | None = None,
    limits: PackageLimits | None = None,
) -> ImportReport:
    """Import every item of `source` (a folder or a zip of one) into `catalogue`.

    `metadata_csv` defaults to the delivery's metadata.csv; `journal` to
    DATA/imports/… when the catalogue has a data dir. `progress(done, total,
    label)` runs after each item; an exception it raises stops the import,
    and the next run resumes after the items done.
    """
    from .service import PermissionDenied

    source = Path(source)
    limits = limits or PackageLimits()
    if not principal.can("write"):
        raise PermissionDenied("{name} may not publish in the catalogue.", name=principal.name)
    if state not in (SUBMITTED, PUBLISHED):
        raise ImaginecoleError("Unknown state « {state} ».", state=state)
    if state == PUBLISHED and not principal.can("edit"):
        raise PermissionDenied(
            "Only an editor may publish without review; {name} is not one.", name=principal.name
        )
    if not source.exists():
        raise ImaginecoleError("The delivery {path} does not exist.", path=source)
    data_dir = getattr(catalogue, "data_dir", None)
    if journal is None and data_dir is not None:
        journal = journal_path(Path(data_dir), source)
    if journal is not None:
        journal.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="delivery-", dir=journal.parent if journal else None))
    report = ImportReport(source=source, journal=journal)
    started = time.monotonic()
    log = None
    try:
        root = source
        if source.is_file():
            if not zipfile.is_zipfile(source):
                raise ImaginecoleError(
                    "The delivery {path} is neither a folder nor a zip archive.", path=source
                )
            root = unpack_delivery(source, work / "delivery", limits)
        if metadata_csv is None and (root / METADATA_CSV).is_file():
            metadata_csv = root / METADATA_CSV
        rows = read_metadata_csv(Path(metadata_csv)) if metadata_csv else []
        log = Journal(journal)
        run = _Run(catalogue, principal, state, limits, log, report, work, source.name)
        run.all(root, rows, Path(metadata_csv) if metadata_csv else None, progress)
        return report
    finally:
        report.seconds = time.monotonic() - started
        if log is not None:
            log.close()
        shutil.rmtree(work, ignore_errors=True)


@dataclass
class _Run:
    catalogue: Any
    principal: Principal
    state: str
    limits: PackageLimits
    journal: Journal
    report: ImportReport
    work: Path
    delivery: str
    seen: dict[str, str] = field(default_factory=dict)  # dedup key -> first file

    def all(self, root: Path, rows: list[Row], csv_path: Path | None, progress: Progress | None):
        items = discover(root, skip=csv_path)
        names = {item.rel for item in items}
        by_file: dict[str, Row] = {}
        orphans: list[Row] = []  # rows with no item of their own: all rejected
        for row in rows:
            if row.file in names and row.file not in by_file:
                by_file[row.file] = row
            else:
                orphans.append(row)
        self.report.total = len(items) + len(orphans)
        done = 0
        for row in orphans:
            reasons = list(row.problems)
            if row.file and row.file not in names:
                reasons.insert(
                    0,
                    Message(
                        "« {file} » is not in the delivery; check the « file » column",
                        file=row.file,
                    ),
                )
            self.report.rejected.append(Rejection(row.file, row.number, reasons))
            done += 1
            if progress:
                progress(done, self.report.total, row.file)
        for item in items:
            self.one(item, by_file.get(item.rel))
            done += 1
            if progress:
                progress(done, self.report.total, item.rel)

    def reject(self, item: Item, row: Row | None, reasons: list[Reason], key: str = "") -> None:
        self.report.rejected.append(Rejection(item.rel, row.number if row else None, reasons))
        self.journal.write(
            key=key, file=item.rel, status="rejected", reason=self.report.rejected[-1].render("en")
        )

    def one(self, item: Item, row: Row | None) -> None:
        try:
            info = inspect_package(item.path, self.limits)
        except ImaginecoleError as exc:
            self.reject(
                item, row, [_reason(exc, item.rel, item.path), *(row.problems if row else [])]
            )
            return
        values = row.values if row else {}
        key = json.dumps([item.rel, info.sha256, values], sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256(key.encode()).hexdigest()
        metadata = {**info.metadata, **clean_metadata(row.metadata if row else {})}
        reasons: list[Reason] = list(row.problems) if row else []
        reasons += curriculum_problems(metadata, bad_country="country" in values)
        uid = info.uid or str(uuid.uuid5(NAMESPACE, f"{info.sha256}:{item.rel}"))
        # the same bundle twice, or the same package with the same metadata twice
        dup = f"uid:{uid}" if info.format == BUNDLE else json.dumps([info.sha256, metadata])
        if key in self.journal.done:
            self.seen.setdefault(dup, item.rel)
            self.report.skipped.append((item.rel, self.journal.done[key].get("uid", "")))
            return
        if not metadata.get("title"):
            reasons.append(Message("no title: fill in the « title » column of the metadata CSV"))
        if not metadata.get("licence"):
            reasons.append(
                Message(
                    "no licence: fill in the « licence » column of the metadata CSV ({allowed})",
                    allowed=", ".join(licences()),
                )
            )
        manifest = self._manifest(info, metadata, uid)
        if not reasons:
            reasons += [
                p
                for p in self.catalogue.metadata_problems(manifest)
                if not p.path.endswith(("title", "licence"))
            ]
        if dup in self.seen:
            reasons.insert(
                0,
                Message(
                    "the same resource as « {first} », already in this delivery",
                    first=self.seen[dup],
                ),
            )
        if reasons:
            self.reject(item, row, reasons, key)
            return
        self.seen[dup] = item.rel
        note = f"import {self.delivery}: {item.rel} #{key[:16]}"
        if self._already(uid, key):
            self.journal.write(key=key, file=item.rel, status="imported", uid=uid)
            self.report.skipped.append((item.rel, uid))
            return
        try:
            resource = self._publish(info, manifest, metadata, uid, note)
        except ImaginecoleError as exc:
            self.reject(item, row, [_reason(exc, item.rel, item.path)], key)
            return
        self.journal.write(
            key=key, file=item.rel, status="imported", uid=resource.uid, version=resource.versions
        )
        self.report.imported.append((item.rel, resource.uid))

    def _manifest(self, info: PackageInfo, metadata: dict[str, Any], uid: str) -> dict[str, Any]:
        if info.manifest is not None:
            return {**info.manifest, "metadata": {**info.manifest["metadata"], **metadata}}
        return {"type": info.type, "kind": info.kind, "id": uid, "metadata": metadata}

    def _already(self, uid: str, key: str) -> bool:
        """The catalogue holds this very item already (a run stopped before its journal line)."""
        from .service import NotFound

        try:
            resource = self.catalogue.get(uid, self.principal)
        except NotFound:
            return False
        return f"#{key[:16]}" in (resource.latest.note or "")

    def _publish(
        self,
        info: PackageInfo,
        manifest: dict[str, Any],
        metadata: dict[str, Any],
        uid: str,
        note: str,
    ) -> Any:
        if info.format != BUNDLE:
            return self.catalogue.publish_package(
                self.principal,
                metadata,
                {info.format: info.path},
                uid=uid,
                type=info.type,
                kind=info.kind,
                note=note,
                state=self.state,
            )
        folder = self.work / uid
        shutil.rmtree(folder, ignore_errors=True)
        if info.is_folder:
            shutil.copytree(info.path, folder, symlinks=True)
        else:
            archive.safe_extract(info.path, folder, max_bytes=self.limits.max_unpacked_bytes)
            folder = folder / info.root if info.root else folder
        (folder / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        try:
            options = {"state": self.state} if self.state != SUBMITTED else {}
            return self.catalogue.publish(
                self.principal, folder, note=note, event=metadata.get("event"), **options
            )
        finally:
            shutil.rmtree(self.work / uid, ignore_errors=True)


def iter_rejections(report: ImportReport) -> Iterator[str]:
    """One line per rejected item, in French then English."""
    for r in report.rejected:
        fr, en = r.render("fr"), r.render("en")
        row = f" ({_('row')} {r.row})" if r.row else ""
        yield f"{r.file}{row}: {fr}" + ("" if fr == en else f"\n  [en] {en}")


# -- the command ---------------------------------------------------------------------------


def add_catalogue_commands(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "import",
        help=_("Import a delivery of bundles, H5P and SCORM packages with a metadata CSV."),
    )
    cmd.add_argument("source", type=Path, help=_("the delivery: a folder, or a zip of one"))
    cmd.add_argument("--data", type=Path, required=True, help=_("the catalogue's data folder"))
    cmd.add_argument("--db-url", help=_("database URL (default: SQLite in the data folder)"))
    cmd.add_argument(
        "--metadata", type=Path, help=_("metadata CSV (default: metadata.csv of the delivery)")
    )
    cmd.add_argument(
        "--as",
        dest="as_user",
        default="import",
        help=_("account that owns the imported resources (default: import)"),
    )
    cmd.add_argument(
        "--publish",
        action="store_true",
        help=_("publish at once instead of sending to the review queue"),
    )
    cmd.add_argument(
        "--report",
        type=Path,
        help=_("where to write the report (.csv and .md; default: in DATA/imports/)"),
    )
    cmd.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from .model import principal_for_role
    from .service import Catalogue

    principal = principal_for_role(args.as_user, "editor")
    catalogue = Catalogue.open(args.data, db_url=args.db_url)
    try:
        report = import_delivery(
            catalogue,
            args.source,
            principal,
            metadata_csv=args.metadata,
            state=PUBLISHED if args.publish else SUBMITTED,
            progress=show_progress,
            journal=journal_path(args.data, args.source),
        )
    except KeyboardInterrupt:
        print(
            "\n" + _("Interrupted. Run the same command again to resume where it stopped."),
            file=sys.stderr,
        )
        return 130
    finally:
        catalogue.close()
    target = args.report or journal_path(args.data, args.source).with_name(
        journal_path(args.data, args.source).stem + "-report"
    )
    csv_path, md_path = report.write(target)
    for line in iter_rejections(report):
        print(line, file=sys.stderr)
    print(report.summary())
    print(_("Report: {csv} and {md}").format(csv=csv_path, md=md_path))
    return 1 if report.rejected else 0
