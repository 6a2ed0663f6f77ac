"""Fixtures for notebook tracking: a store per test, and a real IPython shell with the
extension loaded into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import reset_tracking


@pytest.fixture
def nb_store(tmp_path, monkeypatch) -> Path:
    """A fresh store folder (``DLOPS_STORE``), no run to attach to, a clean notebook env."""
    folder = tmp_path / "store"
    monkeypatch.setenv("DLOPS_STORE", str(folder))
    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setenv("DLOPS_SAMPLE_INTERVAL", "0.2")
    monkeypatch.chdir(tmp_path)
    yield folder
    reset_tracking()


@pytest.fixture
def ip(nb_store):
    """IPython's test shell (a real ``InteractiveShell``), emptied, extension not loaded."""
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.reset(new_session=True)
    yield shell
    from jupyter_dlops import magics

    if "jupyter_dlops" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "jupyter_dlops")
    assert magics.extension_for(shell) is None
    shell.reset(new_session=True)
