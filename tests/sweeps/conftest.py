"""Fixtures for sweeps: a fresh store per test (``DLOPS_STORE``) and the notebook corpus."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:  # tests/ is not a package: make pg_server importable
    sys.path.insert(0, str(TESTS))

from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: E402, F401
from s3_server import s3_location, s3_server  # noqa: E402, F401

CORPUS = Path(__file__).parent / "notebooks"


@pytest.fixture
def store_uri(tmp_path, monkeypatch):
    from jupyter_dlops.store import close_all

    uri = str(tmp_path / "store")
    monkeypatch.setenv("DLOPS_STORE", uri)
    yield uri
    close_all()


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of the notebooks (runs write next to them and change nothing shared)."""
    folder = tmp_path / "notebooks"
    shutil.copytree(CORPUS, folder)
    return folder
