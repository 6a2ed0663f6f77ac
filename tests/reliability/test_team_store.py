"""The team store (PostgreSQL) against a hostile or careless user: ``dlops sql`` reads only the
documented views with harmless functions (issue 14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

import jupyter_dlops as dl
from jupyter_dlops.errors import ReadOnlyQueryError, StoreError
from jupyter_dlops.store import open_store

pytestmark = pytest.mark.postgres
DLOPS = [str(Path(sys.executable).parent / "dlops")]


def _one_run(uri: str) -> str:
    with dl.start_run(name="r0", params={"lr": 0.1}, capture=False, store=uri) as run:
        run.log_metric("acc", 0.5)
    return run.run_id


REFUSED = {
    "read a server file": "SELECT pg_read_file('/etc/passwd')",
    "read the password catalog": "SELECT * FROM pg_shadow",
    "a qualified catalog": "SELECT usename FROM pg_catalog.pg_user",
    "a base table": "SELECT * FROM run",
    "end other sessions": "SELECT pg_terminate_backend(pid) FROM runs",
    "a server setting": "SELECT current_setting('data_directory')",
    "a lateral function": "SELECT * FROM runs, LATERAL pg_ls_dir('.') AS f",
    "a subquery on the catalog": "SELECT name FROM runs WHERE name IN (SELECT usename FROM pg_user)",
    "a borrowed CTE name": "WITH pg_shadow AS (SELECT * FROM pg_shadow) SELECT * FROM pg_shadow",
    "a CTE out of scope": "SELECT * FROM pg_authid, (WITH pg_authid AS (SELECT 1) SELECT * FROM pg_authid) s",
    "select into": "SELECT * INTO stolen FROM runs",
    "row locks": "SELECT * FROM runs FOR UPDATE",
    "a qualified function": "SELECT public.lower(name) FROM runs",
    "a write in a CTE": "WITH gone AS (DELETE FROM run RETURNING *) SELECT * FROM gone",
    "sleep": "SELECT pg_sleep(10)",
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=REFUSED.keys())
def test_sql_refuses_what_is_not_a_documented_view_or_a_harmless_function(pg_uri, query):
    _one_run(pg_uri)
    with pytest.raises(ReadOnlyQueryError):
        open_store(pg_uri).query_readonly(query)


ALLOWED = {
    "aggregate and window": ("SELECT key, count(*), max(value), row_number() OVER (ORDER BY key) "
                             "FROM metrics GROUP BY key", [("acc", 1, 0.5, 1)]),
    "a CTE": ("WITH r AS (SELECT name FROM runs) SELECT upper(name) FROM r", [("R0",)]),
    "a recursive CTE": ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) "
                        "SELECT sum(i) FROM n", [(6,)]),
    "sql-syntax functions": ("SELECT extract(year FROM now()) > 2000, substring(name FROM 1 FOR 1), "
                             "trim(both ' ' FROM ' x ') FROM runs", [(True, "r", "x")]),
    "json and casts": ("SELECT key, num::int, (num * 10)::int, jsonb_typeof(to_jsonb(num)) FROM params",
                       [("lr", 0, 1, "number")]),
    "a join of views": ("SELECT r.name, p.key FROM runs r JOIN params p USING (run_id)", [("r0", "lr")]),
}


@pytest.mark.parametrize("query, rows", ALLOWED.values(), ids=ALLOWED.keys())
def test_sql_still_answers_ordinary_queries(pg_uri, query, rows):
    _one_run(pg_uri)
    assert open_store(pg_uri).query_readonly(query)[1] == rows


def test_cli_refusal_is_one_line_and_reveals_nothing(pg_uri):
    _one_run(pg_uri)
    done = subprocess.run([*DLOPS, "sql", "SELECT pg_read_file('/etc/passwd')"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("dlops: error: dlops sql does not allow the function pg_read_file()")
    assert len(done.stderr.splitlines()) == 1 and "root:" not in done.stderr


def test_another_session_survives_pg_terminate_backend(pg_uri):
    import psycopg

    _one_run(pg_uri)
    with psycopg.connect(pg_uri, autocommit=True) as other:
        pid = other.execute("SELECT pg_backend_pid()").fetchone()[0]
        with pytest.raises(ReadOnlyQueryError):
            open_store(pg_uri).query_readonly(f"SELECT pg_terminate_backend({pid})")
        assert other.execute("SELECT 1").fetchone() == (1,)


def _documented_roles_sql() -> str:
    text = (Path(__file__).resolve().parents[2] / "docs" / "store.md").read_text(encoding="utf-8")
    block = text.split("### A least-privilege role for teams", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return block.replace("PASSWORD '...'", "PASSWORD 'alice-pw'")


def test_the_documented_least_privilege_roles_work(pg_uri, monkeypatch):
    import psycopg

    _one_run(pg_uri)  # the owner creates the schema first, as the docs say
    with psycopg.connect(pg_uri, autocommit=True) as owner:
        owner.execute(_documented_roles_sql())
    parsed = urlparse(pg_uri)
    alice = urlunparse(parsed._replace(netloc=f"alice:alice-pw@{parsed.hostname}:{parsed.port}"))
    monkeypatch.setenv("DLOPS_STORE", alice)
    second = _one_run(alice)  # the writer role is enough to track a run
    monkeypatch.setenv("DLOPS_SQL_ROLE", "dlops_reader")
    store = open_store(alice)
    assert store.query_readonly("SELECT current_user, count(*) FROM runs")[1] == [("dlops_reader", 2)]
    assert store.get_run(second).params == {"lr": 0.1}
    with psycopg.connect(alice, autocommit=True) as conn:  # the server, not only our check
        conn.execute("SET ROLE dlops_reader")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM run")
    monkeypatch.setenv("DLOPS_SQL_ROLE", "no_such_role")
    with pytest.raises(StoreError, match="DLOPS_SQL_ROLE"):
        store.query_readonly("SELECT name FROM runs")


def test_sql_json_output_from_postgres(pg_uri):
    _one_run(pg_uri)
    done = subprocess.run([*DLOPS, "sql", "SELECT name FROM runs", "--json"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "DLOPS_STORE": pg_uri})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"name": "r0"}]


# -- the whole store configuration reaches every child process --------------------------
TRAIN = """
import jupyter_dlops as dl
with dl.start_run(name="train", params={"lr": 0.1}) as run:
    run.log_metric("acc", 0.75)
    with open("model.bin", "wb") as out:
        out.write(b"weights")
    run.log_artifact("model.bin")
"""


def _all_text(uri: str) -> str:
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE'")]
        return "\n".join(str(row) for table in tables for row in conn.execute(f'SELECT * FROM "{table}"'))


def test_reproduce_with_a_password_in_the_uri_uses_the_whole_store(pg_uri, tmp_path, child_env):
    from pg_server import PASSWORD

    shared = tmp_path / "shared-objects"
    uri = f"{pg_uri}?artifacts={shared}"
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    (project / "train.py").write_text(TRAIN)
    env = child_env(uri)
    env.pop("PGPASSWORD", None)
    first = subprocess.run([sys.executable, "train.py"], cwd=project, env=env, capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    run_id = open_store(uri).search_runs("name = 'train'")[0].run_id
    done = subprocess.run([*DLOPS, "reproduce", run_id], cwd=elsewhere, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict: reproduced" in done.stdout
    store = open_store(uri)
    rerun = store.get_run(store.search_run_ids(f"tags.reproduces = '{run_id}'")[0])
    assert rerun.status == "finished" and rerun.metrics["acc"].last == 0.75
    assert store.objects.root.resolve() == shared.resolve()
    assert store.objects.read_bytes(rerun.artifacts[0].object_id) == b"weights"  # in the shared folder
    assert not list(tmp_path.rglob(".dlops"))  # nothing landed in a local object store
    assert PASSWORD not in _all_text(pg_uri)


# -- the server goes down while a script's run ends ---------------------------------------
OFFLINE = """
import pathlib, time
import jupyter_dlops as dl
with dl.start_run(name="offline", params={"lr": 0.1}) as run:
    run.log_metric("acc", 0.5, step=0)
    run.flush()
    pathlib.Path("ready").write_text("1")
    while not pathlib.Path("go").exists():
        time.sleep(0.05)
    run.log_metric("acc", 0.75, step=1)
    print("inside the block")
print("after the block")
"""


@pytest.fixture
def own_server(tmp_path):
    """A PostgreSQL server of this test's own, so that stopping it disturbs no other test."""
    from pg_server import PostgresServer, find_bindir

    server = PostgresServer(find_bindir()).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_run_ending_while_the_server_is_down_ends_locally_and_is_sent_later(own_server, tmp_path, child_env):
    import time

    uri = f"{own_server.uri()}?artifacts={tmp_path / 'objects'}"
    project = tmp_path / "project"
    project.mkdir()
    (project / "offline.py").write_text(OFFLINE)
    env = child_env(uri)
    with subprocess.Popen([sys.executable, "offline.py"], cwd=project, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as script:
        deadline = time.monotonic() + 120
        while not (project / "ready").exists() and script.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        own_server.halt()
        (project / "go").write_text("1")
        stdout, stderr = script.communicate(timeout=120)
    assert script.returncode == 0, stderr
    assert stdout.splitlines() == ["inside the block", "after the block"]  # the program went on
    assert "Traceback" not in stderr
    assert len([line for line in stderr.splitlines() if "ended here" in line]) == 1, stderr
    # the metric thread may have found the server gone first: it says so once, never per retry
    assert len([line for line in stderr.splitlines() if "not saved yet" in line]) <= 1, stderr
    spooled = list((project / ".dlops" / "spool").glob("*.json"))
    assert len(spooled) == 1 and "pg-test-pw" not in spooled[0].read_text()

    own_server.resume()
    nxt = subprocess.run([sys.executable, "-c", "import jupyter_dlops as dl\nwith dl.start_run(name='next'): pass"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert nxt.returncode == 0, nxt.stderr
    assert not list((project / ".dlops" / "spool").glob("*.json"))
    store = open_store(uri)
    run = store.get_run(store.search_run_ids("name = 'offline'")[0])
    assert run.status == "finished" and run.error is None and run.end_time >= run.start_time
    assert [value for _, value, _ in store.metric_series(run.run_id, "acc")["acc"]] == [0.5, 0.75]
    logs = {a.path: a for a in run.artifacts}
    assert store.objects.read_bytes(logs["logs/stdout.txt"].object_id).decode().strip() == "inside the block"
    assert {"usage", "cost"} <= set(run.sections)


def test_a_run_child_in_another_project_writes_objects_where_the_parent_reads(pg_uri, tmp_path, child_env):
    """DLOPS_ARTIFACTS names the team's objects relative to the parent's folder: a child started
    in the notebook's folder (another git project) must write there too, not into its own
    project's ``.dlops/objects`` nor a folder of that name beside it."""
    import nbformat

    here, there = tmp_path / "here", tmp_path / "there"
    for folder in (here, there):
        (folder / ".git").mkdir(parents=True)  # each its own project root
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("size = 4", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import jupyter_dlops as dl\n"
                                          "open('out.bin', 'wb').write(b'x' * size)\n"
                                          "dl.log_artifact('out.bin')")]
    nbformat.write(nb, there / "make.ipynb")
    env = child_env(pg_uri)
    env["DLOPS_ARTIFACTS"] = "team-objects"
    done = subprocess.run([*DLOPS, "run", str(there / "make.ipynb"), "--engine", "script", "-p", "size", "5"],
                          cwd=here, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (there / ".dlops").exists() and not (there / "team-objects").exists()
    objects = [p for p in (here / "team-objects").rglob("*") if p.is_file()]
    assert any(p.read_bytes() == b"x" * 5 for p in objects)


def test_a_team_store_with_no_shared_objects_refuses_a_run_and_writes_nothing(pg_uri, tmp_path, child_env):
    """No ``?artifacts=`` and no DLOPS_ARTIFACTS: the run is refused with what to set, before
    any row or object is written (issue 19: never split the team's objects silently)."""
    script = tmp_path / "job.py"
    script.write_text("print('ran')\n")
    (tmp_path / ".git").mkdir()
    env = child_env(pg_uri)
    env.pop("DLOPS_ARTIFACTS", None)
    before = open_store(pg_uri).read("SELECT COUNT(*) FROM run")[0][0]
    done = subprocess.run([*DLOPS, "run", str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "no shared object location" in done.stderr and "DLOPS_ARTIFACTS" in done.stderr
    assert "ran" not in done.stdout
    assert open_store(pg_uri).read("SELECT COUNT(*) FROM run")[0][0] == before
    assert not [p for p in (tmp_path / ".dlops").rglob("*") if p.is_file() and "objects" in p.parts]


def test_reads_work_on_a_read_only_server_with_a_stale_run(pg_uri, child_env):
    """A read-only PostgreSQL (a hot standby, or default_transaction_read_only) with a run whose
    process is gone: reading must not fail on marking that run killed."""
    import socket
    import time

    import psycopg

    from jupyter_dlops.models import Run

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store = open_store(pg_uri)
    _one_run(pg_uri)
    store.create_run(Run(run_id="stale0000", name="stale", experiment="default", kind="script", status="running",
                         start_time=time.time(), heartbeat=time.time(), host=socket.gethostname(), pid=gone.pid))
    database = pg_uri.rsplit("/", 1)[1]
    with psycopg.connect(pg_uri, autocommit=True) as owner:
        owner.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
    env = child_env(pg_uri)
    for args in (["runs", "--json"], ["show", "stale"], ["sql", "SELECT name FROM runs ORDER BY name"]):
        done = subprocess.run([*DLOPS, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stderr)
        assert "stale" in done.stdout
