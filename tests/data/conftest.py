"""Fixtures for the data-version tests: a real SQLite store in a temporary folder, real
files, and helpers to run the CLI and to snapshot every table of the store."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from jupyter_dlops.cli import main
from jupyter_dlops.store import close_all, open_store


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    folder = tmp_path / "store"
    monkeypatch.setenv("DLOPS_STORE", str(folder))
    yield folder
    close_all()


@pytest.fixture
def store(store_dir):
    return open_store(str(store_dir))


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


@pytest.fixture
def dataset(tmp_path) -> Path:
    return write_files(tmp_path / "data", {
        "a.txt": "alpha\n", "b.txt": "bravo\n", "sub/c.bin": os.urandom(3000),
        "sub/deeper/d.txt": "delta\n",
    })


class CLI:
    def __init__(self, capsys):
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys, store_dir):
    return CLI(capsys)


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
