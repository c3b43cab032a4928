"""GiftImport: bring a Moodle GIFT quiz in as a grain, then edit it in the QuizBuilder.

The teacher uploads a .gift file (its text appears in the box) or pastes GIFT text, and
imports it with ``imaginecole.bundle.gift.parse_gift``. Errors are listed with their line
and column and nothing is created; a clean import becomes a question_set grain in
``grains/`` and opens in a QuizBuilder right below.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets
from traitlets import Unicode

from ..bundle import BundleError, create_bundle
from ..bundle.gift import GiftSyntaxError, parse_gift
from ..bundle.validate import MAX_MANIFEST_BYTES
from ..i18n import Message
from .form_fields import button, column, heading, html_block, row, style_sheet, text_field
from .live_status import LiveStatus
from .quiz_builder import QuizBuilder
from .quiz_workbench import GRAINS_FOLDER, GrainsWorkbench, new_grain_folder


def decode_gift(raw: bytes) -> str:
    """GIFT bytes as text: UTF-8, or Windows-1252 as saved by old editors."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


class GiftImport(GrainsWorkbench):
    """Upload or paste GIFT, import it as a grain (in `grains_dir`), and edit the result."""

    source = Unicode("", help="Name of the uploaded file, used in messages and as a title.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _ = self._
        self.builder: QuizBuilder | None = None
        self.upload = ipywidgets.FileUpload(
            accept=".gift,.txt", multiple=False, description=_("Choose a GIFT file"), icon="upload"
        )
        self.upload.add_class("icb-upload")
        self.upload.observe(self._on_upload, names=["value"])
        self.text = text_field(
            _("GIFT text (uploaded, or pasted here)"),
            "",
            lambda _t: None,
            multiline=True,
            rows=10,
            placeholder="::Capitale::Quelle est la capitale du Mali ? {=Bamako ~Dakar ~Niamey}",
        )
        self.title = text_field(
            _("Title of the grain (optional)"),
            "",
            lambda _t: None,
            placeholder=_("By default: the last $CATEGORY, else the file name"),
        )
        self.import_button = button(
            _("Import as a new grain"), self.run_import, icon="check", kind="primary"
        )
        self.errors = html_block("", "icw-gift-errors")
        self.errors.layout.display = "none"
        self.status = LiveStatus()
        self.result_box = ipywidgets.VBox()
        form = column(
            [
                heading(_("1. Choose or paste the GIFT text"), 2),
                row([self.upload]),
                self.text,
                heading(_("2. Import it"), 2),
                self.title,
                self.import_button,
                self.errors,
                self.status,
            ],
            "icb-section",
        )
        self.children = [style_sheet(), form, self.result_box]

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        self.upload.value = ()
        self.load_file(upload["name"], bytes(upload["content"]))

    def load_file(self, name: str, raw: bytes) -> None:
        """Show an uploaded GIFT file in the text box, ready to import."""
        _ = self._
        if len(raw) > MAX_MANIFEST_BYTES:
            self._show_errors(
                _("« {name} » is larger than {mb} MB: split it into several files.").format(
                    name=name, mb=MAX_MANIFEST_BYTES >> 20
                ),
                [],
            )
            return
        self.source = name
        self.text.value = decode_gift(raw)
        self._show_errors("", [])
        self.status.show(_("« {name} » is loaded: check it, then import it.").format(name=name))

    def _show_errors(self, head: str, lines: list[str]) -> None:
        if not head:
            self.errors.value = ""
            self.errors.layout.display = "none"
            return
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        self.errors.value = (
            f'<div class="icb-error" role="alert"><p>{html.escape(head)}</p>'
            + (f"<ul>{items}</ul>" if items else "")
            + "</div>"
        )
        self.errors.layout.display = None

    def run_import(self) -> QuizBuilder | None:
        """Import the GIFT text of the box; returns the builder of the new grain, or None."""
        _ = self._
        text = self.text.value
        if not text.strip():
            self._show_errors(_("Choose a GIFT file or paste GIFT text first."), [])
            return None
        source = self.source or "GIFT"
        language = "en" if self.language == "en" else "fr"
        try:
            manifest = parse_gift(
                text, title=self.title.value.strip() or None, language=language, source=source
            )
        except GiftSyntaxError as exc:
            head = (
                Message(exc.message_id, **exc.values).render(self.language)
                if self.source
                else _("The GIFT text has {count} error(s); nothing was created.").format(
                    count=len(exc.errors)
                )
            )
            lines = [
                Message(
                    "line {line}, column {column}: {problem}", line=line, column=col, problem=msg
                ).render(self.language)
                for line, col, msg in exc.errors
            ]
            self._show_errors(head, lines)
            self.status.show("")
            return None
        if (
            not self.source
            and not self.title.value.strip()
            and manifest["metadata"]["title"] == source
        ):
            manifest["metadata"]["title"] = _("Imported quiz")  # pasted text, no $CATEGORY
        folder = new_grain_folder(self.grains_dir, manifest["metadata"]["title"])
        try:
            Path(self.grains_dir).mkdir(parents=True, exist_ok=True)
            create_bundle(folder, manifest)
        except (BundleError, OSError) as exc:
            message = exc.render(self.language) if isinstance(exc, BundleError) else str(exc)
            self._show_errors(message, [])
            return None
        self._show_errors("", [])
        count = len(manifest["questions"])
        where = f"{GRAINS_FOLDER}/{folder.name}"
        self.status.show(
            _(
                "{count} question(s) imported into {folder}. Edit them below: everything is saved "
                "as you type."
            ).format(count=count, folder=where),
            "ok",
        )
        if self.builder is not None:
            self.builder.close()
        self.builder = QuizBuilder(folder, language=self.language, heading_level=3)
        self.result_box.children = [
            heading(_("3. Check and edit the imported grain"), 2),
            self.builder,
        ]
        return self.builder
