"""Recording needs a secure page: the studio on a LAN address, over http and over https.

Chromium opens Voilà at http://ecole-test.lan:PORT/ (the name mapped to 127.0.0.1, as a
classroom laptop's address would be): not localhost, so not a secure context. The studio must
say why it cannot record, keep its record buttons disabled with that reason, and still take
an uploaded sound. Over https (the hub's proxy with the workshop certificate for
ecole-test.lan) the same page records from a fake microphone and saves the segment.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from imaginecole.exports.pdf import CHROMIUM, CHROMIUM_ARGS

from imaginecole.hub.tls import ensure_workshop_tls, spki_sha256

from ..unit.podcast.sample_podcasts import podcast_bundle, tone
from .conftest import axe_violations
from .test_podcast_studio import CELL, NOTEBOOK, microphone  # noqa: F401 (fixture)
from .voila import RENDER_TIMEOUT, serve_voila, wait_for_saved

pytestmark = pytest.mark.browser

LAN_NAME = "ecole-test.lan"
MAP_NAME = f"--host-resolver-rules=MAP {LAN_NAME} 127.0.0.1"


@pytest.fixture(scope="module")
def workshop_tls(tmp_path_factory):
    """The workshop's certificate, made as `imaginecole up` makes it, also for ecole-test.lan."""
    return ensure_workshop_tls(tmp_path_factory.mktemp("tls") / "tls", [LAN_NAME])


@pytest.fixture(scope="module")
def lan_browser(browser, microphone, workshop_tls):  # noqa: F811
    """Chromium that finds ecole-test.lan at 127.0.0.1, with a fake microphone.

    The hub's certificate is accepted by its public key alone (as if the workshop CA were
    installed): unlike --ignore-certificate-errors, the page stays a secure context.
    """
    args = [
        *CHROMIUM_ARGS,
        MAP_NAME,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
        f"--ignore-certificate-errors-spki-list={spki_sha256(workshop_tls.cert)}",
    ]
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    yield chromium
    chromium.close()


def studio_home(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    bundle = home / "podcasts" / "radio"
    podcast_bundle(bundle)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nbformat.write(notebook, home / NOTEBOOK)
    return home, bundle


def segments_of(manifest: Path, count: int):
    return wait_for_saved(
        manifest,
        lambda s: len(s) == count,
        pick=lambda data: data["episodes"][0]["segments"],
        what=f"{count} segments",
    )


def test_on_plain_http_the_studio_explains_and_still_takes_an_upload(tmp_path, lan_browser):
    home, bundle = studio_home(tmp_path)
    sound = tmp_path / "interview.mp3"
    tone(sound, seconds=1.0)
    context = lan_browser.new_context(locale="fr-FR")
    context.grant_permissions(["microphone"])
    page = context.new_page()
    try:
        with serve_voila(home, NOTEBOOK, host=LAN_NAME) as url:
            assert url.startswith(f"http://{LAN_NAME}:")
            page.set_viewport_size({"width": 1280, "height": 1000})
            page.goto(url)
            record = page.get_by_role("button", name="Enregistrer un nouveau segment")
            record.wait_for(timeout=RENDER_TIMEOUT)
            page.locator(".icpo-segment").nth(2).wait_for()
            assert page.evaluate("window.isSecureContext") is False

            secure = url.replace("http://", "https://")
            message = (
                "L'enregistrement demande une adresse sécurisée : ouvrez le hub à "
                f"{secure} (ou, sur cet ordinateur, http://localhost). "
                "Vous pouvez toujours envoyer un enregistrement."
            )
            note = page.locator(".icpo-blocked")
            assert note.is_visible()
            assert note.inner_text().replace("\u00a0", " ") == message
            # no broken button: disabled, and a screen reader hears why
            assert record.is_disabled()
            described = page.evaluate(
                """(button) => document.getElementById(
                    button.getAttribute('aria-describedby')).textContent""",
                record.element_handle(),
            )
            assert described.replace("\u00a0", " ") == message
            for again in page.get_by_role("button", name="Enregistrer à nouveau").all():
                assert again.is_disabled()
            assert axe_violations(page) == []

            # a sound file recorded elsewhere still becomes a segment
            with page.expect_file_chooser() as chooser:
                page.locator(".icb-upload").first.click()
            chooser.value.set_files(str(sound))
            segments = segments_of(bundle / "manifest.json", 4)
            assert (bundle / segments[-1]["src"]).is_file()
    finally:
        context.close()


def test_over_https_on_the_lan_name_a_teacher_records(tmp_path, lan_browser, workshop_tls):
    home, bundle = studio_home(tmp_path)
    context = lan_browser.new_context(locale="fr-FR")
    context.grant_permissions(["microphone"])
    page = context.new_page()
    try:
        with serve_voila(
            home, NOTEBOOK, host=LAN_NAME, tls=(workshop_tls.cert, workshop_tls.key)
        ) as url:
            assert url.startswith(f"https://{LAN_NAME}:")
            page.set_viewport_size({"width": 1280, "height": 1000})
            page.goto(url)
            record = page.get_by_role("button", name="Enregistrer un nouveau segment")
            record.wait_for(timeout=RENDER_TIMEOUT)
            page.locator(".icpo-segment").nth(2).wait_for()
            assert page.evaluate("window.isSecureContext") is True
            assert page.locator(".icpo-blocked").is_hidden()
            assert record.is_enabled()

            record.click()
            # 2 s or more: under load the status may pass 2 s between two looks
            saved = re.compile(r"Enregistrement : ([2-9]|\d\d+) s sauvegardées")
            page.get_by_text(saved).wait_for(timeout=60_000)
            page.get_by_role("button", name="Arrêter l'enregistrement").click()
            segments = segments_of(bundle / "manifest.json", 4)
            assert segments[-1]["kind"] == "recording"
            assert (bundle / segments[-1]["src"]).stat().st_size > 1000
    finally:
        context.close()


def test_a_refused_microphone_is_explained(tmp_path, browser, workshop_tls):
    """Without the fake-UI flag and permission, Chromium refuses: the studio says what to do."""
    home, _bundle = studio_home(tmp_path)
    args = [
        *CHROMIUM_ARGS,
        MAP_NAME,
        f"--ignore-certificate-errors-spki-list={spki_sha256(workshop_tls.cert)}",
    ]
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        with serve_voila(
            home, NOTEBOOK, host=LAN_NAME, tls=(workshop_tls.cert, workshop_tls.key)
        ) as url:
            page.goto(url)
            record = page.get_by_role("button", name="Enregistrer un nouveau segment")
            record.wait_for(timeout=RENDER_TIMEOUT)
            record.click()
            status = page.locator(".icpo-record-status")
            status.filter(has_text="micro").wait_for(timeout=30_000)
            text = status.inner_text().replace("\u00a0", " ")
            assert text in (
                "Le navigateur n'a pas autorisé le micro. Autorisez-le (l'icône à côté de "
                "l'adresse), puis réessayez. Vous pouvez toujours envoyer un enregistrement.",
                "Aucun micro n'a été trouvé. Branchez-en un, puis réessayez. "
                "Vous pouvez toujours envoyer un enregistrement.",
            ), text
            assert record.is_enabled()
    finally:
        context.close()
        chromium.close()
