"""What ``dlops runs``/``best``/``show`` show by default, and what they say about a misspelled
key or a shared name (issue 15)."""

from __future__ import annotations

import pytest
from helpers import add_run, run_cli

from jupyter_dlops.cli.columns import default_columns, varying_params
from jupyter_dlops.models import Run
from jupyter_dlops.store.keys import unknown_key_notes, where_keys


@pytest.fixture
def sweepish(store):
    """Four runs: 'seed' and 'arch' are the same everywhere, 'lr' and 'dropout' vary."""
    for i, (lr, dropout, acc) in enumerate([(0.1, 0.0, 0.7), (0.01, 0.0, 0.9), (0.1, 0.5, 0.8),
                                             (0.001, 0.5, 0.85)]):
        add_run(store, f"run{i}000", {"arch": "cnn", "batch": 32, "dropout": dropout, "lr": lr,
                                     "seed": 1}, {"val_accuracy": acc, "loss": 1 - acc}, start=i + 1)
    return store


def _header(stdout: str) -> list[str]:
    return stdout.splitlines()[0].split()


def test_runs_shows_the_varying_params_then_the_metrics(sweepish):
    done = run_cli("runs")
    assert done.returncode == 0, done.stderr
    assert _header(done.stdout)[5:] == ["params.dropout", "params.lr", "metrics.loss",
                                        "metrics.val_accuracy"]
    assert done.stderr == ""


def test_best_shows_what_varies_among_the_candidates_and_its_metric_first(sweepish):
    done = run_cli("best", "--metric", "val_accuracy")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("best run by val_accuracy (max): run1000")
    assert lines[1].split()[5:] == ["params.dropout", "params.lr", "metrics.val_accuracy",
                                    "metrics.loss"]
    assert lines[3].split()[-4:-2] == ["0", "0.01"]  # dropout, lr of the best run


def test_misspelled_where_key_warns_with_the_closest_keys(sweepish):
    done = run_cli("runs", "--where", "metrics.val_acc > 0.8 and params.lr < 1")
    assert done.returncode == 0
    assert done.stdout.strip() == "no runs match"
    assert done.stderr == "dlops: no run has metrics.val_acc; did you mean metrics.val_accuracy?\n"
    done = run_cli("runs", "--where", "tags.zzz = 'x'")
    assert done.stderr == "dlops: no run has tags.zzz (known tags: none yet)\n"
    done = run_cli("best", "--metric", "val_acc")
    assert done.returncode == 3
    assert "no run has logged the metric 'val_acc'; did you mean val_accuracy?" in done.stderr


def test_show_by_a_shared_name_picks_the_newest_and_says_so(store):
    add_run(store, "aaaa0001", name="explore", start=10)
    add_run(store, "bbbb0002", name="explore", start=30)
    add_run(store, "cccc0003", name="explore", start=20)
    done = run_cli("show", "explore")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "run       bbbb0002"
    assert done.stderr == ("dlops: 3 runs are named 'explore'; this is the newest, bbbb0002 "
                           "(give an id to pick another)\n")


def test_where_keys_and_varying_params_units(store):
    assert where_keys("metrics.`val.loss` < 1 and params.lr > 0 or params.lr < 0 and status = 'x'") == [
        ("metric_summary", "val.loss"), ("param", "lr")]
    assert where_keys("metrics.a >") == [("metric_summary", "a")]
    assert where_keys("§") == [] and where_keys(None) == []
    assert unknown_key_notes(store, "params.lr > 1") == ["no run has params.lr (known params: none yet)"]
    runs = [Run(run_id=str(i), name="n", experiment="e", kind="script", status="finished",
                start_time=0.0) for i in range(3)]
    for run, params in zip(runs, [{"a": [1], "b": 1}, {"a": [1], "b": 2}, {"a": [1]}], strict=True):
        run.params.update(params)
    assert varying_params(runs) == ["b"]  # absent in one run counts as differing
    assert varying_params(runs[:1]) == ["a", "b"]
    assert default_columns(runs, "acc") == ["params.b", "metrics.acc"]
