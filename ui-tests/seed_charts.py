"""Seed the chart and compare UI tests' runs (tests/charts.spec.ts) into DLOPS_STORE.

``python seed_charts.py``: two finished runs, ``code-a`` and ``code-b``, whose recorded code,
packages, hardware and cost differ, with series at known steps and times; prints their ids as
JSON. Running it again finds them and adds nothing. ``python seed_charts.py --running``: a new
running run with two points of ``loss`` (prints its id); ``--log RUN STEP VALUE`` adds one.
Sections are written the way capture writes them (text objects through ``put_text``), with
fixed values so that screenshots stay the same from one machine to another."""

from __future__ import annotations

import json
import sys
import uuid

import jupyter_dlops as dlops

T0 = 1_767_000_000.0  # a fixed start: the same wall-clock axis in every test run


def notebook(train: str) -> str:
    cell = lambda source, n: {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": n,  # noqa: E731
                              "source": source}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [cell("lr = 0.1\nepochs = 4", 1), cell(train, 2)]})


RUNS = {
    "code-a": {"lr": 0.1, "train": "model = train(lr, epochs)",
               "packages": ["numpy==1.26.4", "pandas==2.2.0", "torch==2.3.0"], "cpu": "Example CPU 8-core",
               "loss": [1.0, -0.5, 0.0, 0.25], "acc": [0.5, 0.6, 0.7, 0.8]},
    "code-b": {"lr": 0.01, "train": "model = train(lr, epochs, momentum=0.9)",
               "packages": ["numpy==1.26.4", "pandas==2.2.1", "scipy==1.13.0"], "cpu": "Example CPU 16-core",
               "loss": [2.0, 1.0, 0.5, 0.25], "acc": [0.4, 0.55, 0.7, 0.85]},
}


def record(store, name: str, spec: dict, start: float) -> str:
    from jupyter_dlops.models import Run

    run_id = uuid.uuid4().hex
    store.create_run(Run(run_id=run_id, name=name, experiment="ui-charts", kind="script", status="finished",
                         start_time=start, end_time=start + 40, entry_point="train.ipynb"))
    store.log_params(run_id, {"lr": spec["lr"], "epochs": 4})
    # steps 0..3, ten seconds apart: relative time 0, 10, 20, 30
    store.insert_metrics([(run_id, key, value, step, start + 10 * step)
                          for key in ("loss", "acc") for step, value in enumerate(spec[key])])
    entry, _ = store.objects.put_text(notebook(spec["train"]))
    store.put_section(run_id, "code", {"entry_point": "train.ipynb", "entry_object": entry,
                                       "git": {"commit": "0123456789abcdef", "branch": "main", "dirty": False}})
    packages = store.objects.put_bytes(json.dumps(spec["packages"]).encode())
    store.put_section(run_id, "environment", {"python": "3.12.3", "platform": "Linux", "packages_object": packages})
    store.put_section(run_id, "hardware", {"cpu_model": spec["cpu"], "cpu_count": 8 if "8" in spec["cpu"] else 16,
                                           "memory_gb": 32, "gpus": []})
    store.put_section(run_id, "cost", {"profile": "cpu", "hourly_rate": 0.5, "hours": 0.011111, "cost": 0.005556,
                                       "gpu_hours": 0})
    return run_id


def seed() -> dict[str, str]:
    store = dlops.open_store()
    found = {run.name: run.run_id for run in store.search_runs('experiment = "ui-charts"', None, 10)}
    for i, (name, spec) in enumerate(RUNS.items()):
        if name not in found:
            found[name] = record(store, name, spec, T0 + 100 * i)
    return {name: found[name] for name in RUNS}


def running() -> str:
    import time

    from jupyter_dlops.models import Run

    store = dlops.open_store()
    run_id = uuid.uuid4().hex
    now = time.time()
    store.create_run(Run(run_id=run_id, name=f"live-{run_id[:6]}", experiment="ui-live", kind="script",
                         status="running", start_time=now, heartbeat=now, end_time=None))
    store.insert_metrics([(run_id, "loss", 1.0, 0, now), (run_id, "loss", 0.8, 1, now + 1)])
    return run_id


if __name__ == "__main__":
    if sys.argv[1:2] == ["--running"]:
        print(running())
    elif sys.argv[1:2] == ["--log"]:
        import time

        dlops.open_store().insert_metrics([(sys.argv[2], "loss", float(sys.argv[4]), int(sys.argv[3]), time.time())])
    else:
        print(json.dumps(seed()))
