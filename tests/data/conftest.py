"""Fixtures for the data-version tests: a real SQLite store in a temporary folder, real
files, and helpers to run the CLI and to snapshot every table of the store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from data_helpers import write_files

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
