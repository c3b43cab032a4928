"""The apps service on its own (`--anonymous`, no hub): idle kernels are culled."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from imaginecole.catalogue.service import Catalogue
from imaginecole.ports import free_loopback_port

from ..unit.apps.test_sync import app_bundle
from ..unit.catalogue.webserver import Served

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CONFIG = re.compile(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', re.S)
# a module the apps' own front end does not know: it may bring widgets (JavaScript) of its own
OWN_WIDGETS = "import psygnal\nimport ipywidgets\n\nipywidgets.IntSlider(description='n')"
# an app that calls a service of the machine (here the catalogue) and says what happened
CALLS_OUT = """import errno, socket
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=5).close()
    print("joint")
except OSError as exc:
    print("injoignable", errno.errorcode.get(exc.errno, exc))
"""


@pytest.fixture
def service(tmp_path):
    """A catalogue with the sample app published, and a cold apps service culling at 3 s."""
    catalogue = Catalogue.open(tmp_path / "data")
    _token, editor = catalogue.create_token("editor", name="editrice")
    uid = catalogue.publish(
        editor, app_bundle(tmp_path / "app", "Les fractions"), formats=[], state="published"
    ).uid
    # another library: this one keeps Voilà's front end
    catalogue.publish(
        editor,
        app_bundle(tmp_path / "own", "Ses widgets", OWN_WIDGETS),
        formats=[],
        state="published",
    )
    served = Served(catalogue).start()
    code = CALLS_OUT.replace("PORT", str(urlsplit(served.url).port))
    calls_out = catalogue.publish(
        editor,
        app_bundle(tmp_path / "net", "Le réseau", code),
        formats=[],
        state="published",
    ).uid
    port = free_loopback_port()
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
    yield url, uid, log, calls_out
    proc.terminate()
    proc.wait(timeout=60)
    served.stop()
    catalogue.close()


def test_an_idle_kernel_is_culled(service):
    url, uid, log, _calls_out = service
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


def shut_down(url: str, kernel: str) -> None:
    requests.post(
        f"{url}voila/api/shutdown/{kernel}",
        headers={"X-XSRFToken": "0123456789abcdef"},
        cookies={"_xsrf": "0123456789abcdef"},
        timeout=30,
    ).raise_for_status()


def cached_and_gzipped(response: requests.Response) -> None:
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"


def test_an_app_page_loads_only_what_it_needs_and_browsers_keep_it(service):
    """A learner's second app starts from the browser's cache: the front end comes from a URL
    naming its version, kept a year, compressed. An app of ipywidgets alone gets the apps' own
    front end (one script); an app with widgets of its own gets Voilà's, without the
    JupyterLab-only parts."""
    url, uid, _log, calls_out = service
    page = requests.get(f"{url}voila/render/{uid}.ipynb", timeout=120)
    assert page.status_code == 200
    config = json.loads(CONFIG.search(page.text).group(1))
    shut_down(url, config["kernelId"])
    static = config["fullStaticUrl"]
    assert re.fullmatch(r"/voila/static/v[0-9a-f]{12}", static)
    # the apps' own front end: its script and CSS, none of Voilà's
    assert f'src="{static}/app.js"' in page.text and f'href="{static}/app.css"' in page.text
    assert "voila.js" not in page.text and "voila-style.js" not in page.text
    # the cells drawn by the server: the widget's place, the markdown as HTML
    assert 'type="application/vnd.jupyter.widget-view+json"' in page.text
    assert "<h1" in page.text and "Les fractions en images" in page.text
    cached_and_gzipped(requests.get(f"{url}{static.lstrip('/')}/app.js", timeout=30))
    css = requests.get(f"{url}{static.lstrip('/')}/app.css", timeout=30)
    cached_and_gzipped(css)
    # ipywidgets' icons: FontAwesome from the same place, never from a CDN
    fonts = re.findall(r'url\("?\./(fa-solid-900-[^")]+\.woff2)"?\)', css.text)
    assert fonts, "no FontAwesome font in app.css"
    assert requests.get(f"{url}{static.lstrip('/')}/{fonts[0]}", timeout=30).status_code == 200

    apps = service_apps(_log).glob("*.ipynb")
    own = next(p.stem for p in apps if p.stem not in (uid, calls_out))
    page = requests.get(f"{url}voila/render/{own}.ipynb", timeout=120)
    assert page.status_code == 200
    config = json.loads(CONFIG.search(page.text).group(1))
    shut_down(url, config["kernelId"])
    assert "app.js" not in page.text
    assert f'src="{static}/voila.js"' in page.text
    extensions = {e["name"]: e for e in config["federated_extensions"]}
    # the widgets need these; JupyterLab's Pygments theme and « Voilà preview » button not
    assert "@jupyter-widgets/jupyterlab-manager" in extensions and "anywidget" in extensions
    assert "jupyterlab_pygments" not in extensions
    assert "@voila-dashboards/jupyterlab-preview" not in extensions
    cached_and_gzipped(requests.get(f"{url}{static.lstrip('/')}/voila.js", timeout=30))
    # a lab extension's files named by their hash are kept; its other files are not
    manager = extensions["@jupyter-widgets/jupyterlab-manager"]
    base = f"{url}voila/labextensions/@jupyter-widgets/jupyterlab-manager/"
    entry = requests.get(base + manager["load"], timeout=30)
    assert entry.status_code == 200 and "immutable" in entry.headers["Cache-Control"]
    package = requests.get(base + "package.json", timeout=30)
    assert package.status_code == 200 and package.headers["Cache-Control"] == "no-cache"


def service_apps(log: Path) -> Path:
    """The service's apps folder (next to its log)."""
    return log.parent / "apps"


def test_the_page_stops_its_kernel_without_the_hub(service):
    """Without the hub's sign-in the page still gets its `_xsrf` cookie, so its own shutdown
    (tab closed, failed app) stops the kernel at once instead of after the culling delay."""
    url, uid, _log, _calls_out = service
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


def test_an_app_reaches_no_service_of_the_machine(service):
    """Its kernel has no network: the hub, the proxy, the catalogue and the database listen
    on 127.0.0.1, and an app cannot call them (the service runs as root in the tests, as
    `imaginecole up` runs it)."""
    url, _uid, log, calls_out = service
    assert os.geteuid() == 0, "the apps service keeps kernels off the network only as root"
    page = requests.get(f"{url}voila/render/{calls_out}.ipynb", timeout=120)
    assert page.status_code == 200
    assert "injoignable ENETUNREACH" in page.text, log.read_text()[-3000:]
    assert "joint" not in page.text.replace("injoignable", "")
