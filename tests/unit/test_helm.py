"""The Kubernetes values file: checked against the Zero to JupyterHub chart's schema.

Helm validates the deep merge of the chart defaults and the user's values, not
the user's file alone, so these tests do the same.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from imaginecole.hub.helm import (
    FIRST_USE_AUTHENTICATOR,
    WORKSHOP_CODE_AUTHENTICATOR,
    helm_values,
    write_helm_values,
)
from imaginecole.i18n import ImaginecoleError
from imaginecole.workshop.config import Workshop, load_workshop

EXAMPLES = Path(__file__).resolve().parents[2] / "hub_config" / "examples"


def helm_merge(defaults: Any, values: Any) -> Any:
    """Helm's coalescing: maps merge deeply, lists and scalars replace, null deletes."""
    if not (isinstance(defaults, dict) and isinstance(values, dict)):
        return copy.deepcopy(values)
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def z2jh_dir(spec_dir: Path) -> Path:
    path = spec_dir / "z2jh"
    if not (path / "values.schema.json").is_file() or not (path / "values.yaml").is_file():
        pytest.skip(f"spec folder missing: {path} has no values.schema.json and values.yaml")
    return path


@pytest.fixture(scope="module")
def chart_errors(z2jh_dir: Path):
    """A function listing the schema errors of chart defaults merged with some values."""
    schema = json.loads((z2jh_dir / "values.schema.json").read_text("utf-8"))
    defaults = yaml.safe_load((z2jh_dir / "values.yaml").read_text("utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def errors(values: dict[str, Any]) -> list[str]:
        merged = helm_merge(defaults, values)
        return [
            f"{'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(merged)
        ]

    return errors


@pytest.fixture
def demo() -> Workshop:
    return load_workshop(EXAMPLES / "demo-workshop.yaml")


@pytest.fixture
def code_workshop() -> Workshop:
    return load_workshop(EXAMPLES / "workshop-code.yaml")


@pytest.fixture
def postgres_workshop(tmp_path: Path) -> Workshop:
    shutil.copy(EXAMPLES / "demo-roster.csv", tmp_path / "roster.csv")
    path = tmp_path / "workshop.yaml"
    path.write_text(
        """\
schema_version: 1
workshop: {name: National rollout, slug: national, country: TN, language: en}
trainers:
  - {username: leila.trabelsi, full_name: Leïla Trabelsi}
roster: roster.csv
auth: {mode: first-use, min_password_length: 10}
resources: {mem_limit: 2.5G, mem_guarantee: 524288K, cpu_limit: 2, cpu_guarantee: 0.25}
idle_timeout_minutes: 90
landing: lab
spawn: {concurrent_limit: 40}
kubernetes:
  image: registry.example.org/imaginecole/studio:2026.03
  placeholders: 0
  storage: 5Gi
  database_url: postgres://hub:s3cret@db.example.org:5432/jupyterhub
""",
        encoding="utf-8",
    )
    return load_workshop(path)


def test_first_use_values_pass_the_chart_schema(demo: Workshop, chart_errors) -> None:
    values = helm_values(demo)
    assert chart_errors(values) == []

    hub_config = values["hub"]["config"]
    assert hub_config["JupyterHub"]["authenticator_class"] == FIRST_USE_AUTHENTICATOR
    assert hub_config["FirstUseAuthenticator"]["min_password_length"] == 8
    assert "formatrice" in hub_config["Authenticator"]["allowed_users"]
    assert "aissatou.ndiaye" in hub_config["Authenticator"]["allowed_users"]
    assert values["hub"]["loadRoles"]["trainer"]["users"] == ["formatrice"]
    assert "moussa.ba" in values["hub"]["loadRoles"]["teacher"]["users"]
    assert values["singleuser"]["image"] == {
        "name": "ghcr.io/imaginecole/studio-singleuser",
        "tag": "0.1.0",
    }
    assert values["singleuser"]["memory"] == {"limit": "1G", "guarantee": "256M"}
    assert values["singleuser"]["cpu"] == {"limit": 1, "guarantee": 0.05}
    assert values["singleuser"]["defaultUrl"] == "/voila/render/Lanceur.ipynb"
    assert values["singleuser"]["storage"]["capacity"] == "2Gi"
    assert values["singleuser"]["extraEnv"] == {
        "IMAGINECOLE_WORKSHOP_LANGUAGE": "fr",
        "IMAGINECOLE_COUNTRY": "SN",
    }
    assert values["cull"]["enabled"] is True
    assert values["cull"]["timeout"] == demo.idle_timeout_minutes * 60 == 3600
    assert values["scheduling"]["userPlaceholder"] == {"enabled": True, "replicas": 10}
    assert values["scheduling"]["podPriority"]["enabled"] is True
    assert values["hub"]["db"] == {"type": "sqlite-pvc"}
    # The chart generates the proxy token; a fixed one would be shared by every install.
    assert "proxy" not in values
    assert "services" not in values["hub"]


def test_workshop_code_values_pass_the_chart_schema(code_workshop: Workshop, chart_errors) -> None:
    values = helm_values(code_workshop)
    assert chart_errors(values) == []

    hub_config = values["hub"]["config"]
    assert hub_config["JupyterHub"]["authenticator_class"] == WORKSHOP_CODE_AUTHENTICATOR
    assert hub_config["WorkshopCodeAuthenticator"] == {
        "code": "baobab-2026",
        "trainer_code": "formateurs-lome-2026",
        "trainers": ["formateur"],
    }
    assert values["hub"]["loadRoles"]["trainer"]["users"] == ["formateur"]
    assert "formateur" not in values["hub"]["loadRoles"]["teacher"]["users"]
    assert values["singleuser"]["extraEnv"]["IMAGINECOLE_COUNTRY"] == "TG"
    # No admins: trainers get their powers from the role only.
    assert "admin_users" not in hub_config["Authenticator"]


def test_postgres_workshop_values_pass_the_chart_schema(
    postgres_workshop: Workshop, chart_errors
) -> None:
    values = helm_values(postgres_workshop)
    assert chart_errors(values) == []

    assert values["hub"]["db"] == {
        "type": "postgres",
        "url": "postgresql://hub:s3cret@db.example.org:5432/jupyterhub",
    }
    assert values["hub"]["config"]["FirstUseAuthenticator"]["min_password_length"] == 10
    assert values["hub"]["loadRoles"]["trainer"]["users"] == ["leila.trabelsi"]
    assert values["hub"]["concurrentSpawnLimit"] == 40
    assert values["singleuser"]["image"] == {
        "name": "registry.example.org/imaginecole/studio",
        "tag": "2026.03",
    }
    # Kubernetes spells kilo "k", KubeSpawner "K": bytes suit both.
    assert values["singleuser"]["memory"] == {"limit": "2.5G", "guarantee": 536870912}
    assert values["singleuser"]["cpu"] == {"limit": 2, "guarantee": 0.25}
    assert values["singleuser"]["defaultUrl"] == "/lab"
    assert values["singleuser"]["storage"]["capacity"] == "5Gi"
    assert values["singleuser"]["extraEnv"]["IMAGINECOLE_WORKSHOP_LANGUAGE"] == "en"
    assert values["cull"]["timeout"] == 90 * 60
    assert values["cull"]["every"] <= values["cull"]["timeout"]
    assert values["scheduling"]["userPlaceholder"] == {"enabled": False, "replicas": 0}


def test_english_launcher_is_the_english_notebook(postgres_workshop: Workshop) -> None:
    postgres_workshop.landing = "launcher"
    assert helm_values(postgres_workshop)["singleuser"]["defaultUrl"] == (
        "/voila/render/Launcher.ipynb"
    )


def test_roles_groups_and_scopes_are_consistent(demo: Workshop) -> None:
    """JupyterHub refuses to start on an undefined scope or a member outside allowed_users."""
    values = helm_values(demo)
    hub_config = values["hub"]["config"]
    custom = set(hub_config["JupyterHub"]["custom_scopes"])
    assert custom == {
        "custom:catalogue:read",
        "custom:catalogue:write",
        "custom:catalogue:review",
    }
    allowed = set(hub_config["Authenticator"]["allowed_users"])
    for role in values["hub"]["loadRoles"].values():
        assert {s for s in role["scopes"] if s.startswith("custom:")} <= custom
        assert set(role["users"]) <= allowed
    groups = hub_config["JupyterHub"]["load_groups"]
    assert set(groups) == set(demo.groups())
    assert groups["team-les-baobabs"]["users"] == ["moussa.ba", "fatou.sow"]
    for group in groups.values():
        assert set(group["users"]) <= allowed
    assert hub_config["JupyterHub"]["extra_user_scopes"] == ["access:services"]


def test_broken_values_fail_the_chart_schema(demo: Workshop, chart_errors) -> None:
    broken = helm_values(demo)
    broken["singleuser"]["cpu"]["limit"] = "one"  # must be a number
    broken["singleuser"]["memroy"] = {"limit": "1G"}  # misspelt key
    broken["singleuser"]["storage"]["homeMountPath"] = None  # null deletes a required key
    broken["hub"]["db"]["type"] = "sqlite"  # not one of the chart's types

    errors = "\n".join(chart_errors(broken))
    assert "singleuser.cpu.limit" in errors
    assert "memroy" in errors
    assert "homeMountPath" in errors
    assert "hub.db.type" in errors


def test_written_yaml_round_trips(code_workshop: Workshop, tmp_path: Path) -> None:
    out = tmp_path / "values.yaml"
    text = write_helm_values(code_workshop, out)

    assert out.read_text("utf-8") == text
    assert yaml.safe_load(text) == helm_values(code_workshop)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Valeurs" in line for line in header)
    assert any("values for the workshop" in line for line in header)
    assert write_helm_values(code_workshop) == text


def test_non_postgres_database_url_is_refused(postgres_workshop: Workshop) -> None:
    postgres_workshop.kubernetes["database_url"] = "mysql://hub@db/hub"
    with pytest.raises(ImaginecoleError, match="kubernetes.database_url"):
        helm_values(postgres_workshop)
