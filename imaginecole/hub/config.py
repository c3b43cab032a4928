"""Apply a validated workshop to a JupyterHub `Config`.

`hub_config/jupyterhub_config.py` stays thin: it builds `HubSettings` from the
environment that `imaginecole up` sets, and calls `apply_workshop`.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from ..ports import free_loopback_port
from ..workshop import Workshop
from .tls import TLSFiles

CATALOGUE_SCOPES = {
    "custom:catalogue:read": {"description": "Read the shared catalogue, drafts included."},
    "custom:catalogue:write": {"description": "Publish one's own resources to the catalogue."},
    "custom:catalogue:review": {"description": "Review, approve or send back submissions."},
}
TRAINER_SCOPES = [
    "admin-ui",
    "list:users",
    "read:users",
    "admin:servers",
    "access:servers",
    "read:groups",
    "list:groups",
    "read:roles",
    "read:services",
    "list:services",
    "access:services!service=catalogue",
    "custom:catalogue:read",
    "custom:catalogue:write",
    "custom:catalogue:review",
]
TEACHER_SCOPES = [
    "self",
    "access:services",
    "access:services!service=catalogue",
    "custom:catalogue:read",
    "custom:catalogue:write",
]
SUPERVISOR_SERVICE = "imaginecole-supervisor"
CATALOGUE_SERVICE = "catalogue"
# what a single-user server's $JUPYTERHUB_API_TOKEN may do: JupyterHub's default (the `server`
# role: post activity, be reached) plus calling the catalogue as its user. The hub grants
# only the part the user holds, so a teacher's server never gets `review`.
# The trainer dashboard (widgets/trainer_dashboard.py) lists the participants and their
# servers with this same token: a trainer holds these scopes, so their server's token gets
# them; a teacher holds none of them, so the hub answers 403 to their server's token.
DASHBOARD_TOKEN_SCOPES = [
    "list:users",
    "read:users:name",
    "read:users:activity",
    "read:users:groups",  # the teams (team-…), for « Import the workshop's participants »
    "read:servers",
    "read:roles:users",
]
SERVER_TOKEN_SCOPES = [
    "users:activity!user",
    "access:servers!server",
    f"access:services!service={CATALOGUE_SERVICE}",
    *CATALOGUE_SCOPES,
    *DASHBOARD_TOKEN_SCOPES,
]
LAUNCHERS = {"fr": "Lanceur.ipynb", "en": "Launcher.ipynb", "ar": "Lanceur.ipynb"}


def repo_root() -> Path:
    """The checkout or installed tree that holds notebooks/, templates/, hub_config/."""
    return Path(__file__).resolve().parents[2]


@dataclass
class HubSettings:
    data_dir: Path
    ip: str = "127.0.0.1"
    port: int = 8000
    isolated: bool = False
    root: Path | None = None
    catalogue_port: int = field(default=0, repr=False)
    # HTTPS: the proxy serves this certificate; None is plain HTTP
    tls: TLSFiles | None = None
    # with HTTPS, a port where plain HTTP is redirected to https:// (0: none)
    redirect_port: int = 0

    def __post_init__(self) -> None:
        if not self.catalogue_port:
            self.catalogue_port = free_loopback_port(self.port + 3)

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> HubSettings:
        """The settings `imaginecole up` passes to jupyterhub_config.py in the environment."""
        tls = None
        if env.get("IMAGINECOLE_TLS_CERT"):
            ca = env.get("IMAGINECOLE_TLS_CA")
            tls = TLSFiles(
                cert=Path(env["IMAGINECOLE_TLS_CERT"]),
                key=Path(env["IMAGINECOLE_TLS_KEY"]),
                ca=Path(ca) if ca else None,
            )
        return cls(
            data_dir=Path(env["IMAGINECOLE_DATA"]),
            ip=env.get("IMAGINECOLE_IP", "127.0.0.1"),
            port=int(env.get("IMAGINECOLE_PORT", "8000")),
            isolated=env.get("IMAGINECOLE_ISOLATED") == "1",
            tls=tls,
            redirect_port=int(env.get("IMAGINECOLE_REDIRECT_PORT") or 0),
        )

    def environ(self) -> dict[str, str]:
        """The inverse of `from_environ`: what `imaginecole up` sets for the hub."""
        env = {
            "IMAGINECOLE_DATA": str(self.data_dir),
            "IMAGINECOLE_IP": self.ip,
            "IMAGINECOLE_PORT": str(self.port),
            "IMAGINECOLE_ISOLATED": "1" if self.isolated else "0",
            "IMAGINECOLE_REDIRECT_PORT": str(self.redirect_port),
        }
        if self.tls:
            env["IMAGINECOLE_TLS_CERT"] = str(self.tls.cert)
            env["IMAGINECOLE_TLS_KEY"] = str(self.tls.key)
            env["IMAGINECOLE_TLS_CA"] = str(self.tls.ca or "")
        return env

    @property
    def tree(self) -> Path:
        return self.root or repo_root()

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def proxy_api_port(self) -> int:
        return self.port + 1

    @property
    def hub_port(self) -> int:
        return self.port + 2

    def secret(self, name: str, nbytes: int = 32) -> str:
        """A secret kept in the data folder (0600), made on first use."""
        path = self.data_dir / "secrets" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(nbytes))
        return path.read_text().strip()


def catalogue_prefix() -> str:
    return f"/services/{CATALOGUE_SERVICE}/"


def catalogue_internal_url(settings: HubSettings) -> str:
    """The catalogue as the hub's machine reaches it, without the proxy (for kernels)."""
    return f"http://127.0.0.1:{settings.catalogue_port}{catalogue_prefix()}"


def catalogue_service(workshop: Workshop, settings: HubSettings) -> dict:
    """The hub-managed catalogue service: hub OAuth, data in DATA/catalogue."""
    data = settings.data_dir / "catalogue"
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    command = [sys.executable, "-m", "imaginecole", "catalogue", "serve", "--hub"]
    command += ["--data", str(data)]
    if workshop.catalogue.get("max_upload_mb"):
        command += ["--max-upload-mb", str(workshop.catalogue["max_upload_mb"])]
    return {
        "name": CATALOGUE_SERVICE,
        "url": f"http://127.0.0.1:{settings.catalogue_port}",
        "command": command,
        "cwd": str(data),
        "environment": {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "JUPYTER_PATH": str(settings.tree / "templates"),
            "PYTHONUNBUFFERED": "1",
        },
        # teachers come from the hub already signed in: no « authorize » page
        "oauth_no_confirm": True,
        # the OAuth token the catalogue gets for a browser carries these (held ones only)
        "oauth_client_allowed_scopes": list(CATALOGUE_SCOPES),
    }


def landing_url(workshop: Workshop) -> str:
    if workshop.landing == "lab":
        return "/lab"
    return f"/voila/render/{LAUNCHERS[workshop.language]}"


def singleuser_server_config(workshop: Workshop) -> dict:
    """jupyter_server_config.json for every single-user server of the workshop."""
    from .pages import voila_resources

    resources = voila_resources(workshop.language)
    idle_kernel = min(workshop.idle_timeout_minutes * 60, 1800)
    return {
        "ServerApp": {
            # JS and CSS shrink to about a fifth over a slow LAN
            "tornado_settings": {"compress_response": True},
            # Voilà's error pages read their strings from here
            "jinja_template_vars": resources,
            "jpserver_extensions": {
                "jupyterlab": True,
                "voila.server_extension": True,
                "jupyter_lsp": False,
                "notebook_shim": False,
                "jupyter_server_terminals": True,
                "imaginecole.hub.warmup": True,
            },
        },
        # kernels on Unix sockets in the short per-server JUPYTER_RUNTIME_DIR the spawner
        # sets: over TCP, 30 launchers starting at once raced for ports ("Address
        # already in use") and a page hung
        "KernelManager": {"transport": "ipc"},
        "MappingKernelManager": {
            # every Voilà page view starts a kernel: reap those left behind
            "cull_idle_timeout": idle_kernel,
            "cull_interval": 60,
            "cull_connected": False,
            "cull_busy": False,
        },
        "VoilaConfiguration": {
            "template": "imaginecole",
            "resources": resources,
            "show_tracebacks": False,
            "enable_nbextensions": False,
        },
        # without a timeout about 1 render in 10 hung forever under load
        "VoilaExecutor": {"timeout": 120, "startup_timeout": 120},
        "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
    }


def lab_settings_overrides(workshop: Workshop) -> dict:
    locale = {"fr": "fr_FR", "en": "en", "ar": "en"}[workshop.language]
    return {
        "@jupyterlab/translation-extension:plugin": {"locale": locale},
        "@jupyterlab/apputils-extension:notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }


def write_singleuser_config(workshop: Workshop, settings: HubSettings) -> Path:
    """Write the single-user config folder (put on JUPYTER_CONFIG_PATH) and return it."""
    folder = settings.data_dir / "jupyter-config"
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(
        json.dumps(singleuser_server_config(workshop), indent=1)
    )
    (folder / "labconfig" / "default_setting_overrides.json").write_text(
        json.dumps(lab_settings_overrides(workshop), indent=1)
    )
    for path in (folder, folder / "labconfig"):
        os.chmod(path, 0o755)
    return folder


def roles(workshop: Workshop) -> list[dict]:
    return [
        {
            "name": "trainer",
            "description": "Runs the workshop: sees every server and can open it to help.",
            "scopes": TRAINER_SCOPES,
            "users": workshop.trainer_names,
        },
        {
            "name": "teacher",
            "description": "Builds resources on their own server and publishes them.",
            "scopes": TEACHER_SCOPES,
            "users": workshop.teacher_names,
        },
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        },
        {
            "name": SUPERVISOR_SERVICE,
            "scopes": ["list:users", "read:users", "admin:servers", "read:servers"],
            "services": [SUPERVISOR_SERVICE],
        },
    ]


def apply_workshop(c: Config, workshop: Workshop, settings: HubSettings) -> None:
    """Set everything the workshop decides on the hub config `c`."""
    data = settings.data_dir
    tree = settings.tree
    bin_dir = Path(sys.executable).parent

    c.JupyterHub.ip = settings.ip
    c.JupyterHub.port = settings.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{data / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(data / "secrets" / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(data / "jupyterhub.pid")
    # servers start `concurrent_limit` at a time (WorkshopSpawner.start_slots); the hub
    # answers 429 only far beyond that
    c.JupyterHub.concurrent_spawn_limit = max(100, 10 * workshop.spawn["concurrent_limit"])
    c.JupyterHub.tornado_settings = {"compress_response": True}

    c.ConfigurableHTTPProxy.command = [
        str(tree / "node_modules" / ".bin" / "configurable-http-proxy")
    ]
    if settings.tls:
        # the proxy terminates TLS; hub, services and servers stay plain HTTP on 127.0.0.1
        c.JupyterHub.ssl_cert = str(settings.tls.cert)
        c.JupyterHub.ssl_key = str(settings.tls.key)
        if settings.redirect_port:
            c.ConfigurableHTTPProxy.command += ["--redirect-port", str(settings.redirect_port)]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.auth_token = settings.secret("proxy_auth_token")
    c.ConfigurableHTTPProxy.pid_file = str(data / "proxy.pid")

    # pages
    from .pages import template_vars

    c.JupyterHub.template_paths = [str(tree / "templates" / "hub")]
    c.JupyterHub.template_vars = template_vars(workshop)
    if settings.tls and settings.tls.ca:
        from .ca_page import CA_PAGE, ca_handlers

        c.JupyterHub.extra_handlers = ca_handlers(settings.tls.ca)
        c.JupyterHub.template_vars["ca_page_url"] = CA_PAGE

    # who may log in, and how
    everyone = {p.username for p in workshop.everyone}
    c.Authenticator.allowed_users = everyone
    c.Authenticator.allow_existing_users = False
    if workshop.auth["mode"] == "first-use":
        c.JupyterHub.authenticator_class = "imaginecole.hub.auth.WorkshopFirstUseAuthenticator"
        c.FirstUseAuthenticator.dbm_path = str(data / "passwords.dbm")
        c.FirstUseAuthenticator.create_users = False
        c.FirstUseAuthenticator.min_password_length = workshop.auth["min_password_length"]
    else:
        c.JupyterHub.authenticator_class = "imaginecole.hub.auth.WorkshopCodeAuthenticator"
        c.WorkshopCodeAuthenticator.code = workshop.auth["code"]
        c.WorkshopCodeAuthenticator.trainer_code = workshop.auth["trainer_code"]
        c.WorkshopCodeAuthenticator.trainers = workshop.trainer_names

    # roles, groups, scopes
    c.JupyterHub.custom_scopes = CATALOGUE_SCOPES
    c.JupyterHub.load_roles = roles(workshop)
    c.JupyterHub.load_groups = {
        name: {"users": users} for name, users in sorted(workshop.groups().items())
    }
    # teachers open hub services (catalogue, apps): without this they get 403
    c.JupyterHub.extra_user_scopes = {"access:services"}

    # services started with the hub
    services = [
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={workshop.idle_timeout_minutes * 60}",
                "--cull-every=60",
                f"--concurrency={workshop.spawn['concurrent_limit']}",
            ],
        },
        {
            "name": SUPERVISOR_SERVICE,
            "api_token": settings.secret("supervisor_api_token"),
        },
    ]
    catalogue_on = workshop.catalogue.get("enabled", True)
    if catalogue_on:
        services.append(catalogue_service(workshop, settings))
    if catalogue_on and workshop.apps.get("enabled", True):
        from .apps import app_url, apps_service  # published notebook apps, preheated Voilà

        services[-1]["command"] += ["--apps-url", app_url("{uid}")]  # the gallery's « Lancer »
        services.append(apps_service(workshop, settings))
    c.JupyterHub.services = services

    # spawner
    lang = workshop.language
    c.JupyterHub.spawner_class = "imaginecole.hub.spawner.WorkshopSpawner"
    c.WorkshopSpawner.mode = "isolated" if settings.isolated else "simple"
    c.WorkshopSpawner.homes_dir = str(data / "homes")
    c.WorkshopSpawner.language = lang
    c.WorkshopSpawner.start_slots = workshop.spawn["concurrent_limit"]
    c.WorkshopSpawner.workbench_dir = str(tree / "notebooks" / ("en" if lang == "en" else "fr"))
    c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
    c.Spawner.default_url = landing_url(workshop)
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 120
    c.Spawner.mem_limit = workshop.resources["mem_limit"]
    c.Spawner.cpu_limit = float(workshop.resources["cpu_limit"])
    config_dir = write_singleuser_config(workshop, settings)
    c.Spawner.environment = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_PATH": str(tree / "templates"),
        "JUPYTER_CONFIG_PATH": str(config_dir),
        "IMAGINECOLE_COUNTRY": workshop.country,
        "IMAGINECOLE_WORKSHOP": workshop.name,
        "PYTHONUNBUFFERED": "1",
    }
    if catalogue_on:
        # the kernel calls the catalogue directly; pages link to it through the proxy
        c.Spawner.environment["IMAGINECOLE_CATALOGUE_URL"] = catalogue_internal_url(settings)
        c.Spawner.environment["IMAGINECOLE_CATALOGUE_PUBLIC_URL"] = catalogue_prefix()
        c.Spawner.server_token_scopes = SERVER_TOKEN_SCOPES
        # the hub's home page shows the trainers' announcements (the catalogue's news)
        c.JupyterHub.template_vars["announcements_url"] = catalogue_prefix() + "api/news"
