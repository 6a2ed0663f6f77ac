"""Fixtures for the reliability tests: a PostgreSQL server for the session (see
``tests/pg_server.py``), stores of both kinds, and helpers to run tracked child processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:  # tests/ is not a package: make pg_server importable
    sys.path.insert(0, str(TESTS))

from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: E402, F401


@pytest.fixture
def child_env(tmp_path):
    """An environment for tracked child processes: this interpreter's package, quick
    flushes, and no inherited run."""

    def make(store_uri: str, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DLOPS_")}
        env.update(DLOPS_STORE=store_uri, PYTHONUNBUFFERED="1", **extra)
        if "DLOPS_ARTIFACTS" in os.environ:
            env.setdefault("DLOPS_ARTIFACTS", os.environ["DLOPS_ARTIFACTS"])
        return env

    return make
