"""Plain helpers shared by tests (importable because tests/ is on sys.path via conftest)."""

from __future__ import annotations

import time

from jupyter_dlops.models import Run


def add_run(store, run_id, params=None, metrics=None, tags=None, status="finished", start=None, name=None):
    """A finished run written straight through the store API."""
    start = start or time.time()
    store.create_run(Run(run_id=run_id, name=name or run_id, experiment="default", kind="script",
                         status=status, start_time=start, end_time=start + 1))
    if params:
        store.log_params(run_id, params)
    if metrics:
        store.insert_metrics([(run_id, k, v, 0, time.time()) for k, v in metrics.items()])
    if tags:
        store.set_tags(run_id, tags)
