"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

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
    from .hubrunner import Hub, free_port_block, write_workshop

    # pytest's temporary root is private (0700); the unprivileged server account must
    # reach the homes, so the workshop lives in a folder it can traverse
    folder = Path(tempfile.mkdtemp(prefix="imaginecole-test-"))
    folder.chmod(0o755)
    running = Hub(
        write_workshop(folder),
        folder / "data",
        free_port_block(),
        folder / "up.log",
        extra_args=list(getattr(request.module, "HUB_ARGS", [])),
    )
    running.start()
    yield running
    running.stop()
    shutil.rmtree(folder, ignore_errors=True)
