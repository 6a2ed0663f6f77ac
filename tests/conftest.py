"""Shared fixtures: every test gets its own store folder through ``DLOPS_STORE``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    """A fresh store folder, exported as DLOPS_STORE to this process and its children."""
    folder = tmp_path / "store"
    monkeypatch.setenv("DLOPS_STORE", str(folder))
    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    monkeypatch.setenv("DLOPS_SAMPLE_INTERVAL", "0.1")
    yield folder
    _reset_tracking()


@pytest.fixture
def store(store_dir):
    from jupyter_dlops.store import open_store

    return open_store(str(store_dir))


def _reset_tracking() -> None:
    from jupyter_dlops.store import close_all
    from jupyter_dlops.tracking import fluent

    while fluent.active_run() is not None:
        fluent.end_run()
    for client in fluent._clients.values():
        client.close()
    fluent._clients.clear()
    close_all()


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, input: str | None = None):
    """``dlops ARGS`` as a real process; returns the CompletedProcess (text)."""
    return subprocess.run(
        [str(BIN / "dlops"), *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, cwd=cwd, input=input, timeout=120,
    )


def run_python(code: str, *, env: dict | None = None, cwd: Path | None = None, timeout: int = 120):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, cwd=cwd, timeout=timeout,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a store folder, for "the store is exactly as it was" checks.

    The SQLite WAL is checkpointed first so that equal content means equal bytes."""
    import sqlite3

    db = folder / "dlops.db"
    if db.exists():
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-shm", "-wal"))
    }


def table_dump(folder: Path) -> dict[str, list]:
    """Every row of every table (content, not bytes: page layout may legitimately move)."""
    import sqlite3

    conn = sqlite3.connect(folder / "dlops.db")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    dump = {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    conn.close()
    return dump
