"""Sweeps end to end: grouping, resuming, failures that do not stop the others, Ctrl-C,
Dask, and kernel starts that never collide."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jupyter_dlops.sweeps.api import sweep

pytestmark = pytest.mark.slow
DLOPS = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]


def test_sweep_groups_runs_resumes_and_survives_a_dying_kernel(store_uri, corpus):
    from jupyter_dlops.store import open_store
    from jupyter_dlops.sweeps.records import list_sweeps

    result = sweep(corpus / "maybe_dies.ipynb", {"die": [False, True], "lr": [0.1, 0.2]}, workers=2, name="s1")
    assert len(result) == 4 and result.skipped == 0
    by_params = {(r.params["die"], r.params["lr"]): r for r in result}
    assert by_params[(True, 0.1)].status == "failed" and by_params[(True, 0.1)].tags["error.kind"] == "kernel_died"
    assert by_params[(False, 0.2)].status == "finished" and by_params[(False, 0.2)].metrics["acc"].last == 0.8
    assert {r.sweep_id for r in result} == {result.sweep.sweep_id}
    frame = result.to_pandas()
    assert list(frame.sort_values("metrics.acc")["metrics.acc"].dropna())[-1] == 0.9
    again = sweep(corpus / "maybe_dies.ipynb", {"die": [False, True], "lr": [0.1, 0.2]}, workers=2, name="s1")
    assert again.skipped == 2 and len(again) == 4  # finished ones kept, failed ones re-run
    listed = list_sweeps(open_store(store_uri))
    assert listed[0]["name"] == "s1" and listed[0]["runs"] == 6 and listed[0]["finished"] == 2


def test_cli_sweep_summary_and_bad_input_leave_the_store_alone(store_uri, corpus, capsys):
    from jupyter_dlops.cli import main

    def dlops(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    for args, message in [
        (["sweep", str(corpus / "train.ipynb"), "-p", "lrr", "0.1"], "did you mean 'lr'"),
        (["sweep", str(corpus / "train.ipynb"), "-p", "lr"], "empty grid"),
        (["sweep", str(corpus / "train.ipynb"), "-p", "epochs", "x"], "expects an int"),
        (["sweep", str(corpus / "train.ipynb"), "-p", "lr", *map(str, range(200)), "-p", "epochs", *map(str, range(500))],
         "100,000 combinations"),
        (["sweep", str(corpus / "train.ipynb"), "--spec", str(corpus / "broken.ipynb")], "not valid YAML"),
        (["run", str(corpus / "broken.ipynb")], "not a valid notebook"),
    ]:
        done = dlops(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not Path(store_uri).exists()
    done = dlops("sweep", str(corpus / "train.ipynb"), "-p", "lr", "0.1", "0.3", "--sort-metric", "acc")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["run", "status"] and " 0.3 " in lines[2]  # best acc first
    assert "2 runs, 0 failed" in done.stdout


def _sweep_until(store_uri, args, wanted):
    """Start ``dlops ARGS`` and return (process, store) once the runs' statuses are ``wanted``.

    Waits on the store's state, not on a clock (a loaded machine takes long to start kernels);
    the bound only turns a sweep that never gets there into a clear failure."""
    from jupyter_dlops.store import open_store

    env = {**os.environ, "DLOPS_STORE": store_uri}
    proc = subprocess.Popen([*DLOPS, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = None
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        if Path(store_uri, "dlops.db").exists():
            store = store or open_store(store_uri)
            if wanted(sorted(r[0] for r in store.read("SELECT status FROM run"))):
                return proc, store
    proc.kill()
    pytest.fail(f"the sweep never reached the state to interrupt: {proc.communicate()[1][-2000:]}")


def test_ctrl_c_marks_running_killed_keeps_finished_and_resumes(store_uri, corpus):
    from jupyter_dlops.store import close_all

    args = ["sweep", str(corpus / "slow.ipynb"), "-p", "seconds", "0.2", "60", "--workers", "2", "--name", "cc"]
    proc, store = _sweep_until(store_uri, args, lambda statuses: statuses == ["finished", "running"])
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "resume" in err
    rows = dict(store.read("SELECT status, error FROM run"))
    assert set(rows) == {"finished", "killed"} and "interrupted" in rows["killed"]
    close_all()
    resumed = sweep(corpus / "slow.ipynb", {"seconds": [0.2, 60.0]}, name="cc", limit=1)
    assert resumed.skipped == 1 and len(resumed) == 1


def test_ctrl_c_while_kernels_start_kills_their_runs_too(store_uri, corpus):
    """Ctrl-C while a run's kernel is still starting: the kernel is killed when it comes up,
    not left to run its 60 s cell while the sweep waits (the flaky Ctrl-C test, issue 14)."""
    args = ["sweep", str(corpus / "slow.ipynb"), "-p", "seconds", "60", "61", "--workers", "2",
            "--no-prewarm", "--name", "starting"]
    proc, store = _sweep_until(store_uri, args, lambda statuses: "running" in statuses)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    rows = store.read("SELECT status, error FROM run")
    assert rows and {status for status, _ in rows} == {"killed"}, rows
    assert all(error == "interrupted (Ctrl-C)" for _, error in rows)


def test_dask_local_cluster_every_worker_writes_to_the_store(store_uri, corpus):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        result = sweep(corpus / "train.ipynb", {"lr": [0.1, 0.2, 0.3]}, executor="dask",
                       scheduler=cluster.scheduler_address, workers=2, engine="script")
    assert [r.status for r in result] == ["finished"] * 3
    assert sorted(r.metrics["acc"].last for r in result) == [0.6455, 0.754, 0.8385]


def test_dask_scheduler_that_does_not_answer_fails_fast(store_uri, corpus):
    pytest.importorskip("distributed")
    from jupyter_dlops.errors import UsageError

    began = time.monotonic()
    with pytest.raises(UsageError, match="did not answer within 5 s"):
        sweep(corpus / "train.ipynb", {"lr": [0.1]}, executor="dask", scheduler="tcp://127.0.0.1:9")
    assert time.monotonic() - began < 15
    assert not Path(store_uri).exists()


def test_kernel_starts_never_collide():
    """Concurrent starts on the IPC transport (jupyter_client #487): all succeed.
    (The benchmark runs 200 starts 16 at a time; here 16, 8 at a time, to stay quick.)"""
    from jupyter_dlops.sweeps.kernels import KernelPool, close_thread_loop, wait_ready

    pool = KernelPool()

    def start_stop(_):
        try:
            km = pool.start(None, dict(os.environ), None)
            alive = wait_ready(km, timeout=90)
            pool.release(km)
            return alive
        finally:
            close_thread_loop()

    with ThreadPoolExecutor(8) as threads:
        results = list(threads.map(start_stop, range(16)))
    pool.close()
    assert results == [True] * 16


def test_sweep_table_and_runs_on_both_stores(any_store_uri, corpus):
    """The sweep migration and its queries on SQLite and PostgreSQL, with script workers
    writing to the store named by DLOPS_STORE."""
    from jupyter_dlops.store import open_store
    from jupyter_dlops.sweeps.records import list_sweeps

    result = sweep(corpus / "train.ipynb", {"lr": [0.1, 0.2]}, engine="script", workers=2, name="both")
    assert [r.status for r in result] == ["finished", "finished"]
    again = sweep(corpus / "train.ipynb", {"lr": [0.1, 0.2]}, engine="script", name="both")
    assert again.skipped == 2
    [listed] = list_sweeps(open_store(any_store_uri))
    assert (listed["name"], listed["runs"], listed["finished"], listed["status"]) == ("both", 2, 2, "finished")
    rows = open_store(any_store_uri).read("SELECT name, runs FROM sweeps")
    assert rows == [("both", 2)]
