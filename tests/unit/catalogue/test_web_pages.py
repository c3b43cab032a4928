"""The server-rendered pages: languages, search with facets, resource page, review, CSRF."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import requests

from imaginecole.catalogue.model import PUBLISHED

from .webserver import Site, auth, login, make_bundle, xsrf_of

XSS = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = Site(tmp_path_factory.mktemp("web-pages"))
    editor = running.principals["editrice"]
    # 23 more published records (fast path, no exporters) for facets and pagination
    for n in range(23):
        path = running.folder / f"bundle-{n}.zip"
        path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
        running.catalogue.publish_package(
            editor,
            {
                "title": f"Lecture {n:02d}",
                "description": "Lire des syllabes.",
                "language": "ar" if n % 2 else "fr",
                "licence": "CC-BY-4.0",
                "country": "TN" if n % 2 else "ML",
                "level": "cp",
                "subject": "arabe" if n % 2 else "francais",
                "authors": [{"name": "Équipe"}],
            },
            {"bundle": path},
            type="h5p",
            state=PUBLISHED,
        )
    # outside packages (bulk import) bring metadata no bundle validator has seen
    running.xss = publish_outside(running, title=f"Titre {XSS}", description=f"Desc {XSS}")
    yield running
    running.close()


def publish_outside(site, **metadata) -> str:
    path = site.folder / "outside.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    fields = {
        "description": "",
        "language": "fr",
        "licence": "CC-BY-4.0",
        "country": "SN",
        "authors": [{"name": "Équipe"}],
        **metadata,
    }
    return site.catalogue.publish_package(
        site.principals["editrice"], fields, {"bundle": path}, type="h5p", state=PUBLISHED
    ).uid


class Landmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def check_page(html: str, lang: str) -> None:
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html
    parser = Landmarks()
    parser.feed(html)
    tags = [t for t, _a in parser.tags]
    assert "main" in tags and "nav" in tags and "header" in tags and tags.count("h1") == 1
    for tag, attrs in parser.tags:
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            assert attrs.get("id") and f'for="{attrs["id"]}"' in html, f"unlabelled {attrs}"
        if tag in ("script", "link", "img", "iframe"):
            target = attrs.get("src") or attrs.get("href") or ""
            assert not re.match(r"(https?:)?//", target), f"remote {target}"
    assert 'class="skip-link" href="#main"' in html


PAGES = {
    "": {"fr": "Actualités", "en": "News", "ar": "الأخبار"},
    "recherche": {"fr": "Rechercher", "en": "Search", "ar": "بحث"},
    "pays/sn/": {"fr": "Sénégal", "en": "Senegal", "ar": "السنغال"},
    "connexion": {"fr": "Jeton", "en": "Token", "ar": "الرمز"},
}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
@pytest.mark.parametrize("path", [*PAGES, "resource"])
def test_every_page_in_every_language(site, path, lang):
    target = f"r/{site.published}" if path == "resource" else path
    response = requests.get(site.url + target, params={"lang": lang})
    assert response.status_code == 200
    check_page(response.text, lang)
    if path in PAGES:
        assert PAGES[path][lang] in response.text
    else:
        expected = {"fr": "Télécharger", "en": "Downloads", "ar": "التنزيلات"}[lang]
        assert expected in response.text or lang == "fr"


def test_french_by_default_then_accept_language_then_cookie(site):
    assert '<html lang="fr"' in requests.get(site.url).text
    english = requests.get(site.url, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en"' in english.text
    session = requests.Session()
    session.get(site.url, params={"lang": "ar"})
    assert '<html lang="ar" dir="rtl"' in session.get(site.url + "recherche").text


def test_home_links_the_twelve_platforms_and_recent(site):
    html = requests.get(site.url).text
    for code in ("sn", "tn", "mr", "bj", "bf", "cm", "ci", "gn", "ml", "ne", "td", "tg"):
        assert f'href="/pays/{code}/"' in html
    assert "Lecture 22" in html  # the newest


def test_search_with_facets_and_pagination(site):
    html = requests.get(site.url + "recherche", params={"q": "forme"}).text
    assert "Les formes géométriques" in html and "Lecture 01" not in html
    html = requests.get(site.url + "recherche", params={"country": "TN"}).text
    assert "Lecture 01" in html and "Lecture 02" not in html
    assert re.search(r'value="TN" checked', html)
    assert "Tunisie" in html and "Arabe" in html  # labels from the curriculum files
    first = requests.get(site.url + "recherche").text
    assert 'rel="next"' in first and 'aria-current="page">1<' in first
    second = requests.get(site.url + "recherche", params={"page": 2}).text
    assert 'rel="prev"' in second
    both = requests.get(site.url + "recherche", params=[("country", "TN"), ("country", "ML")])
    assert "23 ressource(s) trouvée(s)" in both.text


def test_country_view(site):
    html = requests.get(site.url + "pays/ml/").text
    assert "Ressources de Mali" in html or "Mali" in html
    assert "Lecture 02" in html and "Lecture 01" not in html
    upper = requests.get(site.url + "pays/ML", allow_redirects=False)
    assert upper.status_code == 301 and upper.headers["Location"] == "/pays/ml/"
    assert requests.get(site.url + "pays/xx/").status_code == 404


def test_resource_page_has_preview_licence_downloads_versions(site):
    html = requests.get(site.url + f"r/{site.published}").text
    assert (
        f'src="/r/{site.published}/preview/"' in html
        and 'sandbox="allow-scripts allow-forms"' in html
    )
    assert "creativecommons.org/licenses/by-sa/4.0/" in html
    assert "« Les formes géométriques » par Awa Diop" in html
    assert f"http://127.0.0.1:{site.served.port}/r/{site.published}" in html
    assert f'href="/api/resources/{site.published}/files/h5p"' in html
    assert re.search(r"\d+(,\d)? [kK]o", html)  # sizes in French units
    assert "Version 1" in html
    assert "Ce1" in html or "CE1" in html
    preview = requests.get(site.url + f"r/{site.published}/preview/")
    assert preview.status_code == 200 and "ImaginecolePlayer" in preview.text
    assert "sandbox allow-scripts" in preview.headers["Content-Security-Policy"]
    assert "connect-src 'none'" in preview.headers["Content-Security-Policy"]


def test_unpublished_is_hidden_from_others_and_shown_to_its_owner(site):
    assert requests.get(site.url + f"r/{site.pending}").status_code == 404
    other = login(site.url, site.tokens["kofi"])
    assert other.get(site.url + f"r/{site.pending}").status_code == 404
    owner = login(site.url, site.tokens["awa"])
    page = owner.get(site.url + f"r/{site.pending}")
    assert page.status_code == 200 and "Soumise" in page.text
    mine = owner.get(site.url + "mes-publications").text
    assert "Les fractions" in mine and "Les formes géométriques" in mine


def test_teacher_html_is_escaped_in_pages(site):
    for path in (f"r/{site.xss}", "recherche?q=titre", ""):
        html = requests.get(site.url + path).text
        assert XSS not in html
        assert "&lt;script&gt;alert(" in html


def test_review_pages_need_the_permission(site):
    anonymous = requests.get(site.url + "relecture", allow_redirects=False)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/connexion?next=")
    teacher = login(site.url, site.tokens["kofi"])
    refused = teacher.get(site.url + "relecture")
    assert refused.status_code == 403 and "permission" in refused.text
    assert teacher.get(site.url + "actualites").status_code == 403


def test_review_forms_need_xsrf_and_reviewers_decide(site, tmp_path):
    uid = site.catalogue.publish(site.principals["kofi"], make_bundle(tmp_path / "b")).uid
    reviewer = login(site.url, site.tokens["mariam"])
    queue = reviewer.get(site.url + "relecture").text
    assert f"/r/{uid}/actions" in queue
    forged = reviewer.post(
        site.url + f"r/{uid}/actions",
        data={"action": "request_changes", "comment": "x"},
        allow_redirects=False,
    )
    assert forged.status_code == 403
    assert "formulaire" in forged.text  # explained in French
    xsrf = xsrf_of(reviewer, site.url + "relecture")
    sent = reviewer.post(
        site.url + f"r/{uid}/actions",
        data={"action": "request_changes", "comment": "Une <i>image</i> manque", "_xsrf": xsrf},
        allow_redirects=False,
    )
    assert sent.status_code == 303
    author = login(site.url, site.tokens["kofi"])
    mine = author.get(site.url + "mes-publications").text
    assert "Une &lt;i&gt;image&lt;/i&gt; manque" in mine and "Modifications demandées" in mine
    # a token request needs no _xsrf: it carries no cookie
    api = requests.post(
        site.url + f"r/{uid}/actions",
        data={"action": "withdraw"},
        headers=auth(site.tokens["kofi"]),
        allow_redirects=False,
    )
    assert api.status_code == 303


def test_login_refuses_a_bad_token_and_logout_forgets(site):
    session = requests.Session()
    xsrf = xsrf_of(session, site.url + "connexion")
    bad = session.post(site.url + "connexion", data={"token": "nope", "_xsrf": xsrf})
    assert bad.status_code == 403 and 'aria-invalid="true"' in bad.text
    session = login(site.url, site.tokens["editrice"])
    assert "Actualités" in session.get(site.url + "actualites").text
    xsrf = xsrf_of(session, site.url)
    session.post(site.url + "deconnexion", data={"_xsrf": xsrf})
    assert session.get(site.url + "actualites", allow_redirects=False).status_code == 302


def test_editor_writes_news_shown_on_home(site):
    editor = login(site.url, site.tokens["editrice"])
    xsrf = xsrf_of(editor, site.url + "actualites")
    response = editor.post(
        site.url + "actualites",
        data={
            "title": "Atelier à Nouakchott",
            "body": "<p>Venez <strong>nombreux</strong></p><img src=x onerror=alert(1)>",
            "language": "fr",
            "_xsrf": xsrf,
        },
    )
    assert response.status_code == 200
    home = requests.get(site.url).text
    assert "Atelier à Nouakchott" in home and "<strong>nombreux</strong>" in home
    assert "onerror" not in home


def test_unknown_address_is_a_french_404_page(site):
    response = requests.get(site.url + "nulle-part")
    assert response.status_code == 404 and '<html lang="fr"' in response.text


def test_app_works_under_a_hub_service_prefix(tmp_path):
    site = Site(tmp_path, base_url="/services/catalogue/")
    try:
        assert site.url.endswith("/services/catalogue/")
        html = requests.get(site.url).text
        assert 'href="/services/catalogue/recherche"' in html
        assert 'href="/services/catalogue/static/catalogue.css' in html
        resource = requests.get(site.url + f"api/resources/{site.published}").json()
        assert resource["page"].endswith(f"/services/catalogue/r/{site.published}")
        css = requests.get(site.url + "static/catalogue.css")
        assert css.status_code == 200
        assert requests.get(f"http://127.0.0.1:{site.served.port}/recherche").status_code == 404
    finally:
        site.close()
