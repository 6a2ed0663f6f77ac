"""Both engines run a notebook that keeps a saved ``injected-parameters`` cell (papermill's
output used as input) with the same values: the saved ones without parameters, and the
parameters cell's beside the given ones with any (papermill replaces the saved cell)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_dlops.sweeps.api import run_notebook

pytestmark = pytest.mark.slow


def _cell(source: str, *tags: str) -> dict:
    return {"cell_type": "code", "id": f"c{len(source)}", "metadata": {"tags": list(tags)}, "outputs": [],
            "execution_count": None, "source": source}


def _saved(folder: Path) -> Path:
    path = folder / "saved.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": [
        _cell("lr = 0.1\nepochs = 1", "parameters"),
        _cell("# Parameters\nlr = 0.5\nepochs = 4\n", "injected-parameters"),
        _cell("import jupyter_dlops as dl\ndl.log_metric('lr_used', lr)\n"
              "dl.log_metric('epochs_used', epochs)"),
    ], "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}}))
    return path


def _used(run) -> dict:
    return {k: s.last for k, s in run.metrics.items() if k.endswith("_used")}


@pytest.mark.parametrize(("params", "expected"), [
    (None, {"lr_used": 0.5, "epochs_used": 4.0}),
    ({"epochs": 2}, {"lr_used": 0.1, "epochs_used": 2.0}),
])
def test_both_engines_run_a_saved_injected_cell_as_papermill(store_uri, tmp_path, params, expected):
    notebook = _saved(tmp_path)
    by_papermill = run_notebook(notebook, params)
    by_script = run_notebook(notebook, params, engine="script")
    assert by_papermill.status == by_script.status == "finished"
    assert _used(by_papermill) == _used(by_script) == expected
