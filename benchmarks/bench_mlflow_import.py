"""MLflow import (issue 19): ``dlops import mlflow`` of RUNS runs x VALUES metric values,
against MLflow's own ``mlflow.search_runs`` over the same runs, measured in one process.

MLflow (mlflow-skinny, file store: its only backend without SQLAlchemy) writes the runs with
``log_batch``; then each side reads them from the same ``mlruns`` folder, coldish (same page
cache for both: search_runs runs first, so the import is not helped by a warmer cache).

    python benchmarks/bench_mlflow_import.py [--runs 1000] [--values 1000] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def write_runs(uri: str, runs: int, values: int) -> None:
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("bench")
    now = int(time.time() * 1000)
    for i in range(runs):
        run = client.create_run(experiment, run_name=f"run{i}")
        params = [Param("lr", str(0.1 / (i + 1))), Param("seed", str(i))]
        metrics = [Metric("loss", 1.0 / (s + 1), now + s, s) for s in range(values)]
        for start in range(0, len(metrics), 1000):
            client.log_batch(run.info.run_id, metrics=metrics[start:start + 1000],
                             params=params if start == 0 else [])
        client.set_terminated(run.info.run_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--values", type=int, default=1000)
    parser.add_argument("--json")
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    import mlflow

    from jupyter_dlops.bridge.mlflow_import import import_mlflow
    from jupyter_dlops.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        uri = (Path(folder) / "mlruns").as_uri()
        started = time.perf_counter()
        write_runs(uri, args.runs, args.values)
        written = time.perf_counter() - started
        mlflow.set_tracking_uri(uri)
        started = time.perf_counter()
        frame = mlflow.search_runs(search_all_experiments=True, max_results=100_000)
        search = time.perf_counter() - started
        store = open_store(str(Path(folder) / "store"), create=True)
        started = time.perf_counter()
        report = import_mlflow(store, uri, artifacts=False)
        imported = time.perf_counter() - started
        values = store.read("SELECT COUNT(*) FROM metric_value")[0][0]
        assert len(frame) == len(report.imported) == args.runs and values == args.runs * args.values
    result = {"runs": args.runs, "values_per_run": args.values, "mlflow_write_s": round(written, 2),
              "mlflow_search_runs_s": round(search, 3), "dlops_import_s": round(imported, 3),
              "import_over_search": round(imported / search, 2)}
    print(json.dumps(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
