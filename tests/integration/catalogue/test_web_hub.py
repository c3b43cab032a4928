"""The catalogue as a JupyterHub service (`catalogue serve --hub`) behind a real hub and proxy.

A plain JupyterHub (dummy authenticator) runs the service the way `imaginecole up` registers
it: hub OAuth for the pages, hub tokens for the API, `custom:catalogue:*` scopes from roles.
"""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from imaginecole.ports import free_loopback_port

from ...unit.catalogue.webserver import make_bundle, zip_bundle

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
SCOPES = ["custom:catalogue:read", "custom:catalogue:write", "custom:catalogue:review"]

CONFIG = """
import sys
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {folder!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {folder!r} + "/hub.sqlite"
c.JupyterHub.cookie_secret_file = {folder!r} + "/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.custom_scopes = {{
    "custom:catalogue:read": {{"description": "Read the catalogue"}},
    "custom:catalogue:write": {{"description": "Publish to the catalogue"}},
    "custom:catalogue:review": {{"description": "Review catalogue submissions"}},
}}
c.JupyterHub.services = [
    {{
        "name": "catalogue",
        "url": "http://127.0.0.1:{service_port}",
        "command": [sys.executable, "-m", "imaginecole", "catalogue", "serve", "--hub",
                    "--data", {folder!r} + "/catalogue"],
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": {scopes!r},
    }},
    {{"name": "tester", "api_token": {admin_token!r}}},
]
c.JupyterHub.load_roles = [
    {{"name": "user", "scopes": ["self", "access:services!service=catalogue",
                                "custom:catalogue:read", "custom:catalogue:write"]}},
    {{"name": "trainer", "users": ["mariam"], "scopes": ["custom:catalogue:review"]}},
    {{"name": "tester", "services": ["tester"], "scopes": ["admin:users", "tokens"]}},
]
"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    port = free_loopback_port(size=5)
    admin_token = secrets.token_hex(16)
    (folder / "jupyterhub_config.py").write_text(
        CONFIG.format(
            port=port,
            proxy_api=port + 1,
            hub_port=port + 2,
            service_port=port + 3,
            proxy=str(REPO / "node_modules" / ".bin" / "configurable-http-proxy"),
            folder=str(folder),
            scopes=SCOPES,
            admin_token=admin_token,
        )
    )
    log = (folder / "hub.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(folder / "jupyterhub_config.py")],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (folder / "hub.log").read_text()[-3000:]
            try:
                if requests.get(url + "/services/catalogue/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (folder / "hub.log").read_text()[-3000:]
            time.sleep(0.2)
        api = {"Authorization": f"token {admin_token}"}
        tokens = {}
        for name in ("awa", "mariam"):
            made = requests.post(f"{url}/hub/api/users/{name}", headers=api)
            assert made.status_code in (201, 409), made.text  # 409: a role made her already
            made = requests.post(f"{url}/hub/api/users/{name}/tokens", headers=api, json={})
            made.raise_for_status()
            tokens[name] = made.json()["token"]
        yield url, tokens, f"http://127.0.0.1:{port + 3}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        log.close()


def hub_login(url: str, name: str) -> requests.Session:
    session = requests.Session()
    form = session.get(url + "/hub/login").text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
    done = session.post(
        url + "/hub/login",
        data={"username": name, "password": "x", "_xsrf": xsrf},
        allow_redirects=False,  # to her (unspawnable) server: only the hub cookie matters
    )
    assert done.status_code == 302
    return session


def test_hub_tokens_give_permissions_from_scopes(hub):
    url, tokens, _service = hub
    base = url + "/services/catalogue/"
    me = requests.get(base + "api/me", headers={"Authorization": f"token {tokens['awa']}"})
    assert me.json() == {"name": "awa", "permissions": ["read", "write"]}
    trainer = requests.get(base + "api/me", headers={"Authorization": f"Bearer {tokens['mariam']}"})
    assert trainer.json()["permissions"] == ["edit", "read", "review", "write"]
    bad = requests.get(base + "api/me", headers={"Authorization": "token nope"})
    assert bad.status_code == 401


def test_publish_with_a_hub_token_and_review_in_the_pages(hub, tmp_path):
    url, tokens, service = hub
    base = url + "/services/catalogue/"
    archive = zip_bundle(make_bundle(tmp_path / "b", title="Grain du hub"), tmp_path / "b.zip")
    created = requests.post(
        base + "api/resources",
        data=archive.read_bytes(),
        headers={"Authorization": f"token {tokens['awa']}", "Content-Type": "application/zip"},
    )
    assert created.status_code == 201, created.text
    uid = created.json()["uid"]
    # links the teacher's browser opens: the hub knows no public URL here, so they are
    # relative to the hub's root, never the address the request came to
    assert created.json()["page"] == f"/services/catalogue/r/{uid}"
    assert created.headers["Location"] == f"/services/catalogue/api/resources/{uid}"
    # a kernel calls the service at its hub-internal address: same links
    inside = requests.get(
        f"{service}/services/catalogue/api/resources/{uid}",
        headers={"Authorization": f"token {tokens['awa']}"},
    )
    assert inside.status_code == 200, inside.text
    assert inside.json()["page"] == f"/services/catalogue/r/{uid}"
    assert inside.json()["latest"]["files"][0]["url"].startswith(
        f"/services/catalogue/api/resources/{uid}/"
    )

    # the trainer signs in through hub OAuth, then decides in the review page
    session = hub_login(url, "mariam")
    landed = session.get(base + "connexion")
    assert landed.url.startswith(base) and "mariam" in landed.text
    queue = session.get(base + "relecture")
    assert queue.status_code == 200 and "Grain du hub" in queue.text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', queue.text).group(1)
    forged = session.post(base + f"r/{uid}/actions", data={"action": "approve"})
    assert forged.status_code in (401, 403)
    approved = session.post(
        base + f"r/{uid}/actions",
        data={"action": "approve", "_xsrf": xsrf, "next": f"/services/catalogue/r/{uid}"},
    )
    assert approved.status_code == 200 and approved.url.startswith(f"{base}r/{uid}")
    assert requests.get(base + f"api/resources/{uid}").json()["state"] == "published"


def test_hub_links_use_the_hubs_public_origin(monkeypatch):
    from imaginecole.catalogue.web import hub_public_origin

    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/services/catalogue/")
    assert hub_public_origin() == "https://hub.example.org"
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "")
    assert hub_public_origin() == ""
