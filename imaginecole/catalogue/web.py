"""The catalogue's web server: pages rendered on the server, the JSON API, feeds, OAI-PMH.

`make_app(catalogue)` builds one tornado Application that works standalone (API tokens, a login
form) or as a JupyterHub service (``hub_auth=True``, under ``base_url=/services/catalogue/``).
Pages are French by default, English and Arabic (right to left) on request, need no CDN, no web
font and no JavaScript, and stay usable 360 px wide. Routes are listed in `routes()`.
"""

from __future__ import annotations

import math
import os
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from tornado import web

from ..i18n import LANGUAGES, ImaginecoleError, _
from ..player import text_direction
from . import labels
from .auth import LOGIN_COOKIE, CatalogueHandler, WebError
from .model import ANONYMOUS, FACETS

DEFAULT_MAX_UPLOAD_MB = 200
PER_PAGE = 20
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)


def template_dirs() -> list[Path]:
    """Folders that may hold the catalogue templates: JUPYTER_PATH first, then the repo's."""
    dirs = []
    for entry in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
        if entry.strip():
            dirs.append(Path(entry).expanduser() / "catalogue")
    dirs.append(Path(__file__).resolve().parents[2] / "templates" / "catalogue")
    dirs.append(Path(sys.prefix) / "share" / "jupyter" / "catalogue")
    return [d for d in dirs if (d / "base.html").is_file()]


def cookie_secret(data_dir: Path | None) -> bytes:
    """DATA/secrets/cookie_secret, made on first use (0600); random per run without a folder."""
    if data_dir is None:
        return secrets.token_bytes(32)
    folder = Path(data_dir) / "secrets"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / "cookie_secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class PageHandler(CatalogueHandler):
    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Content-Security-Policy", PAGE_CSP)

    def page(self, template: str, **context: Any) -> None:
        self.finish(render_page(self, template, **context))

    def local_next(self, default: str = "") -> str:
        """A `next` address on this site only (no open redirect)."""
        target = self.get_argument("next", "")
        parsed = urlparse(target)
        if target.startswith(self.settings["base_url"]) and not parsed.netloc and not parsed.scheme:
            if not target.startswith("//"):
                return target
        return default or self.url()


def render_page(handler: CatalogueHandler, template: str, **context: Any) -> str:
    language = getattr(handler, "language", "fr")
    principal = getattr(handler, "principal", ANONYMOUS)
    gettext = handler._ if hasattr(handler, "_") else (lambda m: _(m, language))
    site = handler.settings["site_config"]

    def lang_url(code: str) -> str:
        args = {k: v for k, v in handler.request.query_arguments.items() if k != "lang"}
        pairs = [(k, x.decode("utf-8", "replace")) for k, vs in args.items() for x in vs]
        return handler.request.path + "?" + urlencode([*pairs, ("lang", code)])

    env = handler.settings["jinja_env"]
    values = {
        "_": gettext,
        "lang": language,
        "dir": text_direction(language),
        "languages": [(code, labels.language_name(code, code)) for code in LANGUAGES],
        "lang_url": lang_url,
        "site_name": site.site_name or gettext("Imaginecole catalogue"),
        "url": handler.url,
        "static_url": lambda path: static_url(handler, path),
        "principal": principal,
        "hub": handler.hub_auth is not None,
        "xsrf_form_html": lambda: Markup(handler.xsrf_form_html()),
        "L": labels,
        "path": handler.request.path,
    }
    values.update(context)
    return env.get_template(template).render(**values)


def static_url(handler: web.RequestHandler, path: str) -> str:
    """The address of a file of templates/catalogue/static, with its hash against stale caches."""
    settings = {"static_path": handler.settings["catalogue_static"]}
    version = web.StaticFileHandler.get_version(settings, path)
    return f"{handler.settings['base_url']}static/{path}?v={version}"


class HomeHandler(PageHandler):
    def get(self) -> None:
        result = self.catalogue.search(per_page=0)  # counts only
        counts = dict(result.facets.get("country", []))
        apps = dict(result.facets.get("type", [])).get("notebook-app", 0)
        platforms = []
        for platform in self.settings["site_config"].platforms:
            name = labels.country_name(platform.country, self.language)
            platforms.append(
                {
                    "country": name,
                    "name": platform.name or name,
                    "url": platform.url or self.url(f"pays/{platform.country.lower()}/"),
                    "external": bool(platform.url),
                    "count": counts.get(platform.country, 0),
                    "view": self.url(f"pays/{platform.country.lower()}/"),
                }
            )
        self.page(
            "home.html",
            news=self.catalogue.news(limit=5),
            recent=self.catalogue.recent(limit=8),
            platforms=platforms,
            total=result.total,
            apps=apps,
        )


def selected_filters(handler: web.RequestHandler) -> dict[str, list[str]]:
    filters = {}
    for facet in FACETS:
        values = [v.strip() for v in handler.get_query_arguments(facet) if v.strip()]
        if values:
            filters[facet] = values[:20]
    return filters


class SearchHandler(PageHandler):
    def get(self, country: str | None = None) -> None:
        if country is not None:
            code = country.upper()
            if code not in labels.COUNTRIES:
                raise WebError(404, "There is nothing at this address.")
            if country != code.lower() or not self.request.path.endswith("/"):
                return self.redirect(self.url(f"pays/{code.lower()}/"), permanent=True)
        q, sort, page = search_arguments(self)
        filters = selected_filters(self)
        if country is not None:
            filters["country"] = [country.upper()]
        result = self.catalogue.search(
            q=q, filters=filters, page=page, per_page=PER_PAGE, sort=sort
        )
        pages = max(1, math.ceil(result.total / PER_PAGE))
        facet_country = country.upper() if country else (filters.get("country") or [None])[0]
        skip = ("country",) if country is not None else ()
        facets = facet_groups(result, filters, self.language, facet_country, skip=skip)
        page_url = page_url_for(self)
        self.page(
            "search.html",
            q=q,
            sort=sort,
            result=result,
            facets=facets,
            page_number=page,
            pages=pages,
            page_url=page_url,
            country=country.upper() if country else None,
            filtered=bool(q or selected_filters(self)),
        )


def facet_groups(
    result: Any,
    filters: dict[str, list[str]],
    language: str,
    country: str | None,
    *,
    skip: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """The search form's facets: each value with its count and label, chosen ones checked."""
    facets = []
    for facet in FACETS:
        if facet in skip:
            continue
        chosen = set(filters.get(facet, []))
        counted = list(result.facets.get(facet, []))
        seen = {value for value, _count in counted}
        counted += [(value, 0) for value in sorted(chosen - seen)]
        values = [
            {
                "value": value,
                "count": count,
                "label": labels.facet_value_label(facet, value, language, country),
                "checked": value in chosen,
            }
            for value, count in counted
        ]
        if values:
            facets.append({"name": facet, "label": labels.FACET_LABELS[facet], "values": values})
    return facets


def page_url_for(handler: web.RequestHandler):
    """page number -> the address of that page of the same search."""

    def page_url(n: int) -> str:
        args = [
            (k, v.decode("utf-8", "replace"))
            for k, vs in handler.request.query_arguments.items()
            if k != "page"
            for v in vs
        ]
        return handler.request.path + "?" + urlencode([*args, ("page", str(n))])

    return page_url


def search_arguments(handler: web.RequestHandler) -> tuple[str, str, int]:
    """(words, sort, page number) of a search page's query, made safe."""
    q = handler.get_query_argument("q", "").strip()[:200]
    sort = handler.get_query_argument("tri", "relevance" if q else "recent")
    if sort not in ("relevance", "recent", "title"):
        sort = "relevance"
    try:
        page = max(1, min(int(handler.get_query_argument("page", "1")), 10_000))
    except ValueError:
        page = 1
    return q, sort, page


def attribution(resource, version_url: str, language: str) -> str:
    """TASL: title, author, source, licence, ready to paste under a reuse."""
    _ = labels.gettext_for(language)
    authors = ", ".join(resource.authors) or resource.owner
    return _("« {title} » by {authors}, {url}, licence {licence} ({licence_url})").format(
        title=resource.title,
        authors=authors,
        url=version_url,
        licence=labels.licence_name(resource.licence),
        licence_url=labels.licence_url(resource.licence) or resource.licence,
    )


class ResourceHandler(PageHandler):
    def get(self, uid: str) -> None:
        resource = self.catalogue.get(uid, self.principal)
        number = self.get_query_argument("v", "")
        version = resource.latest
        if number.isdigit() and int(number) != version.number:
            version = self.catalogue.version(uid, int(number), self.principal)
        history = (
            self.catalogue.history(uid, self.principal)
            if hasattr(self.catalogue, "history")
            else [resource.latest]
        )
        is_public_version = resource.published is not None and (
            version.number == resource.published.number
        )
        preview = None
        if version.file("html") is not None or version.file("site") is not None:
            preview = self.url(f"r/{uid}/preview/")
            if not is_public_version:
                preview = self.url(f"r/{uid}/preview/v/{version.number}/")
        downloads = []
        files_at = f"api/resources/{uid}/"
        if not is_public_version:
            files_at += f"versions/{version.number}/"
        for info in version.files:
            href = self.url(f"{files_at}files/{info.format}")
            downloads.append(
                {
                    "format": info.format,
                    "label": labels.format_label(info.format, self.language),
                    "filename": info.filename,
                    "size": labels.file_size(info.size, self.language),
                    "href": href,
                }
            )
        mine = resource.owner == self.principal.name and not self.principal.anonymous
        from .gallery import app_details  # gallery builds on this module

        app = app_details(self, resource, version)
        sequence = None
        if resource.type in ("module", "parcours"):
            from .sequences import sequence_details

            sequence = sequence_details(version.manifest)
            sequence["parts"] = self.catalogue.parts(uid, version.number, self.principal)
            titles = {p.uid: p.title for p in sequence["parts"]}
            sequence["after"] = {
                part: [titles.get(x, x) for x in needed]
                for part, needed in sequence["prerequisites"].items()
                if needed
            }
        self.page(
            "resource.html",
            app=app,
            sequence=sequence,
            part_of=self.catalogue.part_of(uid, self.principal),
            used_by=self.catalogue.dependants(uid) if (mine or self.principal.can("edit")) else [],
            r=resource,
            version=version,
            history=list(reversed(history)),
            preview=preview,
            downloads=downloads,
            attribution=attribution(resource, self.absolute_url(f"r/{uid}"), self.language),
            mine=mine,
            can_review=self.principal.can("review") and not mine,
            can_withdraw=(mine or self.principal.can("edit")) and resource.state != "withdrawn",
            is_public_version=is_public_version,
        )


class ActionHandler(PageHandler):
    """The review and withdraw buttons of the pages (POST forms, XSRF-checked)."""

    ACTIONS = ("start_review", "approve", "request_changes", "withdraw")

    def post(self, uid: str) -> None:
        action = self.get_body_argument("action", "")
        comment = self.get_body_argument("comment", "").strip()[:4000]
        if action not in self.ACTIONS:
            raise WebError(400, "Unknown action « {action} ».", action=action[:40])
        self.require("write" if action == "withdraw" else "review")
        if action == "request_changes" and not comment:
            raise WebError(400, "Say what should change: the comment is what the author will read.")
        getattr(self.catalogue, action)(self.principal, uid, comment)
        target = self.local_next(self.url(f"r/{uid}"))
        sep = "&" if "?" in target else "?"
        self.redirect(f"{target}{sep}{urlencode({'fait': action})}", status=303)


class SubmissionsHandler(PageHandler):
    def get(self) -> None:
        self.require("write")
        self.page("submissions.html", items=self.catalogue.submissions(self.principal))


class ReviewHandler(PageHandler):
    def get(self) -> None:
        self.require("review")
        done = self.get_query_argument("fait", "")
        self.page(
            "review.html",
            items=self.catalogue.review_queue(self.principal),
            done=done if done in ActionHandler.ACTIONS else "",
        )


class NewsHandler(PageHandler):
    def get(self) -> None:
        self.require("edit")
        self.page("news.html", news=self.catalogue.news(limit=50), error="")

    def post(self) -> None:
        self.require("edit")
        title = self.get_body_argument("title", "").strip()
        body = self.get_body_argument("body", "").strip()
        language = self.get_body_argument("language", "fr")
        if not title or not body or language not in LANGUAGES:
            self.set_status(400)
            return self.page(
                "news.html",
                news=self.catalogue.news(limit=50),
                error=self._("Give the news item a title and a text."),
            )
        self.catalogue.add_news(self.principal, title[:200], body[:20000], language)
        self.redirect(self.url("actualites"), status=303)


class NewsDeleteHandler(PageHandler):
    def post(self, news_id: str) -> None:
        self.require("edit")
        self.catalogue.delete_news(self.principal, int(news_id))
        self.redirect(self.url("actualites"), status=303)


class LoginHandler(PageHandler):
    def get(self) -> None:
        if not self.principal.anonymous:
            return self.redirect(self.local_next())
        if self.hub_auth is not None:
            return self.redirect(self.get_login_url())
        self.page("login.html", error="", next=self.local_next())

    def post(self) -> None:
        if self.hub_auth is not None:
            raise WebError(405, "This method is not allowed here.")
        token = self.get_body_argument("token", "").strip()
        principal = self.catalogue.principal_for_token(token) if token else None
        if principal is None:
            self.set_status(403)
            return self.page(
                "login.html",
                error=self._("This token is not valid. Ask the catalogue's administrator."),
                next=self.local_next(),
            )
        self.set_signed_cookie(
            LOGIN_COOKIE,
            token,
            expires_days=30,
            path=self.settings["base_url"],
            httponly=True,
            samesite="Lax",
            secure=self.request.protocol == "https",
        )
        self.redirect(self.local_next(), status=303)


class LogoutHandler(PageHandler):
    def post(self) -> None:
        if self.hub_auth is not None:
            self.hub_auth.clear_cookie(self)
            return self.redirect(self.hub_auth.hub_host + self.hub_auth.hub_prefix + "logout")
        self.clear_cookie(LOGIN_COOKIE, path=self.settings["base_url"])
        self.redirect(self.url(), status=303)


class NotFoundHandler(PageHandler):
    def prepare(self):  # type: ignore[override]
        return self._not_found()

    async def _not_found(self) -> None:
        await super().prepare()
        raise WebError(404, "There is nothing at this address.")


def routes(base_url: str) -> list[tuple]:
    from . import api, feeds, gallery

    def at(path: str) -> str:
        return base_url + path

    pages = [
        (at(""), HomeHandler),
        (at("recherche"), SearchHandler),
        (at(r"pays/([A-Za-z]{2})/?"), SearchHandler),
        (at(f"r/{api.UID}"), ResourceHandler),
        (at(f"r/{api.UID}/preview(?:/v/([0-9]{{1,9}}))?(?:/(.*))?"), api.PreviewHandler),
        (at(f"r/{api.UID}/actions"), ActionHandler),
        (at("mes-publications"), SubmissionsHandler),
        (at("relecture"), ReviewHandler),
        (at("actualites"), NewsHandler),
        (at(r"actualites/([0-9]{1,12})/supprimer"), NewsDeleteHandler),
        (at("connexion"), LoginHandler),
        (at("deconnexion"), LogoutHandler),
    ]
    from ..events import web as events_web  # events: workshops and hackathons

    return pages + gallery.routes(at) + feeds.routes(at) + api.routes(at) + events_web.routes(at)


def make_app(
    catalogue,
    *,
    base_url: str = "/",
    hub_auth: Any = False,
    data_dir: Path | None = None,
    max_upload_mb: int | None = None,
    apps_url: str | None = None,
    **settings: Any,
) -> web.Application:
    """The catalogue's tornado Application.

    `hub_auth`: False (standalone tokens), True (a `HubOAuth` configured from the JupyterHub
    service environment) or a ready `HubOAuth` instance. `data_dir` (default
    ``catalogue.data_dir``) holds config.yaml and the cookie secret. `apps_url` (default:
    config.yaml's, else none) is where published notebook apps run live, ``{uid}`` standing
    for the resource's id.
    """
    base_url = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    data_dir = data_dir or getattr(catalogue, "data_dir", None)
    site = labels.load_site_config(data_dir)
    max_mb = max_upload_mb or site.max_upload_mb or DEFAULT_MAX_UPLOAD_MB
    auth = None
    handlers = routes(base_url)
    if hub_auth:
        from jupyterhub.services.auth import HubOAuth

        auth = hub_auth if isinstance(hub_auth, HubOAuth) else HubOAuth(cache_max_age=60)
        handlers.insert(0, (urlparse(auth.oauth_redirect_uri).path, OAuthCallbackHandler))
    try:
        from .oai import OAIHandler
    except ImportError:  # the OAI-PMH provider is optional for the pages
        OAIHandler = None  # noqa: N806
    if OAIHandler is not None:
        handlers.insert(0, (base_url + "oai", OAIHandler, {"catalogue": catalogue}))
    dirs = template_dirs()
    if not dirs:
        raise RuntimeError("templates/catalogue not found: set JUPYTER_PATH to templates/")
    env = Environment(
        loader=FileSystemLoader([str(d) for d in dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)
    # not tornado's static_path: it would also claim /robots.txt at the site's root
    static = {"path": str(dirs[0] / "static")}
    handlers.insert(0, (base_url + "static/(.*)", web.StaticFileHandler, static))
    handlers.append((base_url + ".*", NotFoundHandler))
    app_settings = {
        "catalogue": catalogue,
        "base_url": base_url,
        "hub_auth": auth,
        "site_config": site,
        "public_url": site.public_url,
        "hub_public_origin": hub_public_origin() if auth is not None else "",
        "jinja_env": env,
        "render_page": render_page,
        "max_upload_bytes": max_mb * 1024 * 1024,
        "apps_url": check_apps_url(apps_url if apps_url is not None else site.apps_url),
        "cookie_secret": cookie_secret(data_dir),
        "xsrf_cookies": True,
        "xsrf_cookie_kwargs": {"path": base_url, "samesite": "Lax", "httponly": True},
        "catalogue_static": str(dirs[0] / "static"),
        "login_url": base_url + "connexion",
    }
    app_settings.update(settings)
    return web.Application(handlers, **app_settings)


def check_apps_url(template: str) -> str:
    """The apps_url setting: "" or an address (http(s):// or /…) holding {uid}."""
    template = (template or "").strip()
    if template and (
        "{uid}" not in template
        or not template.startswith(("http://", "https://", "/"))
        or template.startswith("//")
        or any(c.isspace() for c in template)
    ):
        raise ImaginecoleError(
            "The address of the live apps « {value} » is not valid: give an address that "
            "starts with http://, https:// or / and holds {{uid}}, for instance "
            "/services/apps/voila/render/{{uid}}.ipynb.",
            value=template[:200],
        )
    return template


def hub_public_origin() -> str:
    """scheme://host[:port] of JUPYTERHUB_PUBLIC_URL (the hub sets it when it knows its
    public address), or "" (links then stay relative to the site's root)."""
    parsed = urlparse(os.environ.get("JUPYTERHUB_PUBLIC_URL") or "")
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return ""
    return f"{parsed.scheme}://{parsed.netloc}"


class OAuthCallbackHandler(CatalogueHandler):
    """JupyterHub's OAuth callback (hub mode only), at the service's oauth_callback URL."""

    async def prepare(self) -> None:  # no principal yet: this request makes it
        self.language = "fr"

    async def get(self) -> None:
        from jupyterhub.services.auth import HubOAuthCallbackHandler

        await HubOAuthCallbackHandler.get(self)  # type: ignore[arg-type]
