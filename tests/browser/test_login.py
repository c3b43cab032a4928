"""A teacher logs in on the French login page and lands on the launcher."""

import re

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.browser


def test_login_in_french_lands_on_the_launcher(hub, page):
    page.goto(f"{hub.url}/hub/login")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Atelier d'essai Dakar" in page.title()
    assert axe_violations(page) == []

    page.get_by_label("Nom d'utilisateur").fill("moussa.ba")
    page.get_by_label("Mot de passe", exact=True).fill("baobab-sous-le-soleil")
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url(
        re.compile(r".*/user/moussa\.ba/voila/render/Lanceur\.ipynb.*"), timeout=180_000
    )
    # the launcher's widgets rendered in the page, in French, with a way to JupyterLab
    link = page.get_by_role("link", name=re.compile("JupyterLab"))
    link.wait_for(timeout=60_000)
    assert "/lab" in link.get_attribute("href")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert axe_violations(page) == []


def test_keyboard_alone_reaches_the_login_button(hub, page):
    page.goto(f"{hub.url}/hub/login")
    page.get_by_label("Nom d'utilisateur").focus()
    page.keyboard.type("fatou.sow")
    page.keyboard.press("Tab")
    page.keyboard.type("baobab-sous-le-soleil")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/user/fatou\.sow/.*|.*/hub/spawn-pending/.*"), timeout=180_000)
