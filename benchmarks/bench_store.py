"""A store that stays instant as it grows (issue 20), measured in process:

1. ``--sort -metrics.m1`` (the first page of 50) and ``dlops best``'s store work over 1k, 10k
   and 100k runs (5 params, 5 metrics each): near-constant in the number of runs;
2. one run with 10k, 1M and 10M metric values: bytes a value on disk, the whole series read
   as arrays, and the downsampled read a curve uses (2,000 points).

    python benchmarks/bench_store.py [--quick] [--runs 1000,10000,100000]
                                     [--values 10000,1000000,10000000] [--json PATH]

Sizes are flags because 10M values take minutes to write on a loaded machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from benchlib import Report, Row, median, parse, parser, write_runs

SORT_TARGET_S = 0.030
DOWNSAMPLE_TARGET_S = 0.100
BYTES_TARGET = 60.0


def populate_runs(store, start: int, end: int) -> None:
    """Runs ``start..end-1`` with 5 params and 5 metrics each, through batch writes."""
    write_runs(store, start, end, _run_values, lambda i: 1.7e9 + i, batch=2000)


def _run_values(i: int) -> tuple[dict, dict]:
    return ({f"p{k}": i % (k + 7) for k in range(5)},
            {f"m{k}": ((i * 7919 + k) % 100_003) / 100_003 for k in range(5)})


def timed(fn, reps: int = 7) -> float:
    fn()  # warm the page cache
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return median(times)


def bench_runs(report: Report, tmp: Path, sizes: list[int]) -> None:
    from jupyter_dlops.store import open_store

    store, done = open_store(str(tmp / "runs")), 0
    for n in sizes:
        populate_runs(store, done, n)
        done = n
        top = store.search_run_ids(None, "-metrics.m1", 50)
        want = [r[0] for r in store.read("SELECT run_id FROM metric_summary WHERE key = 'm1' "
                                        "ORDER BY last DESC, run_id DESC LIMIT 50")]
        if top[:1] != want[:1]:
            raise RuntimeError(f"--sort -metrics.m1 put {top[:1]} first, expected {want[:1]}")
        sort_s = timed(lambda: store.search_run_ids(None, "-metrics.m1", 50))
        report.add(Row(f"--sort -metrics.m1, first 50 of {n:,} runs (in process)", sort_s * 1000,
                       "ms", "≤ 30 ms", met=sort_s <= SORT_TARGET_S))
        best_s = timed(lambda: store.search_runs(None, "metrics.m1 desc", 50))
        report.add(Row(f"dlops best --metric m1 over {n:,} runs (store work, in process)",
                       best_s * 1000, "ms", "≤ 30 ms", met=best_s <= SORT_TARGET_S))


def db_bytes(store) -> int:
    store.read("PRAGMA wal_checkpoint(TRUNCATE)")
    used = store.read("PRAGMA page_count")[0][0] - store.read("PRAGMA freelist_count")[0][0]
    return used * store.read("PRAGMA page_size")[0][0]


def bench_values(report: Report, tmp: Path, sizes: list[int]) -> None:
    for n in sizes:
        bench_series(report, tmp, n)


def bench_series(report: Report, tmp: Path, n: int) -> None:
    """One run with an ``n``-value series: bytes a value, whole read, downsampled read."""
    from jupyter_dlops.store import open_store

    store = open_store(str(tmp / f"values-{n}"))
    populate_runs(store, 0, 1)
    run_id, before = f"{0:032x}", db_bytes(store)
    for lo in range(0, n, 100_000):
        store.insert_metrics([(run_id, "loss", 1.0 / (s + 1), s, 1.7e9 + s * 1e-3)
                              for s in range(lo, min(lo + 100_000, n))])
    per_value = (db_bytes(store) - before) / n
    report.add(Row(f"disk bytes a metric value ({n:,} values)", per_value, "bytes",
                   "≤ 60 bytes", met=per_value <= BYTES_TARGET))
    whole = timed(lambda: store.metric_arrays(run_id, "loss"), reps=1 if n > 1_000_000 else 3)
    report.add(Row(f"read a {n:,}-value series as arrays", whole * 1000, "ms"))
    curve = timed(lambda: store.metric_series(run_id, "loss", max_points=2000))
    report.add(Row(f"downsampled read, 2,000 points of {n:,}", curve * 1000, "ms",
                   "≤ 100 ms", met=curve <= DOWNSAMPLE_TARGET_S))
    store.close()


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", help="comma-separated run counts (default 1000,10000,100000)")
    p.add_argument("--values", help="comma-separated series lengths (default 10000,1000000,10000000)")
    args = parse(p, argv)
    runs = args.runs if args.runs is not None else ("1000,10000" if args.quick else "1000,10000,100000")
    values = args.values if args.values is not None else ("10000,100000" if args.quick else "10000,1000000,10000000")
    report = Report("store")
    with tempfile.TemporaryDirectory(prefix="dlops-bench-store-") as tmp:
        os.environ.pop("DLOPS_STORE", None)
        bench_runs(report, Path(tmp), sorted(int(x) for x in runs.split(",") if x))
        bench_values(report, Path(tmp), sorted(int(x) for x in values.split(",") if x))
    report.info["sizes"] = {"runs": runs, "values": values}
    report.finish(args.json)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
