"""The parameter panel and the runs widget, against a real store (no kernel needed)."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from nbtrack_helpers import rows


def params_in(store_dir, run_id):
    return {k: json.loads(v) for k, v in rows(store_dir, "SELECT key, json FROM param WHERE run_id = ?", (run_id,))}


def test_params_panel_values_are_the_runs_parameters(nb_store):
    import ipywidgets as w

    from jupyter_dlops import start_run
    from jupyter_dlops.widgets import Params

    run = start_run("panel", kind="notebook")
    panel = Params(lr=(0.001, 0.1, 0.01), epochs=10, dropout=(0.0, 0.5), layers=(1, 8, 2),
                   optimizer=["adam", "sgd"], augment=True, tag="baseline")
    kinds = {name: type(c).__name__ for name, c in panel._controls.items()}
    assert kinds == {"lr": "FloatLogSlider", "epochs": "IntText", "dropout": "FloatSlider",
                     "layers": "IntSlider", "optimizer": "Dropdown", "augment": "Checkbox",
                     "tag": "Text"}
    assert isinstance(panel, w.VBox)
    assert params_in(nb_store, run.run_id) == {"lr": 0.01, "epochs": 10, "dropout": 0.0, "layers": 2,
                                               "optimizer": "adam", "augment": True, "tag": "baseline"}
    panel._controls["epochs"].value = 20
    panel._controls["optimizer"].value = "sgd"
    assert panel.epochs == 20 and panel["optimizer"] == "sgd"
    stored = params_in(nb_store, run.run_id)
    assert stored["epochs"] == 20 and stored["optimizer"] == "sgd"
    assert rows(nb_store, "SELECT type FROM param WHERE key = 'epochs'") == [("int",)]
    panel.close()  # an open panel would record its values into the next test's new runs


@pytest.mark.parametrize("spec", [(0.1, 0.01), ("a", "b"), (1, 5, 9), None, object(), []],
                         ids=["low>high", "strings", "default-outside", "none", "object", "empty-list"])
def test_bad_parameter_specifications_are_usage_errors(nb_store, spec):
    from jupyter_dlops.errors import UsageError
    from jupyter_dlops.widgets import Params

    with pytest.raises(UsageError, match="Params: 'x'"):
        Params(x=spec)


def _make_runs(path, n=3):
    from jupyter_dlops.tracking.client import DlopsClient

    client = DlopsClient()
    ids = []
    for i in range(n):
        run_id = client.create_run("nb", {"lr": 0.1 / (i + 1)}, kind="notebook",
                                   tags={"dlops.notebook": path})
        for step in range(5):
            client.log_metric(run_id, "loss", 1.0 / (step + 1 + i), step)
        client.set_terminated(run_id, "finished")
        ids.append(run_id)
    client.close()
    return ids


def test_runs_table_sorts_and_plots(nb_store, tmp_path):
    from jupyter_dlops.widgets import Runs

    path = str(tmp_path / "train.ipynb")
    ids = _make_runs(path)
    _make_runs(str(tmp_path / "other.ipynb"), 1)
    widget = Runs(path, refresh=0)
    try:
        assert widget.table.value.count("<tr>") == 4  # header + 3 runs of this notebook only
        assert "params.lr" in widget.sort.options and "metrics.loss" in widget.sort.options
        widget.sort.value = "params.lr"
        widget.descending.value = False
        assert [r.run_id for r in widget.sorted_runs()] == ids[::-1]
        assert widget.metric.value == "loss"
        assert widget.plot.metric == "loss" and widget.plot.x_title == "step"
        assert [c["run_id"] for c in widget.plot.curves] == ids[::-1]
        assert widget.plot.curves[0]["points"] == [[s, 1.0 / (s + 1 + 2)] for s in range(5)]
        assert widget.plot.curves[0]["label"] == f"nb {ids[2][:6]}"
    finally:
        widget.close()


def test_runs_widget_refreshes_as_runs_finish(nb_store, tmp_path):
    from jupyter_dlops.widgets import Runs

    path = str(tmp_path / "train.ipynb")
    _make_runs(path, 1)
    widget = Runs(path, refresh=0.1)
    try:
        assert widget.table.value.count("<tr>") == 2
        _make_runs(path, 1)
        deadline = time.monotonic() + 10
        while widget.table.value.count("<tr>") != 3:
            assert time.monotonic() < deadline, "the widget did not refresh"
            time.sleep(0.05)
    finally:
        widget.close()


def test_values_are_escaped(nb_store, tmp_path):
    from jupyter_dlops.tracking.client import DlopsClient
    from jupyter_dlops.widgets import Runs

    path = str(tmp_path / "x.ipynb")
    DlopsClient().create_run("<script>alert(1)</script>", kind="notebook", tags={"dlops.notebook": path})
    widget = Runs(path, refresh=0)
    try:
        assert "<script>" not in widget.table.value and "&lt;script&gt;" in widget.table.value
    finally:
        widget.close()


def test_runs_widget_relative_path_empty_state_and_durations(nb_store, tmp_path, monkeypatch):
    from jupyter_dlops.widgets import Runs
    from jupyter_dlops.widgets.table import format_duration

    monkeypatch.chdir(tmp_path)
    empty = Runs("nothing-yet.ipynb", refresh=0)
    try:
        assert "no runs for this notebook yet" in empty.table.value
    finally:
        empty.close()
    _make_runs(str(tmp_path / "train.ipynb"), 2)
    widget = Runs("train.ipynb", refresh=0)  # relative to the kernel's folder
    try:
        assert widget.table.value.count("<tr>") == 3
        assert "var(--jp-ui-font-color1" in widget.table.value
    finally:
        widget.close()
    assert [format_duration(s) for s in (3.25, 170.3, 7260)] == ["3.2 s", "2 min 50 s", "2 h 1 min"]


def test_a_new_runs_widget_stops_the_one_it_replaces(nb_store, tmp_path):
    from jupyter_dlops.widgets import Runs

    path = str(tmp_path / "train.ipynb")
    _make_runs(path, 1)
    before = {t for t in threading.enumerate() if t.name == "dlops-runs-widget"}
    widgets = [Runs(path, refresh=0.05) for _ in range(3)]  # the same cell run three times
    try:
        deadline = time.monotonic() + 10
        while True:
            alive = {t for t in threading.enumerate() if t.name == "dlops-runs-widget"} - before
            if len(alive) == 1:
                break
            assert time.monotonic() < deadline, f"{len(alive)} refresh loops still running"
            time.sleep(0.05)
        assert [w._stop.is_set() for w in widgets] == [True, True, False]
    finally:
        widgets[-1].close()


def test_runs_in_a_new_notebook_opens_on_the_stores_runs(nb_store, tmp_path, monkeypatch):
    from jupyter_dlops.widgets import Runs

    ids = _make_runs(str(tmp_path / "train.ipynb"), 2)
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "new.ipynb"))
    widget = Runs(refresh=0)
    try:
        assert widget.scope.value == "all runs"
        assert [r.run_id for r in widget.sorted_runs()] == ids[::-1]
        assert widget.table.value.count("<tr>") == 3
        widget.scope.value = "this notebook"
        assert widget.runs == [] and "no runs for this notebook yet" in widget.table.value
        assert widget.plot.curves == []
    finally:
        widget.close()
    mine = _make_runs(str(tmp_path / "new.ipynb"), 1)
    widget = Runs(refresh=0)  # the notebook has a run now: its own runs first
    try:
        assert widget.scope.value == "this notebook"
        assert [r.run_id for r in widget.runs] == mine
    finally:
        widget.close()


def test_runs_where_selects_by_expression_and_refuses_a_bad_one(nb_store, tmp_path):
    from jupyter_dlops.errors import DlopsError
    from jupyter_dlops.widgets import Runs

    ids = _make_runs(str(tmp_path / "train.ipynb"), 3)
    widget = Runs(where="params.lr < 0.06", refresh=0)
    try:
        assert sorted(r.run_id for r in widget.runs) == sorted(ids[1:])
        assert widget.scope.layout.display == "none"
    finally:
        widget.close()
    with pytest.raises(DlopsError):
        Runs(where="params.lr <", refresh=0)


def test_table_cells_keep_to_one_line_with_the_full_value_in_the_title(nb_store, tmp_path):
    from jupyter_dlops.tracking.client import DlopsClient
    from jupyter_dlops.widgets import Runs
    from jupyter_dlops.widgets.table import format_duration

    path = str(tmp_path / "x.ipynb")
    name = "a-very-long-run-name-" * 4
    run_id = DlopsClient().create_run(name, kind="notebook", tags={"dlops.notebook": path})
    widget = Runs(path, refresh=0)
    try:
        html = widget.table.value
        assert "white-space:nowrap" in html and "text-overflow:ellipsis" in html
        assert f"<td title='{name}'>{name}</td>" in html
        assert f"<td title='{run_id}'>{run_id[:8]}</td>" in html
    finally:
        widget.close()
    # whole seconds first: never "1 min 60 s" or "60.0 s"
    assert [format_duration(s) for s in (59.97, 119.6, 3599.7)] == ["1 min 0 s", "2 min 0 s", "1 h 0 min"]


def test_params_labels_and_controls_share_one_grid(nb_store):
    import ipywidgets as w

    from jupyter_dlops import start_run
    from jupyter_dlops.widgets import Params

    start_run("grid", kind="notebook")
    long = "a_very_long_parameter_name_for_the_learning_rate_schedule"
    specs = {"lr": (0.001, 0.1), long: ["cosine", "step"], "augment": True,
             **{f"p{i}": i for i in range(30)}}
    panel = Params(**specs)
    try:
        grid = panel.children[0]
        assert isinstance(grid, w.GridBox)
        # one label column as wide as the widest label (capped), one column of controls
        assert grid.layout.grid_template_columns == "max-content minmax(0, 1fr)"
        labels, controls = grid.children[::2], grid.children[1::2]
        names = [re.search(r">([^<]*)</span>$", label.value).group(1) for label in labels]
        assert names == list(specs)
        # cut to 16em with an ellipsis, the whole name in the title
        assert all(f"title='{n}'" in label.value and "max-width:16em" in label.value
                   and "text-overflow:ellipsis" in label.value for n, label in zip(names, labels, strict=True))
        assert list(controls) == list(panel._controls.values())
        assert [c.description for c in controls] == [""] * len(specs)  # no second, unaligned label
        assert panel.values[long] == "cosine" and panel.p29 == 29
    finally:
        panel.close()


def test_a_runs_widget_closed_by_any_path_ends_its_refresh_loop(nb_store, tmp_path):
    import ipywidgets as w

    from jupyter_dlops.widgets import Runs

    path = str(tmp_path / "train.ipynb")
    _make_runs(path, 1)
    widget = Runs(path, refresh=0.05)
    thread = widget._thread
    assert thread.is_alive()
    # ipywidgets' own close (Widget.close_all, the comm closing) does not go through Runs.close
    w.Widget.close(widget)
    thread.join(timeout=30)
    assert not thread.is_alive(), "the refresh loop outlived its widget"
    widget.close()
