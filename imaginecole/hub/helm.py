"""Values for the Zero to JupyterHub Helm chart, generated from `workshop.yaml`.

The same workshop file drives the single-machine hub and the Kubernetes one, so
every setting here mirrors one from the workshop. Only keys allowed by the
chart's `values.schema.json` are written; the tests check the deep merge of the
chart defaults and these values against that schema, as Helm does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..i18n import ImaginecoleError
from ..workshop.config import Workshop
from .config import CATALOGUE_SCOPES as CUSTOM_SCOPES
from .config import LAUNCHERS as LAUNCHER_NOTEBOOKS
from .config import TEACHER_SCOPES, TRAINER_SCOPES

CHART_VERSION = "4.4.0"
FIRST_USE_AUTHENTICATOR = "firstuseauthenticator.FirstUseAuthenticator"
# SharedPasswordAuthenticator can only tell trainers apart by making them hub
# admins; trainers get their powers from the `trainer` role instead.
WORKSHOP_CODE_AUTHENTICATOR = "imaginecole.hub.auth.WorkshopCodeAuthenticator"


# KubeSpawner reads K/M/G/T (ByteSpecification); Kubernetes also reads M/G/T
# but spells kilo "k", so K values are written as plain bytes, which both read.
_KUBESPAWNER_BYTES = {"K": 1024}


def memory_quantity(value: str) -> str | int:
    """A workshop memory size ("1G", "256M", "512K") in a form the chart passes on safely."""
    number, unit = value[:-1], value[-1]
    if unit in _KUBESPAWNER_BYTES:
        return int(float(number) * _KUBESPAWNER_BYTES[unit])
    return value


def split_image(image: str) -> tuple[str, str]:
    """`repo:tag` into (repo, tag); the workshop schema forbids a registry port."""
    name, _, tag = image.rpartition(":")
    return name, tag


def default_url(workshop: Workshop) -> str:
    if workshop.landing == "lab":
        return "/lab"
    notebook = LAUNCHER_NOTEBOOKS.get(workshop.language, LAUNCHER_NOTEBOOKS["fr"])
    return f"/voila/render/{notebook}"


def cull_every(timeout: int) -> int:
    """How often the culler looks: often enough that short timeouts still mean something."""
    return max(60, min(600, timeout // 5))


def _authentication(workshop: Workshop) -> tuple[str, dict[str, Any]]:
    """The authenticator class and its `hub.config` sections."""
    auth = workshop.auth
    allowed = sorted({p.username for p in workshop.everyone})
    # Only the roster may log in; role and group members must be allowed users too,
    # or JupyterHub refuses to start.
    config: dict[str, Any] = {"Authenticator": {"allowed_users": allowed}}
    if auth["mode"] == "first-use":
        config["FirstUseAuthenticator"] = {
            "min_password_length": auth["min_password_length"],
        }
        return FIRST_USE_AUTHENTICATOR, config
    config["WorkshopCodeAuthenticator"] = {
        "code": auth["code"],
        "trainer_code": auth["trainer_code"],
        "trainers": list(workshop.trainer_names),
    }
    return WORKSHOP_CODE_AUTHENTICATOR, config


def _roles(workshop: Workshop) -> dict[str, Any]:
    # The chart takes roles as a mapping keyed by name, not JupyterHub's list.
    return {
        "trainer": {
            "description": "Trainers: follow the teachers' servers, groups and catalogue reviews.",
            "scopes": list(TRAINER_SCOPES),
            "users": list(workshop.trainer_names),
        },
        "teacher": {
            "description": "Teachers: their own server, the services and the catalogue.",
            "scopes": list(TEACHER_SCOPES),
            "users": list(workshop.teacher_names),
        },
    }


def _database(workshop: Workshop) -> dict[str, Any]:
    url = workshop.kubernetes.get("database_url")
    if not url:
        # One hub replica with SQLite on its own volume is the chart's tested default.
        return {"type": "sqlite-pvc"}
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgres", "postgresql"):
        raise ImaginecoleError(
            "Field « kubernetes.database_url » in {path}: « {scheme} » is not a PostgreSQL "
            "URL. Write it as postgresql://user:password@host:5432/database.",
            path=workshop.path,
            scheme=scheme if sep else url,
        )
    if scheme == "postgres":
        # SQLAlchemy 1.4+ rejects the older "postgres://" spelling.
        url = f"postgresql://{rest}"
    return {"type": "postgres", "url": url}


def helm_values(workshop: Workshop) -> dict[str, Any]:
    """The Zero to JupyterHub chart values for `workshop`."""
    authenticator_class, auth_config = _authentication(workshop)
    image_name, image_tag = split_image(workshop.kubernetes["image"])
    resources = workshop.resources
    timeout = workshop.idle_timeout_minutes * 60
    placeholders = int(workshop.kubernetes["placeholders"])

    hub_config: dict[str, Any] = {
        "JupyterHub": {
            "authenticator_class": authenticator_class,
            "custom_scopes": {name: dict(spec) for name, spec in CUSTOM_SCOPES.items()},
            # Every user, trainers included, reaches the catalogue service.
            "extra_user_scopes": ["access:services"],
            "load_groups": {
                name: {"users": list(users)} for name, users in sorted(workshop.groups().items())
            },
        },
        **auth_config,
    }
    return {
        "hub": {
            "config": hub_config,
            "loadRoles": _roles(workshop),
            "concurrentSpawnLimit": int(workshop.spawn["concurrent_limit"]),
            "db": _database(workshop),
        },
        "singleuser": {
            "image": {"name": image_name, "tag": image_tag},
            "defaultUrl": default_url(workshop),
            "memory": {
                "limit": memory_quantity(resources["mem_limit"]),
                "guarantee": memory_quantity(resources["mem_guarantee"]),
            },
            "cpu": {
                "limit": resources["cpu_limit"],
                "guarantee": resources["cpu_guarantee"],
            },
            "storage": {"capacity": workshop.kubernetes["storage"]},
            "extraEnv": {
                "IMAGINECOLE_WORKSHOP_LANGUAGE": workshop.language,
                "IMAGINECOLE_COUNTRY": workshop.country,
            },
        },
        "scheduling": {
            # Placeholder pods hold room for the login storm at the start of a
            # session; they need pod priority so real users can evict them.
            "podPriority": {"enabled": True},
            "userPlaceholder": {"enabled": placeholders > 0, "replicas": placeholders},
        },
        "prePuller": {
            # Pull the (large) single-user image on every node before users arrive,
            # and on nodes added later, so no one waits on a slow link.
            "hook": {"enabled": True, "pullOnlyOnChanges": True},
            "continuous": {"enabled": True},
        },
        "cull": {
            "enabled": True,
            # Stop idle servers but keep the accounts and their files.
            "users": False,
            "timeout": timeout,
            "every": cull_every(timeout),
        },
    }


def _header(workshop: Workshop) -> str:
    name = " ".join(workshop.name.split())
    lines = [
        f"Valeurs Zero to JupyterHub (chart {CHART_VERSION}) pour l'atelier « {name} ».",
        f"Zero to JupyterHub (chart {CHART_VERSION}) values for the workshop « {name} ».",
        "Fichier généré : modifiez workshop.yaml puis relancez `imaginecole hub helm-values`.",
        "Generated file: edit workshop.yaml, then run `imaginecole hub helm-values` again.",
        f"helm upgrade --install <release> jupyterhub/jupyterhub --version {CHART_VERSION} "
        "--values <ce fichier / this file>",
        "Contient des secrets (codes, URL de base de données) : ne pas le publier.",
        "Holds secrets (codes, database URL): do not publish it.",
    ]
    if workshop.auth["mode"] == "workshop-code":
        lines += [
            "Code d'atelier : l'image du hub (hub.image) doit contenir le paquet imaginecole.",
            "Workshop code: the hub image (hub.image) must include the imaginecole package.",
        ]
    return "".join(f"# {line}\n" for line in lines)


def write_helm_values(workshop: Workshop, out: Path | None = None) -> str:
    """The values as commented YAML; also written to `out` when given."""
    body = yaml.safe_dump(
        helm_values(workshop), sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    text = _header(workshop) + body
    if out is not None:
        Path(out).write_text(text, encoding="utf-8")
    return text
