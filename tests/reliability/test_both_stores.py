"""The store interface, the same on SQLite and PostgreSQL: every test runs on both."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import warnings

import pytest

import jupyter_dlops as dl
from jupyter_dlops.errors import (
    AmbiguousError,
    NotFoundError,
    QuerySyntaxError,
    ReadOnlyQueryError,
    SchemaVersionError,
    StoreError,
)
from jupyter_dlops.store import close_all, open_store
from jupyter_dlops.store.migrations import latest_version


def _runs(store):
    ids = []
    for i, (lr, opt, acc) in enumerate([(0.1, "adam", 0.8), (0.01, "sgd", 0.95), (0.001, "adam", 0.9)]):
        with dl.start_run(name=f"r{i}", params={"lr": lr, "opt": opt, "flag": i == 1, "layers": [i, 2]},
                          tags={"stage": "prod" if i else "dev"}, capture=False, store=store) as run:
            for step in range(5):
                run.log_metric("acc", acc - 0.1 * (4 - step) / 4, step=step)
        ids.append(run.run_id)
    return ids


def _snapshot(store):
    return [store.read(f"SELECT * FROM {t} ORDER BY 1, 2") for t in ("run", "param", "tag", "metric_summary")]


def test_migrations_apply_and_reopen(any_store_uri):
    store = open_store(any_store_uri)
    assert store.schema_version() == latest_version()
    close_all()
    store = open_store(any_store_uri)  # reopening an up-to-date store is a no-op
    assert store.migrate() == latest_version()
    assert store.integrity_check() == "ok"


def test_newer_schema_is_refused(any_store_uri):
    store = open_store(any_store_uri)
    with store.write() as cursor:
        cursor.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(latest_version() + 1),))
    close_all()
    with pytest.raises(SchemaVersionError, match="upgrade jupyter-dlops"):
        open_store(any_store_uri)


def test_runs_params_metrics_tags(any_store_uri):
    store = open_store(any_store_uri)
    ids = _runs(store)
    run = store.get_run(ids[1])
    assert run.status == "finished"
    assert run.params == {"lr": 0.01, "opt": "sgd", "flag": True, "layers": [1, 2]}
    assert run.metrics["acc"].last == pytest.approx(0.95) and run.metrics["acc"].count == 5
    assert run.metrics["acc"].min == pytest.approx(0.85)
    assert run.tags == {"stage": "prod"}
    assert [v for _, v, _ in store.metric_series(ids[1])["acc"]] == pytest.approx([0.85, 0.875, 0.9, 0.925, 0.95])


@pytest.mark.parametrize("where, expected", [
    ("metrics.acc > 0.85 and params.lr < 0.05", [1, 2]),
    ("params.opt = 'adam'", [0, 2]),
    ("params.flag = true", [1]),
    ("tags.stage = 'prod' and not (name like 'r2%')", [1]),
    ("status in ('finished', 'killed') and duration >= 0", [0, 1, 2]),
    ("params.missing is null", [0, 1, 2]),
    ("name = 5", []),
    ("start_time > 0 and end_time is not null", [0, 1, 2]),
])
def test_where_on_both(any_store_uri, where, expected):
    store = open_store(any_store_uri)
    ids = _runs(store)
    assert sorted(store.search_run_ids(where)) == sorted(ids[i] for i in expected)


@pytest.mark.parametrize("sort, expected", [
    ("metrics.acc", [0, 2, 1]), ("-metrics.acc", [1, 2, 0]), ("params.lr", [2, 1, 0]),
    ("params.opt desc", [1, 2, 0]), ("-start_time", [2, 1, 0]), ("tags.stage", [0, 2, 1]),
])
def test_sort_on_both(any_store_uri, sort, expected):
    store = open_store(any_store_uri)
    ids = _runs(store)
    # ties (two 'adam', two 'prod') break newest first
    assert store.search_run_ids(None, sort) == [ids[i] for i in expected]


def test_sort_mixes_numbers_and_strings(any_store_uri):
    store = open_store(any_store_uri)
    made = []
    for value in ("b", 2, "a", 1):
        with dl.start_run(params={"x": value}, capture=False, store=store) as run:
            made.append(run.run_id)
    with dl.start_run(capture=False, store=store) as run:
        made.append(run.run_id)  # no x: sorts last
    assert store.search_run_ids(None, "params.x") == [made[3], made[1], made[2], made[0], made[4]]


def test_resolve_prefix_name_and_errors(any_store_uri):
    store = open_store(any_store_uri)
    ids = _runs(store)
    assert store.resolve_run(ids[0][:10]) == ids[0]
    assert store.resolve_run("r2") == ids[2]
    with pytest.raises(NotFoundError):
        store.resolve_run("nope%_")
    with dl.start_run(name="r2", capture=False, store=store) as newer:
        pass
    # Several runs of one name: the newest, with a note that says so (issue 15).
    assert store.resolve_run_ref("r2") == (
        newer.run_id, f"2 runs are named 'r2'; this is the newest, {newer.run_id[:12]} "
        "(give an id to pick another)")
    with dl.start_run(name=ids[1][:8], capture=False, store=store):
        pass
    with pytest.raises(AmbiguousError):  # a name that is also another run's id prefix
        store.resolve_run(ids[1][:8])


def test_artifacts_and_sections(any_store_uri, tmp_path):
    store = open_store(any_store_uri)
    (tmp_path / "model.bin").write_bytes(b"\x00weights\xff" * 100)
    with dl.start_run(store=store) as run:  # capture on: code, environment, usage, cost
        run.log_artifact(tmp_path / "model.bin")
    record = store.get_run(run.run_id)
    assert [a.path for a in record.artifacts] == ["model.bin"]
    assert store.objects.read_bytes(record.artifacts[0].object_id) == b"\x00weights\xff" * 100
    assert {"code", "environment", "hardware", "usage", "cost"} <= set(record.sections)


def test_readonly_sql(any_store_uri):
    store = open_store(any_store_uri)
    _runs(store)
    columns, rows = store.query_readonly("SELECT key, COUNT(*) AS n FROM metrics GROUP BY key")
    assert columns == ["key", "n"] and rows == [("acc", 15)]
    columns, rows = store.query_readonly("SELECT name FROM runs WHERE name LIKE 'r%' ORDER BY name;", 2)
    assert rows == [("r0",), ("r1",)]
    before = _snapshot(store)
    for bad in ("DELETE FROM run", "SELECT 1; DELETE FROM run", "UPDATE run SET name = 'x'", ""):
        with pytest.raises(ReadOnlyQueryError):
            store.query_readonly(bad)
    # SQLite has no DELETE inside WITH (a syntax error); PostgreSQL refuses it as a write.
    with pytest.raises((ReadOnlyQueryError, QuerySyntaxError)):
        store.query_readonly("WITH gone AS (DELETE FROM run RETURNING *) SELECT * FROM gone")
    with pytest.raises(QuerySyntaxError):
        store.query_readonly("SELECT nope FROM runs")
    assert _snapshot(store) == before


def test_literal_percent_and_question_marks(any_store_uri):
    store = open_store(any_store_uri)
    with dl.start_run(name="100% done?", params={"q": "what?%s"}, capture=False, store=store) as run:
        pass
    assert store.read("SELECT name FROM run WHERE name LIKE '100%' AND ? = 'x?'", ("x?",)) == [("100% done?",)]
    assert store.search_run_ids("params.q = 'what?%s'") == [run.run_id]
    assert store.resolve_run("100% done?") == run.run_id


def test_stale_running_run_is_reaped(any_store_uri):
    store = open_store(any_store_uri)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(child.stdout)
    from jupyter_dlops.tracking.client import DlopsClient

    client = DlopsClient(store)
    run_id = client.create_run("ghost")
    store.update_run(run_id, pid=dead_pid)
    assert store.get_run(run_id).status == "killed"


def test_concurrent_threads_upsert_one_summary(any_store_uri):
    """Many threads, each with its own connection, folding values into one summary row."""
    store = open_store(any_store_uri)
    from jupyter_dlops.tracking.client import DlopsClient

    run_id = DlopsClient(store).create_run("threads")
    store_class = type(store)
    errors = []

    def work(offset):
        try:
            own = store_class(any_store_uri)
            for chunk in range(10):
                own.insert_metrics([(run_id, k, float(offset), chunk, 0.0) for k in ("a", "b", "c", "d")][::1 if offset % 2 else -1])
            own.close()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.read("SELECT key, count, min, max FROM metric_summary ORDER BY key") == [
        (k, 80, 0.0, 7.0) for k in "abcd"]
    assert store.integrity_check() == "ok"


@pytest.mark.postgres
def test_postgres_location_and_errors(pg_uri, postgres_server, tmp_path):
    from pg_server import PASSWORD

    store = open_store(pg_uri)
    assert PASSWORD not in store.location and store.location.startswith("postgresql://dlops@127.0.0.1:")
    with pytest.raises(StoreError) as refused:
        open_store(f"postgresql://dlops:{PASSWORD}@127.0.0.1:1/x")
    assert "127.0.0.1:1" in str(refused.value) and PASSWORD not in str(refused.value)
    with pytest.raises(StoreError, match="credentials") as bad_pw:
        open_store(pg_uri.replace(PASSWORD, "wrong-password"))
    assert "wrong-password" not in str(bad_pw.value)
    with pytest.raises(NotFoundError, match="dlops init"):
        open_store(postgres_server.uri(postgres_server.create_database()), create=False)


@pytest.mark.postgres
def test_postgres_artifacts_from_uri(pg_uri, tmp_path):
    target = tmp_path / "shared-objects"
    store = open_store(f"{pg_uri}?artifacts={target}")
    assert store.objects.root == target
    with dl.start_run(capture=False, store=store) as run:
        art = dl.active_run().client.log_bytes(run.run_id, b"shared", "x.txt")
    assert (target / art.object_id[:2] / art.object_id[2:]).read_bytes() == b"shared"


@pytest.mark.postgres
def test_cli_on_postgres(pg_uri, tmp_path):
    env_store = open_store(pg_uri)
    ids = _runs(env_store)
    close_all()
    dlops = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import run; sys.exit(run())"]
    listed = subprocess.run([*dlops, "runs", "--where", "metrics.acc > 0.85", "--json"],
                            capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert ids[1] in listed.stdout and ids[0] not in listed.stdout
    refused = subprocess.run([*dlops, "sql", "DELETE FROM run"], capture_output=True, text=True)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert len(open_store(pg_uri).search_run_ids()) == 3


@pytest.mark.postgres
def test_postgres_deadlock_is_replayed(pg_uri):
    """Two writers locking two rows in opposite orders: PostgreSQL aborts one of them for a
    deadlock; the store replays that transaction and both succeed."""
    from jupyter_dlops.store.postgres import PostgresStore

    store = open_store(pg_uri)
    from jupyter_dlops.tracking.client import DlopsClient

    a, b = DlopsClient(store).create_run("a"), DlopsClient(store).create_run("b")
    barrier, errors = threading.Barrier(2, timeout=30), []

    def work(first, second, label):
        own = PostgresStore(pg_uri)
        try:
            with own.write() as cursor:
                cursor.execute("UPDATE run SET error = ? WHERE run_id = ?", (label, first))
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()  # both now hold their first row
                cursor.execute("UPDATE run SET error = ? WHERE run_id = ?", (label, second))
        except Exception as error:  # noqa: BLE001 - asserted below
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=work, args=(a, b, "x")), threading.Thread(target=work, args=(b, a, "y"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {r[0] for r in store.read("SELECT error FROM run")} in ({"x"}, {"y"})


@pytest.mark.postgres
def test_postgres_reconnects_after_fork_and_server_side_close(pg_uri, postgres_server):
    store = open_store(pg_uri)
    _runs(store)
    store.conn.close()  # e.g. the server restarted, or an idle timeout
    assert len(store.search_run_ids()) == 3
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork() with threads running
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child must open its own connection, not reuse the parent's socket
        try:
            ok = len(store.search_run_ids()) == 3
        except BaseException:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert len(store.search_run_ids()) == 3  # and the parent's connection still works
