"""The apps service as the workshop configures it on a bare traitlets Config."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from imaginecole.apps.service import parser, service_config
from imaginecole.hub.config import HubSettings, apply_workshop, catalogue_internal_url
from imaginecole.workshop import load_workshop

EXAMPLES = Path(__file__).parents[3] / "hub_config" / "examples"


@pytest.fixture
def demo():
    return load_workshop(EXAMPLES / "demo-workshop.yaml")


def services(workshop, tmp_path) -> tuple[dict[str, dict], HubSettings]:
    c = Config()
    settings = HubSettings(data_dir=tmp_path)
    apply_workshop(c, workshop, settings)
    return {s["name"]: s for s in c.JupyterHub.services}, settings


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_apps_service_runs_with_the_catalogue(demo, tmp_path):
    found, settings = services(demo, tmp_path)
    apps = found["apps"]
    command = apps["command"]
    assert command[:3] == [sys.executable, "-m", "imaginecole.apps.service"]
    assert option(command, "--apps-dir") == str(tmp_path / "apps" / "notebooks")
    # it reads the catalogue directly, not through the proxy, and holds no catalogue token
    assert option(command, "--catalogue-url") == catalogue_internal_url(settings)
    assert option(command, "--base-url") == "/services/apps/"
    assert option(command, "--ip") == "127.0.0.1"
    assert apps["url"] == f"http://127.0.0.1:{option(command, '--port')}"
    assert "--anonymous" not in command
    assert apps["oauth_no_confirm"] is True
    assert not apps["oauth_client_allowed_scopes"]
    assert apps["environment"]["JUPYTER_PATH"].endswith("templates")
    # the catalogue's « Lancer » opens the app in this service
    catalogue = found["catalogue"]["command"]
    assert option(catalogue, "--apps-url") == "/services/apps/voila/render/{uid}.ipynb"
    # workshop defaults reach the service
    assert option(command, "--pool-size") == "2"
    assert option(command, "--idle-kernel") == str(20 * 60)


def test_anonymous_and_disabled(demo, tmp_path):
    anonymous = dataclasses.replace(demo, apps={**demo.apps, "anonymous": True})
    assert "--anonymous" in services(anonymous, tmp_path)[0]["apps"]["command"]
    off = dataclasses.replace(demo, apps={**demo.apps, "enabled": False})
    found = services(off, tmp_path)[0]
    assert "apps" not in found and "--apps-url" not in found["catalogue"]["command"]
    no_catalogue = dataclasses.replace(demo, catalogue={"enabled": False})
    assert "apps" not in services(no_catalogue, tmp_path)[0]


def test_voila_gets_preheat_timeout_culling_limits_and_hub_sign_in(tmp_path):
    args = parser().parse_args(
        ["--apps-dir", str(tmp_path), "--catalogue-url", "http://127.0.0.1:1/", "--pool-size", "3"]
    )
    c = service_config(args, tmp_path / "scratch", "ic-apps")
    assert c.VoilaConfiguration.preheat_kernel is True
    assert c.VoilaConfiguration.default_pool_size == 3
    assert c.VoilaConfiguration.template == "imaginecole-app"
    assert c.VoilaExecutor.timeout == 60
    assert c.MappingKernelManager.cull_idle_timeout == 1200
    assert c.MappingKernelManager.cull_connected is True
    assert c.KernelRestarter.restart_limit == 0
    assert c.AppKernelSpecManager.account == "ic-apps"
    assert c.Voila.identity_provider_class.endswith("ServiceIdentityProvider")
    cold = service_config(
        parser().parse_args(
            ["--apps-dir", str(tmp_path), "--catalogue-url", "x", "--pool-size", "0", "--anonymous"]
        ),
        tmp_path,
        "",
    )
    assert cold.VoilaConfiguration.preheat_kernel is False
    assert "identity_provider_class" not in cold.Voila
    # the template's strings are translated (French by default)
    t = c.VoilaConfiguration.resources["imaginecole"]["t"]
    assert t["app_error_title"] == "Cette application s'est arrêtée sur une erreur"
