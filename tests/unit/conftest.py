"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty teacher's home as the working directory (a workbench's default folder)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
