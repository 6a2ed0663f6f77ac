"""Fixtures for the data-version tests: real files in a temporary folder (the store and
its ``DLOPS_STORE`` come from the shared ``store_dir`` / ``store`` fixtures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from data_helpers import CLI, write_files


@pytest.fixture
def dataset(tmp_path) -> Path:
    return write_files(tmp_path / "data", {
        "a.txt": "alpha\n", "b.txt": "bravo\n", "sub/c.bin": os.urandom(3000),
        "sub/deeper/d.txt": "delta\n",
    })


@pytest.fixture
def cli(capsys, store_dir):
    return CLI(capsys)


