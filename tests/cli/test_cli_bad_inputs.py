"""Bad input: one clear line on stderr, a non-zero exit status, and the store unchanged."""

import os
import sqlite3
from pathlib import Path

import pytest
from helpers import add_run, run_cli, snapshot, table_dump


@pytest.fixture
def populated(store, store_dir):
    add_run(store, "aaaa1111", {"lr": 0.01}, {"acc": 0.95}, name="one")
    add_run(store, "aaaa2222", {"lr": 0.1}, {"acc": 0.80}, name="two")
    store.close()
    return store_dir


BAD = [
    (["show", "zzzz"], 3, "no run matches 'zzzz'"),
    (["show", "aaaa"], 3, "matches several runs"),
    (["show", ""], 2, "empty run reference"),
    (["runs", "--where", "metrics.acc >> 1"], 2, "at position 14"),
    (["runs", "--where", "metrics.acc > 1; drop table run"], 2, "unexpected character ';'"),
    (["runs", "--sort", "bogus"], 2, "unknown field"),
    (["runs", "--limit", "-1"], 2, "--limit must be zero or more"),
    (["sql", "DELETE FROM run"], 2, "read-only"),
    (["sql", "UPDATE param SET num = 0"], 2, "read-only"),
    (["sql", "SELECT 1; DELETE FROM run"], 2, "one"),
    (["sql", "ATTACH DATABASE '/tmp/x.db' AS x"], 2, "read-only"),
    (["sql", "PRAGMA writable_schema = 1"], 2, "read-only"),
    (["sql", "SELEC nonsense"], 2, "SQL error"),
    (["runs", "--where", "(" * 400 + "status = 'x'" + ")" * 400], 2, "nested more than 32 levels"),
    (["runs", "--where", "not " * 400 + "status = 'x'"], 2, "nested more than 32 levels"),
    (["runs", "--where", " or ".join(f"params.lr = {i}" for i in range(999))], 2, "more than 256 conditions"),
    (["runs", "--columns", "__dict__"], 2, "unknown column '__dict__'"),
    (["runs", "--columns", "name,to_dict"], 2, "unknown column 'to_dict'"),
    (["runs", "--columns", "params."], 2, "unknown column 'params.'"),
    (["compare", "one"], 2, "at least two runs"),
    (["compare", "one", "nope"], 3, "no run matches 'nope'"),
]


@pytest.mark.parametrize("args, code, message", BAD, ids=[" ".join(a)[:60] for a, _, _ in BAD])
def test_bad_input_is_one_line_and_changes_nothing(populated, args, code, message):
    before = table_dump(populated)
    done = run_cli(*args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("dlops: error: ")
    assert table_dump(populated) == before


def test_many_conditions_under_the_limit_still_run(populated):
    where = " or ".join(f"params.lr = {i}" for i in range(255)) + " or params.lr = 0.1"
    done = run_cli("runs", "--where", where, "--ids")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["aaaa2222"]
    nested = "(" * 32 + "name = 'one'" + ")" * 32
    assert run_cli("runs", "--where", nested, "--ids").stdout.split() == ["aaaa1111"]


def test_known_columns_show_their_values(populated):
    done = run_cli("runs", "--columns", "name,params.lr,metrics.acc,status", "--sort", "name")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert [row[-4:] for row in rows] == [["one", "0.01", "0.95", "finished"], ["two", "0.1", "0.8", "finished"]]


def test_no_store_yet_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DLOPS_STORE", str(tmp_path / "none"))
    done = run_cli("runs")
    assert done.returncode == 3 and "run `dlops init`" in done.stderr
    assert not (tmp_path / "none").exists()


def test_a_store_from_a_newer_version_is_refused(populated):
    conn = sqlite3.connect(populated / "dlops.db")
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = snapshot(populated)
    done = run_cli("runs")
    assert done.returncode == 4 and "upgrade jupyter-dlops" in done.stderr
    assert snapshot(populated) == before


def test_a_corrupt_database_is_refused(populated):
    (populated / "dlops.db").write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        (populated / f"dlops.db{suffix}").unlink(missing_ok=True)
    done = run_cli("runs")
    assert done.returncode == 4 and "corrupt" in done.stderr
    assert (populated / "dlops.db").read_bytes() == b"garbage" * 1000


def test_a_locked_database_is_a_clear_error_for_writers(populated):
    conn = sqlite3.connect(populated / "dlops.db", isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        done = run_cli("gc", env={"DLOPS_BUSY_TIMEOUT": "0.3"})
        code = ("import jupyter_dlops as dl\nwith dl.start_run(): pass\n")
        from helpers import run_python

        writer = run_python(code, env={"DLOPS_BUSY_TIMEOUT": "0.3"})
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert done.returncode == 0  # gc only reads the database
    assert writer.returncode != 0 and "locked by another process" in writer.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user")
def test_a_read_only_store_reads_but_refuses_writes(populated):
    import shutil
    import tempfile

    # pytest's tmp folders are private to root: use a folder another user can traverse.
    public = Path(tempfile.mkdtemp(prefix="dlops-ro-"))
    try:
        public.chmod(0o755)
        shutil.copytree(populated, public / "store")
        os.system(f"chmod -R a+rX,a-w {public / 'store'}")
        before = table_dump(public / "store")
        env = {"DLOPS_STORE": str(public / "store")}
        reader = _as_nobody(["runs", "--json"], env)
        shown = _as_nobody(["show", "one"], env)
        queried = _as_nobody(["sql", "SELECT name FROM runs ORDER BY name"], env)
        others = [_as_nobody(args, env) for args in (["compare", "one", "two"], ["best", "--metric", "acc"],
                                                     ["runs", "--where", "params.lr < 0.05"], ["data", "list"])]
        writer = _as_nobody(["gc", "--grace", "0"], env)
        tracked = _as_nobody_python("import jupyter_dlops as dl\nwith dl.start_run(): pass", env)
        assert table_dump(public / "store") == before
    finally:
        shutil.rmtree(public, ignore_errors=True)
    assert reader.returncode == 0, reader.stderr
    assert '"aaaa1111"' in reader.stdout
    assert shown.returncode == 0 and "aaaa1111" in shown.stdout, shown.stderr
    assert queried.returncode == 0, queried.stderr  # reads work everywhere, `dlops sql` too
    assert [line.strip() for line in queried.stdout.splitlines()] == ["name", "----", "one", "two"]
    for done in others:
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.args[-3:] + [done.stderr]
    assert writer.returncode == 0, writer.stderr  # nothing unreferenced: gc writes nothing
    assert tracked.returncode == 1 and "read-only" in tracked.stderr.splitlines()[-1]


def _as_nobody_python(code, env):
    import sys

    return _as_nobody(["-c", code], env, program=sys.executable)


def _as_nobody(args, env, program=None):
    import shutil
    import subprocess
    import sys

    from helpers import BIN

    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("setpriv is not installed")
    program = program or str(BIN / "dlops")
    harmless = ["-c", "import jupyter_dlops"] if program == sys.executable else ["--version"]
    probe = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", program,
                            *harmless], capture_output=True, timeout=60)
    if probe.returncode != 0:  # e.g. the interpreter lives under /root (pyenv), closed to others
        pytest.skip("another user cannot run this Python interpreter here")
    return subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", program, *args],
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=60)
