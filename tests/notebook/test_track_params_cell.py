"""The cell tagged ``parameters`` sets the interactive run's params (issue 15): JupyterLab
sends the cell id, the kernel reads the cell's tags from the saved notebook."""

from __future__ import annotations

import json
import os

import pytest
from nbtrack_helpers import rows
from test_track_kernel import Kernel

from jupyter_dlops.tracking.paramcell import cell_parameters, cell_tags

pytestmark = pytest.mark.slow


def _save(path, cells):
    """Write a notebook whose cells are ``(id, source, tags)``."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": cid, "metadata": {"tags": tags}, "execution_count": None,
         "outputs": [], "source": source} for cid, source, tags in cells]}
    path.write_text(json.dumps(nb))


def _params(store, run_id=None):
    if run_id is None:
        return dict(rows(store, "SELECT key, json FROM param"))
    return dict(rows(store, "SELECT key, json FROM param WHERE run_id = ?", (run_id,)))


def test_run_all_records_the_parameters_cell_tracked_or_not(nb_store, tmp_path):
    notebook = tmp_path / "train.ipynb"
    cells = [("c0", "%load_ext jupyter_dlops", []),
             ("c1", "lr = 0.01\nepochs = 3\noptimizer = 'adam'", ["parameters"]),
             ("c2", "x = 0.5\nscaled = lr * 2", [])]
    _save(notebook, cells)
    env = {**os.environ, "JPY_SESSION_NAME": str(notebook), "DLOPS_STORE": str(nb_store)}
    kernel = Kernel(env, str(tmp_path))
    try:
        for cid, source, _ in cells:
            assert kernel.execute(source, cid)["status"] == "ok"
        kernel.execute("%dlops flush", "c9")
        assert _params(nb_store) == {"lr": "0.01", "epochs": "3", "optimizer": '"adam"'}
        # Edited and saved: now %%track'ed (without --params) with a new value; re-run.
        cells[1] = ("c1", "%%track\nlr = 0.02\nepochs = 3\noptimizer = 'adam'", ["parameters"])
        _save(notebook, cells)
        assert kernel.execute(cells[1][1], "c1")["status"] == "ok"
        kernel.execute("%dlops flush", "c9")
        assert _params(nb_store) == {"lr": "0.02", "epochs": "3", "optimizer": '"adam"'}
        assert rows(nb_store, "SELECT COUNT(*) FROM run") == [(1,)]  # no metrics yet: same run
        kernel.execute("import jupyter_dlops as dl\ndl.log_metric('loss', 0.5)", "c3")
        assert "new run" not in kernel.execute(cells[1][1], "c1")["stdout"]  # same values
        # New values after the run logged metrics: a new run, which the tracked cell joins.
        cells[1] = ("c1", "%%track --params\nlr = 0.03\nepochs = 3\noptimizer = 'adam'", ["parameters"])
        _save(notebook, cells)
        said = kernel.execute(cells[1][1], "c1")["stdout"]
        kernel.execute("%dlops flush", "c9")
    finally:
        kernel.close()
    (first, _), (second, name) = rows(nb_store, "SELECT run_id, name FROM run ORDER BY start_time")
    assert said == (f"dlops: parameters changed after run {first[:12]} logged metrics: new run "
                    f"{second[:12]} ({name}) records them\n")
    assert _params(nb_store, first) == {"lr": "0.02", "epochs": "3", "optimizer": '"adam"'}
    assert _params(nb_store, second) == {"lr": "0.03", "epochs": "3", "optimizer": '"adam"'}
    assert rows(nb_store, "SELECT run_id, exec_order FROM cell_execution ORDER BY start_time") == [
        (first, 1), (first, 2), (second, 1)]


def test_tags_come_from_the_saved_notebook_by_cell_id(tmp_path):
    notebook = tmp_path / "nb.ipynb"
    _save(notebook, [("a", "x = 1", ["parameters", "skip"]), ("b", "y = 2", [])])
    assert cell_tags(str(notebook), "a") == {"parameters", "skip"}
    assert cell_tags(str(notebook), "b") == frozenset()
    assert cell_tags(str(notebook), "zz") == frozenset()
    assert cell_tags(str(tmp_path / "missing.ipynb"), "a") == frozenset()
    (tmp_path / "bad.ipynb").write_text("{not json")
    assert cell_tags(str(tmp_path / "bad.ipynb"), "a") == frozenset()


def test_cell_parameters_drop_the_track_line_and_keep_literals_only():
    source = "%%track --params\nlr = 1e-3\nlayers = [64, 32]\nseed: int = 7\nmodel = make()"
    assert cell_parameters(source, lambda body: body) == {"lr": 1e-3, "layers": [64, 32], "seed": 7}
    assert cell_parameters("lr = (", lambda body: body) == {}
