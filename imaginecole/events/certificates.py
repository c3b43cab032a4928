"""Participation certificates: one A4 PDF per participant, printed by Debian's Chromium.

Each certificate names the participant, the event, its dates and hours, the team and the
resources the participant made (from the catalogue), and carries a verification code (random,
kept in the database) with the address where the catalogue confirms it. The HTML comes from
``templates/events/certificate.html``; printing goes through exports/pdf.py's shared printer
(offline, no JavaScript, Debian's Andika and DejaVu fonts, never web fonts). The PDFs are kept
in the catalogue's file store.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..catalogue import labels
from ..i18n import ImaginecoleError, gettext_for
from ..player import text_direction
from .service import Events, is_trainer


def template_dirs() -> list[Path]:
    """Folders holding the events' templates: JUPYTER_PATH's first, then the repository's."""
    dirs = [
        Path(entry).expanduser() / "events"
        for entry in os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
        if entry.strip()
    ]
    dirs.append(Path(__file__).resolve().parents[2] / "templates" / "events")
    return [d for d in dirs if (d / "certificate.html").is_file()]


def certificate_html(values: dict[str, Any], language: str) -> str:
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    return env.get_template("certificate.html").render(
        _=gettext_for(language), lang=language, dir=text_direction(language), **values
    )


def print_certificate(html: str, code: str, issued_iso: str) -> bytes:
    from ..exports.pdf import fixed_dates, printer, stable_node_ids

    with tempfile.TemporaryDirectory(prefix="imaginecole-certificate-") as tmp:
        page = Path(tmp) / "certificate.html"
        page.write_text(html, encoding="utf-8")
        footer = (
            '<div style="font-size:8px;width:100%;text-align:center;'
            f'font-family:Andika,DejaVu Sans,sans-serif">{code}</div>'
        )
        try:
            data = printer().print_pdf(
                page,
                footer=footer,
                options={
                    "format": "A4",
                    "landscape": True,
                    "margin": {"top": "12mm", "bottom": "14mm", "left": "14mm", "right": "14mm"},
                },
            )
        except ImaginecoleError:
            raise
        except Exception as exc:
            raise ImaginecoleError(
                "Chromium could not print the certificate {code}: {error}",
                code=code,
                error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            ) from exc
    return stable_node_ids(fixed_dates(data, issued_iso))


def make_certificates(
    events: Events,
    principal: Any,
    slug: str,
    verify_url: Callable[[str], str],
    language: str = "fr",
) -> list[dict[str, Any]]:
    """A PDF certificate for every participant of `slug`, kept in the file store; a participant
    who already has one keeps their code (the PDF is made again, with today's resources)."""
    if not is_trainer(principal):
        from ..catalogue.errors import PermissionDenied

        raise PermissionDenied("Only trainers (the « review » permission) make certificates.")
    event = events.get(slug, principal)
    participants = events.participant_rows(event)
    if not participants:
        raise ImaginecoleError(
            "« {title} » has no participants yet: import the roster first.", title=event.title
        )
    existing = events.certificate_rows(event)
    kind = gettext_for(language)("hackathon" if event.kind == "hackathon" else "workshop")
    out = []
    for p in participants:
        made = events.resources_made(event, p.username)
        details = {
            "event_title": event.title,
            "kind": event.kind,
            "starts": event.starts.isoformat(),
            "ends": event.ends.isoformat(),
            "hours": event.hours,
            "team": p.team,
            "resources": [r["title"] for r in made],
            "count": len(made),
        }
        old = existing.get(p.username)
        code = events.save_certificate(
            event, p.username, p.full_name, details, None, old.code if old else None
        )
        html = certificate_html(
            {
                "name": p.full_name,
                "event": event,
                "kind": kind,
                "starts": labels.date_label(event.starts, language),
                "ends": labels.date_label(event.ends, language),
                "hours": f"{event.hours:g}",
                "team": p.team,
                "resources": made,
                "code": code,
                "verify": verify_url(code),
            },
            language,
        )
        issued = events.clock().replace(microsecond=0).isoformat()
        sha256, _size = events.catalogue.files.put(print_certificate(html, code, issued))
        events.save_certificate(event, p.username, p.full_name, details, sha256, code)
        out.append(
            {
                "username": p.username,
                "full_name": p.full_name,
                "team": p.team,
                "code": code,
                "verify_url": verify_url(code),
                "resources": details["resources"],
                "sha256": sha256,
            }
        )
    return out
