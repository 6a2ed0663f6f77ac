import math
import os
import subprocess
import sys
import time

import pytest
from helpers import add_run

from jupyter_dlops.errors import AmbiguousError, NotFoundError, UsageError
from jupyter_dlops.models import Run


def test_resolve_by_id_prefix_and_name(store):
    add_run(store, "abcdef01", name="first")
    add_run(store, "abcdff02", name="second")
    assert store.resolve_run("abcdef01") == "abcdef01"
    assert store.resolve_run("abcde") == "abcdef01"
    assert store.resolve_run("second") == "abcdff02"
    with pytest.raises(AmbiguousError, match="matches several runs"):
        store.resolve_run("abcd")
    with pytest.raises(NotFoundError, match="no run matches 'zzz'"):
        store.resolve_run("zzz")
    with pytest.raises(NotFoundError):
        store.resolve_run("abcd%")  # LIKE wildcards are literal


def test_a_shared_name_means_the_newest_run_with_a_note(store):
    add_run(store, "aa01", name="explore", start=100.0)
    add_run(store, "bb02", name="explore", start=200.0)
    add_run(store, "cc03", name="explore", start=150.0)
    assert store.resolve_run_ref("explore") == (
        "bb02", "3 runs are named 'explore'; this is the newest, bb02 (give an id to pick another)")
    assert store.get_run("explore").run_id == "bb02"
    assert store.resolve_run_ref("cc03") == ("cc03", None)


def test_params_are_typed(store):
    add_run(store, "r1", {"i": 3, "f": 0.5, "s": "x", "b": True, "n": None, "l": [1, "a"], "d": {"k": [1]}})
    params = store.get_run("r1").params
    assert params == {"i": 3, "f": 0.5, "s": "x", "b": True, "n": None, "l": [1, "a"], "d": {"k": [1]}}
    assert [type(params[k]) for k in ("i", "f", "b")] == [int, float, bool]


def test_unserialisable_param_is_refused(store):
    add_run(store, "r1")
    with pytest.raises(UsageError, match="parameter 'model' has a value of type object"):
        store.log_params("r1", {"model": object()})


def test_metric_summaries_fold_batches(store):
    add_run(store, "r1")
    store.insert_metrics([("r1", "loss", v, i, float(i)) for i, v in enumerate([3.0, 1.0, 2.0])])
    store.insert_metrics([("r1", "loss", 0.5, 3, 3.0), ("r1", "loss", float("nan"), 4, 4.0)])
    summary = store.get_run("r1").metrics["loss"]
    assert (summary.min, summary.max, summary.count, summary.last_step) == (0.5, 3.0, 5, 4)
    values = [v for _, v, _ in store.metric_series("r1")["loss"]]
    assert values[:4] == [3.0, 1.0, 2.0, 0.5] and math.isnan(values[4])  # NaN kept (issue 14)
    assert math.isnan(summary.last)


def test_a_dead_process_run_is_reaped_as_killed(store):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    import socket

    store.create_run(Run(run_id="dead", name="dead", experiment="default", kind="script", status="running",
                         start_time=time.time(), host=socket.gethostname(), pid=proc.pid))
    store.create_run(Run(run_id="alive", name="alive", experiment="default", kind="script", status="running",
                         start_time=time.time(), host=socket.gethostname(), pid=os.getpid()))
    assert store.get_run("dead").status == "killed"
    assert store.get_run("alive").status == "running"


def test_a_run_whose_heartbeat_stopped_is_reaped(store):
    store.create_run(Run(run_id="far", name="far", experiment="default", kind="script", status="running",
                         start_time=time.time() - 1000, heartbeat=time.time() - 900, host="elsewhere", pid=1))
    assert store.get_run("far").status == "killed"
