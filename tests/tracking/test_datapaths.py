"""Which opened files are data (issue 15): the rules of :mod:`jupyter_dlops.tracking.datapaths`
on real folders, ``sys.path`` and environment variables."""

from __future__ import annotations

import os
import site
import sys

import pytest

from jupyter_dlops.tracking.datapaths import EnvironmentPaths


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(root / "notebooks")
    return root


def test_the_projects_own_sys_path_entries_keep_its_data(project, monkeypatch):
    """``PYTHONPATH=$PWD`` or the notebook's folder on sys.path must not hide the data."""
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.syspath_prepend(str(project / "notebooks"))
    monkeypatch.syspath_prepend(str(project / "src"))
    paths = EnvironmentPaths()
    assert paths.is_data(str(project / "data" / "train.csv"))
    assert paths.is_data(str(project / "notebooks" / "scratch.json"))
    assert not paths.is_data(str(project / "src" / "helpers" / "table.json"))  # a library folder


@pytest.mark.parametrize("where", [
    lambda home: os.path.join(sys.prefix, "share", "x.json"),
    lambda home: os.path.join(site.getusersitepackages(), "pkg", "data.csv"),
    lambda home: os.path.join(home, ".cache", "fontconfig", "x.cache-9"),
    lambda home: os.path.join(home, ".local", "share", "jupyter", "runtime", "kernel-1.json"),
    lambda home: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    lambda home: "/anywhere/lib/python3.11/site-packages/x/data.csv",
    lambda home: "/anywhere/pkg-1.0.dist-info/entry_points.txt",
    lambda home: "/anywhere/pkg.egg-info/entry_points.txt",
    lambda home: "/anywhere/__pycache__/mod.cpython-311.pyc",
    lambda home: "/anywhere/mod.py",
], ids=["prefix", "user-site", "xdg-cache", "jupyter-runtime", "system", "site-packages",
        "dist-info", "egg-info", "pycache", "source"])
def test_environment_files_are_not_data(project, where):
    assert not EnvironmentPaths().is_data(where(os.path.expanduser("~")))


def test_tool_folders_named_by_variables_and_imported_packages(project, tmp_path, monkeypatch):
    paths = EnvironmentPaths()
    assert paths.is_data(str(tmp_path / "mpl" / "fontlist.json"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    assert not paths.is_data(str(tmp_path / "mpl" / "fontlist.json"))  # seen without restart
    import json

    assert not paths.is_data(os.path.join(os.path.dirname(json.__file__), "tables.txt"))


def test_a_removed_current_folder_breaks_nothing(project, tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    paths = EnvironmentPaths()
    assert paths.is_data(str(project / "data.csv"))
    assert not paths.is_data(os.__file__)
