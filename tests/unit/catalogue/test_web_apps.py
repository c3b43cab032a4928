"""Notebook apps in the catalogue: what publishing keeps, the gallery, the resource page, the
thumbnail, the JSON API and the OAI records, against a real catalogue server.

The app is the sample bundle notebooks/examples/app-fractions (made by ``imaginecole app new``)
with a screenshot written here, so these tests do not depend on Chromium.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import uuid
import zipfile
from html import unescape
from pathlib import Path

import jsonschema
import pytest
import requests
import yaml
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from lxml import etree
from PIL import Image

from imaginecole.catalogue import gallery, oai_metadata
from imaginecole.catalogue.service import Catalogue
from imaginecole.i18n import ImaginecoleError, locale_dir

from .test_oai import oai_schema
from .webserver import Served, Site, auth, login, zip_bundle

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "notebooks" / "examples" / "app-fractions"
APPS_URL = "/services/apps/voila/render/{uid}.ipynb"
LOM = {"lom": "http://ltsc.ieee.org/xsd/LOM"}


def png_bytes(width: int = 320, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (31, 111, 235)).save(out, "PNG")
    return out.getvalue()


def make_app_bundle(
    folder: Path,
    *,
    uid: str | None = None,
    thumbnail: bytes | None = None,
    app: dict | None = None,
    **meta,
) -> Path:
    """A publishable copy of the sample app, with its screenshot (`thumbnail` bytes)."""
    shutil.copytree(SAMPLE, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["id"] = uid or str(uuid.uuid4())
    manifest["metadata"].update(meta)
    (folder / "media").mkdir(exist_ok=True)
    (folder / "media" / "thumbnail.png").write_bytes(
        png_bytes() if thumbnail is None else thumbnail
    )
    manifest["app"]["thumbnail"] = "media/thumbnail.png"
    manifest["app"].update(app or {})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def stored(catalogue: Catalogue, uid: str, fmt: str) -> bytes:
    _info, stream = catalogue.file(uid, fmt)
    with stream:
        return stream.read()


class AppSite(Site):
    """The web tests' site (a grain published, one pending) plus two apps: one published,
    one waiting for review."""

    def __init__(self, folder: Path, db_url: str | None = None, **options) -> None:
        super().__init__(folder, db_url, **options)
        awa, mariam = self.principals["awa"], self.principals["mariam"]
        self.app = self.catalogue.publish(
            awa, make_app_bundle(folder / "app", title="Les fractions en images")
        ).uid
        self.catalogue.approve(mariam, self.app, "Bravo.")
        self.pending_app = self.catalogue.publish(
            awa,
            make_app_bundle(
                folder / "app-pending",
                title="La carte du Mali",
                country="ML",
                app={"live_only": []},
            ),
        ).uid


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = AppSite(tmp_path_factory.mktemp("web-apps"), apps_url=APPS_URL)
    yield running
    running.close()


@pytest.fixture(scope="module")
def standalone(site):
    """The same catalogue served without an apps service."""
    with Served(site.catalogue) as served:
        yield served


# -- publishing ----------------------------------------------------------------------------


def test_publishing_an_app_keeps_its_notebook_screenshot_and_offline_version(
    catalogue_url, tmp_path
):
    with Catalogue.open(tmp_path / "data", db_url=catalogue_url) as catalogue:
        _token, awa = catalogue.create_token("teacher", name="awa")
        _token, mariam = catalogue.create_token("reviewer", name="mariam")
        uid = catalogue.publish(awa, make_app_bundle(tmp_path / "app", title="Fractions")).uid
        catalogue.approve(mariam, uid, "")
        info = catalogue.get(uid)
        assert info.type == "notebook-app" and info.state == "published"
        formats = {f.format: f for f in info.latest.files}
        assert {"bundle", "thumbnail", "app-html"} <= set(formats)
        assert formats["thumbnail"].media_type == "image/png"
        # the stored bundle holds the notebook: the apps service and the editors take it from there
        with zipfile.ZipFile(io.BytesIO(stored(catalogue, uid, "bundle"))) as archive:
            names = set(archive.namelist())
            notebook = json.loads(archive.read("app.ipynb"))
        assert {"manifest.json", "app.ipynb", "media/thumbnail.png"} <= names
        assert notebook["nbformat"] == 4 and any(
            "Numérateur" in "".join(c["source"]) for c in notebook["cells"]
        )
        assert stored(catalogue, uid, "thumbnail") == png_bytes()
        offline = stored(catalogue, uid, "app-html").decode("utf-8")
        assert offline.lstrip().lower().startswith("<!doctype html")
        # the gallery finds it with the search's filters; a grain is not an app
        found = catalogue.search(filters={"type": ["notebook-app"], "country": ["SN"]})
        assert [r.uid for r in found.items] == [uid]
        assert catalogue.search(filters={"type": ["notebook-app"], "country": ["ML"]}).total == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xd8\xff\xe0" + b"JFIF" * 100, "thumbnail"),  # a JPEG named .png
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024 + 10), "thumbnail"),  # over 1 MB
        (None, "pixels a side"),  # 5000 pixels wide
    ],
)
def test_a_thumbnail_that_is_no_small_png_is_refused(tmp_path, data, message):
    data = png_bytes(5000, 10) if data is None else data
    with Catalogue.open(tmp_path / "data") as catalogue:
        _token, awa = catalogue.create_token("teacher", name="awa")
        bundle = make_app_bundle(tmp_path / "app", title="Fractions", thumbnail=data)
        with pytest.raises(ImaginecoleError) as caught:
            catalogue.publish(awa, bundle, formats=[])
        assert message in str(caught.value)
        assert catalogue.submissions(awa) == []


def test_a_missing_thumbnail_is_named(tmp_path):
    with Catalogue.open(tmp_path / "data") as catalogue:
        _token, awa = catalogue.create_token("teacher", name="awa")
        bundle = make_app_bundle(tmp_path / "app", title="Fractions")
        (bundle / "media" / "thumbnail.png").unlink()
        with pytest.raises(ImaginecoleError) as caught:
            catalogue.publish(awa, bundle, formats=[])
        assert "media/thumbnail.png" in str(caught.value)
        assert catalogue.submissions(awa) == []


# -- pages ---------------------------------------------------------------------------------


def test_gallery_shows_apps_with_thumbnail_launch_and_offline_version(site):
    html = requests.get(site.url + "applications").text
    assert "<h1>Applications</h1>" in html
    assert "Les fractions en images" in html
    assert "Les formes géométriques" not in html  # a grain: not in the gallery
    assert "La carte du Mali" not in html  # not published yet
    assert 'alt="Les fractions en images (aperçu)"' in html
    thumb = re.search(r'<img class="app-thumbnail" src="([^"]+)"', html).group(1)
    image = requests.get(f"http://127.0.0.1:{site.served.port}{thumb}")
    assert image.headers["Content-Type"] == "image/png" and image.content == png_bytes()
    assert f'href="/services/apps/voila/render/{site.app}.ipynb">Lancer' in html
    offline = re.search(r'<a class="button secondary" href="([^"]+)" download', html).group(1)
    assert offline.endswith(f"api/resources/{site.app}/files/app-html")
    assert "Version hors ligne" in html
    assert "rien de ce qui exécute du code Python" in html  # honest: no Python offline


def test_gallery_filters_by_facets_and_words(site):
    html = requests.get(site.url + "applications", params={"country": "ML"}).text
    assert "Les fractions en images" not in html
    assert "0 application(s) trouvée(s)" in html
    html = requests.get(site.url + "applications", params={"country": "SN"}).text
    assert "Les fractions en images" in html and 'value="SN" checked' in html
    assert 'name="type"' not in html  # every result is an app: no "kind" filter
    html = requests.get(site.url + "applications", params={"q": "fractions"}).text
    assert "1 application(s) trouvée(s)" in html
    html = requests.get(site.url + "applications", params={"type": "grain"}).text
    assert "Les fractions en images" in html  # the type cannot be changed from the gallery


def test_gallery_in_english_and_arabic(site):
    html = requests.get(site.url + "applications", params={"lang": "en"}).text
    assert '<html lang="en" dir="ltr">' in html
    assert ">Launch<" in html and "Offline version" in html and "(preview)" in html
    html = requests.get(site.url + "applications", params={"lang": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>التطبيقات</h1>" in html and ">تشغيل<" in html and "(معاينة)" in html
    page = requests.get(site.url + f"r/{site.app}", params={"lang": "ar"}).text
    assert "ما يتطلب التشغيل المباشر" in page
    assert '<p class="app-offline" lang="ar" dir="auto">لا توجد نسخة تشغّل Python' in page


def test_without_an_apps_service_there_is_no_launch_button(standalone, site):
    html = unescape(requests.get(standalone.url + "applications").text)
    assert "Les fractions en images" in html and "Lancer" not in html
    assert "sans serveur d'applications" in html
    assert "Version hors ligne" in html
    page = unescape(requests.get(standalone.url + f"r/{site.app}").text)
    assert "Lancer" not in page and "l'application est proposée dans sa version hors ligne" in page


def test_home_and_navigation_lead_to_the_gallery(site):
    html = requests.get(site.url).text
    assert 'href="/applications"' in html
    assert "Voir les 1 application(s) de la galerie" in html
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>", html.index("main-nav"))]
    assert ">Applications</a>" in nav


def test_the_sitemap_lists_the_gallery(site):
    assert f"<loc>{site.url}applications</loc>" in requests.get(site.url + "sitemap.xml").text


def test_resource_page_of_an_app(site):
    html = requests.get(site.url + f"r/{site.app}").text
    assert "Utiliser cette application" in html
    assert 'alt="Les fractions en images (aperçu)"' in html
    assert f'href="/services/apps/voila/render/{site.app}.ipynb">Lancer' in html
    assert "Ce qui demande la version en direct" in html
    assert "se recalculent quand on déplace le curseur" in html  # the author's own sentence
    assert "ipywidgets" in html  # the packages it needs
    assert "<iframe" not in html  # a thumbnail, not the player's preview
    assert "Vignette (image PNG)" in html  # among the downloads


def test_an_app_waiting_for_review_is_not_launched_and_its_thumbnail_stays_private(site):
    awa = login(site.url, site.tokens["awa"])
    html = unescape(awa.get(site.url + f"r/{site.pending_app}").text)
    assert "La carte du Mali" in html and "Lancer" not in html
    assert "Seule la version publiée d'une application s'ouvre en direct." in html
    thumb = re.search(r'<img class="app-thumbnail" src="([^"]+)"', html).group(1)
    assert thumb.endswith("?v=1")
    origin = f"http://127.0.0.1:{site.served.port}"
    assert awa.get(origin + thumb).headers["Content-Type"] == "image/png"
    assert requests.get(origin + thumb).status_code == 404  # anonymous
    assert requests.get(site.url + f"r/{site.pending_app}/vignette.png").status_code == 404
    assert requests.get(site.url + f"r/{site.published}/vignette.png").status_code == 404  # a grain


# -- API -----------------------------------------------------------------------------------


def app_schema() -> dict:
    spec = yaml.safe_load((REPO / "imaginecole/catalogue/openapi.yaml").read_text("utf-8"))
    return {**spec["components"]["schemas"]["App"], "components": spec["components"]}


def test_api_describes_the_app(site):
    data = requests.get(site.url + f"api/resources/{site.app}").json()
    app = data["app"]
    jsonschema.validate(app, app_schema())
    origin = f"http://127.0.0.1:{site.served.port}"
    assert app["live_url"] == f"{origin}/services/apps/voila/render/{site.app}.ipynb"
    assert app["thumbnail_url"] == f"{site.url}r/{site.app}/vignette.png"
    assert requests.get(app["thumbnail_url"]).content == png_bytes()
    assert [f["format"] for f in app["offline"]] == ["app-html"]
    offline = requests.get(app["offline"][0]["url"])
    assert offline.status_code == 200 and b"<html" in offline.content[:2000].lower()
    assert app["browser_python"] is False and "CDN" in app["offline_note"]
    assert app["live_only"][0].startswith("Le dessin de la fraction")
    assert "ipywidgets" in {r["name"] for r in app["requirements"]}
    # in search results too; other resources have no « app » field
    found = requests.get(site.url + "api/search", params={"type": "notebook-app"}).json()
    assert [item["uid"] for item in found["items"]] == [site.app]
    assert found["items"][0]["app"]["live_url"] == app["live_url"]
    assert "app" not in requests.get(site.url + f"api/resources/{site.published}").json()
    # the owner sees the pending one: no live version yet
    pending = requests.get(
        site.url + f"api/resources/{site.pending_app}", headers=auth(site.tokens["awa"])
    ).json()["app"]
    jsonschema.validate(pending, app_schema())
    assert pending["live_url"] is None and pending["thumbnail_url"].endswith("?v=1")


def test_api_without_apps_service_has_no_live_url(standalone, site):
    app = requests.get(standalone.url + f"api/resources/{site.app}").json()["app"]
    assert app["live_url"] is None and app["offline"]


# -- settings ------------------------------------------------------------------------------


def test_an_app_published_through_the_api_keeps_its_notebook(site, tmp_path):
    folder = make_app_bundle(tmp_path / "up", title="Fractions envoyées")
    archive = zip_bundle(folder, tmp_path / "up.zip")
    response = requests.post(
        site.url + "api/resources",
        data=archive.read_bytes(),
        headers={**auth(site.tokens["kofi"]), "Content-Type": "application/zip"},
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["type"] == "notebook-app" and data["app"]["live_url"] is None
    files = {f["format"]: f for f in data["latest"]["files"]}
    assert {"bundle", "thumbnail", "app-html"} <= set(files)
    zipped = requests.get(files["bundle"]["url"], headers=auth(site.tokens["kofi"])).content
    assert "app.ipynb" in zipfile.ZipFile(io.BytesIO(zipped)).namelist()


def test_apps_url_setting_is_checked(tmp_path):
    from imaginecole.catalogue.web import make_app

    with Catalogue.open(tmp_path / "data") as catalogue:
        for wrong in ("services/apps/{uid}", "/services/apps/", "//evil.example/{uid}"):
            with pytest.raises(ImaginecoleError) as caught:
                make_app(catalogue, apps_url=wrong)
            assert "{uid}" in str(caught.value)
        (tmp_path / "data" / "config.yaml").write_text(
            "apps_url: https://hub.example.org/services/apps/voila/render/{uid}.ipynb\n"
        )
        app = make_app(catalogue)
        assert app.settings["apps_url"].startswith("https://hub.example.org/")
        assert make_app(catalogue, apps_url="")
        assert make_app(catalogue, apps_url="").settings["apps_url"] == ""


def test_live_url_quotes_the_uid():
    assert gallery.live_url("/a/{uid}.ipynb", "x y") == "/a/x%20y.ipynb"


# -- OAI -----------------------------------------------------------------------------------


def test_oai_records_describe_an_app_as_an_interactive_simulation(tmp_path, spec_dir):
    with Catalogue.open(tmp_path / "data") as catalogue:
        _token, editor = catalogue.create_token("editor", name="editrice")
        bundle = make_app_bundle(tmp_path / "app", title="Fractions")
        manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
        del manifest["metadata"]["resource_type"]
        (bundle / "manifest.json").write_text(json.dumps(manifest), "utf-8")
        info = catalogue.publish(editor, bundle, formats=[], state="published")
        lom = oai_metadata.lom_element(info, lambda uid: f"https://c.example.org/r/{uid}")
        oai_schema(spec_dir).assertValid(lom)
        value = lom.findtext("lom:educational/lom:learningResourceType/lom:value", namespaces=LOM)
        assert value == "http://data.education.fr/voc/scolomfr/concept/simulation"
        dc = oai_metadata.dc_element(info, "Imaginecole")
        types = [e.text for e in dc.iter("{http://purl.org/dc/elements/1.1/}type")]
        assert types == ["InteractiveResource", "notebook-app"]
        assert etree.tostring(dc)  # serialisable


def test_gallery_strings_are_translated():
    keywords = {"_": None, "N_": None, "WebError": (2,), "ImaginecoleError": (1,)}
    messages = {
        m if isinstance(m, str) else m[0]
        for _l, m, _c, _x in extract_from_file(
            "python", REPO / "imaginecole/catalogue/gallery.py", keywords
        )
    }
    messages |= {"Apps", "Launch", "Offline version", "{title} (preview)", "Use this app"}
    for language in ("fr", "ar"):
        with (locale_dir() / language / "LC_MESSAGES" / "imaginecole.po").open("rb") as fh:
            po = read_po(fh, locale=language)
        assert [m for m in sorted(messages) if not (po.get(m) and po.get(m).string)] == []
