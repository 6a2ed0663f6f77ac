"""Helpers for the data-version tests (``from data_helpers import ...``)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from jupyter_dlops.cli import main


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


class CLI:
    def __init__(self, capsys):
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = self.capsys.readouterr()
        return code, out, err


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
