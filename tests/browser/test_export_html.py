"""The exported page opens from disk with the network blocked, and plays."""

from pathlib import Path

import pytest
from imaginecole.exports import get_exporter
from imaginecole.exports.base import Bundle

from .conftest import axe_violations, block_outside

pytestmark = pytest.mark.browser
GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"


@pytest.mark.parametrize("kind", ["single_choice", "flashcards", "arabic"])
def test_exported_page_plays_offline_from_file(browser, tmp_path, kind):
    out = get_exporter("html")().export(Bundle.load(GRAINS / kind), tmp_path / f"{kind}.html")
    context = browser.new_context(offline=True)
    outside = block_outside(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.as_uri())
    page.wait_for_selector(".icp-question")
    if kind == "flashcards":
        assert page.get_by_role("button", name="Retourner la carte").count()
        page.get_by_role("button", name="Carte suivante").click()  # card 2 has an image
        images = page.locator("img:visible")
        assert images.count() and images.first.evaluate("i => i.complete && i.naturalWidth") > 0
    else:
        name = "تحقّق" if kind == "arabic" else "Vérifier"
        assert page.get_by_role("button", name=name).count()
    if kind == "single_choice":
        page.evaluate(
            "window.__r = null; addEventListener('imaginecole:result', e => window.__r = e.detail)"
        )
        page.get_by_role("radio", name="Un triangle").check()
        page.get_by_role("button", name="Vérifier").first.click()
        assert page.evaluate("window.__r.scaled") == 1
    assert axe_violations(page) == []
    context.close()
    assert outside == [] and errors == []
