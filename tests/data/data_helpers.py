"""Helpers for the data-version tests (a plain module: conftest modules are not importable
by name once several test folders have one)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path


def settle(folder: Path) -> None:
    """Date files 2 s in the past, out of the stat cache's racy-clean window."""
    past = time.time_ns() - 2_000_000_000
    for path in [folder, *folder.rglob("*")] if folder.is_dir() else [folder]:
        os.utime(path, ns=(past, past), follow_symlinks=False)


def write_files(folder: Path, files: dict[str, bytes | str]) -> Path:
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    settle(folder)
    return folder


def snapshot(store_dir: Path) -> dict[str, list[tuple]]:
    """Every row of every table (and the object files), to prove bad input changed nothing."""
    conn = sqlite3.connect(store_dir / "dlops.db")
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()
    objects = store_dir / "objects"
    tables["<objects>"] = sorted(str(p) for p in objects.rglob("*")) if objects.exists() else []
    return tables
