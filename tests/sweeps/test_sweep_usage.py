"""Usage of papermill and script-engine runs: the launcher samples the kernel (or the script's
process) and its children into ``sys/*`` series, as a script's own run does (issue 15)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from jupyter_dlops.capture.usage import UsageSampler, _GpuReader
from jupyter_dlops.sweeps.api import run_notebook

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("engine, notebook", [("papermill", "one_second.ipynb"),
                                              ("script", "train_script.py")])
def test_every_sweep_run_has_usage_series(any_store_uri, corpus, monkeypatch, engine, notebook):
    monkeypatch.setenv("DLOPS_SAMPLE_INTERVAL", "0.1")
    params = {"work": 1.0} if engine == "papermill" else {"epochs": 3}
    run = run_notebook(corpus / notebook, params, engine=engine)
    assert run.status == "finished", run.error
    assert run.metrics["sys/rss_mb"].count >= 1 and run.metrics["sys/cpu_percent"].count >= 1
    # a Python process with jupyter_dlops loaded holds well over 10 MB; the launcher alone
    # would not be sampled at all
    assert run.metrics["sys/rss_mb"].max > 10
    usage = run.sections["usage"]
    assert usage["samples"] == run.metrics["sys/rss_mb"].count
    assert usage["peaks"]["rss_mb"] == pytest.approx(run.metrics["sys/rss_mb"].max, abs=0.01)
    if not _GpuReader().handles:  # no driver here: no GPU series, and nothing failed
        assert not [k for k in run.metrics if k.startswith("sys/gpu")]


def test_children_count_with_their_cpu(tmp_path):
    """A child's CPU was always 0: a fresh psutil.Process reads 0 the first time."""
    parent = subprocess.Popen([sys.executable, "-c",
                               "import subprocess, sys\n"
                               "child = subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n"
                               "sys.stdin.read()\nchild.kill()"], stdin=subprocess.PIPE)
    try:
        sampler = UsageSampler(lambda values, when: None, lambda: None, pid=parent.pid)
        deadline = time.monotonic() + 60
        while len(sampler.family()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        best = 0.0
        for _ in range(10):  # the busy child gets a share of a loaded machine's cores
            time.sleep(0.3)
            best = max(best, sampler.sample()["sys/cpu_percent"])
        assert best > 5
        sampler.stop()
    finally:
        parent.communicate(b"", timeout=30)


def test_no_gpu_driver_reads_nothing_and_fails_nothing():
    """nvidia-ml-py is installed here without a driver: NVML cannot start, no series."""
    reader = _GpuReader()
    if reader.handles:
        pytest.skip("a GPU is present: the no-driver path cannot be checked here")
    assert reader.read() == {} and reader.nvml is None
    reader.close()
