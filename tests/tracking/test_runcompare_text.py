"""The code texts the compare view diffs (jupyter_dlops.tracking.runcompare): a script as
stored, a notebook as its code cells, a huge entry cut, two texts unified-diffed."""

from __future__ import annotations

import time
import uuid

from jupyter_dlops.models import Run
from jupyter_dlops.tracking import runcompare


def script_run(store, text: str | None, name: str) -> Run:
    run_id = uuid.uuid4().hex
    store.create_run(Run(run_id=run_id, name=name, experiment="default", kind="script", status="finished",
                         start_time=time.time(), end_time=time.time()))
    if text is not None:
        entry, _ = store.objects.put_text(text)
        store.put_section(run_id, "code", {"entry_point": "train.py", "entry_object": entry})
    return store.get_run(run_id)


def test_a_script_entry_is_its_text_and_two_scripts_diff_line_by_line(store):
    first = script_run(store, "import sys\nlr = 0.1\nprint(lr)\n", "a")
    second = script_run(store, "import sys\nlr = 0.2\nprint(lr)\n", "b")
    assert runcompare.entry_text(store, first) == "import sys\nlr = 0.1\nprint(lr)\n"
    code = runcompare.code_comparison(store, [first, second])
    assert code["diffs"][1].splitlines() == [
        "--- a", "+++ b", "@@ -1,3 +1,3 @@", " import sys", "-lr = 0.1", "+lr = 0.2", " print(lr)",
    ]


def test_a_huge_entry_is_cut_and_said_so(store):
    run = script_run(store, "x = 1\n" * 50_000, "big")
    text = runcompare.entry_text(store, run)
    assert len(text) == runcompare.MAX_TEXT + len("\n… (cut)\n")
    assert text.endswith("\n… (cut)\n")


def test_a_notebook_without_code_cells_has_no_code_not_its_json(store):
    run = script_run(store, '{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": "# notes"}]}', "notes")
    assert runcompare.entry_text(store, run) == ""


def test_json_that_is_no_notebook_stays_text():
    assert runcompare.notebook_code('{"a": 1}') is None
    assert runcompare.notebook_code("not json") is None
    assert runcompare.notebook_code('{"cells": [{"cell_type": "markdown", "source": "x"}]}') == ""


def test_a_diff_of_texts_without_final_newline_keeps_one_line_per_line():
    assert runcompare.unified("a", "b", ("x", "y")).splitlines()[2:] == ["@@ -1 +1 @@", "-a", "+b"]
    assert runcompare.unified("same\n", "same\n", ("x", "y")) == ""
