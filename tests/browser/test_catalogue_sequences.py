"""A module in the catalogue, in Chromium: its page lists its parts and plays them in the
preview (the mini-site's player framing each part), a part's page links back, no serious
accessibility problem in French and Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.sequence_fixtures import make_module

from ..unit.catalogue.test_sequences import publishable
from ..unit.catalogue.webserver import Site
from .conftest import axe_violations, block_outside

pytestmark = pytest.mark.browser


def test_module_page_lists_its_parts_and_plays_them(browser, tmp_path):
    site = Site(tmp_path / "site")
    try:
        home = tmp_path / "home"
        module = make_module(home, n_grains=2, kinds=("true_false",), extra=())
        publishable(home)
        editor = site.catalogue.create_token("editor", name="ed")[1]
        info = site.catalogue.publish(editor, module, formats=["site", "html"], state="published")
        parts = site.catalogue.parts(info.uid, 1, editor)

        context = browser.new_context(locale="fr-FR")  # the pages' own policies apply
        outside = block_outside(context, (site.url, "data:", "blob:", "about:"))
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site.url + f"r/{info.uid}")
        listed = page.locator("ol.parts > li")
        expect(listed).to_have_count(2)
        expect(listed.nth(0)).to_contain_text("Les fractions — exercice 1")
        expect(listed.nth(1)).to_contain_text("Les fractions — exercice 2")

        player = page.frame_locator("iframe.preview")
        player.get_by_text("Les fractions — exercice 1").first.click()
        part = player.frame_locator("iframe").first
        expect(part.get_by_text("Vrai ou faux", exact=False).first).to_be_visible()

        listed.nth(0).get_by_role("link").click()
        page.wait_for_url(f"**/r/{parts[0].uid}")
        expect(page.locator("p.part-of")).to_contain_text("Fait partie de :")
        page.locator("p.part-of a").click()
        page.wait_for_url(f"**/r/{info.uid}")

        context.close()
        assert outside == [] and errors == []

        checked = browser.new_context(bypass_csp=True)  # axe-core is an inline script
        page = checked.new_page()
        for lang in ("fr", "ar"):
            page.goto(site.url + f"r/{info.uid}?lang={lang}")
            assert axe_violations(page) == [], lang
        assert page.locator("html").get_attribute("dir") == "rtl"
        checked.close()
    finally:
        site.close()
