"""Who is asking, in which language, and how refusals read: the base of every catalogue handler.

Two ways to know the caller:

- standalone: an API token in ``Authorization: token T`` (or ``Bearer T``), checked with
  `Catalogue.principal_for_token`; or, for pages, the same token kept in a signed cookie after
  the login form;
- hub service (``hub_auth``): JupyterHub's `HubOAuth` resolves the ``Authorization`` token (the
  hub token of a single-user server: how the publish widget calls) or the OAuth cookie, and the
  user's ``custom:catalogue:*`` scopes become permissions (`model.principal_for_scopes`).

A request that carries an ``Authorization`` header is judged on that token alone: cookies play
no part, so it needs no XSRF token. Cookie-authenticated forms need tornado's ``_xsrf``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, ImaginecoleError, Message, gettext_for
from .model import ANONYMOUS, Principal, principal_for_scopes

LOGIN_COOKIE = "imaginecole-catalogue-token"
LANGUAGE_COOKIE = "imaginecole-lang"
AUTH_HEADER = re.compile(r"^\s*(?:token|bearer)\s+(\S+)\s*$", re.IGNORECASE)


class WebError(web.HTTPError):
    """An HTTP refusal whose message a person reads, in every language of the site."""

    def __init__(self, status: int, message: str, **values: Any) -> None:
        super().__init__(status, "%s", message)
        self.message = Message(message, **values)


def error_status(exc: BaseException) -> int | None:
    """The HTTP status of an error raised by the catalogue service, or None if unexpected."""
    from . import service

    if isinstance(exc, web.HTTPError):
        return exc.status_code
    for name, status in (("PermissionDenied", 403), ("NotFound", 404), ("Conflict", 409)):
        cls = getattr(service, name, None)
        if cls is not None and isinstance(exc, cls):
            return status
    if isinstance(exc, ImaginecoleError):
        return 400
    return None


def error_messages(exc: BaseException | None, status: int) -> dict[str, str]:
    """{language: text} for an error, in every language of the site."""
    if isinstance(exc, WebError):
        return {lang: exc.message.render(lang) for lang in LANGUAGES}
    if isinstance(exc, ImaginecoleError):
        if hasattr(exc, "render"):  # BundleError lists every problem
            return {lang: exc.render(lang) for lang in LANGUAGES}
        message = Message(exc.message_id, **exc.values)
        return {lang: message.render(lang) for lang in LANGUAGES}
    fallback = {
        400: N_("The request is not valid."),
        401: N_("Please sign in: this needs an account."),
        403: N_("Your account may not do this."),
        404: N_("There is nothing at this address."),
        405: N_("This method is not allowed here."),
        413: N_("The upload is too large."),
        415: N_("This type of content is not accepted here."),
    }.get(status, N_("The catalogue met an unexpected error. Try again later."))
    return {lang: gettext_for(lang)(fallback) for lang in LANGUAGES}


def negotiate_language(handler: web.RequestHandler) -> str:
    """``?lang=`` (remembered in a cookie), then the cookie, then Accept-Language, then French."""
    asked = handler.get_query_argument("lang", "")
    if asked in LANGUAGES:
        if handler.get_cookie(LANGUAGE_COOKIE) != asked:
            handler.set_cookie(
                LANGUAGE_COOKIE,
                asked,
                path=handler.settings["base_url"],
                expires_days=365,
                samesite="Lax",
                secure=handler.request.protocol == "https",
            )
        return asked
    remembered = handler.get_cookie(LANGUAGE_COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    header = handler.request.headers.get("Accept-Language", "")
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().split("-")[0].lower()
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, i, base))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE


class CatalogueHandler(HubOAuthenticated, web.RequestHandler):
    """Base handler: `self.principal`, `self.language`, `self._`, errors in JSON or HTML.

    It is a `HubOAuthenticated` so that, as a hub service, login redirects and XSRF follow
    JupyterHub's rules; standalone, every hub hook falls back to plain tornado.
    """

    api = False  # JSON errors instead of pages

    @property
    def catalogue(self):
        return self.settings["catalogue"]

    @property
    def hub_auth(self):  # HubOAuth instance in hub mode, else None
        return self.settings.get("hub_auth")

    @hub_auth.setter
    def hub_auth(self, value) -> None:  # HubAuthenticated may try to set it
        pass

    def url(self, path: str = "") -> str:
        return self.settings["base_url"] + path.lstrip("/")

    def absolute_url(self, path: str = "") -> str:
        public = self.settings.get("public_url") or (
            f"{self.request.protocol}://{self.request.host}"
        )
        return public.rstrip("/") + self.url(path)

    def link_url(self, path: str = "") -> str:
        """A link the API returns, that the person's browser must open.

        In hub mode a kernel calls the service at its hub-internal address, so the
        request's host means nothing to the browser: the hub's public origin
        (JUPYTERHUB_PUBLIC_URL) when known, else a link relative to the site's root.
        """
        if not self.settings.get("public_url") and self.hub_auth is not None:
            origin = self.settings.get("hub_public_origin") or ""
            return origin + self.url(path)
        return self.absolute_url(path)

    # --- XSRF: token requests are exempt; hub mode uses JupyterHub's checks ---------------
    @property
    def xsrf_token(self) -> bytes:
        if self.hub_auth is not None:
            return HubOAuthenticated.xsrf_token.fget(self)
        return web.RequestHandler.xsrf_token.fget(self)

    def check_xsrf_cookie(self) -> None:
        if "Authorization" in self.request.headers:
            return  # judged on the token alone, see resolve_principal
        if self.hub_auth is not None:
            return HubOAuthenticated.check_xsrf_cookie(self)
        try:
            return web.RequestHandler.check_xsrf_cookie(self)
        except web.HTTPError as exc:
            raise WebError(
                403,
                "The form has expired or did not come from this site. "
                "Reload the page and send it again.",
            ) from exc

    def get_login_url(self) -> str:
        if self.hub_auth is not None:
            return HubOAuthenticated.get_login_url(self)
        return self.url("connexion")

    def get_current_user(self):
        return None  # set in prepare(); never resolved lazily

    # --- who is asking ---------------------------------------------------------------------
    async def prepare(self) -> None:
        self.language = negotiate_language(self)
        self._ = gettext_for(self.language)
        self.principal = await self.resolve_principal()
        self.current_user = None if self.principal.anonymous else self.principal

    async def resolve_principal(self) -> Principal:
        header = self.request.headers.get("Authorization")
        if self.hub_auth is not None:
            model = await self.hub_auth.get_user(self, sync=False)
            if header is not None and not getattr(self, "_token_authenticated", False):
                raise WebError(401, "The token is not valid, or has expired.")
            if not model:
                return ANONYMOUS
            return principal_for_scopes(model["name"], model.get("scopes") or [])
        if header is not None:
            match = AUTH_HEADER.match(header)
            principal = self.catalogue.principal_for_token(match.group(1)) if match else None
            if principal is None:
                raise WebError(401, "The token is not valid, or has expired.")
            self._token_authenticated = True
            return principal
        cookie = self.get_signed_cookie(LOGIN_COOKIE, max_age_days=30)
        if cookie:
            principal = self.catalogue.principal_for_token(cookie.decode("ascii", "replace"))
            if principal is not None:
                return principal
            self.clear_cookie(LOGIN_COOKIE, path=self.settings["base_url"])
        return ANONYMOUS

    def require(self, permission: str) -> None:
        """401 for a visitor (a page sends them to the login), 403 for an account without it."""
        if self.principal.can(permission):
            return
        if self.principal.anonymous:
            if not self.api and self.request.method in ("GET", "HEAD"):
                self.redirect(self.get_login_url_with_next())
                raise web.Finish()
            raise WebError(401, "Please sign in: this needs an account.")
        raise WebError(
            403,
            "Your account may not do this (it needs the « {permission} » permission).",
            permission=permission,
        )

    def get_login_url_with_next(self) -> str:
        if self.hub_auth is not None:
            return self.get_login_url()
        from urllib.parse import urlencode

        return self.get_login_url() + "?" + urlencode({"next": self.request.uri})

    # --- errors ----------------------------------------------------------------------------
    def log_exception(self, typ, value, tb) -> None:
        if error_status(value) is not None:
            self.log_expected(value)
            return
        super().log_exception(typ, value, tb)

    def log_expected(self, value: BaseException) -> None:
        from tornado.log import gen_log

        gen_log.info("%s %s: %s", self.request.method, self.request.uri, type(value).__name__)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        status = error_status(exc) if exc is not None else None
        status = status or status_code
        if status != status_code:
            self.set_status(status)
        language = getattr(self, "language", DEFAULT_LANGUAGE)
        messages = error_messages(exc, status)
        if status == 401:
            self.set_header("WWW-Authenticate", 'Bearer realm="catalogue"')
        if self.api or self.wants_json():
            self.set_header("Content-Type", "application/json; charset=utf-8")
            body = {
                "status": status,
                "message": f"{messages['fr']}\n  [en] {messages['en']}"
                if messages["fr"] != messages["en"]
                else messages["en"],
                "messages": {"fr": messages["fr"], "en": messages["en"], "ar": messages["ar"]},
            }
            problems = getattr(exc, "problems", None)
            if problems:
                body["problems"] = [
                    {"path": p.path, "fr": p.render("fr"), "en": p.render("en")} for p in problems
                ]
            self.finish(json.dumps(body, ensure_ascii=False))
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        render = self.settings["render_page"]
        self.finish(render(self, "error.html", status=status, message=messages[language]))

    def wants_json(self) -> bool:
        accept = self.request.headers.get("Accept", "")
        return "application/json" in accept and "text/html" not in accept
