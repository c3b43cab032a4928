"""The JSON API over real HTTP: publish, review, permissions, uploads, downloads."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile

import pytest
import requests

from .webserver import Site, auth, make_bundle, zip_bundle


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = Site(tmp_path_factory.mktemp("web-api"), max_upload_mb=1)
    yield running
    running.close()


def error_of(response) -> dict:
    body = response.json()
    assert body["status"] == response.status_code
    assert body["messages"]["fr"] and body["messages"]["en"]
    assert body["messages"]["fr"] != body["messages"]["en"], "the message is not translated"
    return body


def test_about_tells_the_upload_limit(site):
    about = requests.get(site.url + "api/").json()
    assert about["max_upload_bytes"] == 1024 * 1024
    assert about["hub"] is False
    spec = requests.get(site.url + "api/openapi.yaml")
    assert spec.status_code == 200 and spec.text.startswith("openapi: 3.1")


def test_publish_review_and_only_published_is_public(site, tmp_path):
    archive = zip_bundle(make_bundle(tmp_path / "b", title="Les angles droits"), tmp_path / "b.zip")
    teacher = auth(site.tokens["kofi"])
    response = requests.post(
        site.url + "api/resources",
        data=archive.read_bytes(),
        params={"note": "Pour le CE1"},
        headers={**teacher, "Content-Type": "application/zip"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    uid = created["uid"]
    assert created["state"] == "submitted" and created["latest"]["note"] == "Pour le CE1"
    assert response.headers["Location"].endswith(f"/api/resources/{uid}")

    # submitted: invisible to the public and to other teachers, visible to its owner
    assert requests.get(site.url + f"api/resources/{uid}").status_code == 404
    other = requests.get(site.url + f"api/resources/{uid}", headers=auth(site.tokens["awa"]))
    assert other.status_code == 404
    mine = requests.get(site.url + f"api/resources/{uid}", headers=teacher)
    assert mine.json()["state"] == "submitted"
    search = requests.get(site.url + "api/search", params={"q": "angles"}).json()
    assert search["total"] == 0

    queue = requests.get(site.url + "api/review", headers=auth(site.tokens["mariam"])).json()
    assert uid in [r["uid"] for r in queue]
    approved = requests.post(
        site.url + f"api/resources/{uid}/review",
        json={"action": "approve", "comment": "Bien"},
        headers=auth(site.tokens["mariam"]),
    )
    assert approved.status_code == 200 and approved.json()["state"] == "published"
    public = requests.get(site.url + f"api/resources/{uid}").json()
    assert public["state"] == "published" and "owner" not in public
    assert "reviews" not in public["latest"]
    search = requests.get(site.url + "api/search", params={"q": "angle"}).json()
    assert [r["uid"] for r in search["items"]] == [uid]


def test_search_gives_facet_counts_with_labels(site):
    result = requests.get(
        site.url + "api/search", params={"country": "SN", "lang": "en", "per_page": 5}
    ).json()
    assert result["total"] >= 1 and result["per_page"] == 5
    countries = {f["value"]: f for f in result["facets"]["country"]}
    assert countries["SN"]["count"] >= 1 and countries["SN"]["label"] == "Senegal"
    subjects = {f["value"]: f["label"] for f in result["facets"]["subject"]}
    assert subjects["mathematiques"] == "Mathematics"
    bad = requests.get(site.url + "api/search", params={"page": "x"})
    assert bad.status_code == 400


def test_multipart_publish_and_new_version_by_owner_only(site, tmp_path):
    uid = str(uuid.uuid4())
    archive = zip_bundle(make_bundle(tmp_path / "b", uid=uid), tmp_path / "b.zip")
    files = {"bundle": ("b.zip", archive.read_bytes(), "application/zip")}
    first = requests.post(
        site.url + "api/resources",
        files=files,
        data={"note": "v1"},
        headers=auth(site.tokens["awa"]),
    )
    assert first.status_code == 201, first.text
    assert first.json()["latest"]["note"] == "v1"
    # another teacher cannot publish over Awa's uid
    stolen = requests.post(
        site.url + "api/resources", files=files, headers=auth(site.tokens["kofi"])
    )
    assert stolen.status_code == 403
    error_of(stolen)
    again = requests.post(site.url + "api/resources", files=files, headers=auth(site.tokens["awa"]))
    assert again.status_code == 201 and again.json()["versions"] == 2


def test_anonymous_and_bad_tokens_cannot_write(site, tmp_path):
    archive = zip_bundle(make_bundle(tmp_path / "b"), tmp_path / "b.zip")
    for headers in ({}, {"Authorization": "token not-a-token"}, {"Authorization": "Basic x"}):
        response = requests.post(
            site.url + "api/resources",
            data=archive.read_bytes(),
            headers={**headers, "Content-Type": "application/zip"},
        )
        assert response.status_code == 401
        assert "Bearer" in response.headers["WWW-Authenticate"]
        error_of(response)
    review = requests.post(
        site.url + f"api/resources/{site.pending}/review", json={"action": "approve"}
    )
    assert review.status_code == 401
    assert requests.post(site.url + "api/news", json={"title": "x", "body": "y"}).status_code == 401


def test_teacher_cannot_approve_and_reviewer_not_their_own(site):
    teacher = requests.post(
        site.url + f"api/resources/{site.pending}/review",
        json={"action": "approve"},
        headers=auth(site.tokens["kofi"]),
    )
    assert teacher.status_code == 403
    assert "review" in error_of(teacher)["messages"]["en"]
    assert (
        requests.get(site.url + "api/review", headers=auth(site.tokens["awa"])).status_code == 403
    )


def test_request_changes_needs_a_comment_and_the_author_reads_it(site, tmp_path):
    principal = site.principals["awa"]
    uid = site.catalogue.publish(principal, make_bundle(tmp_path / "b")).uid
    reviewer = auth(site.tokens["mariam"])
    empty = requests.post(
        site.url + f"api/resources/{uid}/review",
        json={"action": "request_changes", "comment": ""},
        headers=reviewer,
    )
    assert empty.status_code == 400
    sent = requests.post(
        site.url + f"api/resources/{uid}/review",
        json={"action": "request_changes", "comment": "Ajoutez une image <b>nette</b>."},
        headers=reviewer,
    )
    assert sent.status_code == 200 and sent.json()["state"] == "changes_requested"
    mine = requests.get(site.url + "api/me/submissions", headers=auth(site.tokens["awa"])).json()
    record = next(r for r in mine if r["uid"] == uid)
    comments = [c["comment"] for c in record["latest"]["reviews"]]
    assert "Ajoutez une image <b>nette</b>." in comments
    twice = requests.post(
        site.url + f"api/resources/{uid}/review",
        json={"action": "approve"},
        headers=reviewer,
    )
    assert twice.status_code == 409


def test_upload_cap_gives_413(site):
    body = b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024)
    response = requests.post(
        site.url + "api/resources",
        data=body,
        headers={**auth(site.tokens["awa"]), "Content-Type": "application/zip"},
    )
    assert response.status_code == 413
    assert "1 Mo" in error_of(response)["messages"]["fr"]


def test_not_a_zip_is_400_in_two_languages(site):
    response = requests.post(
        site.url + "api/resources",
        data=b"hello, not a zip",
        headers={**auth(site.tokens["awa"]), "Content-Type": "application/zip"},
    )
    assert response.status_code == 400
    body = error_of(response)
    assert "zip" in body["messages"]["fr"] and "[en]" in body["message"]


def test_wrong_content_type_is_415(site):
    response = requests.post(
        site.url + "api/resources",
        data="{}",
        headers={**auth(site.tokens["awa"]), "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    error_of(response)


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "media/../../evil"])
def test_zip_slip_upload_is_refused(site, tmp_path, name):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("manifest.json", "{}")
        zf.writestr(name, "pwned")
    response = requests.post(
        site.url + "api/resources",
        data=archive.getvalue(),
        headers={**auth(site.tokens["awa"]), "Content-Type": "application/zip"},
    )
    assert response.status_code == 400
    assert "outside" in error_of(response)["messages"]["en"]
    assert not (tmp_path.parent / "evil.txt").exists()


def test_invalid_bundle_lists_every_problem(site, tmp_path):
    folder = make_bundle(tmp_path / "b")
    manifest = (folder / "manifest.json").read_text("utf-8")
    (folder / "manifest.json").write_text(
        manifest.replace('"country": "SN"', '"country": "XX"'), "utf-8"
    )
    archive = zip_bundle(folder, tmp_path / "b.zip")
    response = requests.post(
        site.url + "api/resources",
        data=archive.read_bytes(),
        headers={**auth(site.tokens["awa"]), "Content-Type": "application/zip"},
    )
    assert response.status_code == 400
    assert "country" in response.text
    # the publish widget shows the first line to the teacher: it names the upload, not
    # the server's temporary file
    messages = error_of(response)["messages"]
    assert messages["fr"].splitlines()[0].startswith("Le grain envoyé (bundle.zip) n'est pas")
    assert messages["en"].splitlines()[0].startswith("The uploaded grain (bundle.zip) is not")
    assert "/tmp" not in response.text and "imaginecole-upload" not in response.text
    # sent as a form, it is named by its file name
    form = requests.post(
        site.url + "api/resources",
        files={"bundle": ("mon-grain.zip", archive.read_bytes(), "application/zip")},
        headers=auth(site.tokens["awa"]),
    )
    assert form.status_code == 400
    assert error_of(form)["messages"]["fr"].startswith("Le grain envoyé (mon-grain.zip)")


def test_a_zip_without_a_bundle_names_the_upload(site, tmp_path):
    archive = tmp_path / "vide.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("notes.txt", "pas de manifest")
    response = requests.post(
        site.url + "api/resources",
        data=archive.read_bytes(),
        headers={**auth(site.tokens["awa"]), "Content-Type": "application/zip"},
    )
    assert response.status_code == 400
    assert "bundle.zip" in response.text and "imaginecole-upload" not in response.text


def test_downloads_per_format_and_per_version(site):
    resource = requests.get(site.url + f"api/resources/{site.published}").json()
    files = {f["format"]: f for f in resource["latest"]["files"]}
    assert {"bundle", "html", "h5p", "scorm12"} <= set(files)
    for fmt in ("bundle", "html", "h5p"):
        response = requests.get(site.url + f"api/resources/{site.published}/files/{fmt}")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == files[fmt]["sha256"]
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in response.headers["Content-Security-Policy"]
    versioned = requests.get(site.url + f"api/resources/{site.published}/versions/1/files/bundle")
    assert versioned.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(versioned.content)).read("manifest.json")
    versions = requests.get(site.url + f"api/resources/{site.published}/versions").json()
    assert [v["number"] for v in versions] == [1] and versions[0]["state"] == "published"
    # the pending resource's files are for its owner and reviewers only
    hidden = site.url + f"api/resources/{site.pending}/versions/1/files/bundle"
    assert requests.get(hidden).status_code == 404
    assert requests.get(hidden, headers=auth(site.tokens["kofi"])).status_code == 404
    assert requests.get(hidden, headers=auth(site.tokens["awa"])).status_code == 200
    assert requests.get(hidden, headers=auth(site.tokens["mariam"])).status_code == 200
    missing = requests.get(site.url + f"api/resources/{site.published}/files/nothing")
    assert missing.status_code == 404


def test_news_is_written_by_editors_only_and_sanitised(site):
    item = {"title": "Hackathon à Lomé", "body": "<p>Inscrivez-vous</p><script>x()</script>"}
    teacher = requests.post(site.url + "api/news", json=item, headers=auth(site.tokens["awa"]))
    assert teacher.status_code == 403
    editor = requests.post(site.url + "api/news", json=item, headers=auth(site.tokens["editrice"]))
    assert editor.status_code == 201
    news = requests.get(site.url + "api/news").json()
    posted = next(n for n in news if n["id"] == editor.json()["id"])
    assert "<script>" not in posted["body_html"] and "Inscrivez-vous" in posted["body_html"]
    deleted = requests.delete(
        site.url + f"api/news/{posted['id']}", headers=auth(site.tokens["editrice"])
    )
    assert deleted.status_code == 204


def test_me_says_who_and_what(site):
    me = requests.get(site.url + "api/me", headers=auth(site.tokens["mariam"])).json()
    assert me == {"name": "mariam", "permissions": ["read", "review", "write"]}
    assert requests.get(site.url + "api/me").json() == {"name": "", "permissions": ["read"]}


def test_publish_search_and_download_on_sqlite_and_postgresql(catalogue_url, tmp_path):
    running = Site(tmp_path / "site", db_url=catalogue_url)
    try:
        archive = zip_bundle(
            make_bundle(tmp_path / "b", title="Les fractions simples", description="Élèves"),
            tmp_path / "b.zip",
        )
        created = requests.post(
            running.url + "api/resources",
            data=archive.read_bytes(),
            headers={**auth(running.tokens["kofi"]), "Content-Type": "application/zip"},
        ).json()
        approved = requests.post(
            running.url + f"api/resources/{created['uid']}/review",
            json={"action": "approve"},
            headers=auth(running.tokens["mariam"]),
        )
        assert approved.json()["state"] == "published"
        for q in ("fraction", "eleve"):
            found = requests.get(running.url + "api/search", params={"q": q}).json()
            assert created["uid"] in [r["uid"] for r in found["items"]], q
        page = requests.get(running.url + "recherche", params={"q": "fraction"}).text
        assert "Les fractions simples" in page
        html = requests.get(running.url + f"api/resources/{created['uid']}/files/html")
        assert html.status_code == 200 and b"ImaginecolePlayer" in html.content
    finally:
        running.close()


@pytest.mark.parametrize(
    ("public_url", "origin"),
    [("https://hub.example.org/services/catalogue/", "https://hub.example.org"), ("", "")],
)
def test_hub_mode_links_open_in_the_teachers_browser(tmp_path, monkeypatch, public_url, origin):
    """A kernel calls the service at its hub-internal address (127.0.0.1:PORT): the links
    it gets back are the hub's public ones (JUPYTERHUB_PUBLIC_URL), else relative."""
    from jupyterhub.services.auth import HubOAuth

    from imaginecole.catalogue.model import principal_for_role
    from imaginecole.catalogue.service import Catalogue

    from .webserver import Served

    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", public_url)
    catalogue = Catalogue.open(tmp_path / "data")
    package = tmp_path / "p.h5p"
    package.write_bytes(b"PK h5p")
    editor = principal_for_role("fatou", "editor")
    meta = {"title": "Les volcans", "language": "fr", "licence": "CC-BY-4.0"}
    uid = catalogue.publish_package(
        editor, meta, {"h5p": package}, type="h5p", state="published"
    ).uid
    hub_auth = HubOAuth(
        api_token="unused-for-anonymous-reads",
        api_url="http://127.0.0.1:9/hub/api",
        oauth_client_id="service-catalogue",
        oauth_redirect_uri="http://127.0.0.1:9/services/catalogue/oauth_callback",
        base_url="/services/catalogue/",
    )
    prefix = "/services/catalogue/"
    with Served(catalogue, base_url=prefix, hub_auth=hub_auth) as served:
        found = requests.get(served.url + "api/search", params={"q": "volcans"})
        assert found.status_code == 200, found.text
        item = found.json()["items"][0]
        assert item["page"] == f"{origin}{prefix}r/{uid}"
        assert item["api"] == f"{origin}{prefix}api/resources/{uid}"
        one = requests.get(served.url + f"api/resources/{uid}").json()
        assert one["latest"]["files"][0]["url"].startswith(f"{origin}{prefix}api/resources/")
        assert "127.0.0.1" not in found.text + json.dumps(one)
    catalogue.close()
