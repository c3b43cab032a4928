"""The catalogue in Chromium: search, resource page, preview played in its frame, download;
axe-core on the main pages in French and Arabic; nothing wider than a 360 px phone."""

from __future__ import annotations

import hashlib
import zipfile

import pytest
from playwright.sync_api import expect

from ..unit.catalogue.webserver import Site
from .conftest import axe_violations, block_outside

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = Site(tmp_path_factory.mktemp("browser-catalogue"))
    yield running
    running.close()


def local_only(context, site) -> list[str]:
    """Abort and record every request that leaves the catalogue (no CDN, no web font)."""
    return block_outside(context, (site.url, "data:", "blob:", "about:"))


def test_search_resource_preview_download(browser, site):
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    outside = local_only(context, site)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url)
    page.get_by_label("Rechercher dans le catalogue").fill("forme")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/recherche?q=forme")
    page.get_by_role("link", name="Les formes géométriques").click()
    page.wait_for_url(f"**/r/{site.published}")
    assert page.get_by_role("heading", level=1).inner_text() == "Les formes géométriques"

    page.locator("iframe.preview").scroll_into_view_if_needed()
    frame = page.frame_locator("iframe.preview")
    frame.get_by_role("radio", name="Un triangle").check()
    frame.get_by_role("button", name="Vérifier").first.click()
    expect(frame.get_by_text("Bravo, vous reconnaissez le triangle.")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Paquet H5P").click()
    download = info.value
    path = download.path()
    expected = next(f for f in site.catalogue.get(site.published).latest.files if f.format == "h5p")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected.sha256
    assert download.suggested_filename == expected.filename
    assert "h5p.json" in zipfile.ZipFile(path).namelist()
    context.close()
    assert outside == [] and errors == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("path", ["", "recherche?q=forme&country=SN", "resource"])
def test_pages_pass_axe_and_fit_a_phone(browser, site, path, lang):
    check_on_a_phone(browser, site, f"r/{site.published}" if path == "resource" else path, lang)


def check_on_a_phone(browser, site, target: str, lang: str, shows: str | None = None) -> None:
    """`target` at 360 px in `lang`: the right direction, no sideways scroll, no serious axe
    finding, nothing fetched outside the catalogue; `shows`: a selector that must be visible."""
    # axe-core is injected inline: the pages' own CSP would block it
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    outside = local_only(context, site)
    page = context.new_page()
    sep = "&" if "?" in target else "?"
    page.goto(f"{site.url}{target}{sep}lang={lang}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    if shows:
        expect(page.locator(shows).first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{target} ({lang}) scrolls sideways: {width}px"
    assert axe_violations(page) == []
    context.close()
    assert outside == []
