"""Helpers shared by the notebook-tracking tests."""

from __future__ import annotations

from pathlib import Path


def run(shell, source: str):
    """Run one cell as a front end would (stored in history, counted)."""
    return shell.run_cell(source, store_history=True)


def rows(folder: Path, sql: str, params=()) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(folder / "dlops.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def cells(folder: Path) -> list[dict]:
    """Every recorded cell execution, JSON columns decoded, in order."""
    import json
    import sqlite3

    conn = sqlite3.connect(folder / "dlops.db")
    conn.row_factory = sqlite3.Row
    try:
        found = [dict(r) for r in conn.execute("SELECT * FROM cell_executions ORDER BY run_id, exec_order")]
    finally:
        conn.close()
    for row in found:
        for key in ("reads", "writes", "deleted", "fingerprints", "params", "files", "metrics",
                    "stale", "outputs"):
            row[key] = json.loads(row[key])
    return found


def flush(shell) -> None:
    from jupyter_dlops import magics

    extension = magics.extension_for(shell)
    assert extension is not None and extension.tracker is not None
    assert extension.tracker.flush(), extension.tracker.writer.paused

