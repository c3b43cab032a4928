"""`imaginecole up --https on`: the real proxy serves the workshop certificate on 127.0.0.1.

Every request verifies the certificate against the workshop CA (never verify=False): what a
participant's device does once it trusts the CA from the certificate page.
"""

import time

import pytest
import requests
from cryptography import x509

from imaginecole.hub.tls import fingerprint

pytestmark = pytest.mark.integration

HUB_ARGS = ["--https", "on"]
PASSWORD = "baobab-sous-le-soleil"


def ca_of(hub):
    return hub.data / "tls" / "workshop-ca.pem"


def https(hub) -> str:
    return f"https://127.0.0.1:{hub.port}"


def wait_server(hub, name: str, deadline: float = 180) -> None:
    """As Hub.wait_server, on the hub's own API port (plain HTTP on 127.0.0.1)."""
    url = f"http://127.0.0.1:{hub.port + 2}/hub/api/users/{name}"
    headers = {"Authorization": f"token {hub.api_token()}"}
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if (
            requests.get(url, headers=headers, timeout=30)
            .json()["servers"]
            .get("", {})
            .get("ready")
        ):
            return
        time.sleep(0.3)
    raise TimeoutError(f"server of {name} not ready:\n{hub.log.read_text()[-4000:]}")


def test_up_prints_the_https_address_the_ca_page_and_its_fingerprint(hub):
    log = hub.log.read_text(encoding="utf-8")
    assert f"https://127.0.0.1:{hub.port}/" in log
    assert f"https://127.0.0.1:{hub.port}/hub/imaginecole/ca" in log
    assert fingerprint(ca_of(hub)) in log


def test_the_login_page_answers_over_https_with_the_workshop_certificate(hub):
    page = requests.get(f"{https(hub)}/hub/login", timeout=30, verify=str(ca_of(hub)))
    assert page.status_code == 200
    page.encoding = "utf-8"
    assert 'lang="fr"' in page.text and "Mot de passe" in page.text
    assert 'href="/hub/imaginecole/ca"' in page.text
    assert "Connexion sécurisée : installer le certificat de l&#39;atelier" in page.text


def test_the_certificate_is_not_trusted_without_the_workshop_ca(hub):
    # real TLS: a client that does not trust the CA refuses the hub
    try:
        requests.get(f"{https(hub)}/hub/login", timeout=30)
    except requests.exceptions.SSLError:
        pass
    else:
        raise AssertionError("the hub's certificate should need the workshop CA")
    # and the port speaks TLS only
    try:
        plain = requests.get(f"http://127.0.0.1:{hub.port}/hub/login", timeout=30)
    except requests.RequestException:
        plain = None
    assert plain is None or plain.status_code != 200


def test_the_ca_page_serves_the_certificate_and_its_fingerprint(hub):
    ca = str(ca_of(hub))
    page = requests.get(f"{https(hub)}/hub/imaginecole/ca", timeout=30, verify=ca)
    assert page.status_code == 200
    page.encoding = "utf-8"
    assert "<h1>Le certificat de l&#39;atelier</h1>" in page.text
    assert fingerprint(ca_of(hub)) in page.text
    for system in ("Android", "iPhone et iPad", "Windows", "ChromeOS", "Firefox"):
        assert f"<h3>{system}" in page.text
    pem = requests.get(
        f"{https(hub)}/hub/imaginecole/ca/imaginecole-workshop-ca.pem", timeout=30, verify=ca
    )
    assert pem.status_code == 200 and pem.content == ca_of(hub).read_bytes()
    der = requests.get(
        f"{https(hub)}/hub/imaginecole/ca/imaginecole-workshop-ca.crt", timeout=30, verify=ca
    )
    assert der.headers["Content-Type"] == "application/x-x509-ca-cert"
    assert x509.load_der_x509_certificate(der.content) == x509.load_pem_x509_certificate(
        pem.content
    )


def test_a_teacher_works_over_https(hub):
    ca = str(ca_of(hub))
    session = requests.Session()
    # per request: a session's `verify` loses to REQUESTS_CA_BUNDLE (requests#3829)
    session.get(f"{https(hub)}/hub/login", timeout=30, verify=ca)
    response = session.post(
        f"{https(hub)}/hub/login",
        data={"username": "moussa.ba", "password": PASSWORD, "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=60,
        verify=ca,
    )
    assert response.status_code == 302
    # the login cookies are only ever sent over https
    cookies = {c.name: c for c in session.cookies}
    assert cookies["jupyterhub-hub-login"].secure
    assert cookies["jupyterhub-session-id"].secure
    next_page = requests.compat.urljoin(https(hub), response.headers["Location"])
    session.get(next_page, timeout=60, verify=ca)
    wait_server(hub, "moussa.ba")
    # the OAuth round trip between hub and server stays on https
    landing = session.get(f"{https(hub)}/user/moussa.ba/", timeout=120, verify=ca)
    assert landing.status_code == 200
    assert landing.url.startswith(https(hub))
    assert landing.url.endswith("/user/moussa.ba/voila/render/Lanceur.ipynb")
    assert "application/vnd.jupyter.widget-view+json" in landing.text
    # and so does the shared catalogue service
    catalogue = session.get(f"{https(hub)}/services/catalogue/api/", timeout=60, verify=ca)
    assert catalogue.status_code == 200
