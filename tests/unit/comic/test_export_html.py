"""A comic through `html`: one offline page with the reader, its fonts, text and credits."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from html import escape, unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from imaginecole.exports import comic_html, get_exporter
from imaginecole.exports.base import Bundle, ExportError
from imaginecole.exports.comic_html import (
    READER_STRINGS,
    SCRIPT_STRINGS,
    render_reader,
    template_dir,
)

from imaginecole.i18n import ImaginecoleError, locale_dir

from .reader_comics import arabic_comic, comic_with_sounds, panels
from .reader_page import LICENCE_URL, parse
from .sample_comics import comic_bundle

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def export(bundle: Bundle, tmp_path: Path, name: str = "bd.html") -> Path:
    return get_exporter("html")().export(bundle, tmp_path / name)


@pytest.fixture(scope="module")
def ecole(tmp_path_factory) -> tuple[Bundle, str]:
    tmp_path = tmp_path_factory.mktemp("ecole")
    bundle = comic_bundle(tmp_path)
    return bundle, export(bundle, tmp_path).read_text("utf-8")


# ---- one offline file


def test_the_html_exporter_takes_comics_and_writes_one_file(ecole, tmp_path):
    bundle, html = ecole
    exporter = get_exporter("html")()
    assert exporter.accepts(bundle)
    assert exporter.default_output(bundle, tmp_path) == tmp_path / "ecole.html"
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr" dir="ltr">' in html
    assert "<title>Une journée à l&#39;école</title>" in html


def test_nothing_is_fetched_and_the_only_web_addresses_are_licence_links(ecole):
    _, html = ecole
    page = parse(html)
    for tag, url, attrs in page.addresses:
        if tag == "a":
            assert LICENCE_URL.match(url) and attrs.get("rel") == "license", url
        else:
            # images inside the SVG pages and the symbols they reuse
            assert url.startswith(("data:", "#")), (tag, url[:60])
    # a web address may only be a licence's, in a link or in the attribution text
    for url in re.findall(r"https?://[^\s\"'<>)]+", html):
        assert LICENCE_URL.match(url), url
    assert not re.search(r"@import|url\((?!data:|#)", html), "styles fetch nothing"
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "connect-src 'none'" in unescape(csp) and "default-src 'none'" in unescape(csp)
    for forbidden in ("fetch(", "XMLHttpRequest", "WebSocket", "sendBeacon", "localStorage"):
        assert forbidden not in html, forbidden


def test_every_page_is_inline_svg_with_its_panels_and_ids_unique(ecole):
    bundle, html = ecole
    page = parse(html)
    assert html.count('class="ic-page icr-svg"') == len(bundle.manifest["pages"])
    for panel in panels(bundle.manifest):
        assert f'data-panel="{panel["id"]}"' in html
    assert len(page.ids) == len(set(page.ids)), "two pages would share a clip path or symbol"
    # every reference inside the pages points at an element of the page
    for ref in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', html):
        assert (ref[0] or ref[1]) in page.ids


def test_the_reader_data_follows_the_manifest(ecole):
    bundle, html = ecole
    data = parse(html).data()
    assert data["language"] == "fr" and data["direction"] == "ltr"
    assert set(data["strings"]) == set(SCRIPT_STRINGS)
    assert data["strings"]["panel_of"] == "Case {n} sur {total}"
    first = data["pages"][0]
    assert (first["width"], first["height"]) == (1240, 1754)
    assert [p["id"] for p in first["panels"]] == ["n1-p1-1", "n1-p1-2", "n1-p1-3"]
    assert first["panels"][0]["alt"].startswith("Dans la cour de l'école")
    # captions, sound effects and bubbles from top to bottom, the speaker named from the cast
    assert first["panels"][0]["lines"] == [
        "Narrateur : Lundi matin, dans la cour de l'école…",
        "Onomatopée : DRING !",
        "Awa : Bonjour Moussa ! Tu as fait tes devoirs ?",
    ]
    x, y, w, h = first["panels"][1]["rect"]
    assert 0 <= x < x + w <= 1240 and 0 <= y < y + h <= 1754


def test_fonts_are_embedded_subset_to_the_letters_used(ecole):
    bundle, html = ecole
    faces = re.findall(
        r'@font-face\{font-family:"([^"]+)";src:url\(data:font/woff;base64,([^)]+)\)'
        r' format\("woff"\);font-weight:(\d+);font-style:(\w+)',
        html,
    )
    assert {(family, weight, style) for family, _, weight, style in faces} == {
        ("Comic Neue", "400", "normal"),  # speech and captions
        ("Comic Neue", "700", "normal"),  # shouts and sound effects
        ("Comic Neue", "400", "italic"),  # whispers
    }
    regular = next(data for family, data, weight, style in faces if weight + style == "400normal")
    font = TTFont(io.BytesIO(base64.b64decode(regular)))
    cmap = font.getBestCmap()
    assert set(map(ord, "Bonjour Moussa ! Tu as fait tes devoirs ?")) <= set(cmap)
    assert ord("Z") not in cmap and ord("W") not in cmap, "letters no text uses are left out"
    assert len(font.getGlyphOrder()) < 80
    assert len(html) < 400_000


# ---- text a person reads


def test_teacher_text_is_escaped_everywhere(tmp_path):
    evil = "</script><script>alert(1)</script><!-- <b>gras</b> & </style>"
    bundle = comic_bundle(tmp_path)
    manifest = bundle.manifest
    manifest["metadata"]["title"] = evil
    manifest["metadata"]["authors"] = [{"name": evil}]
    manifest["cast"][0]["name"] = evil
    first = panels(manifest)[0]
    first["alt"] = evil
    for element in first["elements"]:
        if "text" in element:
            element["text"] = evil
    # validation refuses tags in a comic: the exporter never gets that far...
    with pytest.raises(ExportError):
        export(bundle, tmp_path)
    # ...and the reader escapes them anyway
    html = render_reader(manifest, bundle.path)
    page = parse(html)
    # the JSON cannot close its element nor open a comment: the page keeps its two scripts
    assert [attrs.get("id") for attrs, _ in page.scripts] == ["icr-data", None]
    assert "<!--" not in html
    outside_json = html.replace(page.scripts[0][1], "")
    assert "<script>alert(1)" not in outside_json and "<b>gras</b>" not in outside_json
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outside_json
    assert f"<title>{escape(evil)}</title>" in html
    data = page.data()
    assert data["pages"][0]["panels"][0]["alt"] == evil
    assert any(evil in line for line in data["pages"][0]["panels"][0]["lines"])


def test_a_comic_not_ready_is_refused_with_what_to_fix(tmp_path):
    def no_alt(manifest):
        panels(manifest)[1]["alt"] = ""

    bundle = comic_bundle(tmp_path, change=no_alt)
    with pytest.raises(ExportError) as error:
        export(bundle, tmp_path)
    message = str(error.value)
    assert "case 2 de la page 1" in message and "panel 2 of page 1" in message
    assert not (tmp_path / "bd.html").exists()


def test_the_transcript_holds_every_panel_in_reading_order(ecole):
    bundle, html = ecole
    transcript = html.split('id="icr-transcript-title"', 1)[1].split("</details>", 1)[0]
    alts = [panel["alt"] for panel in panels(bundle.manifest)]
    positions = [transcript.find(alt.replace("'", "&#39;")) for alt in alts]
    assert -1 not in positions and positions == sorted(positions)
    assert "Moussa (pense) : Oh non… j&#39;ai oublié mon cahier !" in transcript
    assert "Madame Sow (crie) : En rang, les enfants !" in transcript
    assert transcript.count('class="icr-h3"') == 2


def test_credits_licence_attribution_and_openmoji(ecole):
    _, html = ecole
    footer = html.split('<footer class="icr-foot">', 1)[1]
    assert "Par : Mariama Diop" in footer
    assert (
        '<a href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">CC BY-SA 4.0</a>'
        in footer
    )
    attribution = re.search(r"<textarea[^>]*readonly>(.*?)</textarea>", footer, re.S).group(1)
    assert attribution == (
        "« Une journée à l&#39;école », par Mariama Diop, licence CC BY-SA 4.0. "
        "https://creativecommons.org/licenses/by-sa/4.0/"
    )
    assert '<label class="icr-label" for="icr-attribution-text">' in footer
    assert "OpenMoji" in footer and "openmoji.org" in footer


def test_arabic_comic_reads_right_to_left_with_arabic_controls(tmp_path):
    html = export(arabic_comic(tmp_path), tmp_path).read_text("utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "المشهد التالي" in html and "المشهد السابق" in html
    # the next panel is on the left: its arrow points left
    assert re.search(
        r'id="icr-next">\s*المشهد التالي <span aria-hidden="true" class="icr-icon">←', html
    )
    data = parse(html).data()
    assert data["direction"] == "rtl" and data["language"] == "ar"
    assert data["strings"]["page_of"] == "الصفحة {n} من {total}"
    # right to left: the first panel of a row is the rightmost one
    grid = data["pages"][1]["panels"]
    assert grid[0]["rect"][0] > grid[1]["rect"][0]
    assert '@font-face{font-family:"Amiri"' in html


def test_sounds_are_inlined_with_their_transcript(tmp_path):
    bundle = comic_with_sounds(tmp_path)
    html = export(bundle, tmp_path).read_text("utf-8")
    sounds = re.findall(r'<div class="icr-sound" data-panel="([^"]+)">(.*?)</div>', html, re.S)
    assert [panel for panel, _ in sounds] == ["n1-p1-1", "n1-p1-2"]
    for n, (_, block) in enumerate(sounds, start=1):
        assert '<audio controls preload="none" src="data:audio/' in block
        assert f"Écoute la case {n}." in block
        assert re.search(r'aria-labelledby="icr-sound-\d+"', block)


def test_large_sounds_go_beside_the_page_in_a_zip(tmp_path, monkeypatch):
    monkeypatch.setattr(comic_html, "INLINE_MEDIA_LIMIT", 100)
    bundle = comic_with_sounds(tmp_path)
    exporter = get_exporter("html")()
    assert exporter.default_output(bundle, tmp_path).name == "sons.zip"
    out = exporter.export(bundle, tmp_path / "sons.zip")
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["index.html", "media/case-1.wav", "media/case-2.wav"]
        html = archive.read("index.html").decode("utf-8")
    assert 'src="media/case-1.wav"' in html and "data:audio" not in html


# ---- strings, template and script


def catalogue(language: str):
    with (locale_dir() / language / "LC_MESSAGES" / "imaginecole.po").open("rb") as fh:
        return read_po(fh, locale=language)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_reader_string_is_translated(language):
    messages = catalogue(language)
    for msgid in READER_STRINGS.values():
        message = messages.get(msgid)
        assert message is not None and message.string, f"{language}: « {msgid} » is missing"
        assert not message.fuzzy, msgid
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(msgid)), msgid
        if language == "ar":
            assert re.search(r"[\u0621-\u064a]", message.string), message.string


def test_the_script_asks_only_for_strings_it_is_given():
    js = (template_dir() / "reader.js").read_text("utf-8")
    asked = set(re.findall(r"\bt\('(\w+)'", js))
    assert asked == set(SCRIPT_STRINGS)
    assert not re.search(r"\beval\(|new Function|innerHTML|document\.write", js)
    assert not re.search(r"fetch\(|XMLHttpRequest|localStorage|sessionStorage|import\(", js)


def test_the_template_is_found_on_the_jupyter_path(tmp_path, monkeypatch):
    repo = Path(__file__).parents[3] / "templates"
    assert template_dir() == repo / "comic"
    custom = tmp_path / "share" / "comic"
    custom.mkdir(parents=True)
    for name in ("conf.json", "reader.html", "reader.js", "reader.css"):
        (custom / name).write_text((repo / "comic" / name).read_text("utf-8"), "utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share"))
    assert template_dir() == custom
    monkeypatch.setattr(comic_html, "template_dirs", lambda: [tmp_path / "nowhere"])
    with pytest.raises(ImaginecoleError) as error:
        template_dir()
    assert "JUPYTER_PATH" in str(error.value)


def test_a_comic_in_a_local_language_marks_its_french_interface(tmp_path):
    def wolof(manifest):
        manifest["metadata"]["language"] = "wo"

    html = export(comic_bundle(tmp_path, change=wolof), tmp_path).read_text("utf-8")
    assert '<html lang="wo" dir="ltr">' in html
    assert re.search(r'<nav class="icr-nav" id="icr-nav" aria-label="[^"]+" lang="fr"', html)
    assert '<footer class="icr-foot" lang="fr">' in html
    ecole = export(comic_bundle(tmp_path / "fr"), tmp_path, "fr.html").read_text("utf-8")
    body = ecole.split("<body", 1)[1]
    assert not re.search(r'(?<![:\w])lang="fr"', body), "no mark when the comic is French"
