"""PublishWidget: check a grain's description, send it to the shared catalogue, follow it.

What publication needs beyond a valid grain (title, description, language, licence, country,
level, subject, an author) is the catalogue's own check
(`imaginecole.catalogue.publishing.metadata_problems`). The widget lists it as a checklist,
shows each missing item next to its field in the description form (saved as the teacher
types, like « Créer un quiz »), and keeps the publish button disabled until nothing is
missing. It then sends the grain (zipped manifest.json and media/) to the catalogue's JSON
API, shows the result with a link to the record page, and lists the teacher's publications
with their state and the reviewers' comments.

The catalogue and the key come from the hub (``IMAGINECOLE_CATALOGUE_URL``, the server's
``JUPYTERHUB_API_TOKEN``) or from ``IMAGINECOLE_CATALOGUE_TOKEN`` for a national catalogue.
Nothing is sent before the teacher presses the button, so it runs anywhere, under nbval too.
"""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import ipywidgets
from traitlets import Bool, List, Unicode

from ..bundle import BundleError, Problem, load_manifest, validate_manifest
from ..bundle.model import MANIFEST
from ..i18n import LANGUAGES, Message, gettext_for
from .autosave import Debouncer, autosave, has_draft, open_bundle
from .form_fields import (
    button,
    close_tree,
    column,
    heading,
    html_block,
    route_problems,
    row,
    style_sheet,
)
from .live_status import LiveStatus
from .metadata_form import MetadataForm
from .publish_client import (
    CatalogueClient,
    CatalogueError,
    default_public_url,
    default_token,
    default_url,
)
from .publish_event import EventChoice
from .publish_submissions import SubmissionsPanel, error_markup, style
from .quiz_workbench import GrainsWorkbench, find_grains

REQUIRED = ("title", "description", "language", "licence", "country", "level", "subject", "authors")
QUIZ_WORKBENCH = {"fr": "Créer un quiz.ipynb", "en": "Create a quiz.ipynb"}


def metadata_problems(manifest: dict[str, Any]) -> list[Problem]:
    """The catalogue's check of what publication needs (`Catalogue.metadata_problems`)."""
    from ..catalogue.publishing import metadata_problems as check

    return check(manifest)


def bundle_archive(bundle_dir: Path, out: Path) -> Path:
    """manifest.json and media/ as a zip: what the catalogue keeps of a grain (and, for a
    notebook app, its notebook)."""
    from ..exports.archive import write_zip

    entries = [(MANIFEST, (bundle_dir / MANIFEST).read_bytes())]
    manifest = load_manifest(bundle_dir, validate=False)
    if manifest.get("type") in ("module", "parcours"):  # with every part inside
        from ..sequence.pack import pack_sequence

        return pack_sequence(bundle_dir, out)
    if manifest.get("type") == "notebook-app":
        name = str((manifest.get("app") or {}).get("notebook") or "")
        notebook = bundle_dir / name
        if name and "/" not in name and notebook.is_file() and not notebook.is_symlink():
            entries.append((name, notebook.read_bytes()))
    media = bundle_dir / "media"
    if media.is_dir() and not media.is_symlink():
        for path in sorted(media.iterdir()):
            if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                entries.append((f"media/{path.name}", path.read_bytes()))
    return write_zip(out, entries)


class PublishWidget(ipywidgets.VBox):
    """The grain's checklist and description, the publish button, and my publications."""

    language = Unicode("fr", help="Language of the interface: fr, en or ar.")
    bundle_dir = Unicode(help="The grain's folder (manifest.json and media/).")
    catalogue_url = Unicode(help="The catalogue's address ($IMAGINECOLE_CATALOGUE_URL).")
    public_url = Unicode(
        help="The catalogue's address for the teacher's browser "
        "($IMAGINECOLE_CATALOGUE_PUBLIC_URL, else catalogue_url)."
    )
    # a plain trait, never synced: the key stays in the kernel
    token = Unicode(help="Access key ($IMAGINECOLE_CATALOGUE_TOKEN, else $JUPYTERHUB_API_TOKEN).")
    event = Unicode(
        help="The workshop, sent when the grain names no event ($IMAGINECOLE_WORKSHOP)."
    )
    fix_href = Unicode(help="Link to the workbench that edits the questions (« Créer un quiz »).")
    missing = List(help="Fields publication still needs (title, country…), from the last check.")
    ready = Bool(False, help="True when the grain may be sent: nothing missing, catalogue set.")

    def __init__(
        self,
        bundle_dir: Path | str,
        catalogue_url: str | None = None,
        token: str | None = None,
        *,
        language: str = "fr",
        autosave_delay: float = 0.8,
        **kwargs: Any,
    ) -> None:
        language = language if language in LANGUAGES else "fr"
        super().__init__(language=language, bundle_dir=str(bundle_dir), **kwargs)
        self.catalogue_url = default_url() if catalogue_url is None else catalogue_url
        self.token = default_token() if token is None else token
        if not self.public_url:
            self.public_url = default_public_url() if catalogue_url is None else self.catalogue_url
        if not self.event:
            self.event = os.environ.get("IMAGINECOLE_WORKSHOP", "")
        if not self.fix_href:
            self.fix_href = quote(QUIZ_WORKBENCH["en" if language == "en" else "fr"])
        self.add_class("icw")
        self.add_class("icp")
        self._ = _ = gettext_for(language)
        self.result: dict[str, Any] | None = None
        self._sent_event: str | None = None
        self._saver = Debouncer(self.save_now, autosave_delay)
        self.client = (
            CatalogueClient(self.catalogue_url, self.token) if self.catalogue_url else None
        )
        self.summary = html_block("", "icp-summary")
        self.checklist = html_block("", "icp-checklist")
        self.save_status = LiveStatus()
        self.note = ipywidgets.Textarea(
            description=_("A note for the reviewers (optional)"),
            placeholder=_("For example: made with my CM1 class, tried in March"),
            rows=2,
        )
        self.note.style.description_width = "initial"
        self.note.add_class("icb-field")
        self.note.add_class("icb-textarea")
        self.publish_button = button(
            _("Send to the catalogue for review"), self.publish, icon="upload", kind="primary"
        )
        self.status = LiveStatus()
        self.outcome = html_block("", "icp-outcome")
        self.submissions = SubmissionsPanel(
            self.client, language=language, public_url=self.public_url
        )
        # a team's submission to an event of the catalogue (shown only when there is one)
        self.event_choice = EventChoice(self.client, language=language)
        self.form: MetadataForm | None = None
        self.manifest: dict[str, Any] | None = None
        self.problem: str = ""
        try:
            self.manifest, _draft = open_bundle(self.bundle_dir)
        except BundleError as exc:
            self.problem = exc.render(language)
        describe: list[ipywidgets.Widget] = []
        if self.manifest is not None:
            meta = self.manifest.setdefault("metadata", {})
            self.form = MetadataForm(meta, language=language, on_change=self._edited)
            # publication needs it, whatever the quiz form says
            self.form.description.description = _("Description")
            describe = [
                heading(_("Describe the grain"), 3),
                html_block(
                    "<p class='icb-help'>"
                    + html.escape(
                        _("What the catalogue shows and searches. Everything is saved as you type.")
                    )
                    + "</p>"
                ),
                self.save_status,
                self.form,
            ]
        self.children = [
            style_sheet(),
            style(),
            heading(_("Publish to the shared catalogue"), 2),
            self.summary,
            column([heading(_("What publication still needs"), 3), self.checklist], "icb-section"),
            column(describe, "icb-section") if describe else html_block(""),
            column(
                [
                    heading(_("Send for review"), 3),
                    html_block(
                        "<p class='icb-help'>"
                        + html.escape(
                            _(
                                "Trainers read each resource before it becomes public. You "
                                "can send a new version at any time: the history is kept."
                            )
                        )
                        + "</p>"
                    ),
                    self.event_choice,
                    self.note,
                    row([self.publish_button, self.status]),
                    self.outcome,
                ],
                "icb-section",
            ),
            column([self.submissions], "icb-section"),
        ]
        if self.manifest is not None and has_draft(self.bundle_dir):
            if not validate_manifest(self.manifest, self.bundle_dir):
                self.save_now()  # a draft that is valid now becomes manifest.json
        self.check()
        if self.client is not None and self.token:
            self.event_choice.load()
            self.submissions.refresh()

    # -- checking -----------------------------------------------------------------------------

    def _labels(self) -> dict[str, str]:
        f = self.form
        if f is None:
            return {key: key for key in REQUIRED}
        return {
            "title": f.title.description,
            "description": f.description.description,
            "language": f.grain_language.description,
            "licence": f.licence.description,
            "country": f.country.description,
            "level": f.level.description,
            "subject": f.subject.description,
            "authors": f.authors.description,
        }

    def problems(self) -> tuple[list[Problem], list[Problem]]:
        """(what publication needs in the description, other problems of the grain)."""
        if self.manifest is None:
            return [], []
        needs = metadata_problems(self.manifest)
        needed = {p.path for p in needs}
        other = []
        for p in validate_manifest(self.manifest, self.bundle_dir):
            if p.path.startswith("metadata.") or p.path == "metadata":
                if p.path not in needed:
                    needs.append(p)
            else:
                other.append(p)
        return needs, other

    def check(self) -> list[str]:
        """Check the grain again; update the checklist, the fields' errors and the button."""
        _ = self._
        esc = html.escape
        needs, other = self.problems()
        self.missing = list(
            dict.fromkeys(p.path.split(".")[1].split("[")[0] for p in needs if "." in p.path)
        )
        if self.form is not None:
            route_problems(
                self.form.error_slots(),
                [(p.path.removeprefix("metadata."), p.message) for p in needs],
                self.language,
            )
        meta = (self.manifest or {}).get("metadata") or {}
        title = str(meta.get("title") or Path(self.bundle_dir).name)
        self.summary.value = (
            "<p>"
            + esc(
                _("Grain « {title} », in the folder {folder}").format(
                    title=title, folder=Path(self.bundle_dir).name
                )
            )
            + "</p>"
        )
        items, blockers = [], []
        if self.problem:
            blockers.append(esc(self.problem))
        labels = self._labels()
        by_key: dict[str, list[str]] = {}
        for p in needs:
            key = p.path.split(".")[1].split("[")[0] if "." in p.path else ""
            by_key.setdefault(key, []).append(p.message.render(self.language))
        for key in REQUIRED:
            field = f"<strong>{esc(labels[key])}</strong>"
            if key in by_key:
                hint = _("Fill in « {field} » below.").format(field=labels[key])
                text = esc(_("{field}: missing. {problem}.")).format(
                    field=field, problem=esc("; ".join(by_key[key]))
                )
                items.append(
                    f'<li class="icp-missing"><span aria-hidden="true">✗</span> {text} '
                    f"<em>{esc(hint)}</em></li>"
                )
            else:
                text = esc(_("{field}: done.")).format(field=field)
                items.append(f'<li class="icp-ok"><span aria-hidden="true">✓</span> {text}</li>')
        for key, texts in by_key.items():
            if key not in REQUIRED:
                blockers.append(esc(f"{key}: " + "; ".join(texts)))
        if other:
            link = (
                f'<a href="{esc(self.fix_href, quote=True)}" target="_blank" rel="noopener">'
                f"{esc(_('Create a quiz'))}</a>"
            )
            count = len(other)
            blockers.append(
                esc(
                    _(
                        "The grain has {count} problem(s) in its questions or media: fix them "
                        "in « {workbench} », then come back."
                    ).format(count=count, workbench=_("Create a quiz"))
                )
                + " "
                + link
                + "<ul>"
                + "".join(f"<li>{esc(p.render(self.language))}</li>" for p in other[:5])
                + "</ul>"
            )
        if not self.catalogue_url:
            blockers.append(
                esc(
                    _(
                        "No catalogue is set up here: publishing works in the workshop hub, "
                        "or with IMAGINECOLE_CATALOGUE_URL and IMAGINECOLE_CATALOGUE_TOKEN."
                    )
                )
            )
        elif not self.token:
            blockers.append(
                esc(
                    _(
                        "No access key to the catalogue: ask the trainer for one "
                        "(IMAGINECOLE_CATALOGUE_TOKEN)."
                    )
                )
            )
        parts = [f'<ul class="icp-list" aria-label="{esc(_("Checklist"), quote=True)}">']
        parts += items
        parts.append("</ul>")
        if blockers:
            parts += ['<div class="icp-blockers" role="status">']
            parts += [f'<p class="icw-warning">{b}</p>' for b in blockers]
            parts.append("</div>")
        elif not needs:
            parts.append(
                f'<p class="icp-all-good" role="status"><span aria-hidden="true">✓</span> '
                f"{esc(_('Nothing is missing: the grain can be sent.'))}</p>"
            )
        self.checklist.value = "".join(parts)
        self.ready = not needs and not blockers
        self.publish_button.disabled = not self.ready
        return list(self.missing)

    # -- editing ------------------------------------------------------------------------------

    def _edited(self) -> None:
        self.check()
        self._saver.schedule()

    def save_now(self) -> None:
        if self.manifest is None:
            return
        result = autosave(self.bundle_dir, self.manifest)
        _ = self._
        if result.error:
            self.save_status.show(_("Not saved: {error}").format(error=result.error), tone="error")
        elif result.valid:
            self.save_status.show(_("Saved"), tone="ok")
        else:
            self.save_status.show(_("Saved as a draft: the grain still has problems"), "warning")
        self.check()

    # -- sending ------------------------------------------------------------------------------

    def publish(self) -> dict[str, Any] | None:
        """Send the grain for review; returns the catalogue's record, or None (reason shown)."""
        _ = self._
        self._saver.flush()
        self.check()
        if not self.ready or self.client is None:
            self.status.show(_("Not sent: complete the checklist first."), tone="warning")
            return None
        self.outcome.value = ""
        self.publish_button.disabled = True
        self.status.show(_("Sending… (the catalogue prepares every format)"), tone="info")
        try:
            resource = self._upload()
        except CatalogueError as exc:
            self.status.show(_("Not sent."), tone="error")
            self.outcome.value = error_markup(exc, self.language)
            return None
        except BundleError as exc:
            self.status.show(_("Not sent."), tone="error")
            self.outcome.value = error_markup(exc.render(self.language), self.language)
            return None
        finally:
            self.check()
        self.result = resource
        self.status.show(_("Sent for review."), tone="ok")
        self.outcome.value = self._outcome(resource) + self.event_choice.outcome(
            resource, self._sent_event
        )
        self.submissions.refresh()
        return resource

    def _upload(self) -> dict[str, Any]:
        folder = Path(self.bundle_dir)
        if has_draft(folder):
            raise CatalogueError(
                Message(
                    "The grain has changes that could not be saved as a valid grain yet: fix "
                    "the problems shown, then send it again."
                )
            )
        saved = load_manifest(folder)  # what is sent: the last valid manifest.json
        if metadata_problems(saved):
            raise BundleError(folder, metadata_problems(saved))
        info = self.client.info()
        meta = saved.get("metadata") or {}
        event = None if meta.get("event") else (self.event or None)
        chosen, challenge = self.event_choice.target()  # refuses once the deadline passed
        if chosen is None and self.event_choice.names_event(event):
            event = None  # the workshop's name is an event's: submit only when chosen
        event = chosen or event
        self._sent_event = chosen
        with tempfile.TemporaryDirectory(prefix="imaginecole-publish-") as work:
            archive = bundle_archive(folder, Path(work) / "bundle.zip")
            size, limit = archive.stat().st_size, int(info.get("max_upload_bytes") or 0)
            if limit and size > limit:
                raise CatalogueError(
                    Message(
                        "The grain is {size} MB, more than the catalogue accepts ({max} MB). "
                        "Make the images and sounds lighter, then try again.",
                        size=round(size / 1_048_576, 1),
                        max=limit // 1_048_576,
                    ),
                    413,
                )
            return self.client.publish(
                archive, note=self.note.value.strip(), event=event, challenge=challenge
            )

    def _outcome(self, resource: dict[str, Any]) -> str:
        _ = self._
        esc = html.escape
        latest = resource.get("latest") or {}
        text = _("« {title} », version {n}: {state}. The reviewers will read it.").format(
            title=resource.get("title", ""),
            n=latest.get("number", 1),
            state=self.submissions.state_label(str(resource.get("state", ""))),
        )
        href = esc(self.submissions.page_link(str(resource.get("page") or "")), quote=True)
        link = _("See its page in the catalogue")
        return (
            f'<p class="icp-sent">{esc(text)}</p>'
            f'<p><a href="{href}" target="_blank" rel="noopener">{esc(link)}</a></p>'
        )


class PublishWorkbench(GrainsWorkbench):
    """Choose one of your grains, then publish it (the « Publier dans le catalogue » app)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _ = self._
        self.grains = find_grains(self.grains_dir)
        self.widget: PublishWidget | SubmissionsPanel | None = None
        self.area = ipywidgets.VBox()
        if self.grains:
            self.choice = ipywidgets.Dropdown(
                options=[(g.title, str(g.path)) for g in self.grains],
                value=str(self.grains[0].path),
                description=_("The grain to publish"),
            )
            self.choice.style.description_width = "initial"
            self.choice.add_class("icb-field")
            self.choice.add_class("icb-select")
            self.choice.observe(lambda change: self.choose(change["new"]), names=["value"])
            top = [self.choice]
        else:
            href = quote(QUIZ_WORKBENCH["en" if self.language == "en" else "fr"])
            text = _("You have no grain yet: create one in « {workbench} » first.").format(
                workbench=_("Create a quiz")
            )
            top = [
                html_block(
                    f"<p>{html.escape(text)} <a href='{html.escape(href, quote=True)}'>"
                    f"{html.escape(_('Create a quiz'))}</a></p>"
                )
            ]
        self.children = [style_sheet(), column(top, "icb-section"), self.area]
        if self.grains:
            self.choose(self.choice.value)
        else:
            url = default_url()
            client = CatalogueClient(url, default_token()) if url else None
            self.widget = SubmissionsPanel(
                client, language=self.language, public_url=default_public_url()
            )
            self.area.children = [style(), column([self.widget], "icb-section")]
            if client is not None and client.token:
                self.widget.refresh()

    def choose(self, bundle_dir: str) -> PublishWidget:
        """Show the publish widget of the grain in `bundle_dir`."""
        if isinstance(self.widget, PublishWidget):
            self.widget._saver.flush()
            close_tree(self.widget)
        self.widget = PublishWidget(bundle_dir, language=self.language)
        self.area.children = [self.widget]
        return self.widget
