"""``dlops sweep --search``: real Optuna on a cheap synthetic objective (``quadratic.py``:
loss = (x - 1.5)^2 + (y + 2)^2, minimum 0), real runs through the script engine."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytest.importorskip("optuna")

from jupyter_dlops.sweeps import sweep  # noqa: E402

XY = {"x": "uniform:-5:5", "y": "uniform:-5:5"}


def _best(result) -> float:
    return min(run.metrics["loss"].last for run in result if run.status == "finished")


def _known(run) -> float:
    return (run.params["x"] - 1.5) ** 2 + (run.params["y"] + 2) ** 2


def test_tpe_finds_the_known_minimum_better_than_random_with_the_same_budget(store_uri, corpus):
    nb = corpus / "quadratic.py"
    tpe = sweep(nb, XY, search="tpe", trials=16, objective="loss:min", engine="script", name="tpe", seed=0)
    rnd = sweep(nb, XY, search="random", trials=16, objective="loss:min", engine="script", name="rnd", seed=0)
    assert len(tpe) == len(rnd) == 16 and all(r.status == "finished" for r in [*tpe, *rnd])
    assert all(r.metrics["loss"].last == pytest.approx(_known(r)) for r in tpe)
    # seeded, so the same figures as Optuna alone gives for this space: 0.903 (TPE), 2.957 (random)
    assert _best(tpe) == pytest.approx(0.903, abs=1e-3) and _best(rnd) == pytest.approx(2.957, abs=1e-3)
    assert tpe.sweep.spec["search"] == "tpe" and tpe.sweep.spec["objective"] == "loss"


def test_resume_continues_the_trial_count_and_reruns_an_interrupted_trial(store_uri, corpus):
    from jupyter_dlops.store import open_store

    nb = corpus / "quadratic.py"
    first = sweep(nb, XY, search="tpe", trials=3, objective="loss:min", engine="script", name="s")
    # as after Ctrl-C: the last run was marked killed; it is no trial and runs again
    open_store(store_uri).update_run(first[-1].run_id, status="killed")
    again = sweep(nb, XY, search="tpe", trials=3, objective="loss:min", engine="script", name="s")
    assert again.skipped == 2 and len(again) == 3
    assert [r.run_id for r in again[:2]] == [r.run_id for r in first[:2]]
    more = sweep(nb, XY, search="tpe", trials=5, objective="loss:min", engine="script", name="s")
    assert more.skipped == 3 and len(more) == 5
    drawn = [(r.params["x"], r.params["y"]) for r in more]
    assert len(set(drawn)) == 5  # a resumed study draws new values, not its first ones again


def _pruned_search(corpus, engine: str, where: str):
    params = {**XY, "steps": 8, "pause": 0.5}
    options = {"search": "random", "trials": 9, "objective": "loss:min", "prune": "median", "engine": engine,
               "name": "p", "workers": 1 if where == "one" else 2}
    if where != "dask":
        return sweep(corpus / "quadratic.py", params, **options)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        return sweep(corpus / "quadratic.py", params, executor="dask", scheduler=cluster.scheduler_address,
                     **options)


@pytest.mark.parametrize(("engine", "where"), [("script", "one"), ("papermill", "workers"), ("script", "dask")])
def test_pruned_runs_are_recorded_as_pruned_at_their_last_step(store_uri, corpus, engine, where):
    from jupyter_dlops.store import open_store

    result = _pruned_search(corpus, engine, where)
    pruned = [r for r in result if r.status == "pruned"]
    finished = [r for r in result if r.status == "finished"]
    assert len(pruned) >= 1 and len(pruned) + len(finished) == 9 and not result.failed
    db = open_store(store_uri)
    for run in pruned:
        run = db.get_run(run.run_id)
        step = run.metrics["loss"].last_step
        # pruned at the step the pruner saw; the script may log one more before it is killed
        assert int(run.tags["sweep.pruned_step"]) <= step < 7, run.tags
        assert run.error == f"pruned at step {run.tags['sweep.pruned_step']}"
    assert all(r.metrics["loss"].last_step == 7 for r in finished)


def test_grid_search_runs_each_choice_once_and_resumes(store_uri, corpus):
    nb = corpus / "quadratic.py"
    grid = {"x": ["1.5", "0"], "opt": "choice:adam,sgd"}
    first = sweep(nb, grid, search="grid", trials=3, objective="loss:min", engine="script", name="g")
    rest = sweep(nb, grid, search="grid", trials=10, objective="loss:min", engine="script", name="g")
    combos = sorted((r.params["x"], r.params["opt"]) for r in rest)
    assert len(first) == 3 and combos == [(0.0, "adam"), (0.0, "sgd"), (1.5, "adam"), (1.5, "sgd")]


def test_sweep_show_reports_best_trials_and_importances(store_uri, corpus, capsys):
    from jupyter_dlops.cli import main

    result = sweep(corpus / "quadratic.py", XY, search="random", trials=4, objective="loss:min",
                   engine="script", name="shown")
    best = min(result, key=lambda r: r.metrics["loss"].last)
    assert main(["sweep", "show", "shown"]) == 0
    out = capsys.readouterr().out
    assert f"best: run {best.run_id[:12]}" in out and f"loss={best.metrics['loss'].last:.6g}" in out
    assert out.count("  finished  ") == 4 and "importance: " in out
    from jupyter_dlops.sweeps.search_report import search_report

    report = search_report("shown")
    assert report["best"]["run_id"] == best.run_id and len(report["trials"]) == 4
    assert set(report["importances"]) == {"x", "y"}
    assert sum(report["importances"].values()) == pytest.approx(1.0)


def test_bad_search_input_is_one_line_and_leaves_the_store_alone(store_uri, corpus, capsys):
    from jupyter_dlops.cli import main

    nb = str(corpus / "quadratic.py")
    for args, message in [
        (["--search", "tpe", "--trials", "2", "--objective", "loss", "-p", "x", "uniform:0:1"], "METRIC:min"),
        (["--search", "tpe", "--objective", "loss:min", "-p", "x", "uniform:0:1"], "--trials N"),
        (["--search", "grid", "--trials", "2", "--objective", "loss:min", "-p", "x", "uniform:0:1"], "choices only"),
        (["--search", "tpe", "--trials", "2", "--objective", "loss:min", "-p", "x", "uniform:1:0"], "low end"),
        (["--search", "tpe", "--trials", "2", "--objective", "loss:min", "-p", "xx", "uniform:0:1"], "did you mean 'x'"),
        (["--search", "tpe", "--trials", "2", "--objective", "loss:min", "-p", "x", "loguniform:0:1"], "above zero"),
        (["--search", "tpe", "--trials", "2", "--objective", "loss:min", "-p", "steps", "int:a:b"], "int:LOW:HIGH"),
        (["--search", "tpe", "--trials", "2", "--objective", "loss:min", "-p", "x", "1"], "at least one parameter"),
    ]:
        code = main(["sweep", nb, *args])
        err = capsys.readouterr().err
        assert code == 2, (args, err)
        assert message in err and len(err.strip().splitlines()) == 1, err
    assert not Path(store_uri).exists()
    assert main(["sweep", "show", "nothing"]) == 3
    assert "no sweep named 'nothing'" in capsys.readouterr().err


def test_search_space_tokens_and_yaml_spec(tmp_path):
    from jupyter_dlops.sweeps.search_space import from_cli, load_search_spec, parse_entry

    assert parse_entry("lr", "loguniform:1e-5:1e-1") == ["loguniform", 1e-5, 1e-1]
    assert parse_entry("layers", "int:1:4") == ["int", 1, 4]
    assert parse_entry("opt", "choice:adam,sgd") == ["choice", ["adam", "sgd"]]
    assert parse_entry("lr", "1e-4..1e-1") == ["loguniform", 1e-4, 1e-1]
    assert parse_entry("layers", "1..4") == ["int", 1, 4]
    assert parse_entry("name", "adam") is None
    assert from_cli({"opt": ["adam", "sgd"], "epochs": ["3"]}) == ({"opt": ["choice", ["adam", "sgd"]]}, {"epochs": "3"})
    spec = tmp_path / "search.yaml"
    spec.write_text("search: cmaes\ntrials: 7\nobjective: acc:max\nprune: hyperband\nparameters:\n"
                    "  lr: {min: 1e-5, max: 1e-1, distribution: log_uniform}\n  layers: int:1:4\n"
                    "  opt: [adam, sgd]\n  epochs: 3\n", encoding="utf-8")
    loaded = load_search_spec(spec)
    assert loaded["space"] == {"lr": ["loguniform", 1e-5, 1e-1], "layers": ["int", 1, 4],
                               "opt": ["choice", ["adam", "sgd"]]}
    assert loaded["fixed"] == {"epochs": 3}
    assert (loaded["search"], loaded["trials"], loaded["objective"], loaded["prune"]) == ("cmaes", 7, "acc:max", "hyperband")


def test_cli_search_from_a_yaml_spec_with_cmaes(store_uri, corpus, tmp_path):
    import sys

    spec = tmp_path / "search.yaml"
    spec.write_text("search: cmaes\ntrials: 3\nobjective: loss:min\nparameters:\n"
                    "  x: {min: -5, max: 5}\n  y: uniform:-5:5\n", encoding="utf-8")
    dlops = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]
    done = subprocess.run([*dlops, "sweep", str(corpus / "quadratic.py"),
                           "--spec", str(spec), "--engine", "script", "--name", "c"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "sweep c: 3 runs, 0 failed, 0 pruned, 0 recorded before" in done.stdout
