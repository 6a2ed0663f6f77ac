"""Seed the UI tests' store (DLOPS_STORE).

``python seed_runs.py``: three runs with different learning rates through the Python tracking
API, as a small sweep makes them; prints their ids. ``python seed_runs.py --bulk N``: N more
runs through the store API (for the 10,000-run panel test)."""

from __future__ import annotations

import sys
import time
import uuid

import jupyter_dlops as dlops


def sweep() -> None:
    store = dlops.open_store()
    if store.search_run_ids('experiment = "ui-tests"'):
        return  # seeded already (Playwright runs beforeAll again after a failed test)
    for lr in (0.1, 0.01, 0.001):
        with dlops.start_run(name=f"sweep-lr-{lr}", params={"lr": lr, "epochs": 3},
                             experiment="ui-tests", capture=False) as run:
            for step in range(3):
                dlops.log_metric("loss", 1.0 / (step + 1) + lr, step=step)
                dlops.log_metric("acc", 0.5 + 0.1 * step - lr, step=step)
            print(run.run_id)


def bulk(count: int) -> None:
    from jupyter_dlops.models import Run

    store = dlops.open_store()
    if len(store.search_run_ids('experiment = "bulk"')) >= count:
        return
    start = time.time() - count
    for i in range(count):
        run_id = uuid.uuid4().hex
        store.create_run(Run(run_id=run_id, name=f"bulk-{i}", experiment="bulk", kind="script",
                             status="finished", start_time=start + i, end_time=start + i + 1))
        store.log_params(run_id, {"i": i})
        store.insert_metrics([(run_id, "acc", i / count, 0, start + i)])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bulk"]:
        bulk(int(sys.argv[2]))
    else:
        sweep()
