"""The direct MLflow readers (an ``mlruns`` folder, an MLflow SQLite database) give exactly
what MLflow's own client gives, for runs MLflow wrote with its own API: awkward values (NaN,
infinities, the smallest and largest doubles), keys with ``/``, deleted runs and experiments;
an import cut off halfway is completed by the next; secrets stay out (issue 19)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_dlops.bridge.mlflow_import import import_mlflow
from jupyter_dlops.errors import StoreError, UsageError

mlflow = pytest.importorskip("mlflow")

EXACT = [1 / 3, 0.1, 5e-324, 1.7976931348623157e308, 1e-300, -2.5, 123456789.123456789, 0.0]
ODD = [float("nan"), float("inf"), 0.5, float("-inf"), 2.0]
WRITER = r"""
import sys, mlflow
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri(sys.argv[1])
exact, odd = eval(sys.argv[2]), eval(sys.argv[3].replace("nan", "float('nan')").replace("inf", "float('inf')"))
mlflow.set_experiment("awkward")
with mlflow.start_run(run_name="values") as run:
    mlflow.log_params({"api_key": "s3cr3t-value-4711", "a/b": "nested", "lr": 0.01})
    mlflow.set_tag("note", "key s3cr3t-value-4711 in a tag")
    for step, value in enumerate(exact):
        mlflow.log_metric("exact", value, step=step, timestamp=1_700_000_000_123 + step)
    for step, value in enumerate(odd):
        mlflow.log_metric("odd/values", value, step=step % 3, timestamp=1_700_000_000_000 + step)
with mlflow.start_run(run_name="deleted") as run:
    mlflow.log_metric("acc", 0.7)
MlflowClient().delete_run(run.info.run_id)
gone = mlflow.create_experiment("gone")
with mlflow.start_run(run_name="in-gone", experiment_id=gone):
    mlflow.log_metric("acc", 0.8, step=3)
MlflowClient().delete_experiment(gone)
print("ok")
"""


def _write(uri: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-c", WRITER, uri, repr(EXACT), repr(ODD)], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env={**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true"})
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def awkward(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("awkward")
    if request.param == "mlruns":
        source = folder / "mlruns"
        _write(source.as_uri(), folder)
        return str(source)
    pytest.importorskip("sqlalchemy")
    source = f"sqlite:///{folder / 'mlflow.db'}"
    _write(source, folder)
    return source


def _record(store) -> dict:
    """Every run as plain data; NaN as its repr so that records compare equal."""
    view = {}
    for run_id in store.search_run_ids():
        run = store.get_run(run_id)
        series = {k: [(s, repr(v), t) for s, v, t in points] for k, points in store.metric_series(run_id).items()}
        summaries = {k: repr(vars(m)) for k, m in run.metrics.items()}
        view[run_id] = (run.name, run.experiment, run.status, run.start_time, run.end_time, run.user_name,
                        run.params, run.tags, series, summaries, [(a.path, a.size, a.object_id) for a in run.artifacts])
    return view


@pytest.mark.parametrize("awkward", ["mlruns", "sqlite"], indirect=True)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # SQLAlchemy's, raised inside MLflow
def test_the_direct_reader_gives_what_mlflows_client_gives(store, awkward, tmp_path):
    from jupyter_dlops.store import open_store

    direct = import_mlflow(store, awkward)
    assert len(direct.imported) == 3  # the deleted run and the deleted experiment's run too
    by_client = open_store(str(tmp_path / "by-client"), create=True)
    client = import_mlflow(by_client, awkward, via="client")
    assert sorted(client.imported) == sorted(direct.imported)
    assert direct.metric_values == client.metric_values == len(EXACT) + len(ODD) + 2
    assert _record(store) == _record(by_client)

    run_id = store.search_run_ids("run_name = 'values'")[0]
    exact = store.metric_series(run_id)["exact"]
    assert [v for _, v, _ in exact] == EXACT
    assert [t for _, _, t in exact] == [(1_700_000_000_123 + i) / 1000 for i in range(len(EXACT))]
    # MLflow keeps NaN; its SQL store keeps an infinity as the largest double of its sign.
    odd = [v for _, v, _ in store.metric_series(run_id)["odd/values"]]
    big = 1.7976931348623157e308
    infinity = float("inf") if "://" not in awkward else big
    assert repr(odd) == repr([float("nan"), -infinity, infinity, 2.0, 0.5])  # by step, then as logged
    summary = store.get_run(run_id).metrics
    assert (summary["exact"].last, summary["exact"].min, summary["exact"].max) == (0.0, -2.5, big)
    assert (summary["odd/values"].last, summary["odd/values"].last_step) == (0.5, 2)  # MLflow's latest
    gone = store.get_run(store.search_run_ids("run_name = 'in-gone'")[0])
    assert (gone.experiment, gone.metrics["acc"].last_step) == ("gone", 3)


@pytest.mark.parametrize("awkward", ["mlruns"], indirect=True)
def test_secrets_in_params_and_tags_stay_out(store, awkward):
    import_mlflow(store, awkward, artifacts=False)
    run = store.get_run(store.search_run_ids("run_name = 'values'")[0])
    assert run.params["api_key"] != "s3cr3t-value-4711" and run.params["a/b"] == "nested"
    assert "s3cr3t-value-4711" not in run.tags["note"] and run.tags["note"].startswith("key ")
    assert not store.read("SELECT COUNT(*) FROM tag WHERE value LIKE '%s3cr3t-value%'")[0][0]


def _mlruns_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "mlruns"
    _write(folder.as_uri(), tmp_path)
    return folder


def test_an_import_cut_off_halfway_is_completed_by_the_next(store, tmp_path, monkeypatch):
    from jupyter_dlops.bridge import mlflow_import

    folder = _mlruns_copy(tmp_path)
    metric = next(folder.glob("*/*/metrics/exact"))
    good = metric.read_text()
    metric.write_text(good + "1700000000999 0.5 7 extra\n")  # four fields: MLflow refuses it too
    monkeypatch.setattr(mlflow_import, "BATCH", 1)  # a transaction a run
    with pytest.raises(UsageError, match=r"metrics/exact line 9 is malformed"):
        import_mlflow(store, str(folder), artifacts=False)
    broken = metric.parent.parent.name
    assert not store.run_exists(broken)
    for table in ("param", "tag", "metric_summary"):  # nothing of it half-written
        assert store.read(f"SELECT COUNT(*) FROM {table} WHERE run_id = ?", [broken])[0][0] == 0
    before = set(store.search_run_ids())

    metric.write_text(good)
    report = import_mlflow(store, str(folder), artifacts=False)
    assert broken in report.imported and sorted(report.skipped) == sorted(before)
    assert len(before) + len(report.imported) == 3 and not before & set(report.imported)
    assert [v for _, v, _ in store.metric_series(broken)["exact"]] == EXACT
    assert store.read("SELECT COUNT(*) FROM metric_value")[0][0] == len(EXACT) + len(ODD) + 2


def test_numbers_json_cannot_spell_are_read_as_mlflow_reads_them(store, tmp_path):
    folder = _mlruns_copy(tmp_path)
    metric = next(folder.glob("*/*/metrics/exact"))
    # Hand-edited lines MLflow's float() reads: the database refuses them as JSON (or reads
    # them alike), and they arrive as MLflow would show them.
    metric.write_text("1700000000000 1. 0\n1700000000001 .5 1\n1700000000002 01 2\n")
    import_mlflow(store, str(folder), artifacts=False)
    run_id = metric.parent.parent.name
    assert store.metric_series(run_id)["exact"] == [(0, 1.0, 1_700_000_000.0), (1, 0.5, 1_700_000_000.001),
                                                   (2, 1.0, 1_700_000_000.002)]
    assert store.get_run(run_id).metrics["exact"].last == 1.0


def test_a_folder_that_is_not_mlruns_is_refused(store, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UsageError, match="is not an MLflow mlruns folder"):
        import_mlflow(store, str(tmp_path))
    with pytest.raises(UsageError, match="via must be one of"):
        import_mlflow(store, str(tmp_path), via="ftp")
    with pytest.raises(UsageError, match="reads an MLflow SQLite database"):
        import_mlflow(store, str(tmp_path), via="sql")
    assert store.search_run_ids() == []


def test_a_numbers_only_statement_refuses_text(store):
    with pytest.raises(StoreError, match="numbers"), store.write() as cursor:
        cursor.execute_numbers("INSERT INTO tag (run_id, key, value) VALUES ('r', 'k', ?)", ["[1, 2] secret"])
    assert store.read("SELECT COUNT(*) FROM tag")[0][0] == 0
