"""The store tests run against SQLite and a real PostgreSQL server (issue 8)."""

import pytest
from helpers import reset_tracking
from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401
from s3_server import objects_location, s3_location, s3_server  # noqa: F401


@pytest.fixture
def store(any_store_uri, monkeypatch):  # noqa: F811
    from jupyter_dlops.store import open_store

    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    monkeypatch.setenv("DLOPS_SAMPLE_INTERVAL", "0.1")
    yield open_store(any_store_uri)
    reset_tracking()
