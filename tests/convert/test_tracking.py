"""A tracked script records a run (params typed, metrics); --no-track and --standalone do not."""

from __future__ import annotations

from convert_helpers import copy_corpus, run_python, store_env

from jupyter_dlops.convert import export_notebook


def _runs(env):
    from jupyter_dlops.store import open_store

    return open_store(env["DLOPS_STORE"]).search_runs(full=True)


def test_script_run_is_a_stored_run(tmp_path) -> None:
    script = export_notebook(copy_corpus(tmp_path, "train_metrics")).script_path
    run_python(script, "--lr", "0.25", "--epochs", "2", env=store_env(tmp_path))
    (run,) = _runs(store_env(tmp_path))
    assert run.status == "finished" and run.kind == "script"
    assert run.name == f"train_metrics-{run.run_id[:6]}"  # readable and unique (issue 15)
    assert run.params == {"lr": 0.25, "epochs": 2}
    assert run.entry_point == str(script)
    from jupyter_dlops.store import open_store

    series = open_store(store_env(tmp_path)["DLOPS_STORE"]).metric_series(run.run_id, "loss")["loss"]
    assert [round(value, 6) for _, value, _ in series] == [0.75, 0.5625]


def test_no_track_records_nothing(tmp_path) -> None:
    path = copy_corpus(tmp_path, "no_parameters")
    run_python(export_notebook(path).script_path, "--no-track", env=store_env(tmp_path))
    assert not (tmp_path / "store").exists() or _runs(store_env(tmp_path)) == []


def test_standalone_script_never_imports_jupyter_dlops(tmp_path) -> None:
    result = export_notebook(copy_corpus(tmp_path, "runnable"), standalone=True)
    assert "jupyter_dlops" not in result.script and "--no-track" not in result.script
    done = run_python(result.script_path, "--help", env=store_env(tmp_path))
    assert "--no-track" not in done.stdout


def test_failing_script_marks_its_run_failed(tmp_path) -> None:
    import json

    from convert_helpers import cell, notebook

    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cell("x = 1", "parameters"),
                                                           cell("raise ValueError('boom')"))))
    done = run_python(export_notebook(tmp_path / "nb.ipynb").script_path, env=store_env(tmp_path), check=False)
    assert done.returncode == 1
    (run,) = _runs(store_env(tmp_path))
    assert run.status == "failed" and "boom" in (run.error or "")


def test_no_track_records_nothing_even_when_the_notebook_logs_itself(tmp_path) -> None:
    # train_metrics calls jupyter_dlops.log_metric in its own cells (issue 15).
    script = export_notebook(copy_corpus(tmp_path, "train_metrics")).script_path
    done = run_python(script, "--no-track", "--epochs", "2", env=store_env(tmp_path))
    assert done.returncode == 0
    assert not (tmp_path / "store").exists() or _runs(store_env(tmp_path)) == []
    assert (tmp_path / "model.json").read_text() == '{"loss": 0.25}'


def test_standalone_names_the_cells_that_import_jupyter_dlops_themselves(tmp_path) -> None:
    result = export_notebook(copy_corpus(tmp_path, "train_metrics"), standalone=True)
    assert "start_run" not in result.script and "--no-track" not in result.script
    assert [w for w in result.report.warnings if "jupyter_dlops" in w] == [
        "cell 1, line 3: imports jupyter_dlops, so the standalone script still needs it; "
        "remove those calls or export without --standalone"]
    plain = export_notebook(copy_corpus(tmp_path, "train_metrics"))
    assert not [w for w in plain.report.warnings if "jupyter_dlops" in w]
