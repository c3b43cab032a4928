"""The workshop certificate page and the links to it, rendered as JupyterHub renders them."""

from __future__ import annotations

import re
from types import SimpleNamespace

from .test_pages import hub_env, render  # noqa: F401 (fixture)

CA_VARS = {
    "ca_page_url": "/hub/imaginecole/ca",
    "ca_fingerprint": "AB:CD:EF",
    "ca_pem_url": "/hub/imaginecole/ca/imaginecole-workshop-ca.pem",
    "ca_der_url": "/hub/imaginecole/ca/imaginecole-workshop-ca.crt",
}
LINK = "Connexion sécurisée : installer le certificat de l&#39;atelier"


def test_the_ca_page_is_french_structured_and_offline(hub_env):  # noqa: F811
    out = render(hub_env, "imaginecole_ca.html", **CA_VARS)
    assert '<html lang="fr" dir="ltr">' in out
    assert re.search(r"<title>Le certificat de l&#39;atelier · ", out)
    headings = re.findall(r"<h([1-3])[^>]*>", out)
    assert headings[0] == "1" and headings.count("1") == 1 and "2" in headings
    assert ">AB:CD:EF</code>" in out and 'aria-describedby="ca-fingerprint-help"' in out
    assert 'href="/hub/imaginecole/ca/imaginecole-workshop-ca.crt"' in out
    assert "Certificat pour Android et Windows (.crt)" in out
    # the page works with no internet: nothing loaded from elsewhere
    assert not re.search(r'(src|href)="https?://', out)


def test_the_ca_page_in_english(hub_env):  # noqa: F811
    from .test_pages import make_workshop

    out = render(hub_env, "imaginecole_ca.html", make_workshop(language="en"), **CA_VARS)
    assert '<html lang="en"' in out and "<h1>The workshop certificate</h1>" in out


def test_login_and_home_link_to_the_ca_page_only_with_the_workshops_https(hub_env):  # noqa: F811
    user = SimpleNamespace(
        name="ana",
        json_escaped_name="ana",
        spawner=SimpleNamespace(options_form=None),
        all_spawners=lambda include_default=False: [],
    )
    for page, who in (("login.html", None), ("home.html", user)):
        linked = render(hub_env, page, user=who, ca_page_url="/hub/imaginecole/ca")
        assert f'<a id="ca-page-link" href="/hub/imaginecole/ca">{LINK}</a>' in linked
        assert "ca-page-link" not in render(hub_env, page, user=who)
