"""MLflow import (issue 19): ``dlops import mlflow`` of RUNS runs x VALUES metric values, against
MLflow's own ``mlflow.search_runs`` over the same runs, measured in one process.

    python benchmarks/bench_mlflow_import.py            # 1,000 runs x 1,000 values
    python benchmarks/bench_mlflow_import.py --quick    # 50 runs x 200 values
    python benchmarks/bench_mlflow_import.py --runs 200 --values 1000

The runs are an ``mlruns`` folder (MLflow's FileStore, the one backend mlflow-skinny writes
without SQLAlchemy). MLflow's own client writes ``--written`` of them (default 10) with
``log_batch``; the others are copies of those folders under new run ids (MLflow's writer
takes ~0.7 s a run of 1,000 values here: 12 minutes for 1,000 runs). Each side then reads the
same folder, ``mlflow.search_runs`` first, so the import meets a page cache at least as warm.

Rows: the import (the direct reader, the default) against ``search_runs``, in wall and CPU
time; the import through MLflow's client (the reader a tracking server gets, and the only one
before this benchmark's issue) for comparison; and SQLite alone inserting as many rows into
the store's ``metric_value`` table, generated in SQL (no Python, no parsing): the floor under
any import that keeps a row a value.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def write_runs(root: Path, runs: int, values: int, written: int) -> None:
    """``written`` runs by MLflow's client, then copies of them up to ``runs``."""
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=root.as_uri())
    experiment = client.create_experiment("bench")
    now = int(time.time() * 1000)
    for i in range(min(runs, written)):
        run = client.create_run(experiment, run_name=f"run{i}")
        params = [Param("lr", str(0.1 / (i + 1))), Param("seed", str(i))]
        metrics = [Metric("loss", 1.0 / (s + 1 + i), now + s, s) for s in range(values)]
        for start in range(0, len(metrics), 1000):
            client.log_batch(run.info.run_id, metrics=metrics[start:start + 1000],
                             params=params if start == 0 else [])
        client.set_terminated(run.info.run_id)
    originals = sorted(p for p in (root / experiment).iterdir() if (p / "meta.yaml").is_file())
    for i in range(runs - len(originals)):
        source = originals[i % len(originals)]
        run_id = uuid.uuid4().hex
        shutil.copytree(source, root / experiment / run_id)
        meta = root / experiment / run_id / "meta.yaml"
        meta.write_text(meta.read_text().replace(source.name, run_id))


def timed(function, *args, **kwargs) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def sqlite_floor(folder: Path, rows: int) -> tuple[float, float]:
    """SQLite alone: ``rows`` values into a fresh store's metric_value, generated in SQL."""
    from jupyter_dlops.store import open_store

    store = open_store(str(folder), create=True)

    def insert() -> None:
        with store.write() as cursor:
            cursor.execute_numbers(
                "INSERT INTO metric_value (series_id, step, value, timestamp) "
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "SELECT i / 1000, i % 1000, 1.0 / (i + 1), 1700000000.0 + i FROM n", [rows - 1])

    wall, cpu, _ = timed(insert)
    return wall, cpu


def measure(work: Path, runs: int, values: int, written: int) -> dict[str, float]:
    import mlflow

    from jupyter_dlops.bridge.mlflow_import import import_mlflow
    from jupyter_dlops.store import open_store

    root = work / "mlruns"
    started = time.perf_counter()
    write_runs(root, runs, values, written)
    figures = {"write_s": time.perf_counter() - started}
    mlflow.set_tracking_uri(root.as_uri())
    figures["search_wall"], figures["search_cpu"], frame = timed(
        mlflow.search_runs, search_all_experiments=True, max_results=100_000)
    for via in ("direct", "client"):
        store = open_store(str(work / f"store-{via}"), create=True)
        wall, cpu, report = timed(import_mlflow, store, str(root), artifacts=False,
                                  via=None if via == "direct" else "client")
        stored = store.read("SELECT COUNT(*) FROM metric_value")[0][0]
        assert len(frame) == len(report.imported) == runs and stored == runs * values, (len(frame), stored)
        figures[f"{via}_wall"], figures[f"{via}_cpu"] = wall, cpu
        store.close()
    figures["floor_wall"], figures["floor_cpu"] = sqlite_floor(work / "store-floor", runs * values)
    return figures


def rows(report: benchlib.Report, f: dict[str, float], runs: int, values: int) -> None:
    Row, ratio = benchlib.Row, benchlib.ratio
    size = f"{runs:,} runs × {values:,} values"
    for clock in ("wall", "cpu"):
        r = ratio(f[f"search_{clock}"], f[f"direct_{clock}"])
        report.add(Row(f"import mlflow, {size}, direct reader ({clock} time)", f[f"direct_{clock}"], "s",
                       target="≥ 10× search_runs", peer="mlflow.search_runs",
                       peer_value=f[f"search_{clock}"], ratio=r, met=r is not None and r >= 10))
    r = ratio(f["search_wall"], f["client_wall"])
    report.add(Row(f"import mlflow, {size}, through MLflow's client (info)", f["client_wall"], "s",
                   peer="mlflow.search_runs", peer_value=f["search_wall"], ratio=r))
    r = ratio(f["search_wall"], f["floor_wall"])
    report.add(Row(f"SQLite alone: {runs * values:,} metric_value rows generated in SQL (floor; info)",
                   f["floor_wall"], "s", peer="mlflow.search_runs", peer_value=f["search_wall"], ratio=r))


def main(argv: list[str] | None = None) -> int:
    p = benchlib.parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, help="runs (default 1,000; --quick 50)")
    p.add_argument("--values", type=int, help="metric values a run (default 1,000; --quick 200)")
    p.add_argument("--written", type=int, default=10, help="runs MLflow's client writes; the rest are copies")
    args = benchlib.parse(p, argv)
    runs = args.runs or (50 if args.quick else 1000)
    values = args.values or (200 if args.quick else 1000)
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3's opt-in for mlruns folders
    try:
        import mlflow  # noqa: F401
    except ImportError:
        print("bench_mlflow_import: needs MLflow (pip install mlflow-skinny)", file=sys.stderr)
        return 2
    report = benchlib.Report("mlflow_import")  # the rows say the sizes
    with tempfile.TemporaryDirectory(prefix="dlops-bench-mlflow-") as work:
        figures = measure(Path(work), runs, values, args.written)
    rows(report, figures, runs, values)
    report.info.update(runs=runs, values_per_run=values, written_by_mlflow=min(runs, args.written),
                       mlflow_write_s=round(figures["write_s"], 1))
    report.finish(args.json or benchlib.HERE / "results" / "bench_mlflow_import.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
