"""Shared fixtures for the converter's tests: the notebook corpus and running scripts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from convert_helpers import CORPUS


@pytest.fixture
def corpus(tmp_path: Path):
    """Copy a corpus notebook into a fresh folder and return its path."""

    def copy(name: str) -> Path:
        target = tmp_path / f"{name}.ipynb"
        shutil.copy(CORPUS / f"{name}.ipynb", target)
        return target

    return copy


@pytest.fixture
def store_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose DLOPS_STORE is a fresh store in the test's folder."""
    env = {k: v for k, v in os.environ.items() if k != "DLOPS_RUN_ID"}
    env["DLOPS_STORE"] = str(tmp_path / "store")
    return env
