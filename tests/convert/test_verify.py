"""``dlops export --verify`` runs both sides for real (papermill kernel, python)."""

from __future__ import annotations

import json
import re

import pytest
from convert_helpers import copy_corpus, store_env

from jupyter_dlops.cli import main

pytestmark = pytest.mark.slow


def test_equivalent_notebook_and_script(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DLOPS_STORE", store_env(tmp_path)["DLOPS_STORE"])
    path = copy_corpus(tmp_path, "train_metrics")
    assert main(["export", str(path), "--verify", "--report", "-p", "epochs", "4"]) == 0
    out = capsys.readouterr().out
    # the last cell's write_text() returns the length it wrote: shown by both sides
    assert ("verify: equivalent (0 cells' streams, 1 displayed values, 0 figures, 1 metrics, "
            "1 files, 0 artifacts compared)") in out
    report = json.loads(path.with_suffix(".export.json").read_text())
    verify = report["verify"]
    assert verify["equivalent"] and len(verify["notebook"]["metrics"]["loss"]) == 4
    assert verify["notebook"]["files"] == verify["script"]["files"] == {
        "model.json": verify["script"]["files"]["model.json"]}
    assert verify["notebook"]["displayed"] == verify["script"]["displayed"] == {"4": ["16"]}
    # both sides ran in copies of the folder: what they wrote is not left beside the notebook
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "train_metrics.export.json", "train_metrics.ipynb", "train_metrics.py"]
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


def test_equivalent_displays_streams_and_figures_are_compared(tmp_path, capsys) -> None:
    path = copy_corpus(tmp_path, "displayed_results")
    assert main(["export", str(path), "--verify", "--json"]) == 0
    verify = json.loads(capsys.readouterr().out)["verify"]
    notebook, script = verify["notebook"], verify["script"]
    assert verify["equivalent"] and verify["mismatches"] == []
    assert notebook["displayed"] == script["displayed"]
    assert notebook["displayed"]["3"] == ["[0, 1, 2]"] and notebook["displayed"]["6"] == ["3", "'text'"]
    assert notebook["figures"] == script["figures"] == {"10": 1}
    assert notebook["streams"] == script["streams"]
    assert script["streams"]["8"] == {"stdout": "tick ran 1 time(s)\n", "stderr": ""}
    assert script["streams"]["11"] == {"stdout": "", "stderr": "warned\n"}


def test_each_difference_names_its_cell_streams_first(tmp_path, capsys) -> None:
    path = copy_corpus(tmp_path, "shown_differently")
    assert main(["export", str(path), "--verify"]) == 8
    out = capsys.readouterr().out.splitlines()
    start = out.index("verify: MISMATCH (1 cells' streams, 1 displayed values, 2 figures, "
                      "0 metrics, 0 files, 0 artifacts compared)")
    assert out[start + 1:start + 3] == [
        "  cell 2: stdout differs: line 1: notebook 'in a script: False' vs script 'in a script: True'",
        "  cell 4: displayed value 1 differs: notebook 'False' vs script 'True'",
    ]
    # figures: a 3-inch-wide figure against a 4-inch one, then the same size with another line
    assert re.fullmatch(r"  cell 5: figure 1 differs in size: notebook (\d+)x(\d+) vs script (\d+)x\2 pixels",
                        out[start + 3])
    assert re.fullmatch(r"  cell 6: figure 1 differs in \d+\.\d% of its pixels", out[start + 4])
    assert len(out) == start + 5


def test_standalone_script_is_compared_as_one_stream(tmp_path, capsys) -> None:
    # A --standalone script prints its shown values among its prints and marks no cells.
    same = copy_corpus(tmp_path, "displayed_results")
    assert main(["export", str(same), "--standalone", "--verify"]) == 0
    assert "verify: equivalent" in capsys.readouterr().out
    differs = copy_corpus(tmp_path, "shown_differently")
    assert main(["export", str(differs), "--standalone", "--verify"]) == 8
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "differs" in line]
    assert line.startswith("  cell 2: stdout differs (the script marks no cells: compared as one "
                           "stream): notebook 'in a script: False False <Figure size 300x300")
    assert "vs script 'in a script: True True <Figure size 400x300" in line


def test_what_a_skipped_cell_showed_is_not_compared(tmp_path, capsys) -> None:
    from convert_helpers import cell, notebook

    path = tmp_path / "explore.ipynb"
    path.write_text(json.dumps(notebook(cell("x = 1"), cell("print('exploring')\nx", "skip"),
                                        cell("x + 1"))))
    assert main(["export", str(path), "--verify"]) == 0
    assert ("verify: equivalent (0 cells' streams, 1 displayed values, 0 figures, 0 metrics, "
            "0 files, 0 artifacts compared)") in capsys.readouterr().out
