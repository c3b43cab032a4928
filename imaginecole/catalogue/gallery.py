"""Notebook apps in the catalogue: the gallery page, the thumbnails, and what the pages and
the API say about an app (its live version, its offline files, what needs the live one).

A notebook-app bundle's manifest has an ``app`` section (docs/apps.md). Publishing keeps its
screenshot as the ``thumbnail`` file and its exports (``app-html``, maybe ``app-lite``). The
live version runs in the hub's apps service: the catalogue links to it through the
``apps_url`` setting, a template such as ``/services/apps/voila/render/{uid}.ipynb``. Without
it (a catalogue on its own) an app has its offline versions only, and the pages say so.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlparse

from . import labels
from .auth import CatalogueHandler, WebError
from .model import PUBLISHED, ResourceInfo, VersionInfo
from .publishing import MAX_THUMBNAIL_BYTES, THUMBNAIL_FORMAT, png_size
from .web import (
    PER_PAGE,
    PageHandler,
    facet_groups,
    page_url_for,
    search_arguments,
    selected_filters,
)

APP_TYPE = "notebook-app"
OFFLINE_FORMATS = ("app-html", "app-lite")  # the best offline version first in the API
MAX_LIVE_ONLY = 20  # teacher sentences shown per app
MAX_TEXT = 300
MAX_NOTE = 500


def _texts(values: Any, limit: int = MAX_LIVE_ONLY) -> list[str]:
    if not isinstance(values, list):
        return []
    texts = [" ".join(v.split())[:MAX_TEXT] for v in values if isinstance(v, str)]
    return [t for t in texts if t][:limit]


def _requirements(values: Any) -> list[dict[str, str]]:
    found = []
    for item in values if isinstance(values, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            version = item.get("version")
            found.append(
                {
                    "name": item["name"][:100],
                    "version": version[:40] if isinstance(version, str) else "",
                }
            )
    return found[:50]


def live_url(template: str, uid: str) -> str:
    """The address of a published app in the apps service."""
    return template.replace("{uid}", quote(uid, safe=""))


def is_public_version(r: ResourceInfo, version: VersionInfo) -> bool:
    return r.published is not None and version.number == r.published.number


def app_details(
    handler: CatalogueHandler, r: ResourceInfo, version: VersionInfo
) -> dict[str, Any] | None:
    """What a page or the API says about the app `r` at `version` (None if not an app).

    Addresses are relative to the site's root (the pages use them as they are)."""
    if r.type != APP_TYPE:
        return None
    manifest = version.manifest if isinstance(version.manifest, dict) else {}
    app = manifest.get("app") if isinstance(manifest.get("app"), dict) else {}
    offline = app.get("offline") if isinstance(app.get("offline"), dict) else {}
    public = is_public_version(r, version)
    files_at = f"api/resources/{r.uid}/" + ("" if public else f"versions/{version.number}/")
    thumbnail = None
    if version.file(THUMBNAIL_FORMAT) is not None:
        thumbnail = handler.url(f"r/{r.uid}/vignette.png")
        if not public:
            thumbnail += f"?v={version.number}"
    files = []
    for fmt in OFFLINE_FORMATS:
        info = version.file(fmt)
        if info is not None:
            files.append(
                {
                    "format": fmt,
                    "label": labels.format_label(fmt, handler.language),
                    "filename": info.filename,
                    "size": info.size,
                    "size_label": labels.file_size(info.size, handler.language),
                    "href": handler.url(f"{files_at}files/{fmt}"),
                }
            )
    template = handler.settings.get("apps_url") or ""
    # the apps service runs the published version of published apps only
    live = live_url(template, r.uid) if template and public and r.state == PUBLISHED else None
    # the note is an English message id: shown translated, else marked as English
    note = offline.get("note") if isinstance(offline.get("note"), str) else ""
    shown = labels.gettext_for(handler.language)(note) if note else ""
    translated = shown != note or handler.language == "en"
    return {
        "thumbnail": thumbnail,
        "live": live,
        "live_available": bool(template),
        "offline": files,
        "browser_python": bool(offline.get("browser_python")) and bool(version.file("app-lite")),
        "note": " ".join(shown.split())[:MAX_NOTE],
        "note_lang": handler.language if translated else "en",
        "live_only": _texts(app.get("live_only")),
        "requirements": _requirements(app.get("requirements")),
    }


def site_origin(handler: CatalogueHandler) -> str:
    """scheme://host of the site as a browser reaches it ("" in hub mode when unknown)."""
    public = handler.settings.get("public_url") or ""
    if public:
        parsed = urlparse(public)
        return f"{parsed.scheme}://{parsed.netloc}"
    if handler.hub_auth is not None:
        return handler.settings.get("hub_public_origin") or ""
    return f"{handler.request.protocol}://{handler.request.host}"


def app_json(handler: CatalogueHandler, r: ResourceInfo) -> dict[str, Any] | None:
    """The ``app`` field of a resource in the JSON API: absolute addresses."""
    details = app_details(handler, r, r.latest)
    if details is None:
        return None
    origin = site_origin(handler)

    def absolute(url: str | None) -> str | None:
        return origin + url if url and url.startswith("/") else url

    return {
        "live_url": absolute(details["live"]),
        "thumbnail_url": absolute(details["thumbnail"]),
        "offline": [
            {
                "format": f["format"],
                "filename": f["filename"],
                "size": f["size"],
                "url": absolute(f["href"]),
            }
            for f in details["offline"]
        ],
        "browser_python": details["browser_python"],
        "offline_note": details["note"] or None,
        "live_only": details["live_only"],
        "requirements": details["requirements"],
    }


class GalleryHandler(PageHandler):
    """The published apps, with thumbnails, the search's filters and a launch button."""

    def get(self) -> None:
        q, sort, page = search_arguments(self)
        chosen = selected_filters(self)
        chosen.pop("type", None)
        result = self.catalogue.search(
            q=q, filters={**chosen, "type": [APP_TYPE]}, page=page, per_page=PER_PAGE, sort=sort
        )
        country = (chosen.get("country") or [None])[0]
        apps = [(r, app_details(self, r, r.latest)) for r in result.items]
        self.page(
            "apps.html",
            q=q,
            sort=sort,
            result=result,
            apps=apps,
            facets=facet_groups(result, chosen, self.language, country, skip=("type",)),
            page_number=page,
            pages=max(1, math.ceil(result.total / PER_PAGE)),
            page_url=page_url_for(self),
            filtered=bool(q or chosen),
            live_available=bool(self.settings.get("apps_url")),
        )


class ThumbnailHandler(CatalogueHandler):
    """An app's screenshot as an image the pages show (the public version's, or ``?v=N``)."""

    def get(self, uid: str) -> None:
        number = self.get_query_argument("v", "")
        info, stream = self.catalogue.file(
            uid,
            THUMBNAIL_FORMAT,
            int(number) if number.isdigit() and len(number) < 10 else None,
            self.principal,
        )
        with stream:
            data = stream.read(MAX_THUMBNAIL_BYTES + 1)
        # checked when published; checked again: only a PNG is ever sent as an image
        if len(data) > MAX_THUMBNAIL_BYTES or png_size(data) is None:
            raise WebError(404, "There is nothing at this address.")
        self.set_header("Content-Type", "image/png")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "default-src 'none'; sandbox")
        self.set_header("ETag", f'"{info.sha256}"')
        public = self.principal.anonymous and not number
        self.set_header("Cache-Control", "public, max-age=300" if public else "private, no-cache")
        self.finish(data)


def routes(at) -> list[tuple]:
    from .api import UID

    return [
        (at("applications"), GalleryHandler),
        (at(f"r/{UID}/vignette.png"), ThumbnailHandler),
    ]
