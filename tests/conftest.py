"""Shared fixtures: every test gets its own store folder through ``DLOPS_STORE``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import reset_tracking

BIN = Path(sys.executable).parent


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    """A fresh store folder, exported as DLOPS_STORE to this process and its children."""
    folder = tmp_path / "store"
    monkeypatch.setenv("DLOPS_STORE", str(folder))
    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    monkeypatch.setenv("DLOPS_SAMPLE_INTERVAL", "0.1")
    yield folder
    reset_tracking()


@pytest.fixture
def store(store_dir):
    from jupyter_dlops.store import open_store

    return open_store(str(store_dir))
