"""Seed the UI tests' store (DLOPS_STORE).

``python seed_runs.py``: a sweep of three runs with different learning rates, made by the
CLI (``dlops sweep train.ipynb -p lr 0.1 0.01 0.001``) over a small tracked notebook.
``python seed_runs.py --bulk N``: N more runs through the store API (the 10,000-run test).
``python seed_runs.py --at FOLDER``: the same sweep over FOLDER/train.ipynb, which stays there
(the widgets' tests open it and show its runs).
``python seed_runs.py --bench N``: the workspace benchmark's store, written in a few SQL
transactions (seconds, not N CLI calls): N runs ``bench-0`` (oldest) to ``bench-N-1``, with 5
params and 5 metrics each, and 100-step curves for 100 of them."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat

import jupyter_dlops as dlops

TRAIN = """import jupyter_dlops as dlops
for step in range(epochs):
    dlops.log_metric("loss", 1.0 / (step + 1) + lr, step=step)
    dlops.log_metric("acc", 0.5 + 0.1 * step - lr, step=step)
"""


def sweep(folder: str | None = None) -> None:
    """Three runs; running it again resumes the same sweep, which adds nothing."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_code_cell("lr = 0.1\nepochs = 3", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(TRAIN),
    ]
    dlops_cli = str(Path(sys.executable).with_name("dlops"))
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(folder or scratch).absolute()
        name = "ui-sweep" if folder is None else f"ui-sweep-{where.name}"
        where.mkdir(parents=True, exist_ok=True)
        notebook = where / "train.ipynb"
        nbformat.write(nb, notebook)
        subprocess.run([dlops_cli, "sweep", str(notebook), "-p", "lr", "0.1", "0.01", "0.001",
                        "--engine", "script", "--name", name, "--experiment", "ui-tests"],
                       check=True, cwd=where)


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


PARAMS = 5
METRICS = 5
CURVES = 100
STEPS = 100


def bench(count: int) -> None:
    """The benchmark's runs, unless the store has them already."""
    from jupyter_dlops.models import RUN_COLUMNS
    from jupyter_dlops.values import encode

    store = dlops.open_store()
    if store.count_runs('experiment = "bench"') >= count:
        return
    start = time.time() - count
    runs, params, metrics = [], [], []
    for i in range(count):
        run_id = uuid.uuid4().hex
        run = {"run_id": run_id, "name": f"bench-{i}", "experiment": "bench", "kind": "script",
               "status": "finished", "start_time": start + i, "end_time": start + i + 30}
        runs.append([run.get(column) for column in RUN_COLUMNS])
        values = {"lr": 10 ** -(1 + i % 4), "batch": 2 ** (4 + i % 5), "optimizer": ["adam", "sgd"][i % 2],
                  "dropout": (i % 10) / 20, "layers": 1 + i % 6}
        params += [(run_id, key, *encode(value, name=key)) for key, value in list(values.items())[:PARAMS]]
        steps = STEPS if i >= count - CURVES else 1  # the newest 100 have curves
        for m in range(METRICS):
            metrics += [(run_id, f"m{m}", (i % 97) / 97 + m + step / STEPS, step, start + i + step / 10)
                        for step in range(steps)]
    marks = ", ".join("?" for _ in RUN_COLUMNS)
    with store.write() as cursor:
        cursor.executemany(f"INSERT INTO run ({', '.join(RUN_COLUMNS)}) VALUES ({marks})", runs)
        cursor.executemany("INSERT INTO param (run_id, key, type, num, text, json) VALUES (?, ?, ?, ?, ?, ?)", params)
    store.insert_metrics(metrics)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bulk"]:
        bulk(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--at"]:
        sweep(sys.argv[2])
    elif sys.argv[1:2] == ["--bench"]:
        bench(int(sys.argv[2]))
    else:
        sweep()
