"""One teacher's way in, as a browser does it: log in, wait for the server, load the landing page.

Every step is bounded by the journey's deadline. The only waits that are not
polls are the ones the hub asks for: after a 429 ("too many users are logging
in") the teacher waits the Retry-After the hub sends, as its error page tells
them to.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests

CONNECT_TIMEOUT = 10.0
# Voilà sends the page while the notebook runs; no byte for this long means it hangs
READ_TIMEOUT = 90.0
# Voilà writes this every 10 s while a page waits for its kernel; a page that gets only
# these for READ_TIMEOUT seconds will never finish (its kernel died, see the report)
HEARTBEAT = b"<script>window.voila_heartbeat()</script>"
# what Voilà writes in place of a cell that raised or timed out
PAGE_ERRORS = (b"There was an error when executing cell", b"Cell execution timed out")


# set to end every journey under way at its next step (Ctrl-C, error elsewhere)
CANCEL = threading.Event()


class JourneyError(Exception):
    """A step of the journey failed; the message names the step."""


@dataclass
class Journey:
    user: str
    started: float = 0.0  # time.monotonic() when the teacher opened the login page
    logged_in: float | None = None  # seconds from `started`
    server_ready: float | None = None
    landed: float | None = None
    landing_path: str = ""
    landing_bytes: int = 0
    throttled: int = 0  # 429 answers from /hub/spawn
    retry_wait: float = 0.0  # seconds spent waiting as told by Retry-After
    step: str = ""  # the step under way, named in `error` when it fails
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.landed is not None

    def to_json(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def _left(end: float) -> float:
    left = end - time.monotonic()
    if CANCEL.is_set():
        raise JourneyError("cancelled")
    if left <= 0:
        raise JourneyError("deadline reached")
    return left


def _timeout(end: float, read: float = 30.0) -> tuple[float, float]:
    left = _left(end)
    return (min(CONNECT_TIMEOUT, left), min(read, left))


def _wait_progress(session: requests.Session, base: str, user: str, end: float) -> None:
    """Follow the spawn progress stream, as the spawn-pending page does, until ready."""
    url = f"{base}/hub/api/users/{user}/server/progress"
    while True:
        headers = {"Accept": "text/event-stream"}
        with session.get(url, stream=True, headers=headers, timeout=_timeout(end, 60)) as resp:
            if resp.status_code != 200:
                raise JourneyError(f"progress: HTTP {resp.status_code}")
            for line in resp.iter_lines():
                if not line.startswith(b"data:"):
                    _left(end)
                    continue
                event = json.loads(line[5:])
                if event.get("ready"):
                    return
                if event.get("failed"):
                    raise JourneyError(f"spawn failed: {event.get('message', '')[:200]}")
                _left(end)
        # the stream closed without a verdict (hub restarting a spawn): ask again
        _left(end)


def _enter_server(session: requests.Session, base: str, user: str, journey: Journey, end: float):
    """From the login redirect to the moment the hub says the server is ready."""
    location = f"{base}/hub/spawn"
    for _hop in range(20):
        path = urlparse(location).path
        if path.startswith(f"/user/{user}/"):
            return
        if path.startswith(f"/hub/spawn-pending/{user}"):
            _wait_progress(session, base, user, end)
            return
        resp = session.get(location, allow_redirects=False, timeout=_timeout(end))
        if resp.status_code == 429:
            journey.throttled += 1
            wait = min(float(resp.headers.get("Retry-After", "30")), _left(end))
            journey.retry_wait += wait
            CANCEL.wait(wait)
            continue
        if resp.status_code in (301, 302, 303, 307, 308):
            location = urljoin(location, resp.headers["Location"])
            continue
        raise JourneyError(f"{path}: HTTP {resp.status_code}")
    raise JourneyError("too many redirects on the way to the server")


def landing_marker(landing: str) -> bytes:
    """A string the fully rendered landing page must contain."""
    if landing.startswith("/voila/"):
        return b"application/vnd.jupyter.widget-view+json"  # the launcher is a widget
    return b"jupyter-config-data"  # JupyterLab's page config


def _load_landing(
    session: requests.Session, url: str, expect_path: str, marker: bytes, end: float
) -> bytes:
    """GET the landing page, follow the OAuth redirects, read and check the whole body."""
    body = bytearray()
    with session.get(url, stream=True, timeout=_timeout(end, READ_TIMEOUT)) as resp:
        progress = time.monotonic()
        for chunk in resp.iter_content(chunk_size=65536):
            body += chunk
            if chunk.replace(HEARTBEAT, b"").strip():
                progress = time.monotonic()
            elif time.monotonic() - progress > READ_TIMEOUT:
                raise JourneyError(
                    f"landing {expect_path}: only Voilà heartbeats for {READ_TIMEOUT:.0f} s"
                )
            _left(end)
        final = urlparse(resp.url).path
        if resp.status_code != 200:
            raise JourneyError(f"landing {final}: HTTP {resp.status_code}")
        if final != expect_path:
            raise JourneyError(f"landing: ended on {final}, expected {expect_path}")
    if not bytes(body).rstrip().endswith(b"</html>"):
        raise JourneyError(f"landing {expect_path}: page cut short ({len(body)} bytes)")
    for error in PAGE_ERRORS:
        if error in body:
            raise JourneyError(f"landing {expect_path}: « {error.decode()} »")
    if marker not in body:
        raise JourneyError(f"landing {expect_path}: no « {marker.decode()} » in the page")
    return bytes(body)


def run_journey(
    base: str,
    user: str,
    password: str,
    landing: str,
    *,
    direct: bool = False,
    budget: float = 300.0,
    barrier: threading.Barrier | None = None,
    save_to: Path | None = None,
) -> Journey:
    """Log `user` in and load their landing page (`landing` is relative to /user/NAME).

    `direct=False` opens /user/NAME/ and lets the server redirect to its default
    URL, as a browser does after the spawn; `direct=True` asks for the landing
    page itself (used when the default one is known to be broken).
    `save_to` keeps the landing page's HTML, to check by eye what was measured.
    """
    journey = Journey(user=user)
    session = requests.Session()
    session.headers["User-Agent"] = "imaginecole-hub-storm/1"
    if barrier is not None:
        barrier.wait(timeout=60)
    journey.started = time.monotonic()
    end = journey.started + budget
    expect = f"/user/{user}{landing}"
    try:
        journey.step = "login"
        session.get(f"{base}/hub/login", timeout=_timeout(end))
        xsrf = session.cookies.get("_xsrf", path="/hub/") or ""
        form = {"username": user, "password": password, "_xsrf": xsrf}
        resp = session.post(
            f"{base}/hub/login", data=form, allow_redirects=False, timeout=_timeout(end)
        )
        if resp.status_code != 302:
            raise JourneyError(f"login: HTTP {resp.status_code} (wrong password?)")
        journey.logged_in = time.monotonic() - journey.started
        journey.step = "spawn"
        _enter_server(session, base, user, journey, end)
        journey.server_ready = time.monotonic() - journey.started
        journey.step = "landing page"
        url = f"{base}{expect}" if direct else f"{base}/user/{user}/"
        body = _load_landing(session, url, expect, landing_marker(landing), end)
        journey.landing_bytes = len(body)
        if save_to is not None:
            save_to.write_bytes(body)
        journey.landing_path = expect
        journey.landed = time.monotonic() - journey.started
        journey.step = "done"
    except (JourneyError, requests.RequestException, ValueError) as exc:
        journey.error = f"{journey.step}: {type(exc).__name__}: {exc}"[:300]
    finally:
        session.close()
    return journey


def storm(
    base: str,
    users: list[str],
    password: str,
    landing: str,
    *,
    direct: bool = False,
    budget: float = 300.0,
) -> tuple[list[Journey], float]:
    """All `users` start their journey at the same instant; return journeys and wall time."""
    barrier = threading.Barrier(len(users))
    pool = ThreadPoolExecutor(max_workers=len(users), thread_name_prefix="teacher")
    started = time.monotonic()
    try:
        futures = [
            pool.submit(
                run_journey,
                base,
                u,
                password,
                landing,
                direct=direct,
                budget=budget,
                barrier=barrier,
            )
            for u in users
        ]
        journeys = [f.result(timeout=budget + 120) for f in futures]
    except BaseException:
        CANCEL.set()
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return journeys, time.monotonic() - started
