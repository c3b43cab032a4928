"""The catalogue as a service of `imaginecole up`: hub login, server tokens, roles and review."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest
import requests
from imaginecole.widgets.publish import PublishWidget, bundle_archive

pytestmark = pytest.mark.integration

PASSWORD = "baobab-sous-le-soleil"
GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "grains"
PREFIX = "/services/catalogue/"
METADATA = {
    "description": "Reconnaître un triangle parmi des formes.",
    "country": "SN",
    "level": "ce1",
    "subject": "mathematiques",
    "authors": [{"name": "Moussa Ba"}],
}


def server_environment(hub, user: str) -> dict[str, str]:
    """The environment of `user`'s running single-user server (as the spawner gave it)."""
    for proc in psutil.process_iter(["cmdline", "environ"]):
        env = proc.info["environ"] or {}
        cmdline = proc.info["cmdline"] or []
        if (
            env.get("JUPYTERHUB_USER") == user
            and any("jupyterhub-singleuser" in part for part in cmdline)
            and str(hub.data) in env.get("HOME", "")
        ):
            return env
    raise AssertionError(f"no running server for {user}")


def running(*parts: str) -> list[str]:
    """Command lines of live processes holding every one of `parts` (ps may cut them)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        line = " ".join(proc.info["cmdline"] or [])
        if proc.info["status"] != psutil.STATUS_ZOMBIE and all(p in line for p in parts):
            found.append(line)
    return found


@pytest.fixture(scope="module")
def people(hub):
    """Two teachers and the trainer, signed in through the hub, servers running."""
    found = {}
    for name in ("moussa.ba", "fatou.sow", "formatrice"):
        session = hub.login(name, PASSWORD)
        hub.wait_server(name)
        env = server_environment(hub, name)
        found[name] = {"session": session, "env": env, "token": env["JUPYTERHUB_API_TOKEN"]}
    return found


def call(hub, token: str | None, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"token {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    return requests.request(
        method, f"{hub.url}{PREFIX}{path}", headers=headers, timeout=300, **kwargs
    )


def make_grain(folder: Path, title: str) -> Path:
    shutil.copytree(GRAINS / "single_choice", folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["id"] = str(uuid.uuid4())
    manifest["metadata"].update(METADATA, title=title)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture(scope="module")
def published(hub, people, tmp_path_factory):
    """A grain Moussa sent from his server's token, through the proxy: its uid."""
    work = tmp_path_factory.mktemp("hub-catalogue")
    folder = make_grain(work / "triangles", "Les triangles de Moussa")
    archive = bundle_archive(folder, work / "triangles.zip")
    response = call(
        hub,
        people["moussa.ba"]["token"],
        "POST",
        "api/resources",
        data=archive.read_bytes(),
        headers={"Content-Type": "application/zip"},
    )
    assert response.status_code == 201, response.text
    resource = response.json()
    assert resource["state"] == "submitted" and resource["owner"] == "moussa.ba"
    return resource["uid"]


def test_the_catalogue_starts_with_the_hub_and_answers_under_services(hub):
    assert running("catalogue", "serve", "--hub", str(hub.data / "catalogue"))
    info = requests.get(f"{hub.url}{PREFIX}api/", timeout=30)
    assert info.status_code == 200
    assert info.json()["hub"] is True
    # links a teacher's browser can open, whatever address the caller used
    assert info.json()["api"] == f"{PREFIX}api/"
    home = requests.get(f"{hub.url}{PREFIX}", timeout=30)
    assert home.status_code == 200 and 'lang="fr"' in home.text
    # its data lives with the workshop's
    assert (hub.data / "catalogue" / "catalogue.sqlite").exists()


def test_a_teacher_signed_in_to_the_hub_reaches_the_catalogue(hub, people):
    session = people["moussa.ba"]["session"]
    page = session.get(f"{hub.url}{PREFIX}mes-publications", timeout=60)
    # hub OAuth without a confirmation page, back to the page asked for
    assert page.status_code == 200, page.url
    assert page.url == f"{hub.url}{PREFIX}mes-publications"
    assert "moussa.ba" in page.text
    assert "oauth2/authorize" not in page.text


def test_servers_know_the_catalogue_and_their_token_may_call_it(hub, people):
    env = people["moussa.ba"]["env"]
    url = env["IMAGINECOLE_CATALOGUE_URL"]
    assert url.startswith("http://127.0.0.1:") and url.endswith(PREFIX)
    assert env["IMAGINECOLE_CATALOGUE_PUBLIC_URL"] == PREFIX
    # directly, as the kernel does, and through the proxy
    for base in (url, f"{hub.url}{PREFIX}"):
        me = requests.get(
            base + "api/me",
            headers={"Authorization": f"token {people['moussa.ba']['token']}"},
            timeout=30,
        )
        assert me.status_code == 200, me.text
        assert me.json() == {"name": "moussa.ba", "permissions": ["read", "write"]}
    trainer = call(hub, people["formatrice"]["token"], "GET", "api/me").json()
    assert trainer["name"] == "formatrice" and "review" in trainer["permissions"]
    bad = call(hub, "not-a-token", "GET", "api/me")
    assert bad.status_code == 401


def test_a_teacher_publishes_from_the_workbench_widget(hub, people, tmp_path):
    env = people["fatou.sow"]["env"]
    folder = make_grain(tmp_path / "cercles", "Les cercles de Fatou")
    widget = PublishWidget(
        folder, env["IMAGINECOLE_CATALOGUE_URL"], env["JUPYTERHUB_API_TOKEN"], language="fr"
    )
    widget.public_url = widget.submissions.public_url = PREFIX
    assert not widget.publish_button.disabled
    resource = widget.publish()
    assert resource is not None, widget.outcome.value
    assert resource["state"] == "submitted" and resource["owner"] == "fatou.sow"
    # the link is the one the teacher's browser can follow: through the hub's proxy
    assert f'href="{PREFIX}r/{resource["uid"]}"' in widget.outcome.value
    assert "Les cercles de Fatou" in widget.submissions.table.value
    assert "soumise" in widget.submissions.table.value


def test_a_submission_is_private_until_approved(hub, people, published):
    assert call(hub, None, "GET", f"api/resources/{published}").status_code == 404
    # another teacher neither sees nor approves it
    fatou = people["fatou.sow"]["token"]
    assert call(hub, fatou, "GET", f"api/resources/{published}").status_code == 404
    refused = call(
        hub, fatou, "POST", f"api/resources/{published}/review", json={"action": "approve"}
    )
    assert refused.status_code == 403
    # nor does its own author approve it
    moussa = people["moussa.ba"]["token"]
    own = call(hub, moussa, "POST", f"api/resources/{published}/review", json={"action": "approve"})
    assert own.status_code == 403
    assert "review" in own.json()["messages"]["en"]
    assert call(hub, moussa, "GET", "api/review").status_code == 403
    mine = call(hub, moussa, "GET", "api/me/submissions").json()
    assert [r["uid"] for r in mine] == [published] and mine[0]["state"] == "submitted"


def test_the_trainer_reviews_and_approves_then_everyone_sees_it(hub, people, published):
    trainer = people["formatrice"]["token"]
    queue = call(hub, trainer, "GET", "api/review")
    assert queue.status_code == 200
    assert published in [r["uid"] for r in queue.json()]
    # the trainer's review page, signed in through the hub
    page = people["formatrice"]["session"].get(f"{hub.url}{PREFIX}relecture", timeout=60)
    assert page.status_code == 200 and "Les triangles de Moussa" in page.text
    approved = call(
        hub,
        trainer,
        "POST",
        f"api/resources/{published}/review",
        json={"action": "approve", "comment": "Très clair, merci."},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "published"
    public = call(hub, None, "GET", f"api/resources/{published}")
    assert public.status_code == 200 and public.json()["state"] == "published"
    page = requests.get(f"{hub.url}{PREFIX}r/{published}", timeout=30)
    assert page.status_code == 200 and "Les triangles de Moussa" in page.text
    # the author reads the state and the comment in « mes publications »
    mine = call(hub, people["moussa.ba"]["token"], "GET", "api/me/submissions").json()
    reviews = mine[0]["latest"]["reviews"]
    assert mine[0]["state"] == "published"
    assert any(r["comment"] == "Très clair, merci." for r in reviews)


def test_the_publish_workbench_works_in_the_teachers_server(hub, people, published):
    home = hub.data / "homes" / "moussa.ba"
    assert (home / "Publier dans le catalogue.ipynb").exists()
    # a grain made in « Créer un quiz », owned by the teacher's account like the rest
    folder = make_grain(home / "grains" / "carres", "Les carrés de Moussa")
    owner = home.stat()
    for path in (home / "grains", *folder.rglob("*"), folder):
        shutil.chown(path, owner.st_uid, owner.st_gid)
    page = people["moussa.ba"]["session"].get(
        f"{hub.url}/user/moussa.ba/voila/render/Publier%20dans%20le%20catalogue.ipynb",
        timeout=180,
    )
    assert page.status_code == 200
    html = page.text
    assert "application/vnd.jupyter.widget-view+json" in html
    assert "There was an error when executing cell" not in html and "Traceback" not in html
    assert "application/vnd.jupyter.stderr" not in html
    # Voilà streams widget values over the kernel's websocket, so the page holds none: run the
    # notebook's cell as its kernel does, as the server's account, with the server's environment
    code = (
        "from imaginecole.widgets.publish import PublishWorkbench\n"
        "w = PublishWorkbench(language='fr')\n"
        "print([label for label, _ in w.choice.options])\n"
        "print(w.widget.submissions.table.value)\n"
        "print(w.widget.publish_button.disabled)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=home,
        env=people["moussa.ba"]["env"],
        user=owner.st_uid,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    labels, table, disabled = run.stdout.strip().split("\n")
    assert "Les carrés de Moussa" in labels
    assert "Les triangles de Moussa" in table and "publiée" in table
    assert "Très clair, merci." in table
    assert disabled == "False"  # complete: ready to send


def test_a_hub_that_dies_does_not_leave_its_services_running(hub):
    """Last in the module: it ends the hub. `imaginecole up` stops what the hub left."""
    catalogue = ("catalogue", "serve", "--hub", str(hub.data / "catalogue"))
    assert running(*catalogue)
    servers = [
        p
        for p in psutil.process_iter(["cmdline", "cwd"])
        if "jupyterhub-singleuser" in " ".join(p.info["cmdline"] or [])
        and (p.info["cwd"] or "").startswith(str(hub.data / "homes"))
    ]
    assert servers, "the teachers' servers run"
    hub_pid = int((hub.data / "jupyterhub.pid").read_text().strip())
    culler_api = f"127.0.0.1:{hub.port + 2}"
    psutil.Process(hub_pid).kill()  # no clean-up of its own: services are orphaned
    hub.proc.wait(timeout=120)
    assert not running(*catalogue)
    assert not [p for p in servers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    culler = [
        p
        for p in psutil.process_iter(["cmdline", "environ"])
        if "jupyterhub_idle_culler" in " ".join(p.info["cmdline"] or [])
        and culler_api in (p.info["environ"] or {}).get("JUPYTERHUB_API_URL", "")
    ]
    assert not culler
