"""`imaginecole catalogue serve|token|publish|review`: run the catalogue and talk to one.

`serve` runs the web server (standalone, or as a JupyterHub service with ``--hub``); `token`
makes an API token in a data folder; `publish` and `review` are HTTP clients of a running
catalogue (``--url``, ``--token``, or the IMAGINECOLE_CATALOGUE_URL / _TOKEN variables).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..i18n import ImaginecoleError, Message, _

URL_ENV = "IMAGINECOLE_CATALOGUE_URL"
TOKEN_ENV = "IMAGINECOLE_CATALOGUE_TOKEN"
HUB_ENV = ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_CLIENT_ID")


def add_catalogue_commands(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help=_("Run the catalogue's web pages, JSON API and OAI-PMH."))
    serve.add_argument("--data", type=Path, required=True, help=_("The catalogue's data folder."))
    serve.add_argument("--db-url", help=_("Database URL (default: SQLite in the data folder)."))
    serve.add_argument("--files-url", help=_("File store URL (default: DATA/files)."))
    serve.add_argument("--ip", default="127.0.0.1", help=_("Address to listen on."))
    serve.add_argument("--port", type=int, default=8040, help=_("Port to listen on."))
    serve.add_argument("--base-url", default="/", help=_("URL prefix of every page."))
    serve.add_argument(
        "--max-upload-mb", type=int, help=_("Largest bundle accepted, in MB (default 200).")
    )
    serve.add_argument(
        "--apps-url",
        help=_(
            "Where published notebook apps run live, {uid} standing for the resource's id "
            "(for instance /services/apps/voila/render/{uid}.ipynb); default: none, "
            "apps are offered offline only."
        ),
    )
    serve.add_argument(
        "--hub",
        action="store_true",
        help=_("Run as a JupyterHub service: hub login, address from the hub's variables."),
    )
    serve.set_defaults(func=serve_command)

    token = sub.add_parser("token", help=_("Make an API token and print it."))
    token.add_argument("--data", type=Path, required=True, help=_("The catalogue's data folder."))
    token.add_argument("--db-url", help=_("Database URL (default: SQLite in the data folder)."))
    token.add_argument("--role", required=True, choices=["teacher", "reviewer", "editor"])
    token.add_argument("--name", help=_("Account name (default: a new one)."))
    token.set_defaults(func=token_command)

    publish = sub.add_parser("publish", help=_("Send a bundle to a catalogue for review."))
    publish.add_argument("bundle", type=Path, help=_("Bundle folder, or a zip of one."))
    _client_options(publish)
    publish.add_argument("--note", default="", help=_("A note for the reviewers."))
    publish.add_argument("--event", help=_("The workshop or hackathon it was made at."))
    publish.set_defaults(func=publish_command)

    review = sub.add_parser("review", help=_("List submissions, approve, request changes."))
    review_sub = review.add_subparsers(dest="review_command", required=True)
    listing = review_sub.add_parser("list", help=_("Submissions waiting for review."))
    _client_options(listing)
    listing.set_defaults(func=review_list_command)
    approve = review_sub.add_parser("approve", help=_("Approve and publish a submission."))
    approve.add_argument("uid", help=_("The resource's identifier."))
    approve.add_argument("--comment", default="", help=_("A comment for the author."))
    _client_options(approve)
    approve.set_defaults(func=review_action_command, action="approve")
    changes = review_sub.add_parser("request-changes", help=_("Send a submission back."))
    changes.add_argument("uid", help=_("The resource's identifier."))
    changes.add_argument("--comment", required=True, help=_("What should change."))
    _client_options(changes)
    changes.set_defaults(func=review_action_command, action="request_changes")


def _client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get(URL_ENV),
        help=_("The catalogue's address (or IMAGINECOLE_CATALOGUE_URL)."),
    )
    parser.add_argument(
        "--token",
        default=os.environ.get(TOKEN_ENV),
        help=_("Your API token (or IMAGINECOLE_CATALOGUE_TOKEN)."),
    )


# --- serve -------------------------------------------------------------------------------------


def hub_service_address() -> tuple[str, int, str]:
    """(ip, port, base_url) from the variables JupyterHub gives a managed service."""
    missing = [name for name in HUB_ENV if not os.environ.get(name)]
    if missing:
        raise ImaginecoleError(
            "--hub needs the variables JupyterHub gives a service it runs; missing: {names}. "
            "Register the catalogue as a hub service (see docs/catalogue.md).",
            names=", ".join(missing),
        )
    service_url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL") or "http://127.0.0.1:8040")
    return (
        service_url.hostname or "127.0.0.1",
        service_url.port or 80,
        os.environ["JUPYTERHUB_SERVICE_PREFIX"],
    )


def serve_command(args: argparse.Namespace) -> int:
    from tornado.httpserver import HTTPServer

    from .api import MULTIPART_SLACK
    from .service import Catalogue
    from .web import make_app

    ip, port, base_url = args.ip, args.port, args.base_url
    if args.hub:
        ip, port, base_url = hub_service_address()
    catalogue = Catalogue.open(args.data, db_url=args.db_url, files_url=args.files_url)

    async def run() -> None:
        app = make_app(
            catalogue,
            base_url=base_url,
            hub_auth=args.hub,
            data_dir=args.data,
            max_upload_mb=args.max_upload_mb,
            apps_url=args.apps_url,
        )
        server = HTTPServer(
            app, xheaders=True, max_body_size=app.settings["max_upload_bytes"] + MULTIPART_SLACK
        )
        try:
            server.listen(port, ip)
        except OSError as exc:
            raise ImaginecoleError(
                "Cannot listen on {ip}:{port}: {error}. Choose another --port.",
                ip=ip,
                port=port,
                error=exc.strerror or exc,
            ) from exc
        # the facet values every search counts: read once now, not by the first visitor
        catalogue.warm_search()
        # what start-up made lives as long as the server: keep it out of the garbage
        # collector's full passes (they would stall searches that allocate many rows)
        gc.collect()
        gc.freeze()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        shown = "localhost" if ip in ("0.0.0.0", "::") else ip
        print(
            _("The catalogue is ready at {url}").format(url=f"http://{shown}:{port}{base_url}"),
            flush=True,
        )
        await stop.wait()
        server.stop()
        await server.close_all_connections()

    try:
        asyncio.run(run())
    finally:
        catalogue.close()
    return 0


def token_command(args: argparse.Namespace) -> int:
    from .service import Catalogue

    with Catalogue.open(args.data, db_url=args.db_url) as catalogue:
        token, principal = catalogue.create_token(args.role, name=args.name)
    print(
        _("New {role} token for the account « {name} » (shown once; keep it secret):").format(
            role=args.role, name=principal.name
        ),
        file=sys.stderr,
    )
    print(token)
    return 0


# --- HTTP client -------------------------------------------------------------------------------


class _Given(Message):
    """A message the server already gave in several languages."""

    def __init__(self, texts: dict[str, str]) -> None:
        super().__init__("")
        self.texts = texts

    def render(self, language: str) -> str:
        return self.texts.get(language) or self.texts.get("en") or ""


class Client:
    def __init__(self, url: str | None, token: str | None) -> None:
        if not url:
            raise ImaginecoleError(
                "Give the catalogue's address with --url (or IMAGINECOLE_CATALOGUE_URL)."
            )
        if not token:
            raise ImaginecoleError(
                "Give your API token with --token (or IMAGINECOLE_CATALOGUE_TOKEN); "
                "an administrator makes one with « imaginecole catalogue token »."
            )
        self.url = url.rstrip("/") + "/"
        self.token = token

    def response(self, method: str, path: str, **kwargs: Any):
        """The catalogue's answer to `method` `path` (a requests Response); a refusal or an
        unreachable catalogue raises its message."""
        import requests

        headers = {"Authorization": f"token {self.token}", "Accept": "application/json"}
        headers.update(kwargs.pop("headers", {}))
        try:
            response = requests.request(
                method, self.url + path, headers=headers, timeout=600, **kwargs
            )
        except requests.ConnectionError as exc:
            raise ImaginecoleError(
                "Cannot reach the catalogue at {url}: is it running, and is the address right? "
                "({error})",
                url=self.url,
                error=type(exc).__name__,
            ) from exc
        if response.status_code >= 400:
            raise self.error(response)
        return response

    def request(self, method: str, path: str, **kwargs: Any):
        """The JSON the catalogue answers to `method` `path` (None when empty)."""
        response = self.response(method, path, **kwargs)
        return response.json() if response.content else None

    def error(self, response) -> ImaginecoleError:
        try:
            body = response.json()
            texts = body.get("messages") or {"en": body.get("message", "")}
        except ValueError:
            texts = {"en": response.text[:300]}
        given = _Given(texts)
        status = response.status_code
        if status == 401:
            return ImaginecoleError(
                "The catalogue refused the token (401): {reason} Check --token, or ask for "
                "a new one.",
                reason=given,
            )
        if status == 403:
            return ImaginecoleError("Not allowed (403): {reason}", reason=given)
        if status == 404:
            return ImaginecoleError(
                "Not found (404) at {url}: {reason} Check --url and the identifier.",
                url=response.url,
                reason=given,
            )
        if status == 413:
            return ImaginecoleError("Too large (413): {reason}", reason=given)
        return ImaginecoleError(
            "The catalogue answered {status}: {reason}", status=status, reason=given
        )


def _is_sequence(bundle: Path) -> bool:
    from .publishing import _is_sequence as is_sequence

    return is_sequence(bundle)


def zip_bundle(bundle: Path, out: Path) -> Path:
    """The bundle folder as a deterministic zip (hidden files and folders left out)."""
    from ..exports.archive import write_zip

    if not (bundle / "manifest.json").is_file():
        raise ImaginecoleError(
            "{path} is not a bundle folder: it has no manifest.json.", path=bundle
        )
    if _is_sequence(bundle):  # a module or parcours: every part goes with it
        from ..sequence.pack import pack_sequence

        return pack_sequence(bundle, out)
    entries = []
    for path in sorted(bundle.rglob("*")):
        relative = path.relative_to(bundle)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        entries.append((relative.as_posix(), path.read_bytes()))
    return write_zip(out, entries)


def publish_command(args: argparse.Namespace) -> int:
    client = Client(args.url, args.token)
    bundle: Path = args.bundle
    if not bundle.exists():
        raise ImaginecoleError("{path} does not exist.", path=bundle)
    with tempfile.TemporaryDirectory(prefix="imaginecole-publish-") as work:
        archive = bundle if bundle.is_file() else zip_bundle(bundle, Path(work) / "bundle.zip")
        info = client.request("GET", "api/")
        size, limit = archive.stat().st_size, int(info.get("max_upload_bytes") or 0)
        if limit and size > limit:
            raise ImaginecoleError(
                "The bundle is {size} MB, more than this catalogue accepts ({max} MB). "
                "Make the media lighter, then publish again.",
                size=round(size / 1_048_576, 1),
                max=limit // 1_048_576,
            )
        params = {"note": args.note}
        if args.event:
            params["event"] = args.event
        with archive.open("rb") as fh:
            resource = client.request(
                "POST",
                "api/resources",
                data=fh,
                params=params,
                headers={"Content-Type": "application/zip"},
            )
    state = resource["state"]
    print(
        _("Published « {title} », version {n}: {state}.").format(
            title=resource["title"], n=resource["latest"]["number"], state=state
        )
    )
    print(resource["page"])
    return 0


def review_list_command(args: argparse.Namespace) -> int:
    client = Client(args.url, args.token)
    items = client.request("GET", "api/review")
    if not items:
        print(_("Nothing waits for review."))
        return 0
    for item in items:
        print(
            f"{item['uid']}\t{item['state']}\tv{item['latest']['number']}\t"
            f"{item.get('owner', '')}\t{item['title']}"
        )
    return 0


def review_action_command(args: argparse.Namespace) -> int:
    client = Client(args.url, args.token)
    resource = client.request(
        "POST",
        f"api/resources/{args.uid}/review",
        json={"action": args.action, "comment": args.comment},
    )
    print(
        _("« {title} », version {n}: {state}.").format(
            title=resource["title"], n=resource["latest"]["number"], state=resource["state"]
        )
    )
    print(resource["page"])
    return 0
