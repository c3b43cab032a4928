"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from imaginecole.ports import free_loopback_port

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The official specs folder: `IMAGINECOLE_SPEC_DIR`, else `../shared/spec`.

    The project never copies the specs, so tests that need them skip when the
    folder is absent instead of failing.
    """
    configured = os.environ.get("IMAGINECOLE_SPEC_DIR")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "spec"
    if not path.is_dir():
        pytest.skip(f"spec folder missing: {path} (set IMAGINECOLE_SPEC_DIR to the `spec` folder)")
    return path


@pytest.fixture(scope="module")
def hub(request):
    """A real hub, proxy and idle culler from `imaginecole up`, stopped after the module.

    A test module may set `HUB_ARGS` (extra `imaginecole up` options).
    """
    from .hubrunner import Hub, write_workshop

    # pytest's temporary root is private (0700); the unprivileged server account must
    # reach the homes, so the workshop lives in a folder it can traverse
    folder = Path(tempfile.mkdtemp(prefix="imaginecole-test-"))
    folder.chmod(0o755)
    running = Hub(
        write_workshop(folder),
        folder / "data",
        free_loopback_port(size=5),
        folder / "up.log",
        extra_args=list(getattr(request.module, "HUB_ARGS", [])),
    )
    running.start()
    yield running
    running.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server (see tests/pgserver.py), stopped after the session.

    Fails, never skips, when the server binaries are missing: CI installs them.
    """
    from .pgserver import PostgresMissing, PostgresServer

    try:
        server = PostgresServer()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """The SQLAlchemy URL of a database on the session's PostgreSQL server."""
    return postgres_server.url(postgres_server.create_database("imaginecole_test"))


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue_url(request, tmp_path):
    """A fresh, empty catalogue database URL per test, on SQLite then on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def publishable_bundle(tmp_path):
    """A factory of bundle folders ready to publish: a copy of a fixture grain
    (tests/fixtures/grains/NAME) with a new id (or `uid`) and every metadata field
    publication needs; keyword arguments override the metadata."""
    import json
    import uuid

    def make(name: str = "single_choice", *, uid: str | None = None, **metadata) -> Path:
        folder = tmp_path / f"{name}-{uuid.uuid4().hex[:8]}"
        shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "grains" / name, folder)
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        manifest["id"] = uid or str(uuid.uuid4())
        manifest["metadata"].update(
            {
                "description": "Un exercice pour reconnaître les formes.",
                "country": "SN",
                "level": "cm1",
                "subject": "mathematiques",
                **metadata,
            }
        )
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
        return folder

    return make


@pytest.fixture(scope="session")
def scolomfr(spec_dir: Path):
    """The ScoLOMFR 3.2.1 schema (lxml XMLSchema), parsed once."""
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(spec_dir / "lom/scolomfr-schemas-3.2.1/scolomfr.xsd")))


@pytest.fixture(scope="session")
def lom_strict(spec_dir: Path):
    """The IEEE LOM strict schema (lxml XMLSchema), parsed once."""
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(spec_dir / "lom/ieee-lom-1484.12.3/lomStrict.xsd")))
