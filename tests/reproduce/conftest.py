"""A git repository holding a tiny notebook, and a store, for reproduction tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent.parent / "sweeps" / "notebooks"


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                          cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    from jupyter_dlops.store import close_all

    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("train.ipynb", "train_script.py"):
        shutil.copy(CORPUS / name, folder / name)
    git("init", "-q", cwd=folder)
    git("add", ".", cwd=folder)
    git("commit", "-qm", "init", cwd=folder)
    monkeypatch.setenv("DLOPS_STORE", str(tmp_path / "store"))
    monkeypatch.chdir(folder)
    yield folder
    close_all()
