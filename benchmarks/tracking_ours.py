"""Child process for bench_tracking.py: our side (runs in our venv). Prints one JSON line.

    tracking_ours.py log STORE N            N log_metric calls inside start_run
    tracking_ours.py sigkill STORE PACE_S   log time.time() until killed
    tracking_ours.py populate STORE START END
    tracking_ours.py search STORE REPS      store.search_runs(OURS_WHERE), REPS timed calls
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time


def log(n: int) -> dict:
    import jupyter_dlops
    from jupyter_dlops.store import open_store

    open_store()  # create the store and its schema first: both tools get a ready database
    t0 = time.perf_counter()
    with jupyter_dlops.start_run(name="bench-log") as run:
        t1, c1 = time.perf_counter(), time.process_time()
        for i in range(n):
            jupyter_dlops.log_metric("loss", i * 0.001, step=i)
        t2, c2 = time.perf_counter(), time.process_time()
    t3 = time.perf_counter()  # the run has ended: every value is committed
    # process_time counts every thread (the flush thread too): the loop's CPU cost, which
    # other jobs on a shared machine inflate far less than its wall time
    return {"run_id": run.run_id, "start_s": t1 - t0, "loop_s": t2 - t1, "end_s": t3 - t2,
            "total_s": t3 - t0, "loop_cpu_s": c2 - c1}


def sigkill(pace: float) -> None:
    import jupyter_dlops

    with jupyter_dlops.start_run(name="bench-sigkill") as run:
        print(json.dumps({"run_id": run.run_id}), flush=True)  # the parent starts its clock
        while True:
            jupyter_dlops.log_metric("t", time.time())
            if pace:
                time.sleep(pace)


def populate(start: int, end: int) -> dict:
    from benchlib import write_runs
    from tracking_data import run_data

    from jupyter_dlops.store import open_store

    store = open_store()
    t0 = time.perf_counter()
    write_runs(store, start, end, run_data, lambda i: time.time(), batch=1000)
    return {"runs": end - start, "seconds": time.perf_counter() - t0}


def search(reps: int) -> dict:
    from tracking_data import OURS_WHERE

    from jupyter_dlops.store import open_store

    store = open_store(create=False)
    count = len(store.search_runs(OURS_WHERE))  # warm-up: imports, page cache
    times, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        runs = store.search_runs(OURS_WHERE)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert len(runs) == count
    return {"count": count, "median_s": statistics.median(times), "times": times,
            "cpu_median_s": statistics.median(cpu)}


def main(argv: list[str]) -> None:
    mode, store = argv[0], argv[1]
    os.environ["DLOPS_STORE"] = store
    if mode == "log":
        result = log(int(argv[2]))
    elif mode == "sigkill":
        sigkill(float(argv[2]))
        return
    elif mode == "populate":
        result = populate(int(argv[2]), int(argv[3]))
    elif mode == "search":
        result = search(int(argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
