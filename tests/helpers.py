"""Plain helpers shared by tests (importable because tests/ is on sys.path via conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from jupyter_dlops.models import Run

BIN = Path(sys.executable).parent


def add_run(store, run_id, params=None, metrics=None, tags=None, status="finished", start=None, name=None,
            *, user=None, duration=1.0):
    """A finished run written straight through the store API."""
    start = start or time.time()
    store.create_run(Run(run_id=run_id, name=name or run_id, experiment="default", kind="script",
                         status=status, start_time=start, end_time=start + duration, user_name=user))
    if params:
        store.log_params(run_id, params)
    if metrics:
        store.insert_metrics([(run_id, k, v, 0, time.time()) for k, v in metrics.items()])
    if tags:
        store.set_tags(run_id, tags)


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


def reset_tracking() -> None:
    """End every active run, close every client and store: the next test starts clean."""
    from jupyter_dlops.store import close_all
    from jupyter_dlops.tracking import fluent

    while fluent.active_run() is not None:
        fluent.end_run()
    for client in fluent._clients.values():
        client.close()
    fluent._clients.clear()
    close_all()
