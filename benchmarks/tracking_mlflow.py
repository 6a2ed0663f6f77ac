"""Child process for bench_tracking.py: MLflow's side (runs in benchmarks/.venv-peers, with
MLflow 3 on its sqlite backend). Prints one JSON line. Same modes as tracking_ours.py:

    tracking_mlflow.py log DB N [--async] [--budget S]   N log_metric calls in start_run
    tracking_mlflow.py sigkill DB PACE_S
    tracking_mlflow.py populate DB START END [API_RUNS]
    tracking_mlflow.py search DB REPS       mlflow.search_runs(filter_string=MLFLOW_FILTER)
    tracking_mlflow.py search-once DB       import mlflow and search once (timed as a process)
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import time
import warnings

EXPERIMENT = "bench"


def _mlflow(db: str):
    warnings.simplefilter("ignore")  # MLflow's own deprecation chatter is not the benchmark
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{db}")
    mlflow.set_experiment(EXPERIMENT)  # creates the database and runs its migrations: untimed
    return mlflow


def log(db: str, n: int, synchronous: bool, budget: float) -> dict:
    """``n`` values, or as many as fit in ``budget`` seconds (MLflow logs 20-250 a second on
    this shared machine; its rate per call does not depend on how many it logs)."""
    mlflow = _mlflow(db)
    t0 = time.perf_counter()
    done = 0
    with mlflow.start_run(run_name="bench-log") as run:
        t1 = time.perf_counter()
        for i in range(n):
            mlflow.log_metric("loss", i * 0.001, step=i, synchronous=synchronous)
            done = i + 1
            if i % 100 == 99 and time.perf_counter() - t1 > budget:
                break
        t2 = time.perf_counter()
    t3 = time.perf_counter()  # end_run waits for queued async values too
    return {"run_id": run.info.run_id, "values": done, "start_s": t1 - t0, "loop_s": t2 - t1,
            "end_s": t3 - t2, "total_s": t3 - t0}


def sigkill(db: str, pace: float) -> None:
    mlflow = _mlflow(db)
    with mlflow.start_run(run_name="bench-sigkill") as run:
        print(json.dumps({"run_id": run.info.run_id}), flush=True)
        while True:
            mlflow.log_metric("t", time.time())
            if pace:
                time.sleep(pace)


def populate(db: str, start: int, end: int, api_runs: int) -> dict:
    """Runs ``start..end-1``: the first ``api_runs`` through MLflow's client (create_run,
    log_batch, set_terminated: three transactions a run, 30-160 ms each here), the rest as
    SQL copies of the last API-written run's rows with their own ids and values."""
    mlflow = _mlflow(db)
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient
    from tracking_data import run_data

    client = MlflowClient()
    experiment_id = mlflow.get_experiment_by_name(EXPERIMENT).experiment_id
    t0 = time.perf_counter()
    api_end = min(end, start + api_runs)
    for i in range(start, api_end):
        run = client.create_run(experiment_id, run_name=f"bench-{i}")
        params, metrics = run_data(i)
        now = int(time.time() * 1000)
        client.log_batch(run.info.run_id,
                         metrics=[Metric(k, v, now, 0) for k, v in metrics.items()],
                         params=[Param(k, str(v)) for k, v in params.items()])
        client.set_terminated(run.info.run_id)
    api_s = time.perf_counter() - t0
    if api_end < end:
        template = client.search_runs([experiment_id], max_results=1)[0].info.run_id
        clone_runs(db, template, api_end, end)
    return {"runs": end - start, "api_runs": api_end - start, "api_s": api_s,
            "seconds": time.perf_counter() - t0}


RUN_TABLES = ("runs", "tags", "params", "metrics", "latest_metrics")


def clone_runs(db: str, template: str, start: int, end: int) -> None:
    """Copy ``template``'s rows in every run table for runs ``start..end-1``, with a new
    run id, name and the run's own param and metric values (exactly what the API writes)."""
    import sqlite3
    import uuid

    from tracking_data import run_data

    conn = sqlite3.connect(db)
    rows = {}
    for table in RUN_TABLES:
        cursor = conn.execute(f"SELECT * FROM {table} WHERE run_uuid = ?", (template,))
        rows[table] = ([c[0] for c in cursor.description], cursor.fetchall())
    with conn:
        for i in range(start, end):
            run_id, name = uuid.uuid4().hex, f"bench-{i}"
            params, metrics = run_data(i)
            for table, (columns, template_rows) in rows.items():
                copies = [_copy(dict(zip(columns, row, strict=True)), table, template, run_id, name, params, metrics)
                          for row in template_rows]
                conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                 f"({', '.join('?' for _ in columns)})",
                                 [[c[k] for k in columns] for c in copies])
    conn.close()


def _copy(row: dict, table: str, template: str, run_id: str, name: str, params, metrics) -> dict:
    row = {k: (v.replace(template, run_id) if isinstance(v, str) else v) for k, v in row.items()}
    if table == "runs":
        row["name"] = name
    elif table == "tags" and row["key"] == "mlflow.runName":
        row["value"] = name
    elif table == "params":
        row["value"] = str(params[row["key"]])
    elif table in ("metrics", "latest_metrics"):
        row["value"] = metrics[row["key"]]
    return row


def search(db: str, reps: int) -> dict:
    mlflow = _mlflow(db)
    from tracking_data import MLFLOW_FILTER

    def once():
        return mlflow.search_runs(experiment_names=[EXPERIMENT], filter_string=MLFLOW_FILTER,
                                  max_results=100_000)

    count = len(once())  # warm-up: imports, page cache
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        frame = once()
        times.append(time.perf_counter() - t0)
        assert len(frame) == count
    return {"count": count, "median_s": statistics.median(times), "times": times}


def search_once(db: str) -> dict:
    """What a user's script does: import MLflow, point it at the store, search once (the
    parent times this whole process)."""
    mlflow = _mlflow(db)
    from tracking_data import MLFLOW_FILTER

    frame = mlflow.search_runs(experiment_names=[EXPERIMENT], filter_string=MLFLOW_FILTER,
                               max_results=100_000)
    return {"count": len(frame)}


def main(argv: list[str]) -> None:
    mode, db = argv[0], argv[1]
    os.chdir(os.path.dirname(db) or ".")  # MLflow puts ./mlruns artifacts in the cwd
    if mode == "log":
        budget = float(argv[argv.index("--budget") + 1]) if "--budget" in argv else 1e9
        result = log(db, int(argv[2]), synchronous="--async" not in argv, budget=budget)
    elif mode == "sigkill":
        sigkill(db, float(argv[2]))
        return
    elif mode == "populate":
        result = populate(db, int(argv[2]), int(argv[3]), int(argv[4]) if len(argv) > 4 else 10**9)
    elif mode == "search":
        result = search(db, int(argv[2]))
    elif mode == "search-once":
        result = search_once(db)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
