"""Hidden state, live: defining cells, edits, deletions, out-of-order re-runs, stale reads."""

from __future__ import annotations

import json
import os
import time

from nbtrack_helpers import cells, flush, run


def state(ip) -> dict[str, dict]:
    from jupyter_dlops import magics

    tracker = magics.extension_for(ip).tracker
    return {row["name"]: row for row in tracker.state(ip.user_ns)}


def test_state_names_the_defining_execution(ip, nb_store, capsys):
    run(ip, "%load_ext jupyter_dlops")
    run(ip, "%%track --name load\ndata = [1, 2, 3]")
    run(ip, "%%track --name train\nmodel = sum(data)")
    rows = state(ip)
    assert rows["data"]["defined_by"] == "[2] load" and rows["data"]["flags"] == []
    assert rows["model"]["defined_by"] == "[3] train"
    capsys.readouterr()
    run(ip, "%dlops state")
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["variable", "defined", "by", "status"]
    assert out[1].split() == ["data", "[2]", "load", "ok"]


def test_reading_a_name_whose_cell_was_edited_is_flagged_stale(ip, nb_store, capsys):
    run(ip, "%load_ext jupyter_dlops")
    run(ip, "%%track --name load\ndata = [1, 2, 3]")
    run(ip, "%%track --name load\nrows = [4, 5]")   # the same cell, edited: no longer sets data
    capsys.readouterr()
    run(ip, "%%track --name report\ntotal = sum(data)")
    out = capsys.readouterr().out
    assert "dlops: stale: 'data' comes from cell [2] load, which was edited since" in out
    assert state(ip)["data"]["flags"] == ["edited"]
    flush(ip)
    stale = cells(nb_store)[-1]["stale"]
    assert stale == [{"name": "data", "defined_by": "[2] load", "order": 1, "reasons": ["edited"]}]


def test_rerunning_a_cell_that_redefines_the_name_clears_the_flag(ip, nb_store):
    run(ip, "%load_ext jupyter_dlops")
    run(ip, "%%track --name load\ndata = [1]")
    run(ip, "%%track --name load\ndata = [2]")
    assert state(ip)["data"]["flags"] == []


def test_a_definition_rerun_after_a_lower_cell_read_it_is_out_of_order(ip, nb_store):
    run(ip, "%load_ext jupyter_dlops")
    run(ip, "%%track --name a\nx = 1")
    run(ip, "%%track --name b\ny = x + 1")
    assert state(ip)["x"]["flags"] == []
    run(ip, "%%track --name a\nx = 1")   # y now disagrees with x
    assert state(ip)["x"]["flags"] == ["out-of-order"]


def _save_notebook(path, cells_):
    doc = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
           "cells": [{"id": cid, "cell_type": "code", "source": src, "metadata": {},
                      "outputs": [], "execution_count": None} for cid, src in cells_]}
    path.write_text(json.dumps(doc))
    later = time.time() + 2  # saved after the executions (the file's clock is what counts)
    os.utime(path, (later, later))


def test_saved_notebook_reveals_deleted_and_edited_cells(ip, nb_store, tmp_path, monkeypatch):
    notebook = tmp_path / "work.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    run(ip, "%load_ext jupyter_dlops")
    ip.run_cell("%%track\na = 1", store_history=True, cell_id="cell-a")
    ip.run_cell("%%track\nb = 2", store_history=True, cell_id="cell-b")
    ip.run_cell("%%track\nc = a + b", store_history=True, cell_id="cell-c")
    assert {k: v["flags"] for k, v in state(ip).items()} == {"a": [], "b": [], "c": []}
    _save_notebook(notebook, [("cell-b", "%%track\nb = 20"), ("cell-c", "%%track\nc = a + b")])
    flags = {k: v["flags"] for k, v in state(ip).items()}
    assert flags == {"a": ["deleted"], "b": ["edited"], "c": []}


def test_notebook_file_saved_before_the_run_says_nothing(ip, nb_store, tmp_path, monkeypatch):
    notebook = tmp_path / "old.ipynb"
    notebook.write_text(json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    earlier = time.time() - 60
    os.utime(notebook, (earlier, earlier))
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    run(ip, "%load_ext jupyter_dlops")
    ip.run_cell("%%track\na = 1", store_history=True, cell_id="new-cell")
    assert state(ip)["a"]["flags"] == []
