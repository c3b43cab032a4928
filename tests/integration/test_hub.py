"""A real hub and proxy on 127.0.0.1, started by `imaginecole up`."""

import json

import psutil
import pytest
import requests

from ..hubrunner import get_following_oauth, process_alive

pytestmark = pytest.mark.integration

PASSWORD = "baobab-sous-le-soleil"


def test_login_page_is_french_with_the_workshop_name(hub):
    page = requests.get(f"{hub.url}/hub/login", timeout=30)
    assert page.status_code == 200
    page.encoding = "utf-8"
    assert "Atelier d'essai Dakar" in page.text or "Atelier d&#39;essai Dakar" in page.text
    assert 'lang="fr"' in page.text
    assert "Mot de passe" in page.text


def test_wrong_user_cannot_log_in(hub):
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    response = session.post(
        f"{hub.url}/hub/login",
        data={"username": "intrus", "password": PASSWORD, "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 403


def test_teacher_logs_in_spawns_and_lands_on_the_launcher(hub):
    session = hub.login("moussa.ba", PASSWORD)
    hub.wait_server("moussa.ba")
    landing = session.get(f"{hub.url}/user/moussa.ba/", timeout=120)
    assert landing.status_code == 200
    assert landing.url.endswith("/user/moussa.ba/voila/render/Lanceur.ipynb")
    html = landing.text
    # the launcher notebook ran in a kernel and produced its widget view without error
    assert "application/vnd.jupyter.widget-view+json" in html
    assert "There was an error when executing cell" not in html
    assert "ExecutionError" not in html and "Traceback" not in html
    assert "application/vnd.jupyter.stderr" not in html
    assert "cdn.jsdelivr.net" not in html and "fonts.googleapis" not in html
    assert 'lang="fr"' in html


def test_jupyterlab_answers_in_french(hub):
    session = hub.login("moussa.ba", PASSWORD)
    lab = session.get(f"{hub.url}/user/moussa.ba/lab", timeout=60)
    assert lab.status_code == 200 and "jupyter-config-data" in lab.text
    xsrf = session.cookies.get("_xsrf", path="/user/moussa.ba/") or ""
    settings = session.get(
        f"{hub.url}/user/moussa.ba/lab/api/settings/@jupyterlab/translation-extension:plugin",
        headers={"X-XSRFToken": xsrf},
        timeout=60,
    )
    assert settings.status_code == 200
    # the workshop's language is the default JupyterLab starts with
    assert settings.json()["schema"]["properties"]["locale"]["default"] == "fr_FR"
    # and the French language pack is there to serve it
    pack = session.get(f"{hub.url}/user/moussa.ba/lab/api/translations/fr_FR", timeout=60)
    assert pack.status_code == 200
    assert pack.json()["data"]["jupyterlab"]["Open"] == "Ouvrir" or pack.json()["data"]


def test_workbenches_are_copied_into_the_home(hub):
    home = hub.data / "homes" / "moussa.ba"
    assert (home / "Lanceur.ipynb").exists()
    assert len(list(home.glob("*.ipynb"))) >= 2


def test_single_user_servers_never_run_as_root(hub):
    servers = [
        p
        for p in psutil.process_iter(["cmdline", "uids", "environ"])
        if any("jupyterhub-singleuser" in part for part in p.info["cmdline"] or [])
        and str(hub.data) in (p.info["environ"] or {}).get("HOME", "")
    ]
    assert servers, "a server should be running"
    for proc in servers:
        assert proc.info["uids"].real != 0 and proc.info["uids"].effective != 0
        assert "--allow-root" not in proc.info["cmdline"]


def test_teacher_gets_403_on_another_teachers_server(hub):
    session = hub.login("fatou.sow", PASSWORD)
    hub.wait_server("fatou.sow")
    response = get_following_oauth(session, f"{hub.url}/user/moussa.ba/lab")
    assert response.status_code == 403
    assert "moussa.ba" not in response.url or "oauth2" in response.url
    # nor through the API
    api = session.get(f"{hub.url}/hub/api/users/moussa.ba", timeout=30)
    assert api.status_code in (403, 404)


def test_trainer_reaches_admin_page_and_teachers_server(hub):
    session = hub.login("formatrice", PASSWORD)
    admin = session.get(f"{hub.url}/hub/admin", timeout=60)
    assert admin.status_code == 200
    users = session.get(
        f"{hub.url}/hub/api/users",
        headers={"X-XSRFToken": session.cookies["_xsrf"]},
        timeout=30,
    )
    assert users.status_code == 200
    assert {"moussa.ba", "fatou.sow", "kofi.mensah"} <= {u["name"] for u in users.json()}
    lab = get_following_oauth(session, f"{hub.url}/user/moussa.ba/lab")
    assert lab.status_code == 200 and "jupyter-config-data" in lab.text


def test_trainer_sees_teams_countries_and_roles(hub):
    session = hub.login("formatrice", PASSWORD)
    headers = {"X-XSRFToken": session.cookies["_xsrf"]}
    groups = session.get(f"{hub.url}/hub/api/groups", headers=headers, timeout=30).json()
    groups = {g["name"]: g for g in groups}
    assert set(groups["team-les-baobabs"]["users"]) == {"moussa.ba", "fatou.sow"}
    assert "kofi.mensah" in groups["country-tg"]["users"]
    users = session.get(f"{hub.url}/hub/api/users", headers=headers, timeout=30).json()
    roles = {u["name"]: u["roles"] for u in users}
    assert "trainer" in roles["formatrice"]
    assert "teacher" in roles["moussa.ba"] and "trainer" not in roles["moussa.ba"]


def test_restart_keeps_users_files_and_running_servers(hub):
    home = hub.data / "homes" / "moussa.ba"
    note = home / "mon-travail.txt"
    note.write_text("Leçon sur les fractions", encoding="utf-8")
    running_before = {u["name"] for u in hub.api("/users").json() if u["servers"]}
    assert {"moussa.ba", "fatou.sow"} <= running_before

    hub.stop()
    # Ctrl-C stopped every process it started
    assert not process_alive(f"{hub.data}")
    assert not [line for line in process_alive("jupyterhub-singleuser") if str(hub.port) in line]
    assert set(json.loads((hub.data / "running-servers.json").read_text())) >= {"moussa.ba"}

    hub.start()
    for name in ("moussa.ba", "fatou.sow"):
        hub.wait_server(name)
    assert note.read_text(encoding="utf-8") == "Leçon sur les fractions"
    # the password chosen at first login still works, the server is back
    session = hub.login("moussa.ba", PASSWORD)
    landing = session.get(f"{hub.url}/user/moussa.ba/lab", timeout=60)
    assert landing.status_code == 200
