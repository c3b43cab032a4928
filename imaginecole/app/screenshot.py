"""The thumbnail of an app: its notebook drawn by Voilà, photographed by headless Chromium.

Voilà runs on 127.0.0.1 with the project's offline ``imaginecole`` template, in a scratch
folder holding only a copy of the notebook; Chromium may load nothing but that server. No
network is needed. Playwright runs in its own thread, so this works inside a kernel too
(whose asyncio loop would refuse Playwright's sync API).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ..i18n import ImaginecoleError
from ..ports import free_loopback_port
from ..subprocesses import stop
from .validate import MAX_THUMBNAIL_BYTES

VIEWPORT = {"width": 1280, "height": 800}
START_DEADLINE = 90  # seconds for Voilà to answer
RENDER_TIMEOUT_MS = 120_000  # for the kernel to run the notebook
WIDGETS_TIMEOUT_MS = 20_000  # for the widgets to be drawn once the cells have run
SETTLE_MS = 800  # layout, fonts and the widgets' own redraws
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def jupyter_path() -> str:
    """The folder holding ``voila/templates/imaginecole``: this checkout's templates/, or
    where ``pip install`` puts them."""
    from ..exports.base import installed_template_dirs

    for folder in installed_template_dirs("voila"):
        if (folder / "templates" / "imaginecole").is_dir():
            return str(folder.parent)
    raise ImaginecoleError(
        "the Voilà template « imaginecole » was not found (looked in {paths}); "
        "reinstall Imaginecole Studio",
        paths=", ".join(str(p) for p in installed_template_dirs("voila")),
    )


def _has_widgets(notebook: Path) -> bool:
    """Whether the notebook's code creates widgets (it imports ipywidgets or a library
    built on it): then the picture waits for them."""
    text = notebook.read_text("utf-8", errors="replace")
    return "widget" in text or WIDGET_MIME in text


def _wait_for_voila(process: subprocess.Popen, url: str, log: Path) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + START_DEADLINE
    while True:
        if process.poll() is not None:
            raise ImaginecoleError(
                "Voilà stopped before drawing the app: {log}",
                log=log.read_text("utf-8", errors="replace")[-2000:],
            )
        try:
            urllib.request.urlopen(url + "favicon.ico", timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ImaginecoleError(
                "Voilà did not answer within {seconds} s; try again when the hub is less busy",
                seconds=START_DEADLINE,
            )
        time.sleep(0.25)


def _photograph(url: str, widgets: bool, language: str) -> bytes:
    """The PNG of the page at `url` once Voilà has run the cells and drawn the widgets."""
    from ..exports.pdf import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    if not shutil.which(executable):
        raise ImaginecoleError(
            "Chromium was not found at {path}; it takes the app's picture. "
            "Install Debian's chromium (./studio install), or make the app without a picture",
            path=executable,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, locale=language)
            # only the local Voilà: no CDN, no network
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(url) else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(url, timeout=RENDER_TIMEOUT_MS)
            page.locator("#loading").wait_for(state="detached", timeout=RENDER_TIMEOUT_MS)
            if widgets:
                try:
                    page.locator(".jupyter-widgets").first.wait_for(timeout=WIDGETS_TIMEOUT_MS)
                except Exception:  # noqa: BLE001 - a notebook may mention widgets and draw none
                    pass
            page.evaluate("document.fonts.ready.then(() => true)")
            page.wait_for_timeout(SETTLE_MS)
            return page.screenshot(type="png")
        finally:
            browser.close()


def _in_thread(function, *args: Any) -> Any:
    """`function(*args)` run in a new thread (no asyncio loop there); its result or error."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            result["error"] = exc

    worker = threading.Thread(target=run, name="imaginecole-screenshot")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def fit_png(data: bytes, limit: int = MAX_THUMBNAIL_BYTES) -> bytes:
    """`data` (a PNG) made to weigh at most `limit` bytes: 256 colours, then smaller."""
    if len(data) <= limit:
        return data
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    while True:
        out = io.BytesIO()
        image.quantize(colors=256).save(out, format="PNG", optimize=True)
        if out.tell() <= limit or image.width <= 320:
            return out.getvalue()
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4))


def screenshot_notebook(notebook: Path | str, out: Path | str, *, language: str = "fr") -> Path:
    """Draw `notebook` with Voilà, photograph it at 1280x800 and write the PNG at `out`."""
    from ..hub.pages import voila_resources

    notebook, out = Path(notebook), Path(out)
    with tempfile.TemporaryDirectory(prefix="imaginecole-shot-") as scratch:
        home = Path(scratch)
        shutil.copyfile(notebook, home / "app.ipynb")
        (home / "voila.json").write_text(
            json.dumps({"VoilaConfiguration": {"resources": voila_resources(language)}}), "utf-8"
        )
        port = free_loopback_port()
        env = {
            **os.environ,
            "JUPYTER_PATH": jupyter_path(),
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
            "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
        }
        for name in ("JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_PREFIX"):
            env.pop(name, None)
        log = home / "voila.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "voila",
                    "app.ipynb",
                    "--no-browser",
                    f"--port={port}",
                    "--Voila.ip=127.0.0.1",
                    "--template=imaginecole",
                    "--VoilaConfiguration.show_tracebacks=True",
                ],
                cwd=home,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            url = f"http://127.0.0.1:{port}/"
            try:
                _wait_for_voila(process, url, log)
                png = _in_thread(_photograph, url, _has_widgets(notebook), language)
            finally:
                stop(process)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(fit_png(png))
    partial.replace(out)
    return out
