"""Seed the UI tests' store (DLOPS_STORE).

``python seed_runs.py``: a sweep of three runs with different learning rates, made by the
CLI (``dlops sweep train.ipynb -p lr 0.1 0.01 0.001``) over a small tracked notebook.
``python seed_runs.py --bulk N``: N more runs through the store API (the 10,000-run test).
``python seed_runs.py --at FOLDER``: the same sweep over FOLDER/train.ipynb, which stays there
(the widgets' tests open it and show its runs)."""

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


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bulk"]:
        bulk(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--at"]:
        sweep(sys.argv[2])
    else:
        sweep()
