"""A worker that cannot start or end its run (store locked, read-only, a name the store cannot
hold) must never hang the sweep: the failure reaches the caller as one line and an exit code
(issue 14, "Nothing may hang")."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DLOPS = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]


def _dlops(args, env, timeout=150):
    """``dlops ARGS`` as a process; a hang fails the test instead of blocking it."""
    try:
        return subprocess.run([*DLOPS, *args], env={**os.environ, **env}, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"dlops {' '.join(map(str, args))} hung (no exit within {timeout} s)")


def _init(store_uri):
    from jupyter_dlops.store import close_all, open_store

    open_store(store_uri)
    close_all()


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_store_locked_past_the_busy_timeout_fails_with_exit_4(store_uri, corpus, command):
    _init(store_uri)
    args = [command, str(corpus / "train_script.py"), "--engine", "script"]
    if command == "sweep":
        args += ["-p", "lr", "0.1", "0.2", "--workers", "2"]
    holder = sqlite3.connect(Path(store_uri) / "dlops.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock throughout
    try:
        done = _dlops(args, {"DLOPS_STORE": store_uri, "DLOPS_BUSY_TIMEOUT": "0.3"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 4, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "locked by another process" in lines[0], done.stderr


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_an_experiment_name_that_is_not_utf8_is_a_usage_error(store_uri, corpus, command):
    _init(store_uri)
    args = [command, str(corpus / "train_script.py"), "--engine", "script"]
    if command == "sweep":
        args += ["-p", "lr", "0.1", "0.2", "--workers", "2"]
    bad = os.fsdecode(b"exp-\xff")  # what argv holds for bytes that are not UTF-8
    done = _dlops([*args, "--experiment", bad], {"DLOPS_STORE": store_uri})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--experiment" in lines[0] and "UTF-8" in lines[0], done.stderr
    runs = sqlite3.connect(Path(store_uri) / "dlops.db").execute("SELECT COUNT(*) FROM run").fetchone()[0]
    assert runs == 0
