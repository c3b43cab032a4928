"""The launcher lists the workbenches as cards with links that open them in Voilà."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import pytest
from imaginecole.widgets.launcher import Launcher, find_workbenches, page_location

from imaginecole.ports import free_loopback_port

REPO = Path(__file__).resolve().parents[2]
ENV_VARS = (
    "IMAGINECOLE_CATALOGUE_URL",
    "IMAGINECOLE_CATALOGUE_TOKEN",
    "JUPYTERHUB_API_TOKEN",
    "IMAGINECOLE_LANGUAGE",
    "IMAGINECOLE_WORKSHOP",
    "JUPYTERHUB_USER",
    "SCRIPT_NAME",
    "VOILA_BASE_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def write_notebook(path: Path, imaginecole: dict | None = None) -> Path:
    metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    if imaginecole is not None:
        metadata["imaginecole"] = imaginecole
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}),
        "utf-8",
    )
    return path


@pytest.fixture
def workbench_folder(tmp_path: Path) -> Path:
    write_notebook(
        tmp_path / "Quiz.ipynb",
        {
            "kind": "workbench",
            "title": "Créer un quiz",
            "description": "Questions à choix.",
            "order": 2,
        },
    )
    write_notebook(
        tmp_path / "Bienvenue.ipynb",
        {
            "kind": "workbench",
            "title": "Découvrir l'atelier",
            "description": "Premiers pas.",
            "order": 0,
        },
    )
    write_notebook(
        tmp_path / "BD" / "Ma BD.ipynb", {"kind": "workbench", "title": "BD", "order": 1}
    )
    write_notebook(tmp_path / "Lanceur.ipynb", {"kind": "launcher"})
    write_notebook(tmp_path / "Brouillon.ipynb")
    write_notebook(tmp_path / ".ipynb_checkpoints" / "Quiz-checkpoint.ipynb", {"kind": "workbench"})
    (tmp_path / "Casse.ipynb").write_text("{ not json", "utf-8")
    return tmp_path


def hrefs(launcher: Launcher) -> list[str]:
    return re.findall(r'href="([^"]*)"', launcher.children[1].value)


def test_lists_workbenches_in_order_and_ignores_the_rest(workbench_folder: Path) -> None:
    launcher = Launcher(folder=str(workbench_folder))
    assert [w.title for w in launcher.workbenches] == ["Découvrir l'atelier", "BD", "Créer un quiz"]
    cards = launcher.children[1].value
    assert cards.count('<li class="ic-card">') == 3
    assert "Premiers pas." in cards
    assert hrefs(launcher) == [
        "../../voila/render/Bienvenue.ipynb",
        "../../voila/render/BD/Ma%20BD.ipynb",
        "../../voila/render/Quiz.ipynb",
    ]
    for hidden in ("Lanceur", "Brouillon", "checkpoint", "Casse"):
        assert hidden not in cards


def test_french_by_default_with_the_user_and_a_lab_link(
    workbench_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "aminata")
    monkeypatch.setenv("IMAGINECOLE_WORKSHOP", "Atelier de Dakar")
    launcher = Launcher(folder=str(workbench_folder))
    header = launcher.children[0].value
    assert "<h2>Bienvenue, aminata\u00a0!</h2>" in header
    assert "Atelier de Dakar" in header
    assert 'lang="fr" dir="ltr"' in header
    footer = launcher.children[2]
    assert footer.children[0].description == "Actualiser la liste"
    assert '<a href="../../lab">Ouvrir JupyterLab</a>' in footer.children[1].value
    assert 'aria-label="Activités"' in launcher.children[1].value


def test_english_from_the_environment(
    workbench_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGINECOLE_LANGUAGE", "en")
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    launcher = Launcher(folder=str(workbench_folder))
    assert "<h2>Welcome, ana!</h2>" in launcher.children[0].value
    assert ">Open JupyterLab</a>" in launcher.children[2].children[1].value
    assert 'lang="en"' in launcher.children[1].value


def test_titles_and_paths_are_escaped(tmp_path: Path) -> None:
    write_notebook(
        tmp_path / 'x"><script>.ipynb',
        {
            "kind": "workbench",
            "title": "<script>alert(1)</script>",
            "description": "<img src=x onerror=alert(1)>",
        },
    )
    launcher = Launcher(folder=str(tmp_path))
    cards = launcher.children[1].value
    assert "<script>" not in cards and "<img" not in cards
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in cards
    assert hrefs(launcher) == ["../../voila/render/x%22%3E%3Cscript%3E.ipynb"]


def test_empty_folder_says_so(tmp_path: Path) -> None:
    launcher = Launcher(folder=str(tmp_path))
    assert launcher.workbenches == []
    assert "Aucune activité n&#x27;a été trouvée dans ce dossier." in launcher.children[1].value


def test_changing_the_folder_refreshes(workbench_folder: Path, tmp_path_factory) -> None:
    launcher = Launcher(folder=str(tmp_path_factory.mktemp("empty")))
    assert launcher.workbenches == []
    launcher.folder = str(workbench_folder)
    assert len(launcher.workbenches) == 3
    write_notebook(workbench_folder / "Podcast.ipynb", {"kind": "workbench", "title": "Podcast"})
    launcher.children[2].children[0].click()
    assert [w.title for w in launcher.workbenches][-1] == "Podcast"


def test_default_folder_is_the_working_directory(
    workbench_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workbench_folder)
    assert len(Launcher().workbenches) == 3


def test_links_follow_a_launcher_in_a_subfolder(
    workbench_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOILA_BASE_URL", "/user/ana/")
    monkeypatch.setenv("SCRIPT_NAME", "/user/ana/voila/render/fr/Lanceur.ipynb")
    assert page_location() == ("../../../", "fr")
    monkeypatch.chdir(workbench_folder)
    launcher = Launcher()
    assert hrefs(launcher)[0] == "../../../voila/render/fr/Bienvenue.ipynb"
    assert 'href="../../../lab"' in launcher.children[2].children[1].value
    # resolved against the page URL, the link lands on the workbench
    from urllib.parse import urljoin

    page = "http://hub.local/user/ana/voila/render/fr/Lanceur.ipynb"
    assert urljoin(page, hrefs(launcher)[0]) == (
        "http://hub.local/user/ana/voila/render/fr/Bienvenue.ipynb"
    )


def test_top_level_links_resolve_under_the_user_prefix(workbench_folder: Path) -> None:
    from urllib.parse import urljoin

    launcher = Launcher(folder=str(workbench_folder))
    for page in (
        "http://hub.local/user/ana/voila/render/Lanceur.ipynb",
        "http://hub.local/user/ana/lab/tree/Lanceur.ipynb",
    ):
        assert urljoin(page, hrefs(launcher)[0]) == (
            "http://hub.local/user/ana/voila/render/Bienvenue.ipynb"
        )


class Shipped(NamedTuple):
    """The notebooks shipped in one language."""

    language: str
    launcher: str
    welcome: str
    comic: str  # the comic workbench
    comic_title: str

    @property
    def folder(self) -> Path:
        return REPO / "notebooks" / self.language


SHIPPED = [
    Shipped("fr", "Lanceur.ipynb", "Bienvenue.ipynb", "Créer une BD.ipynb", "Créer une BD"),
    Shipped("en", "Launcher.ipynb", "Welcome.ipynb", "Create a comic.ipynb", "Create a comic"),
]


@pytest.fixture(params=SHIPPED, ids=lambda shipped: shipped.language)
def shipped(request: pytest.FixtureRequest) -> Shipped:
    return request.param


def test_shipped_notebooks(shipped: Shipped) -> None:
    language, launcher, welcome = shipped.language, shipped.launcher, shipped.welcome
    folder = shipped.folder
    for name in (launcher, welcome):
        notebook = json.loads((folder / name).read_text("utf-8"))
        assert notebook["metadata"]["kernelspec"]["name"] == "python3"
        for cell in notebook["cells"]:
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
    code = [
        c
        for c in json.loads((folder / launcher).read_text("utf-8"))["cells"]
        if c["cell_type"] == "code"
    ]
    assert ["".join(c["source"]) for c in code] == [
        "from imaginecole.widgets.launcher import Launcher; Launcher()"
    ]
    found = find_workbenches(folder, language)
    assert [w.path for w in found if w.path == welcome] == [welcome]
    assert launcher not in [w.path for w in found]
    assert found[0].order == 0


def test_the_comic_workbench_has_a_card(shipped: Shipped) -> None:
    notebook, title = shipped.comic, shipped.comic_title
    found = {w.path: w for w in find_workbenches(shipped.folder, shipped.language)}
    assert found[notebook].title == title
    assert "maternelle" in found[notebook].description or "kindergarten" in (
        found[notebook].description
    )
    launcher = Launcher(folder=str(shipped.folder), language=shipped.language)
    assert f"../../voila/render/{quote(notebook)}" in hrefs(launcher)
    assert f">{title}</a>" in launcher.children[1].value


PODCAST = {
    "fr": ("Créer un podcast.ipynb", "Créer un podcast"),
    "en": ("Create a podcast.ipynb", "Create a podcast"),
}


def test_the_podcast_workbench_has_a_card(shipped: Shipped) -> None:
    notebook, title = PODCAST[shipped.language]
    found = {w.path: w for w in find_workbenches(shipped.folder, shipped.language)}
    assert found[notebook].title == title
    assert "RSS" in found[notebook].description
    # after the comics, before importing GIFT files
    orders = {w.path: w.order for w in found.values()}
    assert orders[shipped.comic] < orders[notebook] < 20
    launcher = Launcher(folder=str(shipped.folder), language=shipped.language)
    assert f"../../voila/render/{quote(notebook)}" in hrefs(launcher)
    assert f">{title}</a>" in launcher.children[1].value


# -- the trainers' announcements (the catalogue's news), against a real catalogue --------------


def test_the_launcher_shows_the_latest_announcements_of_the_week(workbench_folder, tmp_path):
    import requests

    from .catalogue.webserver import catalogue_cli, catalogue_process

    data = tmp_path / "catalogue" / "data"
    token = catalogue_cli("token", "--data", str(data), "--role", "editor", "--name", "formatrice")
    with catalogue_process(data) as url:
        trainer = {"Authorization": f"token {token}"}
        for n in range(1, 5):
            sent = requests.post(
                url + "api/news",
                json={
                    "title": f"Annonce {n}",
                    "body": f"<p>Salle {n} &lt;b&gt;</p>",
                    "language": "fr",
                },
                headers=trainer,
                timeout=60,
            )
            assert sent.status_code == 201, sent.text
        launcher = Launcher(folder=str(workbench_folder), catalogue_url=url, language="fr")
        header = launcher.children[0].value
        # the three newest, newest first, in a region named by its heading
        assert [a["title"] for a in launcher.announcements] == [
            "Annonce 4",
            "Annonce 3",
            "Annonce 2",
        ]
        assert '<section class="ic-news" aria-labelledby="ic-news-title">' in header
        assert '<h3 id="ic-news-title">Annonces des formateurs</h3>' in header
        assert "<p>Salle 4 &lt;b&gt;</p>" in header and "Annonce 1" not in header
        assert header.index("Bienvenue") < header.index("Annonce 4")
        # the activities are still there, below
        assert launcher.children[1].value.count('<li class="ic-card">') == 3
        # in the page's language, as on the hub's home page
        english = Launcher(folder=str(workbench_folder), catalogue_url=url, language="en")
        assert english.announcements == [] and "<section" not in english.children[0].value
        sent = requests.post(
            url + "api/news",
            json={"title": "Lunch break", "body": "<p>Room 2</p>", "language": "en"},
            headers=trainer,
            timeout=60,
        )
        assert sent.status_code == 201, sent.text
        english.refresh()
        assert "Announcements from the trainers" in english.children[0].value
        assert "Lunch break" in english.children[0].value

    # the catalogue stopped (offline): nothing shown, nothing broken
    launcher.refresh()
    assert launcher.announcements == [] and "<section" not in launcher.children[0].value
    assert launcher.children[1].value.count('<li class="ic-card">') == 3
    closed = Launcher(
        folder=str(workbench_folder), catalogue_url=f"http://127.0.0.1:{free_loopback_port()}/"
    )
    assert closed.announcements == [] and len(closed.workbenches) == 3
    # not a catalogue at all: nothing either
    assert Launcher(folder=str(workbench_folder), catalogue_url="").announcements == []


def test_only_the_announcements_of_the_last_seven_days_count():
    from datetime import UTC, datetime, timedelta

    from imaginecole.widgets.launcher import latest_announcements

    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)

    def item(title, days):
        return {"title": title, "published": (now - timedelta(days=days)).isoformat()}

    items = [item("vieille", 8), item("lundi", 4), "pas une annonce", {"title": "sans date"}]
    items += [item("hier", 1), item("ce matin", 0.1), item("avant-hier", 2)]
    found = latest_announcements(items, now)
    assert [a["title"] for a in found] == ["ce matin", "hier", "avant-hier"]
    assert latest_announcements({"error": "x"}, now) == []
