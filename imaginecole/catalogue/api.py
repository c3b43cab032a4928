"""The JSON API under ``/api/`` (described in ``openapi.yaml``), file downloads and previews.

Authentication: ``Authorization: token T`` or ``Bearer T`` (or the page cookie, for downloads
from the pages). Anonymous callers read published resources only. Publishing takes a zipped
bundle, raw (``application/zip``) or as the ``bundle`` field of a ``multipart/form-data`` form;
it is streamed to a temporary file, capped in size, and its entries are checked before the
catalogue unpacks it (`safe_extract`).
"""

from __future__ import annotations

import asyncio
import io
import json
import mimetypes
import stat
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tornado import httputil, web

from ..bundle import BundleError
from ..exports.archive import check_member_name
from ..i18n import N_, ImaginecoleError
from . import labels
from .auth import LOGIN_COOKIE, CatalogueHandler, WebError
from .errors import NotFound
from .model import FACETS, ResourceInfo, VersionInfo

MAX_PER_PAGE = 100
MULTIPART_SLACK = 64 * 1024  # form boundaries and fields around the zip
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")
PREVIEW_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src data:; "
    "connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "sandbox allow-scripts allow-forms"
)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class ApiHandler(CatalogueHandler):
    api = True

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")

    def check_xsrf_cookie(self) -> None:
        # an API call without the sign-in cookie acts as nobody: it gets 401, not an XSRF 403
        cookie = self.hub_auth.cookie_name if self.hub_auth is not None else LOGIN_COOKIE
        if self.get_cookie(cookie) is None:
            return
        super().check_xsrf_cookie()

    def send_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data, ensure_ascii=False, default=str))

    def json_body(self) -> dict[str, Any]:
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise WebError(415, "Send JSON (Content-Type: application/json).")
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError as exc:
            raise WebError(400, "The request body is not valid JSON.") from exc
        if not isinstance(data, dict):
            raise WebError(400, "The request body must be a JSON object.")
        return data

    # --- representations ---------------------------------------------------------------------
    def version_json(self, uid: str, version: VersionInfo, *, full: bool) -> dict[str, Any]:
        base = f"api/resources/{uid}/versions/{version.number}"
        data = {
            "number": version.number,
            "state": version.state,
            "created": iso(version.created),
            "note": version.note,
            "url": self.link_url(base),
            "files": [
                {
                    "format": f.format,
                    "filename": f.filename,
                    "size": f.size,
                    "sha256": f.sha256,
                    "media_type": f.media_type,
                    "url": self.link_url(f"{base}/files/{f.format}"),
                }
                for f in version.files
            ],
        }
        if full:
            data["author"] = version.author
            data["reviews"] = [
                {"action": c.action, "actor": c.actor, "comment": c.comment, "at": iso(c.at)}
                for c in version.reviews
            ]
        return data

    def resource_json(self, r: ResourceInfo, *, full: bool = True) -> dict[str, Any]:
        privileged = r.owner == self.principal.name or self.principal.can("review")
        data: dict[str, Any] = {
            "uid": r.uid,
            "title": r.title,
            "description": r.description,
            "type": r.type,
            "kind": r.kind,
            "language": r.language,
            "country": r.country,
            "level": r.level,
            "subject": r.subject,
            "licence": r.licence,
            "authors": r.authors,
            "keywords": r.keywords,
            "event": r.event,
            "team": r.team,
            "state": r.state,
            "versions": r.versions,
            "datestamp": iso(r.datestamp),
            "page": self.link_url(f"r/{r.uid}"),
            "api": self.link_url(f"api/resources/{r.uid}"),
            "published_version": r.published.number if r.published else None,
        }
        if r.origin:
            data["origin"] = r.origin
            data["links"] = r.links
        if privileged and not self.principal.anonymous:
            data["owner"] = r.owner
        if r.type == "notebook-app":
            from .gallery import app_json  # the gallery builds on the pages, which use this

            data["app"] = app_json(self, r)
        if full:
            data |= self.sequence_json(r)
            data["latest"] = self.version_json(
                r.uid, r.latest, full=privileged and not self.principal.anonymous
            )
        return data

    def sequence_json(self, r: ResourceInfo) -> dict[str, Any]:
        """``part_of`` (the modules and parcours that hold it) and, for a module or parcours,
        its ``parts`` in order and what its manifest says of them (``sequence``)."""
        from .sequences import sequence_details

        data: dict[str, Any] = {
            "part_of": [
                {
                    "uid": d.uid,
                    "title": d.title,
                    "type": d.type,
                    "state": d.state,
                    "page": self.link_url(f"r/{d.uid}"),
                    "api": self.link_url(f"api/resources/{d.uid}"),
                }
                for d in self.catalogue.part_of(r.uid, self.principal)
            ]
        }
        if r.type not in ("module", "parcours"):
            return data
        details = sequence_details(r.latest.manifest)
        data["sequence"] = details["summary"]
        data["parts"] = []
        for part in self.catalogue.parts(r.uid, r.latest.number, self.principal):
            item: dict[str, Any] = {
                "uid": part.uid,
                "title": part.title,
                "type": part.type,
                "position": part.position,
                "state": part.state,
            }
            if part.visible:
                item["page"] = self.link_url(f"r/{part.uid}")
                item["api"] = self.link_url(f"api/resources/{part.uid}")
            if r.type == "parcours":
                item["prerequisites"] = details["prerequisites"].get(part.uid, [])
            data["parts"].append(item)
        return data


class RootHandler(ApiHandler):
    def get(self) -> None:
        self.send_json(
            {
                "name": self.settings["site_config"].site_name or "Imaginecole",
                "api": self.link_url("api/"),
                "openapi": self.link_url("api/openapi.yaml"),
                "oai": self.link_url("oai"),
                "hub": self.hub_auth is not None,
                "max_upload_bytes": self.settings["max_upload_bytes"],
                "facets": list(FACETS),
            }
        )


class OpenAPIHandler(ApiHandler):
    def get(self) -> None:
        text = (Path(__file__).parent / "openapi.yaml").read_text("utf-8")
        self.set_header("Content-Type", "application/yaml; charset=utf-8")
        self.finish(text)


class MeHandler(ApiHandler):
    def get(self) -> None:
        p = self.principal
        self.send_json({"name": p.name, "permissions": sorted(p.permissions)})


class SearchApiHandler(ApiHandler):
    def get(self) -> None:
        from .web import selected_filters

        try:
            page = max(1, int(self.get_query_argument("page", "1")))
            per_page = max(1, min(int(self.get_query_argument("per_page", "20")), MAX_PER_PAGE))
        except ValueError as exc:
            raise WebError(400, "page and per_page must be whole numbers.") from exc
        sort = self.get_query_argument("sort", "relevance")
        if sort not in ("relevance", "recent", "title"):
            raise WebError(400, "sort must be relevance, recent or title.")
        filters = selected_filters(self)
        result = self.catalogue.search(
            q=self.get_query_argument("q", "")[:200],
            filters=filters,
            page=page,
            per_page=per_page,
            sort=sort,
        )
        country = (filters.get("country") or [None])[0]
        self.send_json(
            {
                "total": result.total,
                "page": result.page,
                "per_page": result.per_page,
                "items": [self.resource_json(r, full=False) for r in result.items],
                "facets": {
                    facet: [
                        {
                            "value": value,
                            "count": count,
                            "label": labels.facet_value_label(facet, value, self.language, country),
                        }
                        for value, count in values
                    ]
                    for facet, values in result.facets.items()
                },
            }
        )


class ResourceApiHandler(ApiHandler):
    def get(self, uid: str) -> None:
        self.send_json(self.resource_json(self.catalogue.get(uid, self.principal)))


class VersionsApiHandler(ApiHandler):
    def get(self, uid: str, number: str | None = None) -> None:
        resource = self.catalogue.get(uid, self.principal)
        full = not self.principal.anonymous and (
            resource.owner == self.principal.name or self.principal.can("review")
        )
        if number is not None:
            version = self.catalogue.version(uid, int(number), self.principal)
            return self.send_json(self.version_json(uid, version, full=full))
        history = self.catalogue.history(uid, self.principal)
        self.send_json([self.version_json(uid, v, full=full) for v in history])


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class FileHandler(CatalogueHandler):
    """A stored file, as a download: never rendered with the catalogue's origin."""

    api = True

    async def get(self, uid: str, *rest: str) -> None:
        number, fmt = rest if len(rest) == 2 else (None, rest[0])
        info, stream = self.catalogue.file(
            uid, fmt, int(number) if number else None, self.principal
        )
        with stream:
            self.set_header("Content-Type", info.media_type or "application/octet-stream")
            self.set_header("Content-Length", str(info.size))
            self.set_header("Content-Disposition", content_disposition(info.filename))
            self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
            self.set_header("X-Content-Type-Options", "nosniff")
            self.set_header("ETag", f'"{info.sha256}"')
            if self.request.method == "HEAD":
                return
            while chunk := stream.read(256 * 1024):
                self.write(chunk)
                await self.flush()

    head = get


class PreviewHandler(CatalogueHandler):
    """The stored ``html`` export, played in a sandboxed frame (opaque origin, no network)."""

    def get(self, uid: str, number: str | None, member: str | None) -> None:
        if member is None:
            return self.redirect(self.request.path + "/", permanent=False)
        number_wanted = int(number) if number else None
        try:
            info, stream = self.catalogue.file(uid, "html", number_wanted, self.principal)
            policy = PREVIEW_CSP
        except NotFound:
            # a module or parcours: its offline mini-site, whose player frames its parts
            info, stream = self.catalogue.file(uid, "site", number_wanted, self.principal)
            policy = PREVIEW_CSP.replace(
                "default-src 'none';", "default-src 'none'; frame-src 'self';"
            )
        with stream:
            data = stream.read()
        member = member or "index.html"
        if policy != PREVIEW_CSP and member.startswith("parts/"):
            # a part's page, framed by the sandboxed player (an opaque origin that
            # frame-ancestors 'self' never matches); it is sandboxed itself
            policy = policy.replace(" frame-ancestors 'self';", "")
        if zipfile.is_zipfile(io.BytesIO(data)):
            check_member_name(member)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                try:
                    body = archive.read(member)
                except KeyError:
                    raise WebError(404, "There is nothing at this address.") from None
            media_type = mimetypes.guess_type(member)[0] or "application/octet-stream"
        elif member == "index.html":
            body, media_type = data, "text/html"
        else:
            raise WebError(404, "There is nothing at this address.")
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        self.set_header("Content-Type", media_type)
        self.set_header("Content-Security-Policy", policy)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.finish(body)


@web.stream_request_body
class PublishHandler(ApiHandler):
    """POST a zipped bundle: a new resource, or version n+1 of one of yours."""

    _upload = None
    _received = 0
    _too_large = False

    async def prepare(self) -> None:
        await super().prepare()
        if self.request.method != "POST":
            return
        self.require("write")
        cap = self.settings["max_upload_bytes"]
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "multipart/form-data" and ctype not in ZIP_TYPES:
            raise WebError(
                415,
                "Send the bundle as a zip (Content-Type: application/zip) "
                "or as the « bundle » field of a multipart/form-data form.",
            )
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap + MULTIPART_SLACK:
            # read (and drop) a body up to 4 x the cap, so the client sees our answer
            self.request.connection.set_max_body_size(max(int(declared), 4 * cap))
            self.raise_too_large()
        self.request.connection.set_max_body_size(cap + MULTIPART_SLACK)
        self._folder = tempfile.TemporaryDirectory(prefix="imaginecole-upload-")
        self._upload = open(Path(self._folder.name) / "body", "wb")  # noqa: SIM115

    def raise_too_large(self) -> None:
        mb = self.settings["max_upload_bytes"] // (1024 * 1024)
        raise WebError(
            413,
            "The bundle is too large: this catalogue accepts up to {mb} MB. "
            "Make the media lighter (compress images, shorten audio), then publish again.",
            mb=mb,
        )

    def data_received(self, chunk: bytes) -> None:
        if self._upload is None or self._too_large:
            return
        self._received += len(chunk)
        if self._received > self.settings["max_upload_bytes"] + MULTIPART_SLACK:
            self._too_large = True
            return
        self._upload.write(chunk)

    def on_finish(self) -> None:
        if self._upload is not None:
            self._upload.close()
            self._folder.cleanup()
            self._upload = None

    async def post(self) -> None:
        if self._too_large:
            self.raise_too_large()
        self._upload.close()
        body_path = Path(self._upload.name)
        zip_path = Path(self._folder.name) / "bundle.zip"
        args = {
            k: [v.decode("utf-8", "replace") for v in vs]
            for k, vs in self.request.query_arguments.items()
        }
        ctype = self.request.headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().lower() == "multipart/form-data":
            fields: dict[str, list[bytes]] = {}
            files: dict[str, list[httputil.HTTPFile]] = {}
            httputil.parse_body_arguments(ctype, body_path.read_bytes(), fields, files)
            if not files.get("bundle"):
                raise WebError(400, "The form has no « bundle » file field.")
            zip_path.write_bytes(files["bundle"][0].body)
            upload_name = upload_label(files["bundle"][0].filename)
            for key, values in fields.items():
                args[key] = [v.decode("utf-8", "replace") for v in values]
        else:
            body_path.rename(zip_path)
            upload_name = "bundle.zip"
        if self.settings["max_upload_bytes"] < zip_path.stat().st_size:
            self.raise_too_large()
        check_zip(zip_path)
        note = (args.get("note") or [""])[0][:2000]
        event = (args.get("event") or [""])[0][:120] or None
        challenge = (args.get("challenge") or [""])[0][:80] or None
        principal = self.principal

        def publish() -> ResourceInfo:
            try:
                from ..events.hooks import publish as publish_to_event  # submits to events

                return publish_to_event(
                    self.catalogue, principal, zip_path, note=note, event=event, challenge=challenge
                )
            except ImaginecoleError as exc:
                # name the upload, never the server's temporary file
                raise name_the_upload(exc, zip_path, upload_name) from None

        if self.settings.get("publish_in_thread", True):
            resource = await asyncio.get_running_loop().run_in_executor(
                None, in_worker_thread, publish
            )
        else:
            resource = publish()
        self.set_header("Location", self.link_url(f"api/resources/{resource.uid}"))
        self.send_json(self.resource_json(resource), status=201)


class UploadedBundleError(BundleError):
    """A BundleError about an upload: names the file the person sent."""

    def __init__(self, name: str, problems: list, kind: str = "grain") -> None:
        super().__init__(name, problems)
        self.message_id = {
            "module": N_("The uploaded module ({where}) is not valid ({count} problem(s)):"),
            "parcours": N_("The uploaded parcours ({where}) is not valid ({count} problem(s)):"),
        }.get(kind) or N_("The uploaded grain ({where}) is not valid ({count} problem(s)):")
        Exception.__init__(self, self.render("fr") + "\n\n[en]\n" + self.render("en"))


def in_worker_thread(work):
    """`work()` in a worker thread, then the event loop a library made for the thread closed.

    Exporters that run notebooks (nbclient's blocking calls, through jupyter_core) give the
    thread an event loop and leave it open; unclosed, it would leak its sockets."""
    try:
        return work()
    finally:
        policy = asyncio.get_event_loop_policy()
        try:
            loop = policy.get_event_loop()
        except RuntimeError:  # none was made
            loop = None
        if loop is not None and not loop.is_running():
            loop.close()
            policy.set_event_loop(None)


def upload_label(filename: str | None) -> str:
    """The name of an uploaded file as its sender knows it (no folders, short)."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return name[:120] or "bundle.zip"


def name_the_upload(exc: ImaginecoleError, path: Path, name: str) -> ImaginecoleError:
    """`exc` with the server's temporary path of the upload replaced by its name."""
    if isinstance(exc, BundleError):
        kind = next((k for k in ("module", "parcours") if f"The {k} " in exc.message_id), "grain")
        return UploadedBundleError(name, exc.problems, kind)
    temporary = {str(path), str(path.parent)}
    values = {k: (name if str(v) in temporary else v) for k, v in exc.values.items()}
    if values == exc.values:
        return exc
    renamed = type(exc).__new__(type(exc))
    ImaginecoleError.__init__(renamed, exc.message_id, **values)
    return renamed


def check_zip(path: Path) -> None:
    """A zip whose every entry stays inside its folder, with no link; else a 400 that says why."""
    if not zipfile.is_zipfile(path):
        raise WebError(
            400,
            "The upload is not a zip archive. Send the bundle folder zipped "
            "(« imaginecole catalogue publish FOLDER » does it for you).",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                check_member_name(member.filename)
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise WebError(
                        400,
                        "The archive entry « {name} » is a symbolic link; links are refused.",
                        name=member.filename,
                    )
    except zipfile.BadZipFile as exc:
        raise WebError(400, "The zip archive is damaged: {error}", error=str(exc)) from exc


class ReviewActionApiHandler(ApiHandler):
    ACTIONS = ("start_review", "approve", "request_changes", "withdraw")

    def post(self, uid: str) -> None:
        self.require("write")
        data = self.json_body()
        action = data.get("action")
        comment = str(data.get("comment") or "")[:4000]
        if action not in self.ACTIONS:
            raise WebError(
                400,
                "« action » must be one of: {actions}.",
                actions=", ".join(self.ACTIONS),
            )
        if action != "withdraw":
            self.require("review")
        resource = getattr(self.catalogue, action)(self.principal, uid, comment)
        self.send_json(self.resource_json(resource))


class ReviewQueueApiHandler(ApiHandler):
    def get(self) -> None:
        self.require("review")
        self.send_json([self.resource_json(r) for r in self.catalogue.review_queue(self.principal)])


class SubmissionsApiHandler(ApiHandler):
    def get(self) -> None:
        self.require("write")
        self.send_json([self.resource_json(r) for r in self.catalogue.submissions(self.principal)])


class NewsApiHandler(ApiHandler):
    def get(self) -> None:
        language = self.get_query_argument("language", "") or None
        items = self.catalogue.news(language=language, limit=50)
        self.send_json(
            [
                {
                    "id": n.id,
                    "title": n.title,
                    "body_html": n.body_html,
                    "language": n.language,
                    "published": iso(n.published),
                }
                for n in items
            ]
        )

    def post(self) -> None:
        self.require("edit")
        data = self.json_body()
        title, body = str(data.get("title") or "").strip(), str(data.get("body") or "").strip()
        language = str(data.get("language") or "fr")
        if not title or not body:
            raise WebError(400, "A news item needs a « title » and a « body ».")
        news_id = self.catalogue.add_news(self.principal, title[:200], body[:20000], language)
        self.send_json({"id": news_id}, status=201)

    def delete(self, news_id: str | None = None) -> None:
        self.require("edit")
        if news_id is None:
            raise WebError(405, "This method is not allowed here.")
        self.catalogue.delete_news(self.principal, int(news_id))
        self.set_status(204)
        self.finish()


UID = r"([A-Za-z0-9._:-]{1,200})"
FMT = r"([a-z0-9][a-z0-9._-]{0,39})"


def routes(at) -> list[tuple]:
    return [
        (at("api/?"), RootHandler),
        (at("api/openapi.yaml"), OpenAPIHandler),
        (at("api/me"), MeHandler),
        (at("api/me/submissions"), SubmissionsApiHandler),
        (at("api/search"), SearchApiHandler),
        (at("api/review"), ReviewQueueApiHandler),
        (at("api/news"), NewsApiHandler),
        (at(r"api/news/([0-9]{1,12})"), NewsApiHandler),
        (at("api/resources"), PublishHandler),
        (at(f"api/resources/{UID}"), ResourceApiHandler),
        (at(f"api/resources/{UID}/versions"), VersionsApiHandler),
        (at(f"api/resources/{UID}/versions/([0-9]{{1,9}})"), VersionsApiHandler),
        (at(f"api/resources/{UID}/review"), ReviewActionApiHandler),
        (at(f"api/resources/{UID}/files/{FMT}"), FileHandler),
        (at(f"api/resources/{UID}/versions/([0-9]{{1,9}})/files/{FMT}"), FileHandler),
    ]
