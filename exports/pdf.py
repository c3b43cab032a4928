"""`pdf`: a printable A4 worksheet, ``<name>.pdf``, and its answer key, ``<name>.corrige.pdf``.

For classes where pupils have no device. ``export()`` writes both files side by side and
returns the worksheet's path. The HTML comes from exports/worksheet.py (template
``templates/print/``); Debian's Chromium prints it, headless, through Playwright.

Printing is offline and inert: the page is a local file, JavaScript is off, and every request
that is not a ``file:`` URL is aborted. Fonts are Debian's (Andika, DejaVu), never web fonts.

One Chromium serves every export of a process: it starts at the first export, in a thread of
its own (Playwright's sync API is bound to one thread and refuses to run under a running
asyncio loop, as in a Jupyter kernel), and closes at exit or on :func:`close_printer`.

Chromium writes the time of printing into the PDF; it is replaced by the grain's
``metadata.modified`` (or 2000-01-01), so the same bundle gives the same bytes on one machine
(the producer string names the Chromium version).
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, bilingual

from .base import Bundle, Exporter, ExportError, write_output

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KEY_SUFFIX = ".corrige.pdf"
PRINT_TIMEOUT_MS = 60_000
_PDF_DATE = re.compile(rb"\(D:\d{14}[^)]{0,8}\)")
_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def answer_key_path(worksheet: Path) -> Path:
    """``fiche.pdf`` -> ``fiche.corrige.pdf``, beside it."""
    stem = worksheet.name[: -len(".pdf")] if worksheet.name.endswith(".pdf") else worksheet.name
    return worksheet.with_name(stem + KEY_SUFFIX)


def chromium_path() -> str:
    """Debian's Chromium, or ``IMAGINECOLE_CHROMIUM`` when set."""
    return os.environ.get("IMAGINECOLE_CHROMIUM") or CHROMIUM


def fixed_dates(pdf: bytes, when: str | None) -> bytes:
    """`pdf` with its creation and modification dates set to `when` (RFC 3339) or 2000-01-01.

    Each date keeps its length, so the cross-reference offsets stay right.
    """
    stamp = "20000101000000"
    if when:
        try:
            moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC)
            stamp = f"{moment:%Y%m%d%H%M%S}"
        except ValueError:
            pass

    def replace(match: re.Match[bytes]) -> bytes:
        new = f"(D:{stamp}+00'00')".encode()
        return new if len(new) == len(match.group(0)) else match.group(0)

    return _PDF_DATE.sub(replace, pdf)


def stable_node_ids(pdf: bytes) -> bytes:
    """Renumber the tagged PDF's ``(node00001207)`` ids (DOM node counters) from 1, in order.

    Chromium numbers table cells with a counter of the renderer process, which grows from one
    print to the next; the new ids keep their length.
    """
    seen: dict[bytes, bytes] = {}

    def replace(match: re.Match[bytes]) -> bytes:
        new = seen.setdefault(match.group(1), b"%08d" % (len(seen) + 1))
        return b"(node" + new + b")"

    return _NODE_ID.sub(replace, pdf)


class _Chromium:
    """Playwright, the browser and the one print page: owned by the printer's thread only."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.playwright: Any = None
        self.browser: Any = None
        self.context: Any = None
        self.page: Any = None

    def ready_page(self) -> Any:
        if self.page is not None and not self.page.is_closed():
            return self.page
        if self.browser is None or not self.browser.is_connected():
            self.close()  # a crashed browser is started again
            if not shutil.which(self.executable):
                raise ExportError(
                    "Chromium was not found at {path}; it prints the PDF worksheets. "
                    "Install Debian's chromium (./studio install).",
                    path=self.executable,
                )
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=self.executable, args=CHROMIUM_ARGS
            )
        self.context = self.browser.new_context(java_script_enabled=False, offline=True)
        # nothing but local files: no network, ever
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(PRINT_TIMEOUT_MS)
        return self.page

    def discard_page(self) -> None:
        """After a failed job: the next one gets a fresh page."""
        context, self.context, self.page = self.context, None, None
        if context is not None:
            try:
                context.close()
            except Exception:  # noqa: BLE001 - the browser may be gone already
                pass

    def close(self) -> None:
        self.discard_page()
        browser, playwright = self.browser, self.playwright
        self.browser = self.playwright = None
        for stop in (browser and browser.close, playwright and playwright.stop):
            try:
                if stop:
                    stop()
            except Exception:  # noqa: BLE001 - stopping is best effort
                pass


class Printer:
    """One headless Chromium that prints local HTML files to PDF, for the whole process.

    Jobs run in one worker thread that owns Playwright; callers of any thread wait for them.
    The browser starts at the first job and stops at exit or on :meth:`close`; a forked child
    starts its own.
    """

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable
        self._lock = threading.Lock()
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future] | None] | None = None
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closes_at_exit = False

    def _ensure_thread(self) -> queue.Queue:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._jobs = queue.Queue()
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, args=(self._jobs,), name="imaginecole-printer", daemon=True
                )
                self._thread.start()
                if not self._closes_at_exit:
                    atexit.register(self.close)
                    self._closes_at_exit = True
            assert self._jobs is not None
            return self._jobs

    def _run(self, jobs: queue.Queue) -> None:
        chromium = _Chromium(self.executable or chromium_path())
        try:
            while (job := jobs.get()) is not None:
                work, future = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(work(chromium.ready_page()))
                except BaseException as exc:  # handed to the caller, who raises it
                    chromium.discard_page()
                    future.set_exception(exc)
        finally:
            chromium.close()

    def submit(self, work: Callable[[Any], Any]) -> Any:
        """Run `work(page)` in the printer's thread and return its result."""
        future: Future = Future()
        self._ensure_thread().put((work, future))
        return future.result()

    def print_pdf(self, html_file: Path, *, footer: str, options: dict[str, Any]) -> bytes:
        """The PDF of the local page `html_file`."""

        def work(page: Any) -> bytes:
            page.goto(html_file.as_uri(), wait_until="load")
            return page.pdf(
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                print_background=True,
                tagged=True,
                **options,
            )

        return self.submit(work)

    def close(self) -> None:
        """Stop the browser (a later job starts a new one)."""
        with self._lock:
            thread, jobs = self._thread, self._jobs
            self._thread = self._jobs = None
        if thread is not None and jobs is not None and self._pid == os.getpid():
            jobs.put(None)
            thread.join(timeout=15)


_printer = Printer()


def printer() -> Printer:
    """The process's shared printer."""
    return _printer


def close_printer() -> None:
    """Stop the shared Chromium now rather than at exit."""
    _printer.close()


def render_pdfs(bundle: Bundle, out: Path, *, using: Printer | None = None) -> tuple[Path, Path]:
    """Write the worksheet at `out` and its key beside it; return both paths.

    `using` is another :class:`Printer` than the process's shared one.
    """
    from . import worksheet

    conf = worksheet.template_conf().get("pdf", {})
    options = {"format": conf.get("format", "A4"), "margin": conf.get("margin")}
    modified = (bundle.manifest.get("metadata") or {}).get("modified")
    use = using or _printer
    key = answer_key_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="imaginecole-print-") as tmp:
        for target, answers in ((out, False), (key, True)):
            page = Path(tmp) / ("key.html" if answers else "sheet.html")
            page.write_text(worksheet.render(bundle, answers=answers), encoding="utf-8")
            footer = worksheet.footer(bundle, answers=answers)
            try:
                data = use.print_pdf(page, footer=footer, options=options)
            except ExportError:
                raise
            except Exception as exc:
                raise ExportError(
                    "Chromium could not print the worksheet of {path}: {error}",
                    path=bundle.path,
                    error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                ) from exc
            write_output(target, stable_node_ids(fixed_dates(data, modified)))
    return out, key


class PdfExporter(Exporter):
    name = "pdf"
    extension = ".pdf"
    bundle_types = frozenset({"grain", "comic"})
    description = N_("Printable A4 worksheet (PDF) and its answer key (.corrige.pdf)")
    # `paper` is for comics (exports/comic_pdf.py): "a4" or "a5-booklet"
    option_names = frozenset({"paper"})

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        if bundle.type == "comic" and self.options.get("paper") == "a5-booklet":
            return out_dir / f"{bundle.path.name}.booklet.pdf"
        return super().default_output(bundle, out_dir)

    def export(self, bundle: Bundle, out: Path) -> Path:
        if bundle.type == "comic":
            from .comic_pdf import export_comic_pdf

            return export_comic_pdf(bundle, out, self.options.get("paper"))
        if self.options.get("paper") not in (None, "a4"):
            bundle.warnings.append(
                bilingual(
                    "--paper {paper} is for comics; a worksheet is always printed on A4.",
                    paper=self.options["paper"],
                )
            )
        sheet, _key = render_pdfs(bundle, out)
        return sheet
