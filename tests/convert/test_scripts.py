"""Exported scripts run under plain ``python``: flags, types, errors, magics, tracking."""

from __future__ import annotations

import json
import sys

import pytest
from convert_helpers import copy_corpus, last_json_line, run_python

from jupyter_dlops.convert import export_notebook


def test_runnable_script_runs_with_defaults_and_flags(tmp_path) -> None:
    result = export_notebook(copy_corpus(tmp_path, "runnable"), standalone=True)
    script = result.script_path
    defaults = last_json_line(run_python(script).stdout)
    assert defaults == {"lr": 0.1, "epochs": 2, "flags": ["a"], "verbose": False,
                        "losses": [0.1, 0.05]}
    assert (script.parent / "notes.txt").read_text() == "written by %%writefile\n"
    done = run_python(script, "--lr", "0.5", "--epochs", "1", "--flags", '["x", "y"]', "--verbose",
                      "--out", "other.json")
    assert last_json_line(done.stdout) == {"lr": 0.5, "epochs": 1, "flags": ["x", "y"],
                                           "verbose": True, "losses": [0.5]}
    assert "shell says 1" in done.stdout and "captured, not shown" not in done.stdout
    assert json.loads((script.parent / "other.json").read_text())["epochs"] == 1


def test_every_parameter_type_round_trips_through_flags(tmp_path) -> None:
    script = export_notebook(copy_corpus(tmp_path, "parameters_types"), standalone=True).script_path
    assert last_json_line(run_python(script).stdout)["optimizer"] == {"name": "sgd", "momentum": 0.9}
    done = run_python(script, "--lr", "1e-4", "--epochs", "7", "--name", "x y", "--no-shuffle",
                      "--seed", "42", "--layers", "[]", "--optimizer", '{"name": "adam"}',
                      "--shape", "[1, 2]", "--batch_size", "8", "--param-help", "text", "--h", "3",
                      "--α", "1")
    assert last_json_line(done.stdout) == {
        "lr": 1e-4, "epochs": 7, "name": "x y", "shuffle": False, "seed": 42, "layers": [],
        "optimizer": {"name": "adam"}, "shape": [1, 2], "batch_size": 8, "scale": 0.002,
        "help": "text", "h": 3, "alpha": 1.0,
    }
    assert last_json_line(run_python(script, "--seed", "null").stdout)["seed"] is None
    assert last_json_line(run_python(script, "--seed", "abc").stdout)["seed"] == "abc"


def test_help_lists_each_flag_with_default_and_comment(tmp_path) -> None:
    script = export_notebook(copy_corpus(tmp_path, "parameters_types")).script_path
    text = " ".join(run_python(script, "--help").stdout.split())
    for expected in ("--lr FLOAT learning rate (default: 0.01)", "--epochs INT passes over the data (default: 3)",
                     "--shuffle shuffle each epoch (default: True)", "--no-shuffle",
                     "--layers JSON hidden sizes (default: [64, 32])", "--param-help TEXT",
                     "--α FLOAT a Unicode name (default: 0.5)", "--no-track", "-h, --help"):
        assert expected in text
    assert "--home" not in text  # not a literal: kept as code, no flag


@pytest.mark.parametrize(("args", "message"), [
    (["--epochs", "1.5"], "argument --epochs: invalid int value: '1.5'"),
    (["--lr", "fast"], "argument --lr: invalid float value: 'fast'"),
    (["--layers", "3"], "argument --layers: expected a JSON list, got '3'"),
    (["--optimizer", "[1]"], "argument --optimizer: expected a JSON dict"),
    (["--bogus", "1"], "unrecognized arguments: --bogus 1"),
    (["--ep", "1"], "unrecognized arguments: --ep 1"),
    (["--shuffle", "--no-shuffle"], None),
])
def test_bad_flags_are_clear_errors(tmp_path, args: list[str], message: str | None) -> None:
    script = export_notebook(copy_corpus(tmp_path, "parameters_types"), standalone=True).script_path
    done = run_python(script, *args, check=False)
    if message is None:  # the last of --flag/--no-flag wins, as with argparse everywhere
        assert done.returncode == 0 and last_json_line(done.stdout)["shuffle"] is False
    else:
        assert done.returncode == 2 and message in done.stderr


def test_line_magics_script_runs(tmp_path) -> None:
    path = copy_corpus(tmp_path, "magics_line")
    data = path.parent / "data"
    data.mkdir()
    (data / "helper_script.py").write_text("import sys\nhelper_argv = sys.argv[1:]\n")
    done = run_python(export_notebook(path, standalone=True).script_path)
    result = last_json_line(done.stdout)
    assert result["here"] == "data" and result["helper"] == ["--flag"] and result["env"] == "1"
    assert result["total"] == 10 and result["ratio"] == 1 and result["same"] is True
    assert result["text"] == "\n%not_a_magic inside a string\n!nor this\n"
    assert "hello world" in done.stdout and "indented" in done.stdout


def test_cell_magics_script_runs(tmp_path) -> None:
    path = copy_corpus(tmp_path, "magics_cell")
    done = run_python(export_notebook(path, standalone=True).script_path)
    assert "from bash" in done.stdout and "from sh" in done.stdout and "9900" in done.stdout
    assert "hidden output" not in done.stdout
    assert (path.parent / "out.txt").read_text() == "line one\nline two\n"


def test_failing_shell_command_stops_the_script_with_strict_shell(tmp_path) -> None:
    from convert_helpers import cell, notebook

    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cell("!exit 3"), cell("print('after')"))))
    script = export_notebook(tmp_path / "nb.ipynb", strict_shell=True).script_path
    done = run_python(script, "--no-track", check=False)
    assert done.returncode != 0 and "CalledProcessError" in done.stderr and "after" not in done.stdout


def test_script_never_calls_get_ipython(tmp_path) -> None:
    for name in ("runnable", "magics_line", "magics_cell", "parameters_types", "skip_and_markdown"):
        assert "get_ipython" not in export_notebook(copy_corpus(tmp_path, name)).script


def test_script_is_executable_with_a_shebang(tmp_path) -> None:
    script = export_notebook(copy_corpus(tmp_path, "no_parameters")).script_path
    assert script.read_text().startswith("#!/usr/bin/env python3\n")
    assert script.stat().st_mode & 0o111
    assert sys.executable  # the shebang's python is whatever is first on PATH
