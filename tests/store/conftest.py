"""The store tests run against SQLite and a real PostgreSQL server (issue 8)."""

import pytest
from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401


@pytest.fixture
def store(any_store_uri, monkeypatch):  # noqa: F811
    from jupyter_dlops.store import close_all, open_store
    from jupyter_dlops.tracking import fluent

    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    monkeypatch.setenv("DLOPS_SAMPLE_INTERVAL", "0.1")
    yield open_store(any_store_uri)
    while fluent.active_run() is not None:
        fluent.end_run()
    for client in fluent._clients.values():
        client.close()
    fluent._clients.clear()
    close_all()
