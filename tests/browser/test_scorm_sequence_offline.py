"""A SCO of a module's SCORM 2004 package, opened from disk in Debian's Chromium: it plays
without an LMS and without the network."""

from __future__ import annotations

import pytest
from imaginecole.exports.archive import safe_extract
from imaginecole.exports.base import Bundle
from imaginecole.exports.scorm import Scorm2004Exporter

from imaginecole.player import player_strings
from tests.browser.conftest import block_outside
from tests.sequence_fixtures import make_module

pytestmark = pytest.mark.browser


def test_a_sco_page_plays_offline_from_disk(page, tmp_path):
    folder = make_module(tmp_path / "home", 2, kinds=("single_choice",), extra=("comic",))
    package = Scorm2004Exporter().export(Bundle.load(folder), tmp_path / "m.zip")
    unpacked = tmp_path / "sco"
    safe_extract(package, unpacked)
    outside = block_outside(page.context)  # file:, data:, blob: only
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    first = sorted(unpacked.glob("01-*/index.html"))[0]
    page.goto(first.as_uri())
    check = player_strings("fr")["check"]
    page.get_by_role("button", name=check).first.wait_for()
    # no LMS around it: the SCORM shell says so once, the grain plays
    assert any("No SCORM LMS found" in m for m in messages)
    comic = sorted(unpacked.glob("03-*/index.html"))[0]
    page.goto(comic.as_uri())
    page.wait_for_load_state("load")
    assert not errors, errors
    assert outside == [], outside
