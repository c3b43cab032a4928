"""The apps service on its own (`--anonymous`, no hub): idle kernels are culled."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from imaginecole.catalogue.service import Catalogue

from ..unit.apps.test_sync import app_bundle
from ..unit.catalogue.webserver import Served

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CONFIG = re.compile(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', re.S)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def service(tmp_path):
    """A catalogue with the sample app published, and a cold apps service culling at 3 s."""
    catalogue = Catalogue.open(tmp_path / "data")
    _token, editor = catalogue.create_token("editor", name="editrice")
    uid = catalogue.publish(
        editor, app_bundle(tmp_path / "app", "Les fractions"), formats=[], state="published"
    ).uid
    served = Served(catalogue).start()
    port = free_port()
    log = tmp_path / "apps.log"
    env = {**os.environ, "JUPYTER_PATH": str(REPO / "templates")}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    cmd = [sys.executable, "-m", "imaginecole.apps.service", "--anonymous"]
    cmd += ["--apps-dir", str(tmp_path / "apps"), "--catalogue-url", served.url]
    cmd += ["--port", str(port), "--pool-size", "0", "--idle-kernel", "3"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            requests.get(url, timeout=2, allow_redirects=False)
            break
        except requests.RequestException:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    yield url, uid, log
    proc.terminate()
    proc.wait(timeout=60)
    served.stop()
    catalogue.close()


def test_an_idle_kernel_is_culled(service):
    url, uid, log = service
    page = requests.get(f"{url}voila/render/{uid}.ipynb", timeout=120)
    assert page.status_code == 200
    # the notebook ran: its widgets are in the page, and no error message
    assert "application/vnd.jupyter.widget-view+json" in page.text
    assert 'data-reason="error"' not in page.text and 'data-reason="timeout"' not in page.text
    kernel = json.loads(CONFIG.search(page.text).group(1))["kernelId"]
    assert requests.get(f"{url}api/kernels/{kernel}", timeout=30).status_code == 200
    deadline = time.monotonic() + 90  # culled after 3 s idle, checked every 10 s
    while requests.get(f"{url}api/kernels/{kernel}", timeout=30).status_code != 404:
        assert time.monotonic() < deadline, f"kernel never culled:\n{log.read_text()[-3000:]}"
        time.sleep(1)
    assert "Culling kernel" in log.read_text()
    # the folder's own page sends people to the catalogue, it lists nothing itself
    root = requests.get(url, timeout=30, allow_redirects=False)
    assert root.status_code in (301, 302) and root.headers["Location"] == "/services/catalogue/"


def test_an_app_page_loads_only_what_it_needs_and_browsers_keep_it(service):
    """A learner's second app starts from the browser's cache: Voilà's front end comes from a
    URL naming its version, kept a year, compressed; the page skips JupyterLab-only parts."""
    url, uid, _log = service
    page = requests.get(f"{url}voila/render/{uid}.ipynb", timeout=120)
    assert page.status_code == 200
    config = json.loads(CONFIG.search(page.text).group(1))
    requests.post(
        f"{url}voila/api/shutdown/{config['kernelId']}",
        headers={"X-XSRFToken": "0123456789abcdef"},
        cookies={"_xsrf": "0123456789abcdef"},
        timeout=30,
    ).raise_for_status()
    extensions = {e["name"]: e for e in config["federated_extensions"]}
    # the widgets need these; JupyterLab's Pygments theme and « Voilà preview » button not
    assert "@jupyter-widgets/jupyterlab-manager" in extensions
    assert "@voila-dashboards/widgets-manager8" in extensions
    assert "jupyterlab_pygments" not in extensions
    assert "@voila-dashboards/jupyterlab-preview" not in extensions
    # Voilà's own JavaScript: under a versioned URL, kept for a year, gzipped
    static = config["fullStaticUrl"]
    assert re.fullmatch(r"/voila/static/v[0-9a-f]{12}", static)
    assert f'src="{static}/voila.js"' in page.text
    main = requests.get(f"{url}{static.lstrip('/')}/voila.js", timeout=30)
    assert main.status_code == 200
    assert "immutable" in main.headers["Cache-Control"]
    assert "max-age=31536000" in main.headers["Cache-Control"]
    assert main.headers.get("Content-Encoding") == "gzip"
    # a lab extension's files named by their hash are kept; its other files are not
    manager = extensions["@jupyter-widgets/jupyterlab-manager"]
    base = f"{url}voila/labextensions/@jupyter-widgets/jupyterlab-manager/"
    entry = requests.get(base + manager["load"], timeout=30)
    assert entry.status_code == 200 and "immutable" in entry.headers["Cache-Control"]
    package = requests.get(base + "package.json", timeout=30)
    assert package.status_code == 200 and package.headers["Cache-Control"] == "no-cache"


def test_the_page_stops_its_kernel_without_the_hub(service):
    """Without the hub's sign-in the page still gets its `_xsrf` cookie, so its own shutdown
    (tab closed, failed app) stops the kernel at once instead of after the culling delay."""
    url, uid, _log = service
    browser = requests.Session()  # keeps cookies, as a browser does
    page = browser.get(f"{url}voila/render/{uid}.ipynb", timeout=120)
    assert page.status_code == 200
    kernel = json.loads(CONFIG.search(page.text).group(1))["kernelId"]
    token = browser.cookies.get("_xsrf")
    assert token, f"the app page set no _xsrf cookie: {page.headers}"
    shutdown = f"{url}voila/api/shutdown/{kernel}"
    # a token that is not the cookie's (another site cannot read the cookie) is still refused
    assert browser.post(shutdown, files={"_xsrf": (None, "forged")}, timeout=30).status_code == 403
    assert browser.get(f"{url}api/kernels/{kernel}", timeout=30).status_code == 200
    # what the page sends (Voilà's beforeunload and the template's failed app): a form with the
    # cookie's token; the same token as X-XSRFToken header (the template's fetch) is accepted too
    done = browser.post(shutdown, files={"_xsrf": (None, token)}, timeout=60)
    assert 200 <= done.status_code < 300, done.text
    assert browser.get(f"{url}api/kernels/{kernel}", timeout=30).status_code == 404
    again = browser.get(f"{url}voila/render/{uid}.ipynb", timeout=120)
    second = json.loads(CONFIG.search(again.text).group(1))["kernelId"]
    done = browser.post(
        f"{url}voila/api/shutdown/{second}", headers={"X-XSRFToken": token}, timeout=60
    )
    assert 200 <= done.status_code < 300, done.text
    assert browser.get(f"{url}api/kernels/{second}", timeout=30).status_code == 404
