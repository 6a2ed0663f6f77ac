"""``dlops export --verify`` runs both sides for real (papermill kernel, python)."""

from __future__ import annotations

import json

import pytest
from convert_helpers import copy_corpus, store_env

from jupyter_dlops.cli import main

pytestmark = pytest.mark.slow


def test_equivalent_notebook_and_script(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DLOPS_STORE", store_env(tmp_path)["DLOPS_STORE"])
    path = copy_corpus(tmp_path, "train_metrics")
    assert main(["export", str(path), "--verify", "--report", "-p", "epochs", "4"]) == 0
    out = capsys.readouterr().out
    assert "verify: equivalent (1 metrics, 1 files, 0 artifacts compared)" in out
    report = json.loads(path.with_suffix(".export.json").read_text())
    verify = report["verify"]
    assert verify["equivalent"] and len(verify["notebook"]["metrics"]["loss"]) == 4
    assert verify["notebook"]["files"] == verify["script"]["files"]
    assert set(report) >= {"cells_exported", "cells_skipped", "magics", "requirements",
                           "hidden_state", "warnings", "parameters"}


def test_mismatch_exits_8_and_names_the_metric(tmp_path, capsys) -> None:
    path = copy_corpus(tmp_path, "verify_mismatch")
    assert main(["export", str(path), "--verify"]) == 8
    out = capsys.readouterr().out
    assert "verify: MISMATCH" in out
    assert "metric 'lr_used' differs: notebook [0.1] (1 values) vs script [0.5] (1 values)" in out


def test_failing_side_is_reported(tmp_path, capsys) -> None:
    from convert_helpers import cell, notebook

    path = tmp_path / "fails.ipynb"
    path.write_text(json.dumps(notebook(cell("x = 1", "parameters"), cell("raise SystemExit(3)"))))
    assert main(["export", str(path), "--verify", "--timeout", "60"]) == 8
    assert "notebook failed" in capsys.readouterr().out
