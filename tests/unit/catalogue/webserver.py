"""A real catalogue web server on 127.0.0.1 for tests, and bundles to publish to it.

The server runs in a thread with its own event loop, against a real Catalogue (SQLite in a
temporary folder, or PostgreSQL by URL); tests talk to it with `requests`, as a client would.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from imaginecole.ports import free_loopback_port

REPO = Path(__file__).resolve().parents[3]
GRAINS = REPO / "tests" / "fixtures" / "grains"


def make_bundle(folder: Path, *, uid: str | None = None, kind: str = "single_choice", **meta):
    """A publishable copy of a fixture grain: every metadata field publication needs."""
    shutil.copytree(GRAINS / kind, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["id"] = uid or str(uuid.uuid4())
    metadata = {
        "description": "Reconnaître un triangle parmi des formes.",
        "keywords": ["géométrie", "formes"],
        "country": "SN",
        "level": "ce1",
        "subject": "mathematiques",
        "authors": [{"name": "Awa Diop"}],
    }
    metadata.update(meta)
    manifest["metadata"].update(metadata)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def catalogue_cli(*args: str) -> str:
    """`imaginecole catalogue ARGS…` in a subprocess: its output (it must succeed)."""
    result = subprocess.run(
        [sys.executable, "-m", "imaginecole", "catalogue", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@contextmanager
def catalogue_process(data: Path, *options: str) -> Iterator[str]:
    """`imaginecole catalogue serve --data DATA OPTIONS…` on a free port, as a national
    server runs it; yields its address once its API answers, stops it after."""
    port = free_loopback_port()
    log_path = data.parent / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "imaginecole", "catalogue", "serve", "--data", str(data)]
            + ["--port", str(port), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        try:
            while True:
                assert proc.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the catalogue did not answer within 90 s"
                try:
                    if requests.get(url + "api/", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.1)
            yield url
        finally:
            from imaginecole.subprocesses import stop

            stop(proc, timeout=30)


def zip_bundle(folder: Path, out: Path) -> Path:
    from imaginecole.catalogue.cli_server import zip_bundle as make_zip

    return make_zip(folder, out)


class Served:
    """`make_app(catalogue, **options)` served on a free port until `stop()`."""

    def __init__(self, catalogue, **options) -> None:
        self.catalogue = catalogue
        self.options = options
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def start(self) -> Served:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the catalogue server did not start within 30 s")
        if self._error:
            raise self._error
        return self

    @property
    def url(self) -> str:
        base = self.options.get("base_url", "/")
        return f"http://127.0.0.1:{self.port}{base}"

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        from tornado.httpserver import HTTPServer
        from tornado.netutil import bind_sockets

        from imaginecole.catalogue.web import make_app

        try:
            app = make_app(self.catalogue, **self.options)
            server = HTTPServer(app, max_body_size=app.settings["max_upload_bytes"] + 65536)
            sockets = bind_sockets(0, "127.0.0.1")
            server.add_sockets(sockets)
            self.port = sockets[0].getsockname()[1]
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()
            return
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        server.stop()
        await server.close_all_connections()

    def stop(self) -> None:
        if self._thread.is_alive() and self._error is None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(30)

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def xsrf_of(session: requests.Session, page_url: str) -> str:
    """GET a page (which sets the _xsrf cookie) and return its form's _xsrf value."""
    html = session.get(page_url).text
    match = re.search(r'name="_xsrf" value="([^"]+)"', html)
    assert match, f"no _xsrf field in {page_url}"
    return match.group(1)


def login(base: str, token: str) -> requests.Session:
    """A browser-like session signed in through the login form."""
    session = requests.Session()
    xsrf = xsrf_of(session, base + "connexion")
    response = session.post(
        base + "connexion",
        data={"token": token, "_xsrf": xsrf, "next": base},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return session


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


class Site:
    """A catalogue with four accounts, one published grain and one waiting for review."""

    def __init__(self, folder: Path, db_url: str | None = None, **options) -> None:
        from imaginecole.catalogue.service import Catalogue

        self.folder = folder
        self.catalogue = Catalogue.open(folder / "data", db_url=db_url)
        self.tokens: dict[str, str] = {}
        self.principals = {}
        for name, role in (
            ("awa", "teacher"),
            ("kofi", "teacher"),
            ("mariam", "reviewer"),
            ("editrice", "editor"),
        ):
            token, principal = self.catalogue.create_token(role, name=name)
            self.tokens[name], self.principals[name] = token, principal
        awa = self.principals["awa"]
        self.published = self.catalogue.publish(
            awa, make_bundle(folder / "published", title="Les formes géométriques")
        ).uid
        self.catalogue.approve(self.principals["mariam"], self.published, "Très clair, merci.")
        self.pending = self.catalogue.publish(
            awa,
            make_bundle(folder / "pending", title="Les fractions", subject="francais"),
            note="Première version",
        ).uid
        self.served = Served(self.catalogue, **options).start()
        self.url = self.served.url

    def close(self) -> None:
        self.served.stop()
        self.catalogue.close()
