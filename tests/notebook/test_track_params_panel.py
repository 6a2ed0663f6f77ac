"""A parameter panel's values describe the run they were used in (issue 15): a change after
the run logged metrics starts a new run, and ``%dlops new-run`` records the panel's values."""

from __future__ import annotations

import json

from nbtrack_helpers import flush, rows, run


def _params(store, run_id):
    return {k: json.loads(v) for k, v in
            rows(store, "SELECT key, json FROM param WHERE run_id = ?", (run_id,))}


def _loaded(ip):
    from jupyter_dlops import magics

    assert run(ip, "%load_ext jupyter_dlops").success
    return magics.extension_for(ip)


def test_a_change_after_metrics_starts_a_new_run_that_records_every_value(ip, nb_store):
    from jupyter_dlops.widgets import Params

    extension = _loaded(ip)
    first = extension.run.run_id
    panel = Params(lr=(0.001, 0.1, 0.01), epochs=3)
    panel._controls["epochs"].value = 4  # no metrics yet: the same run
    assert extension.run.run_id == first and _params(nb_store, first) == {"lr": 0.01, "epochs": 4}
    assert run(ip, "%%track\nimport jupyter_dlops as dl\ndl.log_metric('loss', 0.5)").success
    panel._controls["lr"].value = 0.05
    second = extension.run.run_id
    assert second != first
    assert _params(nb_store, first) == {"lr": 0.01, "epochs": 4}  # what the first run ran with
    assert _params(nb_store, second) == {"lr": 0.05, "epochs": 4}
    assert f"changed after run {first[:12]} logged metrics, so a new run: recorded in run " \
           f"{second[:12]}" in panel.status.value
    assert rows(nb_store, "SELECT status FROM run WHERE run_id = ?", (first,)) == [("finished",)]
    assert run(ip, "%%track\ndl.log_metric('loss', 0.25)").success  # the tracker followed
    flush(ip)
    assert rows(nb_store, "SELECT run_id, COUNT(*) FROM cell_execution GROUP BY run_id "
                          "ORDER BY MIN(start_time)") == [(first, 1), (second, 1)]
    assert rows(nb_store, "SELECT run_id, step FROM metrics WHERE key = 'loss' ORDER BY value") == [
        (second, 0), (first, 0)]  # no sawtooth: each run's steps start at 0
    panel.close()  # a closed panel follows no more runs


def test_a_panel_alone_records_into_the_notebooks_run(nb_store, tmp_path, monkeypatch):
    from jupyter_dlops.widgets import Params

    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "tune.ipynb"))
    panel = Params(lr=(0.001, 0.1, 0.01))
    ((run_id, name, kind),) = rows(nb_store, "SELECT run_id, name, kind FROM run")
    assert (name, kind) == (f"tune-{run_id[:6]}", "notebook")
    assert _params(nb_store, run_id) == {"lr": 0.01}
    assert panel.status.value == f"<small>recorded in run {run_id[:12]} ({name})</small>"
    panel.close()


def test_new_run_records_what_the_panel_shows_and_the_status_names_it(ip, nb_store, capsys):
    from jupyter_dlops.widgets import Params

    extension = _loaded(ip)
    first = extension.run.run_id
    stale = Params(optimizer=["adam", "sgd"], dropout=(0.0, 0.5))
    panel = Params(optimizer=["adam", "sgd"], dropout=(0.0, 0.5))  # the cell, run again
    panel._controls["optimizer"].value = "sgd"
    assert run(ip, "%dlops new-run tuned").success
    second = extension.run.run_id
    assert second != first
    assert _params(nb_store, second) == {"optimizer": "sgd", "dropout": 0.0}
    assert panel.status.value == f"<small>recorded in run {second[:12]} (tuned)</small>"
    assert "tuned" in capsys.readouterr().out
    assert stale.status.value == f"<small>recorded in run {first[:12]} ({extension_name(nb_store, first)})</small>"
    for widget in (stale, panel):
        widget.close()


def extension_name(store, run_id):
    return rows(store, "SELECT name FROM run WHERE run_id = ?", (run_id,))[0][0]


def test_no_track_in_a_kernel_records_nothing_and_says_so(ip, nb_store, monkeypatch, capsys):
    from jupyter_dlops import magics
    from jupyter_dlops.widgets import Params

    monkeypatch.setenv("DLOPS_NO_TRACK", "1")
    assert run(ip, "%load_ext jupyter_dlops").success
    assert capsys.readouterr().out == (
        "dlops: cannot start tracking (DLOPS_NO_TRACK is set, so nothing is recorded; unset it "
        "to track); cells run untracked\n")
    assert magics.extension_for(ip).run is None
    assert run(ip, "%%track --params\nlr = 0.1").success
    panel = Params(lr=(0.001, 0.1, 0.01))
    assert panel.status.value == ("<small>not recorded: DLOPS_NO_TRACK is set, so nothing is "
                                  "recorded; unset it to track</small>")
    panel.close()
    assert not nb_store.exists()
