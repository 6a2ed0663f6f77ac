"""A notebook's saved ``injected-parameters`` cell (an output notebook of papermill used as input)
runs in the script as papermill runs it: with no parameters, its values win over the parameters
cell's; with any parameter, papermill replaces it, and so does a flag (issue 16)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from convert_helpers import cell, notebook, run_python

from jupyter_dlops.convert import export_notebook

PRINT = "print(json.dumps({'a': a, 'b': b, 'lr': lr, 'extra': globals().get('extra')}))"


def _saved_run(tmp_path: Path) -> Path:
    """A notebook papermill ran with ``-p a 2 -p lr 1 -p extra e`` once, saved with its cell."""
    path = tmp_path / "trained.ipynb"
    path.write_text(json.dumps(notebook(
        cell("import json"),
        cell("a = 1  # the layers\nb = 'x'\nlr = 0.5", "parameters"),
        cell("# Parameters\na = 2\nlr = 1\nextra = 'e'\n", "injected-parameters"),
        cell(PRINT),
    )))
    return path


def _papermill(source: Path, *params: str) -> dict:
    executed = source.with_name("executed.ipynb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLOPS_")}
    done = subprocess.run(
        [sys.executable, "-m", "papermill", str(source), str(executed), "-k", "python3",
         "--no-progress-bar", *params], capture_output=True, text=True, timeout=300, env=env,
        check=False, cwd=source.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    last = json.loads(executed.read_text())["cells"][-1]
    return json.loads("".join(last["outputs"][0]["text"]))


def _script(source: Path, *flags: str) -> dict:
    script = export_notebook(source, output=source.with_name("trained.py")).script_path
    return json.loads(run_python(script, "--no-track", *flags).stdout.splitlines()[-1])


@pytest.mark.slow
def test_without_parameters_the_saved_values_win_both_ways(tmp_path: Path) -> None:
    source = _saved_run(tmp_path)
    expected = {"a": 2, "b": "x", "lr": 1, "extra": "e"}
    assert _papermill(source) == expected
    assert _script(source) == expected


@pytest.mark.slow
def test_any_parameter_replaces_the_saved_cell_both_ways(tmp_path: Path) -> None:
    source = _saved_run(tmp_path)
    ran = _papermill(source, "-p", "a", "5")
    assert ran == {"a": 5, "b": "x", "lr": 0.5, "extra": None}
    # papermill leaves a name only the saved cell set undefined; the script keeps its value
    assert _script(source, "--a", "5") == {**ran, "extra": "e"}


def test_the_saved_values_are_the_flags_defaults_and_the_report_says_why(tmp_path: Path) -> None:
    result = export_notebook(_saved_run(tmp_path))
    flags = {p.name: (p.kind, p.default, p.flags) for p in result.report.parameters}
    assert flags == {"a": ("int", 2, ("--a",)), "b": ("str", "x", ("--b",)),
                     "lr": ("float", 1, ("--lr",)), "extra": ("str", "e", ("--extra",))}
    assert result.report.skipped == []
    assert result.report.hidden_state == []
    assert ("cell 3: the saved injected-parameters cell (a=2, lr=1, extra='e') sets the flags' "
            "defaults; any parameter flag given replaces it, as papermill replaces it when given "
            "parameters") in result.report.warnings
    shown = run_python(result.script_path, "--help").stdout
    assert re.search(r"--lr FLOAT +\(default: 1\)", shown) and re.search(r"--b TEXT +\(default: 'x'\)", shown)
    assert "the others take the parameters cell's values" in shown.replace("\n", " ")
    assert _script(result.script_path.with_suffix(".ipynb"), "--lr", "0.25", "--extra", "f") == \
        {"a": 1, "b": "x", "lr": 0.25, "extra": "f"}


def test_the_saved_cell_stays_tagged_where_papermill_looks_for_it(tmp_path: Path) -> None:
    script = export_notebook(_saved_run(tmp_path)).script
    markers = [line for line in script.splitlines() if line.startswith("# %%")]
    assert markers[-4:] == ['# %% tags=["parameters"]', '# %% tags=["injected-parameters"]',
                            '# %% tags=["dlops-cli"]', "# %%"]


def test_a_notebook_without_a_saved_cell_exports_as_before(tmp_path: Path) -> None:
    path = tmp_path / "plain.ipynb"
    path.write_text(json.dumps(notebook(cell("a = 1", "parameters"), cell("print(a)"))))
    script = export_notebook(path).script
    assert "cell_values" not in script and "_dlops_parse_args({'a': a})" in script


def test_only_the_first_injected_cell_is_papermills(tmp_path: Path) -> None:
    path = tmp_path / "twice.ipynb"
    path.write_text(json.dumps(notebook(
        cell("a = 1", "parameters"), cell("a = 2", "injected-parameters"),
        cell("a = a * 10", "injected-parameters"), cell("print(a)"))))
    script = export_notebook(path).script_path
    assert run_python(script, "--no-track").stdout.split() == ["20"]
    assert run_python(script, "--no-track", "--a", "3").stdout.split() == ["30"]
