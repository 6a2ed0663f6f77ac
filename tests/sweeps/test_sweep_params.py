"""Parameters, spaces and bad input: fast, no kernel."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from jupyter_dlops.errors import UsageError
from jupyter_dlops.sweeps.notebook_io import declared_parameters, load_notebook, read_percent_text
from jupyter_dlops.sweeps.params import check_names, coerce, parse_text
from jupyter_dlops.sweeps.plan import build_space, combinations, typed_space
from jupyter_dlops.sweeps.space import load_spec

CORPUS = Path(__file__).parent / "notebooks"


def test_defaults_read_from_parameters_cell():
    declared = declared_parameters(load_notebook(CORPUS / "train.ipynb"))
    assert declared == {"lr": 0.1, "epochs": 3, "optimizer": "sgd", "use_bias": True}


def test_percent_script_read_without_jupytext():
    nb = read_percent_text((CORPUS / "train_script.py").read_text())
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert declared_parameters(nb) == {"lr": 0.1, "epochs": 3}


@pytest.mark.parametrize("raw,default,expected", [
    ("5", 3, 5), ("0.01", 0.1, 0.01), ("1e-3", 0.1, 0.001), ("adam", "sgd", "adam"),
    ("false", True, False), ("[1, 2]", [0], [1, 2]), ("None", None, None), ("3", None, 3),
])
def test_values_typed_like_the_default(raw, default, expected):
    assert parse_text("p", raw, default) == expected


@pytest.mark.parametrize("raw,default", [("abc", 3), ("1.5", 3), ("maybe", True), ("x", 0.1), ("3", [1])])
def test_value_that_does_not_parse_is_a_clear_error(raw, default):
    with pytest.raises(UsageError, match="expects .* does not parse"):
        parse_text("p", raw, default)


def test_api_values_checked_against_type():
    assert coerce("epochs", 5.0, 3) == 5 and coerce("lr", 1, 0.1) == 1.0
    with pytest.raises(UsageError):
        coerce("use_bias", 1, True)


def test_unknown_parameter_did_you_mean():
    with pytest.raises(UsageError, match="unknown parameter 'lrr': did you mean 'lr'"):
        check_names(["lrr"], {"lr": 0.1, "epochs": 3}, "train.ipynb")


def test_no_parameters_cell_refuses_parameters():
    with pytest.raises(UsageError, match="no cell tagged 'parameters'"):
        check_names(["x"], {}, "no_parameters.ipynb")


def _plan(params, **kw):
    space = build_space(params, random=kw.pop("random", None), spec=kw.pop("spec", None), from_cli=True)
    space, declared = typed_space(space, str(CORPUS / "train.ipynb"))
    return combinations(space, declared, limit=kw.pop("limit", None), yes=kw.pop("yes", False), **kw)


def test_grid_is_typed():
    combos = _plan({"lr": ["0.1", "0.01"], "epochs": ["5", "10"]})
    assert combos[0] == {"lr": 0.1, "epochs": 5} and len(combos) == 4


def test_empty_grid():
    with pytest.raises(UsageError, match="empty grid"):
        _plan({})
    with pytest.raises(UsageError, match="empty grid: parameter 'lr'"):
        _plan({"lr": []})


def test_huge_grid_needs_yes_or_limit():
    grid = {"lr": [str(i) for i in range(100)], "epochs": [str(i) for i in range(1000)]}
    with pytest.raises(UsageError, match="100,000 combinations.*--yes.*--limit"):
        _plan(grid)
    assert len(_plan(grid, limit=7)) == 7
    with pytest.raises(UsageError, match="not running"):
        _plan(grid, confirm=lambda count: False)


def test_random_is_seeded_and_log_uniform_for_rates():
    combos = _plan({"lr": ["1e-5..1e-1"], "epochs": ["1..9"]}, random=400)
    assert combos == _plan({"lr": ["1e-5..1e-1"], "epochs": ["1..9"]}, random=400)
    lrs = [c["lr"] for c in combos]
    assert all(1e-5 <= x <= 1e-1 for x in lrs)
    below = sum(x < 1e-3 for x in lrs) / len(lrs)  # log-uniform: half the draws below 1e-3
    assert 0.35 < below < 0.65
    assert all(isinstance(c["epochs"], int) and 1 <= c["epochs"] <= 9 for c in combos)


def test_yaml_spec(tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text("method: random\nsamples: 5\nparameters:\n  lr: {min: 0.001, max: 0.1, distribution: log_uniform}\n"
                    "  epochs: {values: [1, 2]}\n  optimizer: adam\n")
    combos = _plan({}, spec=str(spec))
    assert len(combos) == 5 and all(c["optimizer"] == "adam" and c["epochs"] in (1, 2) for c in combos)
    assert all(math.log10(c["lr"]) <= -1 for c in combos)


def test_spec_not_yaml(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("parameters: [unclosed\n  lr: {")
    with pytest.raises(UsageError, match="not valid YAML"):
        load_spec(spec)
    spec.write_text("- just a list\n")
    with pytest.raises(UsageError, match="must be a YAML mapping"):
        load_spec(spec)


def test_progress_line_counts_and_time_left():
    import io

    from jupyter_dlops.sweeps.progress import Progress
    from jupyter_dlops.sweeps.task import Outcome

    stream = io.StringIO()
    bar = Progress(4, 2, stream=stream)
    bar.event("started", None)
    bar.event("started", None)
    bar.event("finished", Outcome("a" * 32, "finished", duration=2.0, params={"lr": 0.1}))
    bar.event("finished", Outcome("b" * 32, "failed", "cell_error", "ValueError: x", duration=4.0))
    assert bar.line().endswith("2/4 done, 1 failed, 0 running, ~3s left")
    assert "failed (cell_error: ValueError: x)" in stream.getvalue()


def test_executor_registry():
    from jupyter_dlops.sweeps.executors import LocalExecutor, executor_class

    assert executor_class("local") is LocalExecutor
    assert executor_class("dask").__name__ == "DaskExecutor"
    with pytest.raises(UsageError, match="unknown executor 'slurm'; choose one of dask, local"):
        executor_class("slurm")
