"""``%load_ext jupyter_dlops``, ``%%track`` and ``%dlops`` in a real IPython shell, recorded
into a real SQLite store."""

from __future__ import annotations

import json

import pytest
from nbtrack_helpers import cells, flush, rows, run


def load(ip, capsys=None):
    result = run(ip, "%load_ext jupyter_dlops")
    assert result.success, result
    from jupyter_dlops import magics

    return magics.extension_for(ip)


def test_load_starts_a_notebook_run_named_after_the_notebook(ip, nb_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "explore.ipynb"))
    extension = load(ip)
    assert "tracking into run" in capsys.readouterr().out
    run_row = rows(nb_store, "SELECT name, kind, status, entry_point FROM run")
    run_id = extension.run.run_id
    # The stem and the id's start: runs of one notebook tell apart (issue 15).
    assert run_row == [(f"explore-{run_id[:6]}", "notebook", "running", str(tmp_path / "explore.ipynb"))]
    assert run_id == rows(nb_store, "SELECT run_id FROM run")[0][0]


def test_without_a_notebook_path_the_run_is_called_notebook(ip, nb_store):
    run_id = load(ip).run.run_id
    assert rows(nb_store, "SELECT name, kind FROM run") == [(f"notebook-{run_id[:6]}", "notebook")]


def test_reloading_the_extension_resumes_the_same_run(ip, nb_store):
    first = load(ip).run.run_id
    run(ip, "%%track\na = 1")
    run(ip, "%unload_ext jupyter_dlops")
    second = load(ip).run.run_id
    run(ip, "%%track\nb = a + 1")
    flush(ip)
    assert first == second
    assert rows(nb_store, "SELECT COUNT(*) FROM run") == [(1,)]
    assert [c["exec_order"] for c in cells(nb_store)] == [1, 2]


def test_a_tracked_cell_records_source_names_fingerprints_and_timing(ip, nb_store):
    extension = load(ip)
    run(ip, "import numpy as np\nbase = np.arange(10)")
    result = run(ip, "%%track\nscaled = base * 2\nlabel = 'x'\nscaled.sum()")
    assert result.success and result.result == 90
    flush(ip)
    [cell] = cells(nb_store)
    assert cell["run_id"] == extension.run.run_id
    assert cell["reads"] == ["base"]
    assert cell["writes"] == ["label", "scaled"]
    assert cell["fingerprints"]["scaled"]["shape"] == [10]
    assert len(cell["fingerprints"]["scaled"]["hash"]) == 64
    assert cell["duration"] >= 0 and cell["start_time"] > 0
    assert cell["execution_count"] == 3 and cell["error"] is None
    assert cell["outputs"]["result"]["type"].endswith("int64")
    source = extension.run.store.objects.read_bytes(cell["source_object"]).decode()
    assert source.startswith("%%track") and "scaled = base * 2" in source


def test_unchanged_source_is_stored_once(ip, nb_store):
    load(ip)
    for _ in range(3):
        run(ip, "%%track\nx = 1")
    flush(ip)
    objects = {c["source_object"] for c in cells(nb_store)}
    assert len(objects) == 1 and len(cells(nb_store)) == 3


@pytest.mark.parametrize("code, mutated", [
    ("lst.append(3)", "lst"),
    ("df['b'] = 1", "df"),
    ("obj.attr = 5", "obj"),
    ("grow(lst)", "lst"),          # no AST clue: seen by the shallow length check
    ("d.update(k=1)", "d"),
], ids=["append", "setitem", "setattr", "mutated-by-a-function", "dict-update"])
def test_in_place_mutations_count_as_writes(ip, nb_store, code, mutated):
    load(ip)
    run(ip, "import types\nlst = [1, 2]\ndf = {}\nobj = types.SimpleNamespace()\nd = {}\n"
            "def grow(x):\n    x.append(0)")
    run(ip, f"%%track\n{code}")
    flush(ip)
    assert mutated in cells(nb_store)[0]["writes"]


def test_reading_without_mutating_is_not_a_write(ip, nb_store):
    load(ip)
    run(ip, "lst = [1, 2]")
    run(ip, "%%track\ntotal = sum(lst)\nlst.index(2)")
    flush(ip)
    [cell] = cells(nb_store)
    assert cell["reads"] == ["lst"] and cell["writes"] == ["total"]


def test_params_become_typed_run_parameters(ip, nb_store):
    load(ip)
    run(ip, "%%track --params\nlr = 0.01\nepochs = 5\nname = 'resnet'\nuse_gpu = False\n"
            "layers = [64, 32]\nopt = {'beta': 0.9}\nnothing = None\nderived = lr * 2")
    flush(ip)
    params = dict((k, (t, json.loads(v))) for k, t, v in rows(nb_store, "SELECT key, type, json FROM param"))
    assert params == {"lr": ("float", 0.01), "epochs": ("int", 5), "name": ("str", "resnet"),
                      "use_gpu": ("bool", False), "layers": ("list", [64, 32]),
                      "opt": ("dict", {"beta": 0.9}), "nothing": ("none", None)}
    assert cells(nb_store)[0]["params"]["epochs"] == 5


def test_a_raising_cell_is_recorded_and_the_run_stays_alive(ip, nb_store):
    extension = load(ip)
    result = run(ip, "%%track\nx = 1\nraise ValueError('bad input row 7')")
    assert isinstance(result.error_in_exec, ValueError)
    assert run(ip, "%%track\ny = x + 1").success
    flush(ip)
    failed, ok = cells(nb_store)
    assert failed["error"] == "ValueError: bad input row 7" and failed["writes"] == ["x"]
    assert ok["error"] is None and ok["reads"] == ["x"]
    assert extension.run.info.status == "running"


def test_a_syntax_error_is_recorded_with_its_error(ip, nb_store):
    load(ip)
    result = run(ip, "%%track\nx = (")
    assert not result.success
    flush(ip)
    [cell] = cells(nb_store)
    assert "SyntaxError" in cell["error"] and cell["writes"] == []


def test_unknown_track_option_is_a_one_line_usage_error(ip, nb_store, capsys):
    load(ip)
    before = rows(nb_store, "SELECT COUNT(*) FROM cell_execution")
    result = run(ip, "%%track --bogus\nx = 1")
    assert not result.success
    err = capsys.readouterr().err.strip()
    assert err == "UsageError: unrecognized arguments: --bogus"
    assert "x" not in ip.user_ns
    flush(ip)
    assert rows(nb_store, "SELECT COUNT(*) FROM cell_execution") == before


def test_deleting_variables_is_recorded_and_forgets_their_definition(ip, nb_store, capsys):
    load(ip)
    run(ip, "%%track\na = 1\nb = 2")
    run(ip, "%%track\ndel a")
    flush(ip)
    assert cells(nb_store)[1]["deleted"] == ["a"]
    capsys.readouterr()
    run(ip, "%dlops state")
    out = capsys.readouterr().out
    assert "b " in out and "\na " not in out


def test_metrics_logged_inside_the_cell_are_recorded(ip, nb_store):
    load(ip)
    run(ip, "%%track\nimport jupyter_dlops as dl\nfor i in range(3):\n    dl.log_metric('loss', 1 / (i + 1))")
    flush(ip)
    assert cells(nb_store)[0]["metrics"] == {"loss": [0, 2]}
    assert rows(nb_store, "SELECT COUNT(*) FROM metrics WHERE key = 'loss'") == [(3,)]


def test_outputs_are_recorded_and_secrets_redacted(ip, nb_store, monkeypatch):
    monkeypatch.setenv("MY_API_TOKEN", "s3cr3t-value-123456")
    load(ip)
    run(ip, "%%track\nimport os\nprint('token is', os.environ['MY_API_TOKEN'])")
    flush(ip)
    [cell] = cells(nb_store)
    assert cell["outputs"]["stdout"].startswith("token is ")
    assert "s3cr3t-value-123456" not in json.dumps(cell)


def test_magics_inside_a_tracked_cell_still_work(ip, nb_store):
    load(ip)
    result = run(ip, "%%track\nn = 3\nfiles = !echo hello\n%time m = n * 2")
    assert result.success and ip.user_ns["m"] == 6
    flush(ip)
    assert {"n", "m", "files"} <= set(cells(nb_store)[0]["writes"])


def test_track_all_records_every_cell_and_track_none_stops(ip, nb_store):
    load(ip)
    run(ip, "%dlops track-all")
    run(ip, "a = 1")
    run(ip, "b = a + 1")
    run(ip, "%dlops track-none")
    run(ip, "c = 3")
    flush(ip)
    recorded = cells(nb_store)
    assert [c["writes"] for c in recorded] == [["a"], ["b"]]
    assert recorded[1]["reads"] == ["a"]


def test_track_all_records_errors_too(ip, nb_store):
    load(ip)
    run(ip, "%dlops track-all")
    run(ip, "1 / 0")
    run(ip, "%dlops track-none")
    flush(ip)
    assert "ZeroDivisionError" in cells(nb_store)[0]["error"]


def test_new_run_and_end(ip, nb_store, capsys):
    extension = load(ip)
    first = extension.run.run_id
    run(ip, "%%track\nx = 1")
    run(ip, "%dlops new-run second try")
    second = extension.run.run_id
    assert second != first
    run(ip, "%%track\ny = 2")
    run(ip, "%dlops end")
    capsys.readouterr()
    run(ip, "%%track\nz = 3")
    assert "runs untracked" in capsys.readouterr().out and ip.user_ns["z"] == 3
    statuses = dict(rows(nb_store, "SELECT name, status FROM run"))
    assert statuses == {f"notebook-{first[:6]}": "finished", "second try": "finished"}
    by_run = {}
    for cell in cells(nb_store):
        by_run.setdefault(cell["run_id"], []).append(cell["writes"])
    assert by_run == {first: [["x"]], second: [["y"]]}


def test_ended_run_is_not_resumed(ip, nb_store):
    load(ip)
    run(ip, "%dlops end")
    run(ip, "%unload_ext jupyter_dlops")
    from jupyter_dlops.tracking import fluent

    assert fluent.active_run() is None
    load(ip)
    assert rows(nb_store, "SELECT COUNT(*) FROM run") == [(2,)]


def test_status_and_unknown_command(ip, nb_store, capsys):
    load(ip)
    capsys.readouterr()
    run(ip, "%dlops status")
    out = capsys.readouterr().out
    assert out.startswith("run ") and str(nb_store) in out
    result = run(ip, "%dlops frobnicate")
    assert not result.success
    assert capsys.readouterr().err.strip().startswith("UsageError: unknown %dlops command 'frobnicate'")


def test_attaches_to_the_launchers_run_under_dlops_run_id(ip, nb_store, monkeypatch):
    from jupyter_dlops.tracking.client import DlopsClient

    launcher = DlopsClient(str(nb_store)).create_run("sweep-1", {"lr": 0.1}, kind="papermill")
    monkeypatch.setenv("DLOPS_RUN_ID", launcher)
    extension = load(ip)
    assert extension.run.run_id == launcher and not extension.run.owned
    run(ip, "%%track\nx = 1")
    flush(ip)
    assert cells(nb_store)[0]["run_id"] == launcher
    assert rows(nb_store, "SELECT COUNT(*) FROM run") == [(1,)]


def test_top_level_await_is_a_clear_usage_error(ip, nb_store, capsys):
    load(ip)
    result = run(ip, "%%track\nimport asyncio\nawait asyncio.sleep(0)")
    assert not result.success
    assert "cannot run top-level await" in capsys.readouterr().err
    assert run(ip, "%%track\nasync def f():\n    await g()\nx = 1").success


def test_garbage_collection_keeps_cell_sources(ip, nb_store):
    from jupyter_dlops.store import open_store
    from jupyter_dlops.store.gc import collect

    load(ip)
    run(ip, "%%track\nkeep_me = 1")
    flush(ip)
    [cell] = cells(nb_store)
    report = collect(open_store(str(nb_store)), grace_seconds=0)
    assert cell["source_object"] not in report.removed
    assert open_store(str(nb_store)).objects.exists(cell["source_object"])


def test_track_params_are_redacted_in_every_table(ip, nb_store):
    """``%%track --params`` wrote raw values into ``cell_execution.params`` while the
    ``params`` view was redacted (issue 14): every table goes through one gate now."""
    load(ip)
    run(ip, "%%track --params\napi_key = 'plain-secret-value-99'\nauth = {'user': 'u', 'pw': 'x-77'}\nlr = 0.1")
    flush(ip)
    [cell] = cells(nb_store)
    assert cell["params"] == {"api_key": "***redacted***", "auth": "***redacted***", "lr": 0.1}
    everything = json.dumps(rows(nb_store, "SELECT * FROM cell_executions")) + json.dumps(rows(nb_store, "SELECT * FROM params"))
    assert "plain-secret-value-99" not in everything and "x-77" not in everything


def test_dlops_autolog_turns_on_the_named_frameworks(ip, nb_store, capsys):
    import importlib.util

    if importlib.util.find_spec("keras") is None:  # found, not imported: autolog imports nothing
        pytest.skip("needs keras (pip install '.[dl]')")
    load(ip)
    capsys.readouterr()
    assert run(ip, "%dlops autolog keras").success
    assert capsys.readouterr().out == "dlops: autolog on for keras\n"
    failed = run(ip, "%dlops autolog tensorflow")
    assert not failed.success
    assert "unknown framework 'tensorflow'" in str(failed.error_in_exec)
