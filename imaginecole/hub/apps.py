"""The hub-managed apps service: standalone Voilà serving the catalogue's published apps.

Preheated kernels exist only in standalone Voilà, not in ``/voila/render`` inside a
user's server; so the apps run in one service of the hub, under ``/services/apps/``,
reading the catalogue directly on 127.0.0.1 (anonymously: it cannot write there).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..ports import free_loopback_port
from ..workshop import Workshop
from .config import HubSettings, catalogue_internal_url, catalogue_prefix

APPS_SERVICE = "apps"


def apps_prefix() -> str:
    return f"/services/{APPS_SERVICE}/"


def app_url(uid: str) -> str:
    """Where the app of catalogue resource `uid` opens, through the hub's proxy."""
    return f"{apps_prefix()}voila/render/{uid}.ipynb"


def apps_service(workshop: Workshop, settings: HubSettings) -> dict:
    """The `c.JupyterHub.services` entry of the apps service."""
    options = workshop.apps
    folder = settings.data_dir / "apps"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    port = free_loopback_port(settings.port + 4)
    command = [sys.executable, "-m", "imaginecole.apps.service"]
    command += ["--apps-dir", str(folder / "notebooks")]
    command += ["--catalogue-url", catalogue_internal_url(settings)]
    command += ["--gallery-url", catalogue_prefix()]
    command += ["--ip", "127.0.0.1", "--port", str(port), "--base-url", apps_prefix()]
    command += ["--language", workshop.language]
    command += ["--pool-size", str(options["pool_size"])]
    command += ["--cell-timeout", str(options["cell_timeout_seconds"])]
    command += ["--idle-kernel", str(options["idle_kernel_minutes"] * 60)]
    command += ["--mem-mb", str(options["mem_limit_mb"])]
    command += ["--cpu-seconds", str(options["cpu_limit_seconds"])]
    command += ["--poll", str(options["poll_seconds"])]
    if options.get("anonymous"):
        command += ["--anonymous"]
    return {
        "name": APPS_SERVICE,
        "url": f"http://127.0.0.1:{port}",
        "command": command,
        "cwd": str(folder),
        "environment": {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "JUPYTER_PATH": str(settings.tree / "templates"),
            "JUPYTER_CONFIG_DIR": str(folder / "jupyter-config"),
            "JUPYTER_DATA_DIR": str(folder / "jupyter-data"),
            "PYTHONUNBUFFERED": "1",
        },
        # people come from the hub already signed in: no « authorize » page
        "oauth_no_confirm": True,
        # the service only needs to know who someone is: its tokens carry nothing else
        "oauth_client_allowed_scopes": [],
    }
