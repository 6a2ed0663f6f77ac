"""What the sweep speed-ups must not change: the environment captured once per sweep is what
every run records, kernels started ahead (while the sweep captures) each serve their own run,
the executed notebook written once is complete, and kernels started for runs that never came
are shut down."""

from __future__ import annotations

import json

import pytest

from jupyter_dlops.sweeps.api import sweep

pytestmark = pytest.mark.slow


def test_every_run_records_the_sweeps_environment_and_its_own_metrics(store_uri, corpus):
    from jupyter_dlops.capture.environment import installed_distributions
    from jupyter_dlops.capture.hardware import capture_hardware
    from jupyter_dlops.store import open_store

    result = sweep(corpus / "train.ipynb", {"lr": [0.1, 0.2, 0.3], "epochs": 1}, workers=2)
    assert [r.status for r in result] == ["finished"] * 3
    db = open_store(store_uri)
    for run in result:  # warm kernels carry each run's own id: its metrics are its own
        assert run.metrics["loss"].last == pytest.approx(1 - run.params["lr"])
    runs = [db.get_run(run.run_id) for run in result]  # with their record sections
    environments = [run.sections["environment"] for run in runs]
    assert environments[0] == environments[1] == environments[2]
    packages = json.loads(db.objects.read_bytes(environments[0]["packages_object"]))
    assert packages == installed_distributions() and environments[0]["package_count"] == len(packages)
    hardware = [run.sections["hardware"] for run in runs]
    assert hardware[0] == hardware[1] == hardware[2]
    assert hardware[0]["cpu_count"] == capture_hardware()["cpu_count"]


def test_the_notebook_written_once_holds_every_cell_run(store_uri, corpus):
    from jupyter_dlops.store import open_store

    db = open_store(store_uri)
    run = db.get_run(sweep(corpus / "train.ipynb", {"lr": [0.5]}, workers=1)[0].run_id)
    notebook = [a for a in run.artifacts if a.kind == "notebook"]
    executed = json.loads(db.objects.read_bytes(notebook[0].object_id))
    assert executed["metadata"]["papermill"]["end_time"]
    code = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert all(c["metadata"]["papermill"]["status"] == "completed" for c in code)
    assert any("sgd 0.9475" in "".join(o.get("text", "")) for c in code for o in c["outputs"])


def test_kernels_warmed_for_runs_that_never_ran_are_shut_down(store_uri, corpus):
    from jupyter_dlops.sweeps.executors import LocalExecutor
    from jupyter_dlops.sweeps.task import RunTask

    path = str(corpus / "train.ipynb")
    tasks = [RunTask(f"{i:032x}", path, {"lr": 0.1}, store_uri, f"r{i}") for i in range(3)]
    executor = LocalExecutor(1)
    executor.warm_up(tasks)
    started = list(executor._ready.values())
    assert len(started) == 2  # the first run's kernel and the one it pre-warms
    kms = [future.result(timeout=120) for future in started]
    executor.run([], lambda kind, payload: None)  # no run takes them
    assert executor._ready == {} and executor.pool.live == set()
    for km in kms:
        assert km.provisioner is None or km.provisioner.process is None or km.provisioner.process.poll() is not None
