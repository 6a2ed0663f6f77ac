"""``dlops import mlflow``: runs that a real MLflow wrote with its own API arrive whole, on
SQLite and PostgreSQL, and a second import adds nothing (issue 19)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_dlops.bridge.mlflow_import import import_mlflow
from jupyter_dlops.errors import UsageError

mlflow = pytest.importorskip("mlflow")

WRITER = r"""
import sys, mlflow
mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("bridge")
with mlflow.start_run(run_name="first") as run:
    mlflow.log_params({"lr": 0.01, "model": "cnn", "batch_size": None})
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step, timestamp=1_700_000_000_000 + step)
    mlflow.set_tag("stage", "prod")
    mlflow.log_text("weights", "model/weights.txt")
with mlflow.start_run(run_name="broken") as run:
    mlflow.log_metric("acc", 0.5)
    mlflow.end_run(status="FAILED")
print("ok")
"""


def _write(uri: str, cwd: Path) -> None:
    # cwd: MLflow puts a database store's artifacts in ./mlruns
    done = subprocess.run([sys.executable, "-c", WRITER, uri], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env={**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true"})
    assert done.returncode == 0, done.stderr[-2000:]


def _runs_by_name(uri: str) -> dict:
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    return {r.info.run_name: r for r in runs}


@pytest.fixture(scope="module")
def mlruns(tmp_path_factory):
    """An mlruns folder written by MLflow itself, in its own process."""
    folder = tmp_path_factory.mktemp("mlflow") / "mlruns"
    _write(folder.as_uri(), folder.parent)
    return folder, _runs_by_name(folder.as_uri())


@pytest.fixture(scope="module")
def mlflow_db(tmp_path_factory):
    """An MLflow SQLite database written by MLflow itself, in its own process."""
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("alembic")
    folder = tmp_path_factory.mktemp("mlflowdb")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    _write(uri, folder)
    return uri, _runs_by_name(uri)


#: Each way runs are read: (the source fixture, ``via``). None: the direct reader for it.
READERS = {"mlruns-direct": ("mlruns", None), "mlruns-client": ("mlruns", "client"),
           "sqlite-direct": ("mlflow_db", None), "sqlite-client": ("mlflow_db", "client")}


@pytest.fixture(params=list(READERS))
def source(request):
    """(what to import, how to read it, MLflow's runs by name) for every reader."""
    fixture, via = READERS[request.param]
    where, runs = request.getfixturevalue(fixture)
    return str(where), via, runs


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # SQLAlchemy's, raised inside MLflow
def test_runs_arrive_whole_and_a_second_import_adds_nothing(store, source):
    where, via, runs = source
    first = import_mlflow(store, where, via=via)
    assert sorted(first.imported) == sorted(r.info.run_id for r in runs.values())
    assert (first.metric_values, first.artifacts) == (6, 1)

    source = runs["first"]
    run = store.get_run(source.info.run_id)
    assert (run.name, run.experiment, run.status, run.kind) == ("first", "bridge", "finished", "mlflow")
    assert run.start_time == source.info.start_time / 1000 and run.end_time == source.info.end_time / 1000
    assert run.params == {"lr": "0.01", "model": "cnn", "batch_size": "None"}
    assert run.tags["stage"] == "prod" and run.tags["mlflow.runName"] == "first"
    series = store.metric_series(run.run_id)["loss"]
    assert [(s, v, t) for s, v, t in series] == [(i, 1.0 / (i + 1), 1_700_000_000 + i / 1000) for i in range(5)]
    assert [(a.path, a.size) for a in run.artifacts] == [("model/weights.txt", 7)]
    assert store.objects.read_bytes(run.artifacts[0].object_id) == b"weights"
    assert store.get_run(runs["broken"].info.run_id).status == "failed"
    # MLflow's own filter strings find them.
    assert store.search_run_ids("params.lr = '0.01' and attributes.status = 'FINISHED'") == [run.run_id]

    counts = store.read("SELECT (SELECT COUNT(*) FROM run), (SELECT COUNT(*) FROM metric_value), "
                        "(SELECT COUNT(*) FROM artifact)")
    second = import_mlflow(store, where, via=via)
    assert second.imported == [] and len(second.skipped) == 2
    assert store.read("SELECT (SELECT COUNT(*) FROM run), (SELECT COUNT(*) FROM metric_value), "
                      "(SELECT COUNT(*) FROM artifact)") == counts


def test_the_cli_imports_and_refuses_a_missing_folder(tmp_path, mlruns):
    folder, runs = mlruns
    env = {**os.environ, "DLOPS_STORE": str(tmp_path / "store")}
    dlops = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]
    done = subprocess.run([*dlops, "import", "mlflow", str(folder), "--json"], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"imported": 2, "skipped": 0, "metric_values": 6, "artifacts": 1}
    bad = subprocess.run([*dlops, "import", "mlflow", str(tmp_path / "nowhere")], capture_output=True,
                         text=True, env=env, timeout=300)
    assert bad.returncode != 0 and "no MLflow store at" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_a_folder_that_is_not_there_is_refused(store, tmp_path):
    with pytest.raises(UsageError, match="no MLflow store"):
        import_mlflow(store, str(tmp_path / "missing"))


def _mlflow_view(uri):
    """Every run of an MLflow store as plain data, ids and experiment ids left out."""
    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    experiments = {e.experiment_id: e.name for e in client.search_experiments()}
    view = {}
    for run in client.search_runs(list(experiments)):
        info = run.info
        tags = {k: v for k, v in run.data.tags.items() if k not in ("dlops.run_id", "mlflow.source.name",
                                                                     "mlflow.source.type", "mlflow.source.git.commit")}
        history = {k: sorted((m.step, m.value, m.timestamp) for m in client.get_metric_history(info.run_id, k))
                   for k in run.data.metrics}
        files = sorted(a.path for a in client.list_artifacts(info.run_id, "model")) if run.data.params else []
        view[info.run_name] = (experiments[info.experiment_id], info.status, info.start_time, info.end_time,
                               info.user_id, run.data.params, tags, history, files)
    return view


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # SQLAlchemy's, raised inside MLflow
def test_the_round_trip_through_mlflow_loses_nothing(store, source, tmp_path):
    from jupyter_dlops.bridge.mlflow_export import export_mlflow

    where, via, runs = source
    import_mlflow(store, where, via=via)
    dest = tmp_path / "again"
    ids = store.search_run_ids()
    report = export_mlflow(store, ids, str(dest))
    assert sorted(report.exported) == sorted(ids)
    uri = where if "://" in where else Path(where).as_uri()
    assert _mlflow_view(dest.as_uri()) == _mlflow_view(uri)
    client = mlflow.tracking.MlflowClient(tracking_uri=dest.as_uri())
    weights = client.download_artifacts(report.exported[runs["first"].info.run_id], "model/weights.txt",
                                         str(tmp_path))
    assert Path(weights).read_text() == "weights"
    again = export_mlflow(store, ids, str(dest))  # a second export adds nothing
    assert again.exported == {} and sorted(again.skipped) == sorted(ids)


def test_native_runs_export_with_mlflow_text_params(store, tmp_path):
    from helpers import add_run

    from jupyter_dlops.bridge.mlflow_export import export_mlflow

    add_run(store, "n1", {"lr": 0.01, "deep": True, "none": None, "layers": [64, 32]}, {"acc": 0.9},
            {"stage": "prod"}, status="failed", start=1_700_000_000.5)
    report = export_mlflow(store, ["n1"], str(tmp_path / "out"))
    client = mlflow.tracking.MlflowClient(tracking_uri=(tmp_path / "out").as_uri())
    run = client.get_run(report.exported["n1"])
    assert run.data.params == {"lr": "0.01", "deep": "True", "none": "None", "layers": "[64, 32]"}
    assert (run.info.status, run.info.start_time, run.info.end_time) == ("FAILED", 1_700_000_000_500,
                                                                          1_700_000_001_500)
    assert run.data.metrics == {"acc": 0.9} and run.data.tags["stage"] == "prod"
    assert run.data.tags["dlops.run_id"] == "n1"


def test_the_cli_exports_by_where(tmp_path, mlruns):
    folder, _ = mlruns
    env = {**os.environ, "DLOPS_STORE": str(tmp_path / "store")}
    dlops = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]
    assert subprocess.run([*dlops, "import", "mlflow", str(folder)], env=env, timeout=300).returncode == 0
    done = subprocess.run([*dlops, "export", "mlflow", "--where", "attributes.status = 'FAILED'",
                           str(tmp_path / "out"), "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["exported"]) == 1
    both = subprocess.run([*dlops, "export", "mlflow", "--where", "status = 'failed'", "r1", "x"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert both.returncode != 0 and "give run ids or --where" in both.stderr


def test_a_missing_sqlite_database_is_refused_not_created(store, tmp_path):
    db = tmp_path / "mlflow.db"
    with pytest.raises(UsageError, match="no MLflow database"):
        import_mlflow(store, f"sqlite:///{db}")
    assert not db.exists()
