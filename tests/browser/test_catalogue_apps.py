"""The apps gallery in Chromium: gallery -> resource page -> the offline version, downloaded and
opened from disk with the network cut; axe-core and a 360 px phone in French, English, Arabic."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from ..unit.catalogue.test_web_apps import APPS_URL, AppSite
from .conftest import block_outside
from .test_catalogue import check_on_a_phone, local_only

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = AppSite(tmp_path_factory.mktemp("browser-apps"), apps_url=APPS_URL)
    yield running
    running.close()


def test_gallery_resource_page_and_offline_version(browser, site, tmp_path):
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    outside = local_only(context, site)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Applications"
    ).click()
    page.wait_for_url("**/applications")
    thumbnail = page.get_by_role("img", name="Les fractions en images (aperçu)")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320
    launch = page.get_by_role("link", name="Lancer « Les fractions en images »")
    assert launch.get_attribute("href") == f"/services/apps/voila/render/{site.app}.ipynb"

    page.get_by_role("link", name="Les fractions en images", exact=True).click()
    page.wait_for_url(f"**/r/{site.app}")
    expect(page.get_by_role("heading", name="Utiliser cette application")).to_be_visible()
    expect(page.get_by_role("img", name="Les fractions en images (aperçu)")).to_be_visible()
    expect(page.get_by_text("se recalculent quand on déplace le curseur")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Version hors ligne « Les fractions en images »").click()
    download = info.value
    expected = site.catalogue.get(site.app).latest.file("app-html")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename == expected.filename
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == expected.sha256
    context.close()
    assert outside == [] and errors == []

    # the offline version, opened from disk with no network at all
    offline = browser.new_context(locale="fr-FR")
    refused = block_outside(offline)
    page = offline.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(saved.as_uri())
    expect(page.get_by_role("heading", name="Les fractions en images").first).to_be_visible()
    expect(page.locator(".widget-slider").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("3/8 = 0,375").first).to_be_visible()
    offline.close()
    assert refused == [] and errors == []


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
@pytest.mark.parametrize("path", ["applications", "applications?country=SN&q=fraction", "app"])
def test_app_pages_pass_axe_and_fit_a_phone(browser, site, path, lang):
    target = f"r/{site.app}" if path == "app" else path
    check_on_a_phone(browser, site, target, lang, shows="img.app-thumbnail")
