"""One execution each, with real kernels and real processes: statuses, metrics, artifacts,
failure classification, and the script engine matching papermill."""

from __future__ import annotations

import json

import pytest

from jupyter_dlops.sweeps.api import run_notebook

pytestmark = pytest.mark.slow


def _metrics(run):
    return {k: s.last for k, s in run.metrics.items() if not k.startswith("sys/")}


def test_papermill_run_is_one_stored_run(store_uri, corpus):
    from jupyter_dlops.store import open_store

    run = run_notebook(corpus / "train.ipynb", {"lr": "0.2", "epochs": 3})
    assert run.status == "finished" and run.kind == "papermill"
    assert run.params == {"lr": 0.2, "epochs": 3, "optimizer": "sgd", "use_bias": True}
    assert _metrics(run) == {"acc": 0.754, "loss": pytest.approx(0.512)}
    notebook = [a for a in run.artifacts if a.kind == "notebook"]
    assert len(notebook) == 1
    executed = json.loads(open_store(store_uri).objects.read_bytes(notebook[0].object_id))
    tags = [c["metadata"].get("tags", []) for c in executed["cells"]]
    assert ["injected-parameters"] in tags
    assert run.sections["code"]["entry_object"] and run.sections["environment"]["packages_object"]


def test_failing_cell_recorded_with_cell_and_error(store_uri, corpus):
    from jupyter_dlops.store import open_store

    run = run_notebook(corpus / "failing_cell.ipynb")
    assert run.status == "failed"
    assert run.error == "ValueError: lr 0.1 is too high"
    assert "raise ValueError" in run.error_cell
    assert run.tags["error.kind"] == "cell_error"
    assert _metrics(run) == {"before": 1.0}  # logged before the failure, and kept
    executed = open_store(store_uri).objects.read_bytes(run.artifacts[0].object_id).decode()
    assert "papermill-error-cell" in executed  # papermill's error cells stay in the output


def test_kernel_death_is_a_failure_not_a_success(store_uri, corpus):
    run = run_notebook(corpus / "kernel_dies.ipynb")
    assert run.status == "failed" and run.tags["error.kind"] == "kernel_died"
    assert run.error_cell == "cell 2: import os"


def test_timeout_and_missing_parameter_classified(store_uri, corpus):
    run = run_notebook(corpus / "slow.ipynb", {"seconds": 20.0}, timeout=1)
    assert run.status == "failed" and run.tags["error.kind"] == "timeout"
    run = run_notebook(corpus / "missing_parameter.ipynb")
    assert run.tags["error.kind"] == "missing_parameter" and "batch_size" in run.error


def test_bad_notebook_is_refused_before_the_store_changes(store_uri, corpus):
    from pathlib import Path

    from jupyter_dlops.errors import UsageError

    with pytest.raises(UsageError, match="not a valid notebook"):
        run_notebook(corpus / "broken.ipynb")
    with pytest.raises(UsageError, match="did you mean 'lr'"):
        run_notebook(corpus / "train.ipynb", {"lrr": 1})
    assert not Path(store_uri).exists()


@pytest.mark.parametrize("notebook", ["train.ipynb", "train_script.py"])
def test_script_engine_records_the_same_metrics_as_papermill(store_uri, corpus, notebook):
    params = {"lr": 0.3, "epochs": 2}
    by_papermill = run_notebook(corpus / notebook, params)
    by_script = run_notebook(corpus / notebook, params, engine="script")
    assert by_script.status == by_papermill.status == "finished"
    assert by_script.kind == "script" and by_script.params == by_papermill.params
    assert _metrics(by_script) == _metrics(by_papermill) != {}


def test_script_engine_failures(store_uri, corpus):
    run = run_notebook(corpus / "failing_cell.ipynb", engine="script")
    assert run.status == "failed" and run.error == "ValueError: lr 0.1 is too high"
    assert _metrics(run) == {"before": 1.0}
    run = run_notebook(corpus / "kernel_dies.ipynb", engine="script")
    assert run.status == "failed" and run.tags["error.kind"] == "kernel_died"


def test_notebook_asking_for_a_missing_kernel_is_a_bad_notebook(store_uri, corpus):
    import nbformat

    nb = nbformat.read(corpus / "train.ipynb", as_version=4)
    nb.metadata["kernelspec"]["name"] = "no-such-kernel"
    nbformat.write(nb, corpus / "other_kernel.ipynb")
    run = run_notebook(corpus / "other_kernel.ipynb")
    assert run.status == "failed" and run.tags["error.kind"] == "bad_notebook"
    assert "no-such-kernel" in run.error
