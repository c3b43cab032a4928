"""The hub pages and the Voilà template: French, workshop name, offline, hub hooks kept.

The hub templates are rendered with the loader JupyterHub builds (its own
templates under the ``templates/`` prefix, then ours, then its own again), so
the ``{% extends "templates/login.html" %}`` chains are the real ones.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jupyterhub._data import DATA_FILES_PATH

from imaginecole.hub import pages
from imaginecole.hub.pages import template_vars, voila_resources
from imaginecole.workshop.config import Workshop

REPO = Path(__file__).resolve().parents[2]
HUB_TEMPLATES = REPO / "templates" / "hub"
VOILA_TEMPLATE = REPO / "templates" / "voila" / "templates" / "imaginecole"
FR_PO = REPO / "imaginecole" / "locale" / "fr" / "LC_MESSAGES" / "imaginecole.po"
REMOTE_URL = re.compile(r"https?://", re.IGNORECASE)
WORKSHOP_NAME = "Atelier <Thiès> & co"
PAGES = [
    "login.html",
    "home.html",
    "spawn_pending.html",
    "not_running.html",
    "error.html",
    "404.html",
    "logout.html",
    "stop_pending.html",
    "token.html",
    "reset.html",
]
# English that JupyterHub's own templates show; none may reach a French page
UPSTREAM_ENGLISH = [
    "Sign in",
    "Username:",
    "Password:",
    "Logout",
    "Toggle navigation",
    "JupyterHub requires JavaScript",
    "Stop My Server",
    "Start My Server",
    "My Server",
    "Your server is starting up",
    "Event log",
    "Stop Server",
    "Server not running",
    "Would you like",
    "Successfully logged out",
    "Your server is stopping",
    "Request new API token",
    "Jupyter has lots of moons",
    "Change Password",
    "New Password",
    "The error",
]


def make_workshop(language: str = "fr", mode: str = "first-use") -> Workshop:
    auth = {"mode": mode, "min_password_length": 8}
    if mode == "workshop-code":
        auth.update(code="code-atelier", trainer_code="code-formateur-1")
    return Workshop(
        path=Path("workshop.yaml"),
        name=WORKSHOP_NAME,
        slug="thies",
        country="SN",
        language=language,
        auth=auth,
        trainers=[],
        participants=[],
        resources={},
        idle_timeout_minutes=60,
        landing="launcher",
        spawn={},
        kubernetes={},
    )


@pytest.fixture(scope="module")
def hub_env() -> Environment:
    """The Jinja environment of JupyterHub 6 (app.py) with our folder in template_paths."""
    base = str(Path(DATA_FILES_PATH) / "templates")
    firstuse = pytest.importorskip("firstuseauthenticator.firstuseauthenticator")
    loader = ChoiceLoader(
        [
            PrefixLoader({"templates": FileSystemLoader([base])}, "/"),
            FileSystemLoader([str(HUB_TEMPLATES), base]),
        ]
    )
    # firstuseauthenticator appends its own folder for reset.html, after ours
    return Environment(
        loader=ChoiceLoader([loader, FileSystemLoader([firstuse.TEMPLATE_DIR])]),
        autoescape=True,
    )


def hub_namespace(workshop: Workshop, user: object | None = None, **extra: object) -> dict:
    """What BaseHandler.template_namespace and the page handlers pass."""
    ns = {
        "base_url": "/hub/",
        "prefix": "/",
        "user": user,
        "login_url": "/hub/login",
        "logout_url": "/hub/logout",
        "login_service": "",
        "static_url": lambda path, include_version=True: f"/hub/static/{path}",
        "version_hash": "abc",
        "services": [],
        "parsed_scopes": set(),
        "expanded_scopes": set(),
        "xsrf": "XSRF-TOKEN",
        "xsrf_token": "XSRF-TOKEN",
        "authenticator": SimpleNamespace(request_otp=False, otp_prompt="OTP:"),
        "authenticator_login_url": "/hub/login?next=%2Fhub%2F",
        "username": "",
        "status_code": 404,
        "status_message": "Not Found",
        "progress_url": "/hub/api/users/ana/server/progress",
        "spawn_url": "/hub/spawn/ana",
        "url": "/user/ana/",
        "default_server": SimpleNamespace(active=False),
        "allow_named_servers": False,
        "api_tokens": [],
        "oauth_clients": [],
    }
    ns.update(template_vars(workshop))
    ns.update(extra)
    return ns


def render(env: Environment, name: str, workshop: Workshop | None = None, **extra) -> str:
    return env.get_template(name).render(**hub_namespace(workshop or make_workshop(), **extra))


def test_template_vars_contract() -> None:
    tv = template_vars(make_workshop())
    assert set(tv) == {
        "workshop_name",
        "workshop_slug",
        "workshop_country",
        "workshop_country_code",
        "lang",
        "dir",
        "auth_mode",
        "min_password_length",
        "t",
        "hub_messages",
    }
    assert tv["workshop_country"] == "Sénégal"
    assert (tv["lang"], tv["dir"], tv["auth_mode"]) == ("fr", "ltr", "first-use")
    assert tv["t"]["login_title"] == "Connexion"
    # every value is plain data: JupyterHub calls callables in template_vars with the user
    assert not any(callable(v) for v in tv.values())


def test_login_page_is_french_and_keeps_the_form(hub_env: Environment) -> None:
    out = render(hub_env, "login.html")
    assert '<html lang="fr" dir="ltr">' in out
    title = re.search(r"<title>(.*?)</title>", out, re.S).group(1)
    assert "Connexion" in title and "Atelier &lt;Thiès&gt; &amp; co" in title
    assert "<h1>Connexion</h1>" in out
    assert '<label for="username_input">Nom d&#39;utilisateur</label>' in out
    assert '<label for="password_input">Mot de passe</label>' in out
    assert "value='Se connecter'" in out
    assert "À la première connexion, choisissez votre mot de passe." in out
    assert "au moins 8\u00a0caractères" in out
    # what the hub and its JS rely on
    assert '<form action="/hub/login?next=%2Fhub%2F" method="post"' in out
    assert 'name="_xsrf" value="XSRF-TOKEN"' in out
    assert 'name="username"' in out and 'name="password"' in out
    for hook in ("username_input", "password_input", "login_submit", "insecure-login-warning"):
        assert f'id="{hook}"' in out
    assert 'autocomplete="current-password"' in out
    assert 'id="error-dialog"' in out  # utils.js opens #error-dialog
    assert not REMOTE_URL.search(out)


def test_login_error_and_workshop_code_mode(hub_env: Environment) -> None:
    out = render(
        hub_env,
        "login.html",
        make_workshop(mode="workshop-code"),
        login_error="Invalid username or password",
    )
    assert "Nom d&#39;utilisateur ou mot de passe incorrect." in out
    assert "Saisissez le code de l&#39;atelier donné par votre formateur" in out
    assert '<label for="password_input">Code de l&#39;atelier</label>' in out
    assert "À la première connexion" not in out


def test_first_use_short_password_is_explained_in_french(hub_env: Environment) -> None:
    message = "Password too short! Please choose a password at least 8 characters long."
    out = render(hub_env, "login.html", login_error=message)
    assert "Mot de passe trop court\u00a0: choisissez un mot de passe d&#39;au moins 8" in out
    assert "Password too short" not in out


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_french_named_and_offline(hub_env: Environment, page: str) -> None:
    user = SimpleNamespace(
        name="ana",
        json_escaped_name="ana",
        spawner=SimpleNamespace(options_form=None),
        all_spawners=lambda include_default=False: [],
    )
    if page == "login.html":
        user = None
    out = render(hub_env, page, user=user)
    assert '<html lang="fr" dir="ltr">' in out
    title = re.search(r"<title>(.*?)</title>", out, re.S).group(1)
    assert "Atelier &lt;Thiès&gt; &amp; co" in title
    assert re.search(r'id="ic-workshop-name">Atelier &lt;Thiès&gt; &amp; co<', out)
    assert not REMOTE_URL.search(out), REMOTE_URL.search(out)
    # home.html's script names home.js's English texts to replace them
    visible = re.sub(r"<script>.*?</script>", "", out, flags=re.S) if page == "home.html" else out
    leftovers = [text for text in UPSTREAM_ENGLISH if text in visible]
    assert not leftovers, f"{page} still shows {leftovers}"
    assert "Stopping..." not in out and "Server stopped successfully" not in out
    if user is not None and page not in ("error.html", "404.html"):
        assert ">Accueil</a>" in out and "Se déconnecter" in out


def test_home_keeps_the_hooks_of_home_js(hub_env: Environment) -> None:
    out = render(
        hub_env,
        "home.html",
        user=SimpleNamespace(
            name="ana", json_escaped_name="ana", spawner=SimpleNamespace(options_form=None)
        ),
        default_server=SimpleNamespace(active=True),
    )
    assert 'id="stop"' in out and 'id="start"' in out and 'href="/user/ana/"' in out
    assert "Arrêter mon espace de travail" in out and "Ouvrir mon espace de travail" in out
    assert 'require(["home"])' in out


def test_error_pages_translate_the_status(hub_env: Environment) -> None:
    out = render(hub_env, "404.html")
    assert "Erreur 404 : Page introuvable" in out
    assert "Cette page n&#39;existe pas." in out
    out = render(hub_env, "error.html", status_code=503, status_message="Service Unavailable")
    assert "Erreur 503 : Service indisponible" in out
    # JupyterHub 6 gives status_message=None for a bare HTTPError(404)
    out = render(hub_env, "404.html", status_message=None)
    assert "<h1>Erreur 404</h1>" in out and "None" not in out


def test_change_password_page_overrides_firstuse(hub_env: Environment) -> None:
    message = "Password too short! Please choose a password at least 8 characters long."
    user = SimpleNamespace(
        name="ana", json_escaped_name="ana", spawner=SimpleNamespace(options_form=None)
    )
    out = render(
        hub_env, "reset.html", user=user, result=True, alert="danger", result_message=message
    )
    assert "Changer votre mot de passe" in out
    assert '<label for="password_input">Nouveau mot de passe</label>' in out
    assert 'name="password"' in out and 'name="_xsrf" value="XSRF-TOKEN"' in out
    assert "Mot de passe trop court" in out and "Password too short" not in out
    done = render(
        hub_env,
        "reset.html",
        user=user,
        result=True,
        alert="success",
        result_message="Your password has been changed successfully!",
    )
    assert "Votre mot de passe a bien été changé." in done


def test_arabic_pages_are_right_to_left(hub_env: Environment) -> None:
    out = render(hub_env, "login.html", make_workshop(language="ar"))
    assert '<html lang="ar" dir="rtl">' in out


def test_every_message_id_has_a_french_translation() -> None:
    """The hub strings, the Voilà strings and the launcher's _() calls are all in fr.po."""
    keywords = {"_": None, "N_": None}
    msgids = set()
    for source in (REPO / "imaginecole" / "hub" / "pages.py", REPO / "widgets" / "launcher.py"):
        found = {
            msg for _line, msg, _comments, _ctx in extract_from_file("python", source, keywords)
        }
        assert found, f"no message found in {source}"
        msgids |= found
    # the tables are what the templates read: extraction must see all of them
    assert set(pages.HUB_STRINGS.values()) <= msgids
    assert set(pages.VOILA_STRINGS.values()) <= msgids
    with FR_PO.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    missing = sorted(
        m
        for m in msgids
        if not (catalog.get(m) and catalog.get(m).string and not catalog.get(m).fuzzy)
    )
    assert not missing, f"no French translation in {FR_PO.name} for: {missing}"


def _without_comments(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def test_voila_template_files_name_no_remote_url() -> None:
    conf = json.loads((VOILA_TEMPLATE / "conf.json").read_text("utf-8"))
    assert conf["base_template"] == "lab"
    files = [p for p in VOILA_TEMPLATE.rglob("*") if p.is_file() and p.suffix != ".json"]
    assert {p.name for p in files} >= {"index.html.j2", "page.html", "error.html", "404.html"}
    for path in files:
        assert not REMOTE_URL.search(_without_comments(path.read_text("utf-8"))), path


@pytest.fixture
def voila_page(monkeypatch: pytest.MonkeyPatch):
    """Render the imaginecole Voilà template for a notebook, without a kernel."""
    voila_paths = pytest.importorskip("voila.paths")
    from jupyter_core.paths import jupyter_path
    from voila.exporter import VoilaExporter

    root = str(REPO / "templates")
    monkeypatch.setenv("JUPYTER_PATH", root)
    root_dirs = [root, *[p for p in jupyter_path() if p != root]]

    def render_notebook(resources: dict, nb: dict) -> str:
        import nbformat

        notebook = nbformat.from_dict(nb)
        paths = voila_paths.collect_template_paths(
            ["voila", "nbconvert"], "imaginecole", root_dirs=root_dirs
        )
        exporter = VoilaExporter(
            template_paths=paths, template_name="imaginecole", base_url="/user/ana/"
        )

        async def kernel_start(nb):
            return "kernel-id"

        async def cells(nb, kernel_id):
            for cell in nb.cells:
                yield cell

        async def collect() -> str:
            chunks = []
            generator = exporter.generate_from_notebook_node(
                notebook,
                resources={
                    "base_url": "/user/ana/",
                    "theme": "light",
                    "metadata": {"name": "Lanceur"},
                    **resources,
                },
                extra_context={
                    "frontend": "voila",
                    "main_js": "voila.js",
                    "kernel_start": kernel_start,
                    "cell_generator": cells,
                    "progressive_rendering": False,
                },
                page_config={"fullStaticUrl": "/user/ana/voila/static"},
            )
            async for chunk, _resources in generator:
                chunks.append(chunk)
            return "".join(chunks)

        return asyncio.run(collect())

    return render_notebook


NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Titre"}],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_voila_page_is_french_offline_and_mobile(voila_page) -> None:
    out = voila_page(voila_resources("fr"), NOTEBOOK)
    assert '<html lang="fr" dir="ltr">' in out
    assert re.search(r'<div id="loading" role="status" aria-live="polite"', out)
    assert ">Chargement…</p>" in out
    step = re.search(r"var stepText = (.*);", out).group(1)
    assert json.loads(step) == "Chargement… étape {index} sur {count}"
    assert "Running" not in out  # Voilà's spinner: « Running <notebook>... »
    # Voilà's English progress text is defined first, then replaced by ours
    assert out.index("Executing ${cell_index}") < out.rindex("stepText.replace")
    assert "@media (max-width: 600px)" in out
    assert 'id="rendered_cells"' in out and "window.voila_finish();" in out
    assert "cdn.jsdelivr" not in out and "cdnjs" not in out
    remote = REMOTE_URL.findall(_without_comments(out))
    assert not remote, "remote URL in the Voilà page"


def test_voila_page_in_arabic_is_right_to_left(voila_page) -> None:
    out = voila_page(voila_resources("ar"), NOTEBOOK)
    assert '<html lang="ar" dir="rtl">' in out


def test_voila_template_fallbacks_are_the_message_ids() -> None:
    """Without resources, the template shows the English ids: keep them in step."""
    text = (VOILA_TEMPLATE / "index.html.j2").read_text("utf-8")
    text += (VOILA_TEMPLATE / "page.html").read_text("utf-8")
    text += (VOILA_TEMPLATE / "error.html").read_text("utf-8")
    text += (VOILA_TEMPLATE / "404.html").read_text("utf-8")
    used = re.findall(r"get\('(\w+)', '([^']*)'\)", text)
    assert used
    for key, fallback in used:
        assert pages.VOILA_STRINGS[key] == fallback, key
