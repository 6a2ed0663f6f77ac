"""Corpus notebooks run both ways: papermill, and ``python`` on the script ``dlops export`` wrote.

The notebooks that need only libraries installed here, no network and no files (``runnable`` in
``expected.json``) and that run as notebooks at all must print the same stdout both ways. Those
recorded as differing or failing as scripts on the current converter are expected failures
(strict: once fixed, they fail as "XPASS" until ``corpus_verdicts.py --run`` records them again).
``make test`` runs a small sample; ``make corpus`` (``DLOPS_CORPUS=all``) runs every one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from corpus_run import both_ways, first_difference, normalised
from corpus_verdicts import load_expected

HERE = Path(__file__).resolve().parent
# Quick ones from four sources, for every test run: a tutorial with printed output, a scikit-learn
# example, a notebook with display data, an nbsphinx documentation notebook.
SAMPLE = {"papermill/simple_execute", "sklearn/plot_iris_dtc", "jupytext/jupyter",
          "nbsphinx/hidden-cells"}
NOT_COMPARED = ("notebook fails", "nondeterministic")  # nothing to compare the script with
# the `corpus` extra (make corpus installs it); elsewhere these folders' notebooks are skipped
NEEDS = {"statsmodels": "statsmodels", "skimage": "skimage", "sympy": "sympy"}


def _cases() -> list:
    everything = os.environ.get("DLOPS_CORPUS") == "all"
    cases = []
    for key, entry in load_expected().items():
        run = entry.get("run", "")
        if not run or run.startswith(NOT_COMPARED) or not (everything or key in SAMPLE):
            continue
        marks = [] if run == "same" else [pytest.mark.xfail(strict=True, reason=run)]
        cases.append(pytest.param(key, marks=marks, id=key))
    return cases


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("key", _cases())
def test_the_script_prints_what_the_notebook_printed(key: str):
    if key.split("/")[0] in NEEDS:
        pytest.importorskip(NEEDS[key.split("/")[0]])
    assert both_ways(HERE / "notebooks" / f"{key}.ipynb") == "same"


def test_the_sample_is_compared():
    """The sample stays real: every notebook in it is recorded as runnable and as run."""
    expected = load_expected()
    assert all(expected[key]["runnable"] == "yes" and "run" in expected[key] for key in SAMPLE)
    assert len({key.split("/")[0] for key in SAMPLE}) == 4


def _notebook(path: Path, *sources: str) -> Path:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": source} for source in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {"kernelspec": {
        "name": "python3", "language": "python", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


@pytest.mark.corpus
@pytest.mark.slow
def test_what_cannot_be_compared_is_told_apart(tmp_path: Path):
    """A notebook that fails, and a script whose own runs differ, are not reported as differences."""
    failing = both_ways(_notebook(tmp_path / "failing.ipynb", "print('before')", "1 / 0"))
    assert failing == "notebook fails: code cell 2: ZeroDivisionError: division by zero"
    random = both_ways(_notebook(tmp_path / "random.ipynb", "import os\nprint(os.urandom(8).hex())"))
    assert random.startswith("nondeterministic: the script's two runs differ (stdout line 1: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failing.ipynb", "random.ipynb"]


def test_outputs_are_compared_line_by_line():
    assert normalised("<object at 0x7f3a2b1c9d80>  \n\n") == ["<object at 0x...>"]
    assert normalised(" \n") == []
    assert normalised("Date:  Sat, 28 Nov 2026   Time:  01:28:24") == ["Date:  <clock>   Time:  <clock>"]
    assert normalised("asdf\nCPU times: user 132 µs, sys: 57 µs, total: 189 µs\nWall time: 188 µs\n"
                      "1.2 µs ± 3 ns per loop (mean ± std. dev. of 7 runs, 1000 loops each)\n") == ["asdf"]
    assert first_difference(["a", "b"], ["a", "c"]) == "stdout line 2: notebook 'b', script 'c'"
    assert first_difference(["a", "b"], ["a"]) == "the script printed fewer lines (2 vs 1)"
