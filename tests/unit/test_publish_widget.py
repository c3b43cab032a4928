"""The publish widget against a real catalogue (`imaginecole catalogue serve`) on 127.0.0.1."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from html import unescape
from pathlib import Path

import pytest
import requests
from imaginecole.widgets.launcher import Launcher
from imaginecole.widgets.publish import PublishWidget, PublishWorkbench

from imaginecole.ports import free_loopback_port

from .catalogue.webserver import catalogue_cli, catalogue_process

REPO = Path(__file__).resolve().parents[2]
GRAINS = REPO / "tests" / "fixtures" / "grains"
ENV = (
    "IMAGINECOLE_CATALOGUE_URL",
    "IMAGINECOLE_CATALOGUE_PUBLIC_URL",
    "IMAGINECOLE_CATALOGUE_TOKEN",
    "JUPYTERHUB_API_TOKEN",
    "IMAGINECOLE_WORKSHOP",
    "IMAGINECOLE_LANGUAGE",
)
COMPLETE = {
    "description": "Reconnaître un triangle parmi des formes.",
    "country": "SN",
    "level": "ce1",
    "subject": "mathematiques",
    "authors": [{"name": "Awa Diop"}],
}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """`imaginecole catalogue serve` (standalone, 1 MB uploads) with a teacher and a reviewer."""
    data = tmp_path_factory.mktemp("catalogue") / "data"
    tokens = {
        name: catalogue_cli("token", "--data", str(data), "--role", role, "--name", name)
        for name, role in (("awa", "teacher"), ("ibrahim", "teacher"), ("mariam", "reviewer"))
    }
    with catalogue_process(data, "--max-upload-mb", "1") as url:
        yield {"url": url, "tokens": tokens}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def grain(folder: Path, **metadata) -> Path:
    """A copy of a fixture grain with a new id; `metadata` is merged into its metadata."""
    shutil.copytree(GRAINS / "single_choice", folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["id"] = str(uuid.uuid4())
    manifest["metadata"].update(metadata)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def text(markup: str) -> str:
    """What a reader sees: inline tags vanish, block tags separate."""
    inline = re.sub(r"</?(strong|em|span|a)\b[^>]*>", "", markup)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def api(catalogue, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method,
        catalogue["url"] + path,
        headers={"Authorization": f"token {token}"},
        timeout=60,
        **kwargs,
    )


def test_missing_metadata_keeps_the_button_disabled_and_lists_the_fields(catalogue, tmp_path):
    token = catalogue["tokens"]["awa"]
    widget = PublishWidget(grain(tmp_path / "formes"), catalogue["url"], token)
    assert widget.missing == ["description", "country", "level", "subject"]
    assert widget.publish_button.disabled
    checklist = text(widget.checklist.value)
    assert "Pays : manquant" in checklist and "Remplissez « Pays » ci-dessous" in checklist
    assert "Niveau : manquant" in checklist and "Matière : manquant" in checklist
    assert "Titre du grain : fait" in checklist and "Licence : fait" in checklist
    # the problem is also shown next to its field in the form, with the field's label
    assert widget.form.country.description == "Pays"
    assert "le pays est nécessaire pour publier" in text(widget.form.slots["country"].value)
    assert widget.form.slots["title"].layout.display == "none"
    # pressing anyway sends nothing
    assert widget.publish() is None
    assert api(catalogue, token, "GET", "api/me/submissions").json() == []


def test_completing_the_form_saves_the_grain_and_enables_the_button(catalogue, tmp_path):
    folder = grain(tmp_path / "formes")
    widget = PublishWidget(folder, catalogue["url"], catalogue["tokens"]["awa"], autosave_delay=0)
    form = widget.form
    form.description.value = "Reconnaître les formes."
    form.country.value = "SN"
    assert widget.missing == ["level", "subject"] and widget.publish_button.disabled
    form.level.value = "cm1"
    form.subject.value = "mathematiques"
    assert widget.missing == [] and not widget.publish_button.disabled
    assert "rien ne manque" in text(widget.checklist.value).lower()
    saved = json.loads((folder / "manifest.json").read_text("utf-8"))["metadata"]
    assert (saved["country"], saved["level"], saved["subject"]) == ("SN", "cm1", "mathematiques")
    assert widget.save_status.text == "Enregistré"


def test_a_complete_grain_is_published_and_followed_in_my_publications(catalogue, tmp_path):
    tokens = catalogue["tokens"]
    folder = grain(tmp_path / "triangles", title="Les triangles", **COMPLETE)
    widget = PublishWidget(folder, catalogue["url"], tokens["awa"])
    assert not widget.publish_button.disabled
    assert "Vous n'avez encore rien publié" in text(widget.submissions.table.value)
    widget.note.value = "Essayé en CE1"
    resource = widget.publish()
    assert resource is not None and resource["state"] == "submitted"
    uid = resource["uid"]
    outcome = text(widget.outcome.value)
    assert "« Les triangles », version 1 : soumise" in outcome
    assert f'href="{catalogue["url"]}r/{uid}"' in widget.outcome.value
    assert widget.status.text == "Envoyé pour relecture."
    mine = text(widget.submissions.table.value)
    assert "Les triangles" in mine and "soumise" in mine
    # what the catalogue holds: the teacher's submission with its note, not public yet
    stored = api(catalogue, tokens["awa"], "GET", f"api/resources/{uid}").json()
    assert stored["state"] == "submitted" and stored["latest"]["note"] == "Essayé en CE1"
    assert requests.get(catalogue["url"] + f"api/resources/{uid}", timeout=30).status_code == 404

    # a reviewer sends it back with a comment: the teacher reads both in the list
    back = api(
        catalogue,
        tokens["mariam"],
        "POST",
        f"api/resources/{uid}/review",
        json={"action": "request_changes", "comment": "Ajoutez une image du triangle."},
    )
    assert back.status_code == 200, back.text
    widget.submissions.refresh()
    mine = text(widget.submissions.table.value)
    assert "modifications demandées" in mine
    assert "mariam : Ajoutez une image du triangle." in mine

    # sending again makes version 2, submitted again
    again = widget.publish()
    assert again["latest"]["number"] == 2 and again["state"] == "submitted"
    assert "version 2 : soumise" in text(widget.outcome.value)


def test_a_wrong_token_shows_a_bilingual_error(catalogue, tmp_path):
    folder = grain(tmp_path / "formes", **COMPLETE)
    widget = PublishWidget(folder, catalogue["url"], "not-a-real-token")
    # the list of publications already says so, in French then English
    listing = text(widget.submissions.table.value)
    assert "n'a pas accepté votre clé d'accès (401)" in listing
    assert "[en] The catalogue did not accept your access key (401)" in listing
    assert widget.publish() is None
    outcome = text(widget.outcome.value)
    assert "n'a pas accepté votre clé d'accès (401)" in outcome and "[en]" in outcome
    assert 'role="alert"' in widget.outcome.value
    assert "Traceback" not in outcome and widget.status.text == "Non envoyé."


def test_the_catalogue_down_shows_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_loopback_port()}/"  # nothing listens there
    widget = PublishWidget(grain(tmp_path / "formes", **COMPLETE), url, "some-token")
    assert widget.publish() is None
    outcome = text(widget.outcome.value)
    assert f"Impossible de joindre le catalogue ({url})" in outcome
    assert "rien n'est perdu" in outcome and "[en] The catalogue cannot be reached" in outcome
    assert not widget.publish_button.disabled  # the teacher can try again


def test_a_too_large_grain_is_refused_before_sending(catalogue, tmp_path):
    folder = grain(tmp_path / "lourd", **COMPLETE)
    (folder / "media" / "bruit.bin").write_bytes(__import__("os").urandom(1_300_000))
    widget = PublishWidget(folder, catalogue["url"], catalogue["tokens"]["awa"])
    assert widget.publish() is None
    assert "plus que ce qu'accepte le catalogue (1 Mo)" in text(widget.outcome.value)


def test_a_teacher_cannot_replace_another_teachers_resource(catalogue, tmp_path):
    tokens = catalogue["tokens"]
    folder = grain(tmp_path / "carres", title="Les carrés", **COMPLETE)
    assert PublishWidget(folder, catalogue["url"], tokens["awa"]).publish() is not None
    intruder = PublishWidget(folder, catalogue["url"], tokens["ibrahim"])
    assert intruder.publish() is None
    assert "(403)" in text(intruder.outcome.value)


def test_settings_come_from_the_hub_environment(monkeypatch, catalogue, tmp_path):
    monkeypatch.setenv("IMAGINECOLE_CATALOGUE_URL", catalogue["url"])
    monkeypatch.setenv("IMAGINECOLE_CATALOGUE_PUBLIC_URL", "/services/catalogue/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", catalogue["tokens"]["awa"])
    monkeypatch.setenv("IMAGINECOLE_WORKSHOP", "Atelier de Thiès")
    folder = grain(tmp_path / "cercles", title="Les cercles", **COMPLETE)
    widget = PublishWidget(folder)
    assert widget.catalogue_url == catalogue["url"]
    resource = widget.publish()
    # links go through the hub's proxy; the workshop is the event of a grain without one
    assert f'href="/services/catalogue/r/{resource["uid"]}"' in widget.outcome.value
    assert resource["event"] == "Atelier de Thiès"
    # a national catalogue's own key wins over the hub's
    monkeypatch.setenv("IMAGINECOLE_CATALOGUE_TOKEN", "national-key")
    assert PublishWidget(folder).token == "national-key"


def test_without_a_catalogue_nothing_is_sent_and_it_says_why(tmp_path):
    widget = PublishWidget(grain(tmp_path / "formes", **COMPLETE))
    assert widget.missing == [] and widget.publish_button.disabled
    assert "Aucun catalogue n'est configuré ici" in text(widget.checklist.value)
    assert "Aucun catalogue" in text(widget.submissions.table.value)


def test_english_interface(catalogue, tmp_path):
    widget = PublishWidget(grain(tmp_path / "shapes"), catalogue["url"], "wrong", language="en")
    checklist = text(widget.checklist.value)
    assert "Country: missing. the country is required to publish" in checklist
    assert "Fill in « Country » below." in checklist
    listing = text(widget.submissions.table.value)
    assert "did not accept your access key (401)" in listing and "[en]" not in listing


def test_a_grain_with_other_problems_points_to_the_quiz_workbench(tmp_path):
    folder = grain(tmp_path / "casse", **COMPLETE)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["questions"][0]["choices"] = []
    (folder / "manifest.draft.json").write_text(json.dumps(manifest), "utf-8")
    widget = PublishWidget(folder, "http://127.0.0.1:9/", "token")
    assert widget.publish_button.disabled
    checklist = text(widget.checklist.value)
    assert "corrigez-les dans « Créer un quiz »" in checklist
    assert 'href="Cr%C3%A9er%20un%20quiz.ipynb"' in widget.checklist.value


def test_the_workbench_lists_the_teachers_grains(tmp_path, monkeypatch):
    grains = tmp_path / "grains"
    grain(grains / "formes", title="Les formes")
    grain(grains / "nombres", title="Les nombres", **COMPLETE)
    workbench = PublishWorkbench(grains_dir=str(grains))
    titles = [label for label, _path in workbench.choice.options]
    assert sorted(titles) == ["Les formes", "Les nombres"]
    assert workbench.choice.description == "Le grain à publier"
    workbench.choice.value = str(grains / "nombres")
    assert workbench.widget.bundle_dir == str(grains / "nombres")
    assert workbench.widget.missing == []
    empty = PublishWorkbench(grains_dir=str(tmp_path / "nothing"))
    assert "Vous n'avez pas encore de grain" in text(empty.children[1].children[0].value)


def test_the_launcher_links_to_the_catalogue(tmp_path, monkeypatch):
    assert "catalogue" not in Launcher(folder=str(tmp_path))._lab_link.value
    monkeypatch.setenv("IMAGINECOLE_CATALOGUE_PUBLIC_URL", "/services/catalogue/")
    footer = Launcher(folder=str(tmp_path))._lab_link.value
    assert 'href="/services/catalogue/"' in footer and "Ouvrir le catalogue partagé" in footer


def test_the_catalogues_refusals_read_plainly(catalogue, tmp_path):
    from imaginecole.widgets.publish_client import CatalogueClient, CatalogueError
    from imaginecole.widgets.publish_submissions import error_markup

    client = CatalogueClient(catalogue["url"], catalogue["tokens"]["awa"])
    not_a_zip = tmp_path / "notes.zip"
    not_a_zip.write_text("bonjour", "utf-8")
    with pytest.raises(CatalogueError) as refused:
        client.publish(not_a_zip)
    assert refused.value.status == 400
    shown = text(error_markup(refused.value, "fr"))
    assert shown.startswith("Le catalogue a refusé le grain :") and "[en] The catalogue" in shown
    too_big = tmp_path / "big.zip"
    too_big.write_bytes(b"0" * 1_200_000)
    with pytest.raises(CatalogueError) as large:
        client.publish(too_big)
    assert large.value.status == 413
    assert "trop lourd pour le catalogue (413)" in large.value.render("fr")
    # an address that is not a catalogue
    with pytest.raises(CatalogueError) as elsewhere:
        CatalogueClient(catalogue["url"] + "nothing-here/", "").info()
    assert "ne répond pas comme un catalogue" in elsewhere.value.render("fr")
