"""« Où en sont mes publications »: the teacher's resources in the catalogue, their state and
the reviewers' comments; and how the publish widgets show an error (never a traceback).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets

from ..i18n import Message, gettext_for
from .form_fields import button, heading, html_block
from .publish_client import CatalogueClient, CatalogueError

HERE = Path(__file__).parent
STATE_NAMES = {
    "submitted": "submitted",
    "in_review": "in review",
    "published": "published",
    "changes_requested": "changes requested",
    "withdrawn": "withdrawn",
}


def error_markup(error: CatalogueError | Message | str, language: str) -> str:
    """An error in the page's language, then in English when that differs (role alert).

    The fields a catalogue refused are listed once, under the first line of its message.
    """
    problems = getattr(error, "problems", None) or []
    if isinstance(error, str):
        texts = [error]
    else:
        texts = [error.render(language)]
        english = error.render("en")
        if language != "en" and english != texts[0]:
            texts.append(english)
    if problems:
        texts = [t.split("\n")[0] for t in texts]

    def lines(text: str) -> str:
        return html.escape(text).replace("\n", "<br>")

    parts = [f'<p class="icb-error" role="alert">{lines(texts[0])}']
    if len(texts) > 1:
        parts.append(f'<br><span lang="en" class="icp-en">[en] {lines(texts[1])}</span>')
    parts.append("</p>")
    if problems:
        items = "".join(
            f"<li>{html.escape(p.get(language) or p.get('en') or '')}</li>" for p in problems
        )
        parts.append(f'<ul class="icp-problems">{items}</ul>')
    return "".join(parts)


def style() -> ipywidgets.HTML:
    sheet = ipywidgets.HTML(f"<style>{(HERE / 'publish.css').read_text(encoding='utf-8')}</style>")
    sheet.add_class("icb-style")
    return sheet


class SubmissionsPanel(ipywidgets.VBox):
    """« Où en sont mes publications »: the teacher's resources, their state and comments."""

    def __init__(
        self, client: CatalogueClient | None, *, language: str, public_url: str = ""
    ) -> None:
        super().__init__()
        self.client = client
        self.language = language
        self.public_url = public_url
        self.items: list[dict[str, Any]] = []
        self._ = _ = gettext_for(language)
        self.table = html_block("", "icp-submissions")
        self.refresh_button = button(
            _("Refresh the list"), self.refresh, icon="refresh", kind="quiet"
        )
        self.children = [
            heading(_("Where my publications stand"), 3),
            self.table,
            self.refresh_button,
        ]
        self.refresh_button.disabled = client is None
        if client is None:
            self.table.value = f"<p>{html.escape(_('No catalogue is set up here.'))}</p>"

    def page_link(self, url: str) -> str:
        """The record page as the teacher's browser reaches it (through the hub's proxy)."""
        if self.client and self.public_url and url.startswith(self.client.url):
            return self.public_url.rstrip("/") + "/" + url[len(self.client.url) :]
        return url

    def refresh(self) -> list[dict[str, Any]]:
        """Ask the catalogue again; on failure say why and keep the last list."""
        if self.client is None:
            return []
        try:
            self.items = self.client.submissions()
        except CatalogueError as exc:
            self.table.value = error_markup(exc, self.language)
            return self.items
        self.table.value = self.render()
        return self.items

    def state_label(self, state: str) -> str:
        return self._(STATE_NAMES.get(state, state))

    def render(self) -> str:
        _ = self._
        esc = html.escape
        if not self.items:
            return f"<p>{esc(_('You have not published anything yet.'))}</p>"
        rows = []
        for item in self.items:
            latest = item.get("latest") or {}
            comments = [
                "<li>"
                + esc(_("{field}: {problem}")).format(
                    field=f"<strong>{esc(r.get('actor') or '')}</strong>",
                    problem=esc(r["comment"]),
                )
                + "</li>"
                for r in latest.get("reviews") or []
                if r.get("comment") and r.get("action") != "submit"
            ]
            href = esc(self.page_link(str(item.get("page") or "")), quote=True)
            state = str(item.get("state") or "")
            rows.append(
                "<tr>"
                f'<td><a href="{href}" target="_blank" rel="noopener">'
                f"{esc(str(item.get('title') or ''))}</a></td>"
                f"<td>{esc(str(latest.get('number', item.get('versions', ''))))}</td>"
                f'<td><span class="icp-state icp-state-{esc(state, quote=True)}">'
                f"{esc(self.state_label(state))}</span></td>"
                f"<td>{'<ul>' + ''.join(comments) + '</ul>' if comments else '—'}</td>"
                "</tr>"
            )
        head = "".join(
            f'<th scope="col">{esc(t)}</th>'
            for t in (_("Resource"), _("Version"), _("State"), _("Reviewers' comments"))
        )
        caption = esc(_("My publications in the catalogue"))
        return (
            f'<div class="icp-table-wrap"><table><caption class="icw-vh">{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
