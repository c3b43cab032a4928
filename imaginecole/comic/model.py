"""A new comic: a valid starter manifest to fill in, in the teacher's language."""

from __future__ import annotations

import uuid
from typing import Any

from ..bundle.model import starter_metadata
from ..bundle.validate import BundleError, Problem
from ..i18n import N_, Message, gettext_for
from .validate import COMIC_SCHEMA_VERSION, validate_comic

TEMPLATES = ("standard", "kindergarten")


def _starter_pages(template: str, language: str) -> list[dict[str, Any]]:
    _ = gettext_for(language)
    big = template == "kindergarten"
    teacher = {
        "id": "e1",
        "kind": "character",
        "art": "openmoji:1F469-1F3FE-200D-1F3EB",
        "cast": "teacher",
        "x": 0.3,
        "y": 0.62,
        "scale": 0.75 if big else 0.6,
        "flip": False,
        "z": 1,
    }
    pupil = {
        "id": "e2",
        "kind": "character",
        "art": "openmoji:1F467-1F3FF",
        "cast": "pupil",
        "x": 0.72,
        "y": 0.68,
        "scale": 0.6 if big else 0.5,
        "flip": True,
        "z": 1,
    }
    panels = [
        {
            "id": "p1-1",
            "background": {"kind": "scene", "scene": "classroom"},
            "elements": [
                teacher,
                {
                    "id": "b1",
                    "kind": "bubble",
                    "style": "speech",
                    "text": _(N_("Hello everyone!")),
                    "speaker": "e1",
                    "x": 0.62,
                    "y": 0.2,
                    "w": 0.5,
                    "h": 0.26,
                    "z": 10,
                },
            ],
            "alt": _(N_("The teacher stands in the classroom and greets the pupils.")),
        },
        {
            "id": "p1-2",
            "background": {"kind": "scene", "scene": "schoolyard"},
            "elements": [
                pupil,
                {
                    "id": "b1",
                    "kind": "bubble",
                    "style": "thought",
                    "text": _(N_("What shall we learn today?")),
                    "speaker": "e2",
                    "x": 0.35,
                    "y": 0.22,
                    "w": 0.5,
                    "h": 0.28,
                    "z": 10,
                },
            ],
            "alt": _(N_("A girl in the schoolyard wonders what she will learn.")),
        },
    ]
    if not big:
        panels[0]["elements"].append(
            {
                "id": "c1",
                "kind": "caption",
                "text": _(N_("One morning, at school…")),
                "x": 0.22,
                "y": 0.08,
                "w": 0.4,
                "h": 0.12,
                "z": 20,
            }
        )
    return [{"id": "p1", "layout": "strip3" if big else "grid4", "panels": panels}]


def new_comic(language: str = "fr", template: str = "standard", **metadata: Any) -> dict[str, Any]:
    """A valid starter comic of one page with sample panels to replace.

    `template` is ``standard`` or ``kindergarten`` (large art, few words,
    Andika letters, audio per panel). Keyword arguments fill ``metadata``
    (title, country, level, subject, authors…); None values are left out.
    Raises BundleError if the result is not valid.
    """
    if template not in TEMPLATES:
        raise BundleError(
            template,
            [
                Problem(
                    "settings.audience",
                    Message(
                        "« {value} » is not allowed; use one of: {allowed}",
                        value=template,
                        allowed=", ".join(TEMPLATES),
                    ),
                )
            ],
        )
    _ = gettext_for(language)
    meta = starter_metadata(_(N_("My comic")), language, metadata)
    kindergarten = template == "kindergarten"
    teacher_art = "openmoji:1F469-1F3FE-200D-1F3EB"
    manifest = {
        "schema_version": COMIC_SCHEMA_VERSION,
        "type": "comic",
        "id": str(uuid.uuid4()),
        "metadata": meta,
        "settings": {
            "format": "a4",
            "margin": 40,
            "gutter": 24,
            "direction": "rtl" if language.split("-")[0] == "ar" else "ltr",
            "lettering": "andika" if kindergarten else "comic",
            "audience": template,
        },
        "cast": [
            {
                "id": "teacher",
                "name": _(N_("The teacher")),
                "art": teacher_art,
            },
            {"id": "pupil", "name": _(N_("Awa")), "art": "openmoji:1F467-1F3FF"},
        ],
        "pages": _starter_pages(template, language),
    }
    problems = validate_comic(manifest)
    if problems:
        raise BundleError(str(meta.get("title")), problems, kind="comic")
    return manifest
