"""The player's strings, files and standalone page, and the example grains (no browser)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from babel.messages.pofile import read_po

from imaginecole import player
from imaginecole.i18n import ImaginecoleError, locale_dir
from imaginecole.player import (
    NOSCRIPT,
    PLAYER_STRINGS,
    player_assets,
    player_strings,
    render_standalone,
)

REPO = Path(__file__).resolve().parents[2]
GRAINS = REPO / "tests" / "fixtures" / "grains"
SCHEMA = REPO / "imaginecole" / "bundle" / "grain.schema.json"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def load(name: str) -> dict:
    return json.loads((GRAINS / name / "manifest.json").read_text(encoding="utf-8"))


def catalogue(language: str):
    path = locale_dir() / language / "LC_MESSAGES" / "imaginecole.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


class Scripts(HTMLParser):
    """The <script> elements of a page: attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.addresses: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.addresses += [value for name, value in attrs if name in ("src", "href", "srcset")]
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def script_json(page: str, element_id: str):
    parser = Scripts()
    parser.feed(page)
    for attrs, text in parser.scripts:
        if attrs.get("id") == element_id:
            assert attrs.get("type") == "application/json"
            return json.loads(text)
    raise AssertionError(f"no <script id={element_id}>")


# ---- strings


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_player_string_is_translated(language):
    messages = catalogue(language)
    for msgid in [*PLAYER_STRINGS.values(), NOSCRIPT]:
        message = messages.get(msgid)
        assert message is not None, f"{language}: « {msgid} » is missing"
        assert message.string and message.string != msgid, (
            f"{language}: « {msgid} » is untranslated"
        )
        assert not message.fuzzy, f"{language}: « {msgid} » is fuzzy"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(msgid)), msgid
        if language == "ar":
            assert ARABIC_LETTER.search(message.string), f"« {message.string} » is not Arabic"


def test_player_strings_follow_the_grain_language():
    assert player_strings("fr")["check"] == "Vérifier"
    assert player_strings("en")["check"] == "Check"
    assert player_strings("ar")["check"] == "تحقّق"
    assert player_strings("ar-TN")["check"] == "تحقّق"
    assert player_strings("wo") == player_strings("fr"), "a local language falls back to French"
    assert player_strings(None)["true"] == "Vrai"
    for language in ("fr", "en", "ar"):
        assert player_strings(language).keys() == PLAYER_STRINGS.keys()


def test_javascript_defaults_are_the_english_message_ids():
    js, _ = player_assets()
    block = js.split("// strings:begin", 1)[1].split("// strings:end", 1)[0]
    defaults = {
        key: json.loads(value)
        for key, value in re.findall(r'^\s+(\w+): (".*"),$', block, flags=re.MULTILINE)
    }
    assert defaults == PLAYER_STRINGS


def test_javascript_asks_only_for_known_strings():
    js, _ = player_assets()
    first_arguments = re.findall(r"\bt\(([^,{)]*)", js)
    asked = {
        key
        for argument in first_arguments
        for key in re.findall(r"'(\w+)'", argument)
        if not key.endswith("_")
    }
    assert {"check", "feedback_partial", "mark_wrong", "back"} <= asked
    assert asked <= PLAYER_STRINGS.keys(), asked - PLAYER_STRINGS.keys()
    kinds = json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"]["questionKind"]["enum"]
    for kind in kinds:
        assert f"instructions_{kind}" in PLAYER_STRINGS
    unused = [k for k in PLAYER_STRINGS if f"'{k}'" not in js and not k.startswith("instructions_")]
    assert unused == []


def test_javascript_has_no_network_and_no_eval():
    js, css = player_assets()
    for forbidden in (
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "sendBeacon",
        "import(",
        "new Function",
        "setTimeout('",
        "document.write",
        "localStorage",
    ):
        assert forbidden not in js, forbidden
    assert not re.search(r"\beval\(", js)
    assert not re.search(r"https?://", js + css)
    assert not re.search(r"@import|@font-face|url\(", css), "system fonts only, nothing fetched"
    # teacher text reaches innerHTML only through the inert template of rich()
    assert js.count(".innerHTML") == 1
    assert "template.innerHTML" in js


# ---- files


def test_player_assets_come_from_the_repo_templates():
    js, css = player_assets()
    assert "ImaginecolePlayer" in js
    assert ".icp-btn" in css


def test_player_assets_honour_jupyter_path(tmp_path, monkeypatch):
    static = tmp_path / "share" / "player" / "static"
    static.mkdir(parents=True)
    (static / "player.js").write_text("/* patched player */", encoding="utf-8")
    (static / "player.css").write_text("/* patched css */", encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share"))
    assert player_assets() == ("/* patched player */", "/* patched css */")
    monkeypatch.setenv("JUPYTER_PATH", str(static))
    assert player_assets()[0] == "/* patched player */"
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "empty"))
    assert "ImaginecolePlayer" in player_assets()[0], "falls back to the repo"


def test_missing_player_files_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(player, "player_static_dirs", lambda: [tmp_path])
    with pytest.raises(ImaginecoleError) as error:
        player_assets()
    assert "JUPYTER_PATH" in str(error.value)
    assert "introuvables" in str(error.value)


# ---- the standalone page


@pytest.mark.parametrize("name", sorted(p.name for p in GRAINS.iterdir()))
def test_standalone_page_has_no_external_address(name):
    page = render_standalone(load(name))
    assert not re.search(r"https?:|//[a-z0-9]", page, flags=re.IGNORECASE), "external URL"
    parser = Scripts()
    parser.feed(page)
    assert parser.addresses == [], "everything is inline"
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "Content-Security-Policy" in page and "connect-src 'none'" in page
    assert script_json(page, "imaginecole-grain") == load(name)


def test_standalone_page_escapes_script_ends_in_teacher_text():
    manifest = load("single_choice")
    evil = "</script><script>alert(1)</script><!-- </SCRIPT >"
    manifest["questions"][0]["statement"] = f"<p>{evil}</p>"
    manifest["questions"][0]["feedback"]["correct"] = evil
    manifest["metadata"]["title"] = "Les <b>formes</b> </title>"
    page = render_standalone(manifest)
    # the two JSON blocks, the player and its boot script: nothing else closes a script
    assert len(re.findall(r"</script", page, flags=re.IGNORECASE)) == 4
    assert "<!--" not in page
    assert r"<\/script>" in page
    assert script_json(page, "imaginecole-grain") == manifest
    assert "<title>Les &lt;b&gt;formes&lt;/b&gt; &lt;/title&gt;</title>" in page


def test_standalone_page_language_and_direction():
    page = render_standalone(load("single_choice"))
    assert '<html lang="fr" dir="ltr">' in page
    assert script_json(page, "imaginecole-config")["strings"]["check"] == "Vérifier"

    page = render_standalone(load("arabic"))
    assert '<html lang="ar" dir="rtl">' in page
    assert 'id="imaginecole-player" class="icp" lang="ar" dir="rtl"' in page
    config = script_json(page, "imaginecole-config")
    assert config["strings"]["check"] == "تحقّق"
    assert config["uiLanguage"] == "ar"
    assert "<title>مراجعة: جغرافيا ولغة</title>" in page

    wolof = load("single_choice")
    wolof["metadata"]["language"] = "wo"
    page = render_standalone(wolof)
    assert '<html lang="wo" dir="ltr">' in page
    assert script_json(page, "imaginecole-config")["uiLanguage"] == "fr"


def test_inline_media_takes_data_urls_only():
    data = "data:image/png;base64,iVBORw0KGgo="
    page = render_standalone(load("single_choice"), inline_media={"media/triangle.png": data})
    assert script_json(page, "imaginecole-config")["media"] == {"media/triangle.png": data}
    page = render_standalone(load("single_choice"), media_base="../bundle/")
    assert script_json(page, "imaginecole-config")["mediaBase"] == "../bundle/"
    for url in ("https://cdn.example.org/t.png", "//cdn.example.org/t.png", "javascript:alert(1)"):
        with pytest.raises(ImaginecoleError):
            render_standalone(load("single_choice"), inline_media={"media/triangle.png": url})


# ---- the example grains


def test_example_grains_are_valid_and_cover_every_kind():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    kinds, languages = set(), set()
    for folder in sorted(GRAINS.iterdir()):
        manifest = load(folder.name)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]
        assert errors == [], f"{folder.name}: {errors}"
        kinds.add(manifest["kind"])
        kinds.update(q["kind"] for q in manifest["questions"])
        languages.add(manifest["metadata"]["language"])
        media = re.findall(r'"(media/[^"]+)"', json.dumps(manifest))
        for path in media:
            assert (folder / path).is_file(), f"{folder.name}: {path} is missing"
    assert kinds == set(schema["$defs"]["grainKind"]["enum"])
    assert {"fr", "ar"} <= languages
    png = (GRAINS / "single_choice" / "media" / "triangle.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (GRAINS / "true_false" / "media" / "son-aigu.wav").read_bytes()[:4] == b"RIFF"
