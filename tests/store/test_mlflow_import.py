"""``dlops import mlflow``: runs that a real MLflow wrote with its own API arrive whole, on
SQLite and PostgreSQL, and a second import adds nothing (issue 19)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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


@pytest.fixture(scope="module")
def mlruns(tmp_path_factory):
    """An mlruns folder written by MLflow itself, in its own process."""
    folder = tmp_path_factory.mktemp("mlflow") / "mlruns"
    done = subprocess.run([sys.executable, "-c", WRITER, folder.as_uri()], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true"})
    assert done.returncode == 0, done.stderr[-2000:]
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    client = mlflow.tracking.MlflowClient(tracking_uri=folder.as_uri())
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    return folder, {r.info.run_name: r for r in runs}


def test_runs_arrive_whole_and_a_second_import_adds_nothing(store, mlruns):
    folder, runs = mlruns
    first = import_mlflow(store, str(folder))
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

    counts = store.read("SELECT (SELECT COUNT(*) FROM run), (SELECT COUNT(*) FROM metric), "
                        "(SELECT COUNT(*) FROM artifact)")
    second = import_mlflow(store, str(folder))
    assert second.imported == [] and len(second.skipped) == 2
    assert store.read("SELECT (SELECT COUNT(*) FROM run), (SELECT COUNT(*) FROM metric), "
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
