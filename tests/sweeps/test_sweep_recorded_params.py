"""The parameters a papermill run records are the values it ran with (issue 15): injected
values win over the parameters cell's defaults that ``%%track --params`` records later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_dlops.sweeps.api import run_notebook, sweep

pytestmark = pytest.mark.slow


def _notebook(folder: Path) -> Path:
    """``%%track --params`` on the parameters cell, then a cell that logs what it saw."""
    def cell(source: str, tags: list[str] | None = None) -> dict:
        return {"cell_type": "code", "id": f"c{abs(hash(source)) % 10**8}",
                "execution_count": None, "metadata": {"tags": tags or []},
                "outputs": [], "source": source}

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [cell("%load_ext jupyter_dlops"),
                  cell("%%track --params\nlr = 0.003\nepochs = 20\nbatch = 32", ["parameters"]),
                  cell("import jupyter_dlops as dl\ndl.log_metric('lr_seen', lr)\n"
                       "dl.log_metric('epochs_seen', epochs)")]}
    path = folder / "tracked_params.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_dlops_run_records_the_injected_values_not_the_defaults(store_uri, tmp_path):
    run = run_notebook(_notebook(tmp_path), {"lr": 0.01, "epochs": 3})
    assert run.status == "finished", run.error
    assert run.params == {"lr": 0.01, "epochs": 3, "batch": 32}
    assert run.metrics["lr_seen"].last == 0.01 and run.metrics["epochs_seen"].last == 3


def test_sweep_runs_record_their_own_injected_values(store_uri, tmp_path):
    result = sweep(_notebook(tmp_path), {"epochs": [2, 5]}, workers=1, name="p")
    assert sorted((r.params["epochs"], r.params["lr"], r.params["batch"]) for r in result) == [
        (2, 0.003, 32), (5, 0.003, 32)]
    assert {r.params["epochs"]: r.metrics["epochs_seen"].last for r in result} == {2: 2, 5: 5}
    # Readable and unique across sweeps: the file stem and the start of the run id (issue 15).
    assert [r.name for r in result] == [f"tracked_params-{r.run_id[:6]}" for r in result]
