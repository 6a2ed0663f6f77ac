"""Tracking, ours beside MLflow 3 (sqlite backend), in one run:

1. logging 10,000 metric values one call at a time, until the run has ended and every value
   is durable (rows counted in each database afterwards);
2. the SIGKILL window: a process logging continuously is SIGKILLed; how old is the newest
   value that survived;
3. ``--where`` over runs with 10 params and 5 metrics each: ``store.search_runs`` and the
   whole ``dlops runs --where ... --json`` process vs ``mlflow.search_runs`` on the same data.

Each side runs in its own child process (tracking_ours.py in our venv, tracking_mlflow.py in
benchmarks/.venv-peers) so neither pays for the other's imports.

    python benchmarks/bench_tracking.py [--quick] [--no-peers] [--json PATH]
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchlib import HERE, Report, Row, median, parse, parser, ratio, run_json
from tracking_data import MLFLOW_FILTER, OURS_WHERE, expected_matches

OURS = [sys.executable, str(HERE / "tracking_ours.py")]


def mlflow_cmd(args) -> list[str] | None:
    """The MLflow child's command line, or None when MLflow is unavailable or not wanted."""
    from peers import have_peer, peer_python

    if args.no_peers or not have_peer("mlflow"):
        return None
    return [str(peer_python("mlflow")), str(HERE / "tracking_mlflow.py")]


def count_rows(db: Path, sql: str, params: tuple = ()):
    """One value from the database, read from this (the parent) process. Not read-only: after
    a SIGKILL, SQLite must first recover the write-ahead log the killed writer left."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


# -- 1. logging -------------------------------------------------------------------------
def log_ours(tmp: Path, n: int, repeats: int) -> dict:
    results = []
    for k in range(repeats):
        store = tmp / f"log-ours-{k}"
        result = run_json([*OURS, "log", str(store), str(n)])
        rows = count_rows(store / "dlops.db", "SELECT COUNT(*) FROM metrics WHERE run_id = ? AND "
                          "key = 'loss'", (result["run_id"],))
        status = count_rows(store / "dlops.db", "SELECT COUNT(*) FROM run WHERE run_id = ? AND "
                            "status = 'finished'", (result["run_id"],))
        if rows != n or status != 1:
            raise RuntimeError(f"ours: {rows} of {n} values durable, finished={status}")
        results.append(result)
    return min(results, key=lambda r: r["total_s"]) if repeats > 1 else results[0]


def log_mlflow(tmp: Path, mlflow: list[str], n: int, budget: float, synchronous: bool = True) -> dict:
    """MLflow logs ``n`` values, or stops at the first hundred past ``budget`` seconds."""
    db = tmp / f"log-mlflow-{'sync' if synchronous else 'async'}.db"
    result = run_json([*mlflow, "log", str(db), str(n), "--budget", str(budget),
                       *([] if synchronous else ["--async"])])
    rows = count_rows(db, "SELECT COUNT(*) FROM metrics WHERE run_uuid = ? AND key = 'loss'",
                      (result["run_id"],))
    if rows != result["values"]:
        raise RuntimeError(f"mlflow: {rows} of {result['values']} values durable")
    return result


def bench_logging(report: Report, tmp: Path, mlflow, quick: bool) -> None:
    n = 2_000 if quick else 10_000
    ours = log_ours(tmp, n, repeats=1 if quick else 3)
    peer = log_mlflow(tmp, mlflow, 200 if quick else n, budget=10 if quick else 90) if mlflow else None
    n_peer = peer["values"] if peer else 0
    rate = n / ours["total_s"]
    peer_rate = n_peer / peer["total_s"] if peer else None
    r = ratio(rate, peer_rate)
    report.add(Row(f"log_metric ×{n:,} one call at a time, start_run → ended, all durable",
                   rate, "values/s", "≥ 100× MLflow", f"MLflow sync ×{n_peer:,}" if peer else "", peer_rate, r,
                   None if r is None else r >= 100,
                   note=f"ours: start {ours['start_s']:.3f} s, loop {ours['loop_s']:.3f} s, "
                        f"end {ours['end_s']:.3f} s (rows counted in the database afterwards)"))
    loop, peer_loop = n / ours["loop_s"], (n_peer / peer["loop_s"] if peer else None)
    report.add(Row("log_metric call rate (buffered; the loop alone)", loop, "values/s",
                   "≥ 50,000 (DESIGN)", "MLflow sync" if peer else "", peer_loop,
                   ratio(loop, peer_loop), loop >= 50_000))
    per_cpu = n / max(ours["loop_cpu_s"], 1e-9)
    report.add(Row("log_metric calls per CPU-second of the loop (load-independent view)",
                   per_cpu, "values/s", "≥ 50,000 (DESIGN)", "", None, None, per_cpu >= 50_000))
    if mlflow and not quick:
        # MLflow's async mode is slower still here (10k values took minutes): 1,000 at most
        slow = log_mlflow(tmp, mlflow, 1_000, budget=30, synchronous=False)
        peer_rate = slow["values"] / slow["total_s"]
        report.add(Row(f"same, vs MLflow synchronous=False ×{slow['values']:,} (info)", rate,
                       "values/s", "", "MLflow async", peer_rate, ratio(rate, peer_rate)))


# -- 2. SIGKILL window --------------------------------------------------------------------
def sigkill_once(command: list[str], db: Path, sql: str, pace: float, wait: float) -> float:
    """Start a logger, SIGKILL it after ``wait`` s; seconds between the kill and the newest
    value that survived (the values logged in that window were lost)."""
    proc = subprocess.Popen([*command, str(pace)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        run_id = json.loads(proc.stdout.readline())["run_id"]
        time.sleep(wait)
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    newest = count_rows(db, sql, (run_id,))
    if newest is None:
        raise RuntimeError("no value survived the SIGKILL at all")
    return killed_at - newest


def sigkill_windows(tmp: Path, side: str, command: list[str], pace: float, trials: int) -> list[float]:
    rng = random.Random(7)
    windows = []
    for k in range(trials):
        if side == "ours":
            store = tmp / f"kill-ours-{pace}-{k}"
            cmd, db = [*command, "sigkill", str(store)], store / "dlops.db"
            sql = "SELECT MAX(value) FROM metrics WHERE run_id = ? AND key = 't'"
        else:
            db = tmp / f"kill-mlflow-{pace}-{k}.db"
            cmd = [*command, "sigkill", str(db)]
            sql = "SELECT MAX(value) FROM metrics WHERE run_uuid = ? AND key = 't'"
        # a random phase against the 0.25 s flush cycle, so the worst case gets sampled
        windows.append(sigkill_once(cmd, db, sql, pace, 1.5 + rng.random() * 0.5))
    return windows


def bench_sigkill(report: Report, tmp: Path, mlflow, quick: bool) -> None:
    trials = 3 if quick else 8
    for pace, label in ((0.001, "logging every 1 ms"), (0.0, "logging flat out")):
        ours = sigkill_windows(tmp, "ours", OURS, pace, trials)
        report.info[f"sigkill_windows_pace_{pace}"] = ours
        peer = sigkill_windows(tmp, "mlflow", mlflow, pace, 2) if mlflow and pace else None
        report.add(Row(f"SIGKILL while {label}: newest surviving value's age, worst of {trials}",
                       max(ours), "s", "≤ 0.5 s", "MLflow sync" if peer else "",
                       max(peer) if peer else None, None, max(ours) <= 0.5,
                       note=f"ours median {statistics.median(ours):.3f} s; all: "
                            + ", ".join(f"{w:.3f}" for w in ours)))


# -- 3. --where over many runs ------------------------------------------------------------
def populate(tmp: Path, mlflow, start: int, end: int, api_runs: int) -> None:
    """Fill both stores with runs ``start..end-1``. Ours goes through the store's batch writes;
    MLflow's first ``api_runs`` through its client (``log_batch``), the rest as SQL copies of
    an API-written run (its client takes 30-160 ms a run here: 10k runs would take minutes)."""
    if mlflow:
        done = run_json([*mlflow, "populate", str(tmp / "where-mlflow.db"), str(start), str(end),
                         str(api_runs)])
        print(f"  mlflow: {done['api_runs']:,} runs through its client in {done['api_s']:.1f} s, "
              f"{done['runs'] - done['api_runs']:,} copied with SQL", file=sys.stderr, flush=True)
    run_json([*OURS, "populate", str(tmp / "where-ours"), str(start), str(end)])


def dlops_runs_process(tmp: Path, reps: int) -> tuple[float, int]:
    """Median seconds of the whole ``dlops runs --where ... --json`` process, and its count."""
    dlops = Path(sys.executable).parent / "dlops"
    env = {**os.environ, "DLOPS_STORE": str(tmp / "where-ours")}
    times, count = [], None
    for _ in range(reps + 1):  # the first one warms the page cache and is not counted
        start = time.perf_counter()
        proc = subprocess.run([str(dlops), "runs", "--where", OURS_WHERE, "--json"],
                              capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise RuntimeError(f"dlops runs failed: {proc.stderr.strip()}")
        count = len(json.loads(proc.stdout))
    return median(times[1:]), count


def mlflow_process(tmp: Path, mlflow: list[str], reps: int, expected: int) -> float:
    """Median seconds of a whole process that imports MLflow and calls search_runs once."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        result = run_json([*mlflow, "search-once", str(tmp / "where-mlflow.db")])
        times.append(time.perf_counter() - start)
        if result["count"] != expected:
            raise RuntimeError(f"mlflow search-once found {result['count']}, expected {expected}")
    return median(times)


def where_rows(report: Report, tmp: Path, mlflow, size: int, reps: int, design: bool) -> None:
    expected = expected_matches(size)
    ours = run_json([*OURS, "search", str(tmp / "where-ours"), str(reps)])
    peer = run_json([*mlflow, "search", str(tmp / "where-mlflow.db"), str(reps)]) if mlflow else None
    for name, result in (("ours", ours), ("mlflow", peer)):
        if result and result["count"] != expected:
            raise RuntimeError(f"{name} found {result['count']} runs, expected {expected}")
    ours_ms, peer_ms = ours["median_s"] * 1000, (peer["median_s"] * 1000 if peer else None)
    r = ratio(peer_ms, ours_ms)
    target = "≤ 20 ms (DESIGN), ≥ 10×" if design else "≥ 10× MLflow"
    met = (ours_ms <= 20 if design else None)
    met = met if r is None else (met is not False and r >= 10)
    report.add(Row(f"--where over {size:,} runs, in-process store.search_runs ({expected} match)",
                   ours_ms, "ms", target, "mlflow.search_runs" if peer else "", peer_ms, r, met,
                   note=f"ours: {OURS_WHERE!r}; MLflow: {MLFLOW_FILTER!r}"))
    if design:
        cpu_ms = ours["cpu_median_s"] * 1000
        report.add(Row(f"--where over {size:,} runs, in-process, CPU time (load-independent view)",
                       cpu_ms, "ms", "≤ 20 ms (DESIGN)", "", None, None, cpu_ms <= 20))
    process_rows(report, tmp, mlflow, size, reps, expected, peer_ms)


def process_rows(report: Report, tmp: Path, mlflow, size: int, reps: int, expected: int,
                 peer_in_process_ms: float | None) -> None:
    whole, count = dlops_runs_process(tmp, reps)
    if count != expected:
        raise RuntimeError(f"dlops runs printed {count} runs, expected {expected}")
    whole_ms = whole * 1000
    peer_ms = mlflow_process(tmp, mlflow, max(1, reps // 3), expected) * 1000 if mlflow else None
    r = ratio(peer_ms, whole_ms)
    report.add(Row(f"--where over {size:,} runs, whole process: `dlops runs --where … --json`",
                   whole_ms, "ms", "≥ 10× MLflow", "python: import mlflow; search_runs" if mlflow else "",
                   peer_ms, r, None if r is None else r >= 10))
    if peer_in_process_ms is not None:  # the conservative view: our whole process vs their call
        report.add(Row(f"--where over {size:,} runs, `dlops runs` process vs MLflow's call alone (info)",
                       whole_ms, "ms", "", "mlflow.search_runs in-process", peer_in_process_ms,
                       ratio(peer_in_process_ms, whole_ms)))


def bench_where(report: Report, tmp: Path, mlflow, quick: bool, size: int, api_runs: int) -> None:
    sizes = sorted({200, min(size, 500)} if quick else {2_000, size})
    reps = 3 if quick else 7
    reached = 0
    for target in sizes:
        populate(tmp, mlflow, reached, target, max(0, api_runs - reached))
        reached = target
        where_rows(report, tmp, mlflow, target, reps, design=target == 2_000)
    report.info["where_runs"] = sizes


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--where-runs", type=int, default=10_000, help="runs for --where (default 10,000)")
    p.add_argument("--mlflow-api-runs", type=int, default=None,
                   help="runs written through MLflow's client before copying (default 500; "
                        "50 with --quick)")
    p.add_argument("--only", help="comma-separated parts: logging,sigkill,where")
    args = parse(p, argv)
    wanted = (args.only or "logging,sigkill,where").split(",")
    api_runs = args.mlflow_api_runs if args.mlflow_api_runs is not None else (50 if args.quick else 500)
    parts = {
        "logging": lambda tmp, mlflow: bench_logging(report, tmp, mlflow, args.quick),
        "sigkill": lambda tmp, mlflow: bench_sigkill(report, tmp, mlflow, args.quick),
        "where": lambda tmp, mlflow: bench_where(report, tmp, mlflow, args.quick, args.where_runs, api_runs),
    }
    report = Report("tracking")
    failed = []
    with tempfile.TemporaryDirectory(prefix="dlops-bench-tracking-") as tmp:
        mlflow = mlflow_cmd(args)
        report.info["mlflow"] = bool(mlflow)
        for name in wanted:
            try:  # one part failing must not lose the figures the others measured
                parts[name](Path(tmp), mlflow)
            except Exception:
                traceback.print_exc()
                failed.append(name)
    report.info["failed"] = failed
    report.finish(args.json)
    if failed:
        print(f"bench_tracking: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
