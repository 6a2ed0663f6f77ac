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


def _script_args(command: str, corpus) -> list[str]:
    """``dlops run`` of the corpus script, or a sweep of it over two learning rates."""
    args = [command, str(corpus / "train_script.py"), "--engine", "script"]
    if command == "sweep":
        args += ["-p", "lr", "0.1", "0.2", "--workers", "2"]
    return args


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_store_locked_past_the_busy_timeout_fails_with_exit_4(store_uri, corpus, command):
    _init(store_uri)
    args = _script_args(command, corpus)
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
    args = _script_args(command, corpus)
    bad = os.fsdecode(b"exp-\xff")  # what argv holds for bytes that are not UTF-8
    done = _dlops([*args, "--experiment", bad], {"DLOPS_STORE": store_uri})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--experiment" in lines[0] and "UTF-8" in lines[0], done.stderr
    runs = sqlite3.connect(Path(store_uri) / "dlops.db").execute("SELECT COUNT(*) FROM run").fetchone()[0]
    assert runs == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user")
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_read_only_store_fails_with_exit_4(store_uri, corpus, command):
    import shutil
    import tempfile

    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("setpriv is not installed")
    as_nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    if subprocess.run([*as_nobody, sys.executable, "-c", "import jupyter_dlops"], capture_output=True,
                      timeout=120).returncode != 0:
        pytest.skip("another user cannot run this Python interpreter here")
    _init(store_uri)
    public = Path(tempfile.mkdtemp(prefix="dlops-ro-"))  # pytest's tmp folders are private to root
    try:
        public.chmod(0o755)
        shutil.copytree(store_uri, public / "store")
        shutil.copy(corpus / "train_script.py", public / "train_script.py")
        os.system(f"chmod -R a+rX,a-w {public / 'store'}")
        args = [command, str(public / "train_script.py"), "--engine", "script"]
        if command == "sweep":
            args += ["-p", "lr", "0.1", "0.2", "--workers", "2", "--name", "ro"]
        try:
            done = subprocess.run([*as_nobody, *DLOPS, *args], env={**os.environ, "DLOPS_STORE": str(public / "store")},
                                  capture_output=True, text=True, timeout=150, cwd=public)
        except subprocess.TimeoutExpired:
            pytest.fail(f"dlops {command} on a read-only store hung")
    finally:
        shutil.rmtree(public, ignore_errors=True)
    assert done.returncode == 4, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0], done.stderr
