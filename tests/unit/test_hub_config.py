"""The workshop applied to a bare traitlets Config, in both modes."""

import json
from pathlib import Path

import pytest
from traitlets.config import Config

from imaginecole.hub.config import (
    CATALOGUE_SCOPES,
    HubSettings,
    apply_workshop,
    singleuser_server_config,
)
from imaginecole.workshop import load_workshop

EXAMPLES = Path(__file__).parents[2] / "hub_config" / "examples"


@pytest.fixture
def demo():
    return load_workshop(EXAMPLES / "demo-workshop.yaml")


def apply(workshop, tmp_path, **kw) -> Config:
    c = Config()
    apply_workshop(c, workshop, HubSettings(data_dir=tmp_path, **kw))
    return c


def test_first_use_workshop(demo, tmp_path):
    c = apply(demo, tmp_path)
    assert c.JupyterHub.authenticator_class == "imaginecole.hub.auth.WorkshopFirstUseAuthenticator"
    assert c.FirstUseAuthenticator.create_users is False
    assert c.FirstUseAuthenticator.dbm_path.startswith(str(tmp_path))
    assert c.Authenticator.allowed_users == {"formatrice", *demo.teacher_names}
    assert (c.JupyterHub.ip, c.JupyterHub.port) == ("127.0.0.1", 8000)
    assert c.JupyterHub.db_url == f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    assert c.WorkshopSpawner.mode == "simple"
    assert c.WorkshopSpawner.homes_dir == str(tmp_path / "homes")
    assert c.Spawner.default_url == "/voila/render/Lanceur.ipynb"
    assert "--allow-root" not in " ".join(c.Spawner.cmd + list(c.Spawner.get("args", [])))


def test_roles_groups_and_scopes(demo, tmp_path):
    c = apply(demo, tmp_path)
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["trainer"]["users"] == ["formatrice"]
    assert {"admin-ui", "access:servers", "admin:servers", "custom:catalogue:review"} <= set(
        roles["trainer"]["scopes"]
    )
    assert "custom:catalogue:review" not in roles["teacher"]["scopes"]
    assert "access:servers" not in roles["teacher"]["scopes"]
    assert set(roles["teacher"]["users"]) == set(demo.teacher_names)
    assert set(c.JupyterHub.custom_scopes) == {
        "custom:catalogue:read",
        "custom:catalogue:write",
        "custom:catalogue:review",
    }
    assert "access:services" in c.JupyterHub.extra_user_scopes
    assert c.JupyterHub.load_groups["team-les-baobabs"]["users"] == ["moussa.ba", "fatou.sow"]
    assert "country-ml" in c.JupyterHub.load_groups
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert "--timeout=3600" in services["idle-culler"]["command"]
    assert roles["idle-culler"]["services"] == ["idle-culler"]


def test_workshop_code_isolated_on_the_lan(tmp_path):
    w = load_workshop(EXAMPLES / "workshop-code.yaml")
    c = apply(w, tmp_path, ip="0.0.0.0", port=9000, isolated=True)
    assert c.JupyterHub.authenticator_class == "imaginecole.hub.auth.WorkshopCodeAuthenticator"
    assert c.WorkshopCodeAuthenticator.code == "baobab-2026"
    assert c.WorkshopCodeAuthenticator.trainers == ["formateur"]
    assert c.WorkshopSpawner.mode == "isolated"
    assert (c.JupyterHub.ip, c.JupyterHub.port) == ("0.0.0.0", 9000)
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:9001"
    assert c.JupyterHub.hub_port == 9002


def test_secrets_are_private_and_stable(demo, tmp_path):
    first = apply(demo, tmp_path).ConfigurableHTTPProxy.auth_token
    second = apply(demo, tmp_path).ConfigurableHTTPProxy.auth_token
    assert first == second and len(first) == 64
    assert (tmp_path / "secrets" / "proxy_auth_token").stat().st_mode & 0o077 == 0


def test_single_user_config_is_offline_french_and_culls(demo, tmp_path):
    c = apply(demo, tmp_path)
    folder = Path(c.Spawner.environment["JUPYTER_CONFIG_PATH"])
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    assert server["VoilaExecutor"]["timeout"] > 0
    assert server["VoilaConfiguration"]["template"] == "imaginecole"
    assert server["MappingKernelManager"]["cull_idle_timeout"] > 0
    assert server["ServerApp"]["tornado_settings"]["compress_response"] is True
    # kernels on Unix sockets: no TCP port races when thirty launchers start at once
    assert server["KernelManager"]["transport"] == "ipc"
    lab = json.loads((folder / "labconfig" / "default_setting_overrides.json").read_text())
    assert lab["@jupyterlab/translation-extension:plugin"]["locale"] == "fr_FR"
    assert c.Spawner.environment["JUPYTER_PATH"].endswith("templates")


def test_authenticators_accept_the_right_codes():
    import asyncio

    from imaginecole.hub.auth import WorkshopCodeAuthenticator

    auth = WorkshopCodeAuthenticator(
        code="teachers-1", trainer_code="trainers-123", trainers=["awa"]
    )
    login = lambda u, p: asyncio.run(auth.authenticate(None, {"username": u, "password": p}))  # noqa: E731
    assert login("moussa", "teachers-1") == {"name": "moussa"}
    assert login("awa", "trainers-123") == {"name": "awa"}
    assert login("awa", "teachers-1") is None  # a trainer cannot use the teachers' code
    assert login("moussa", "trainers-123") is None
    assert login("moussa", "") is None


def test_first_use_sets_the_password_once_then_checks_it(tmp_path):
    import asyncio
    from types import SimpleNamespace

    from imaginecole.hub.auth import WorkshopFirstUseAuthenticator

    auth = WorkshopFirstUseAuthenticator(dbm_path=str(tmp_path / "pw.dbm"), create_users=True)
    handler = SimpleNamespace()

    def login(user, password):
        return asyncio.run(auth.authenticate(handler, {"username": user, "password": password}))

    assert login("awa", "court") is None  # too short: refused, nothing stored
    assert "at least" in handler.custom_login_error
    assert login("awa", "baobab-2026") == "awa"  # first use sets it
    assert login("awa", "autre-mot-de-passe") is None
    assert login("awa", "baobab-2026") == "awa"


def test_kernel_sockets_fit_the_unix_path_limit(tmp_path):
    from imaginecole.hub.spawner import runtime_dir_for, runtime_root

    root = runtime_root()
    assert root.is_dir() and not root.is_symlink()
    assert root.stat().st_mode & 0o777 == 0o711
    for name in ("ana", "a" * 32):
        folder = runtime_dir_for(root, name)
        # what jupyter_client makes for an ipc kernel: <runtime>/kernel-<uuid>-ipc-<n>
        socket = folder / f"kernel-{'0' * 8}-{'0' * 4}-{'0' * 4}-{'0' * 4}-{'0' * 12}-ipc-10"
        assert len(str(socket).encode()) <= 107
    assert runtime_dir_for(root, "ana") != runtime_dir_for(root, "anb")


def test_servers_warm_up_what_the_first_voila_page_imports(demo):
    import importlib

    from imaginecole.hub import warmup

    extensions = singleuser_server_config(demo)["ServerApp"]["jpserver_extensions"]
    assert extensions["imaginecole.hub.warmup"] is True
    # a dependency that moved one of these would silently bring the cost back
    for name in warmup.WARM_MODULES:
        importlib.import_module(name)


def test_the_catalogue_is_a_hub_service_with_its_roles_and_scopes(demo, tmp_path):
    import sys

    from imaginecole.hub.config import SERVER_TOKEN_SCOPES

    c = apply(demo, tmp_path, port=8000)
    services = {s["name"]: s for s in c.JupyterHub.services}
    catalogue = services["catalogue"]
    assert catalogue["command"][:3] == [sys.executable, "-m", "imaginecole"]
    assert catalogue["command"][3:6] == ["catalogue", "serve", "--hub"]
    assert catalogue["command"][catalogue["command"].index("--data") + 1] == str(
        tmp_path / "catalogue"
    )
    assert catalogue["url"].startswith("http://127.0.0.1:")
    assert catalogue["oauth_no_confirm"] is True
    assert set(catalogue["oauth_client_allowed_scopes"]) == set(c.JupyterHub.custom_scopes)
    assert catalogue["environment"]["JUPYTER_PATH"].endswith("templates")
    assert (tmp_path / "catalogue").is_dir()
    # the catalogue's port is free and stays off the hub's own three
    port = int(catalogue["url"].rsplit(":", 1)[1])
    assert port not in (8000, 8001, 8002)

    roles = {r["name"]: set(r["scopes"]) for r in c.JupyterHub.load_roles}
    teacher = {"custom:catalogue:read", "custom:catalogue:write"}
    assert teacher | {"access:services!service=catalogue"} <= roles["teacher"]
    assert "custom:catalogue:review" not in roles["teacher"]
    assert (
        teacher | {"custom:catalogue:review", "access:services!service=catalogue"}
        <= roles["trainer"]
    )
    assert "access:services" in c.JupyterHub.extra_user_scopes

    # the server's token keeps JupyterHub's defaults and may call the catalogue as its user
    scopes = set(c.Spawner.server_token_scopes)
    assert {"users:activity!user", "access:servers!server"} <= scopes
    assert set(CATALOGUE_SCOPES) | {"access:services!service=catalogue"} <= scopes
    assert scopes == set(SERVER_TOKEN_SCOPES)

    env = c.Spawner.environment
    assert env["IMAGINECOLE_CATALOGUE_URL"] == f"http://127.0.0.1:{port}/services/catalogue/"
    assert env["IMAGINECOLE_CATALOGUE_PUBLIC_URL"] == "/services/catalogue/"


def test_the_catalogue_can_be_left_out(tmp_path):
    text = (EXAMPLES / "demo-workshop.yaml").read_text("utf-8")
    (tmp_path / "demo-roster.csv").write_text((EXAMPLES / "demo-roster.csv").read_text("utf-8"))
    text = text.replace("catalogue:\n  enabled: true", "catalogue:\n  enabled: false")
    (tmp_path / "w.yaml").write_text(text, "utf-8")
    c = apply(load_workshop(tmp_path / "w.yaml"), tmp_path / "data")
    assert "catalogue" not in {s["name"] for s in c.JupyterHub.services}
    assert "IMAGINECOLE_CATALOGUE_URL" not in c.Spawner.environment
    assert "server_token_scopes" not in c.Spawner


def test_a_busy_catalogue_port_is_replaced_by_a_free_one(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        settings = HubSettings(data_dir=tmp_path, port=port - 3)
        assert settings.catalogue_port != port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", settings.catalogue_port))
