"""Fixtures for the server extension: a real jupyter_server (pytest-jupyter) over a real
SQLite store seeded through the store API."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

# pytest-jupyter's fixtures and hooks, scoped to this folder: `pytest_plugins` is only
# allowed in the root conftest, which the other test folders do not need to share.
from pytest_jupyter.jupyter_server import *  # noqa: F403


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def jp_server_config(store_dir: Path) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_dlops": True},
            # every endpoint must require authentication, as in the extension template
            "allow_unauthenticated_access": False,
        },
        "JupyterDlops": {"store_uri": str(store_dir)},
    }


@pytest.fixture
def store(store_dir: Path) -> Any:
    from jupyter_dlops.store import close_all, open_store

    yield open_store(str(store_dir))
    close_all()


def make_run(store: Any, name: str, params: dict[str, Any], acc: list[float], *,
             status: str = "finished", entry_point: str | None = None, start: float | None = None) -> str:
    """A run written through the real store API, with an ``acc`` series."""
    from jupyter_dlops.models import Run

    run_id = uuid.uuid4().hex
    now = start if start is not None else time.time()
    store.create_run(Run(
        run_id=run_id, name=name, experiment="default", kind="script", status=status,
        start_time=now, end_time=None if status == "running" else now + 3.0,
        heartbeat=now if status == "running" else None, entry_point=entry_point,
    ))
    store.log_params(run_id, params)
    store.insert_metrics([(run_id, "acc", value, step, now + step) for step, value in enumerate(acc)])
    return run_id


@pytest.fixture(name="make_run")
def make_run_fixture() -> Any:
    return make_run


@pytest.fixture
def three_runs(store: Any) -> list[str]:
    base = time.time() - 100
    return [
        make_run(store, f"lr-{lr}", {"lr": lr, "epochs": 5}, [0.5, acc], start=base + i)
        for i, (lr, acc) in enumerate([(0.1, 0.7), (0.01, 0.9), (0.001, 0.95)])
    ]
