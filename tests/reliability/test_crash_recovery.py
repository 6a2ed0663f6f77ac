"""SIGKILL in the middle of logging (a script, a papermill kernel, an object being written):
the store stays consistent, the run reads as killed, and everything logged more than a
second before the kill is there."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import run_python

from jupyter_dlops.store import close_all, open_store

VICTIM = r'''
import sys, time
import jupyter_dlops as dl

ledger = open(sys.argv[1], "a", buffering=1)
with dl.start_run(name="victim") as run:
    ledger.write(f"run {run.run_id}\n")
    i = 0
    while True:
        run.log_metric("step", i, step=i)
        ledger.write(f"{i} {time.time()}\n")  # the value is logged (buffered) at this time
        i += 1
        time.sleep(0.002)
'''


def read_ledger(path: Path) -> tuple[str, list[tuple[int, float]]]:
    run_id, entries = "", []
    for line in path.read_text().splitlines():
        head, _, tail = line.partition(" ")
        if head == "run":
            run_id = tail
        elif tail:
            entries.append((int(head), float(tail)))
    return run_id, entries


def wait_for_ledger(path: Path, seconds: float, proc: subprocess.Popen, count: int = 300) -> None:
    """Until the child has logged for ``seconds`` and at least ``count`` values (a loaded
    machine logs fewer values per second)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            log = path.parent / "stderr.txt"
            raise AssertionError(f"the child exited early: {log.read_text()[-3000:] if log.exists() else ''}")
        if path.exists():
            _, entries = read_ledger(path)
            if entries and entries[-1][1] - entries[0][1] >= seconds and len(entries) >= count:
                return
        time.sleep(0.05)
    log = path.parent / "stderr.txt"
    raise AssertionError(f"the child never logged long enough: {log.read_text()[-3000:] if log.exists() else ''}")


def check_after_kill(store_uri: str, ledger: Path, killed_at: float, min_values: int = 50) -> dict:
    close_all()
    store = open_store(store_uri)
    assert store.integrity_check() == "ok"
    run_id, entries = read_ledger(ledger)
    run = store.get_run(run_id)  # reading reaps: the writer's pid is gone
    assert run.status == "killed", run
    assert run.end_time is not None and run.end_time >= run.start_time
    stored = {int(step) for step, _, _ in store.metric_series(run_id).get("step", [])}
    due = [step for step, when in entries if when < killed_at - 1.0]
    assert len(due) >= min_values
    missing = sorted(set(due) - stored)
    assert missing == [], f"{len(missing)} values logged > 1 s before the kill are missing"
    lost_window = killed_at - max((when for step, when in entries if step in stored), default=killed_at)
    return {"logged": len(entries), "stored": len(stored), "lost_seconds": round(lost_window, 3)}


@pytest.mark.slow
def test_script_killed_mid_logging(any_store_uri, child_env, tmp_path):
    script, ledger = tmp_path / "victim.py", tmp_path / "ledger.txt"
    script.write_text(VICTIM)
    proc = subprocess.Popen([sys.executable, str(script), str(ledger)], env=child_env(any_store_uri),
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_ledger(ledger, 2.5, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        killed_at = time.time()
        proc.wait(timeout=30)
    figures = check_after_kill(any_store_uri, ledger, killed_at)
    print(f"\nSIGKILL {any_store_uri.split(':')[0]}: {figures}")


NOTEBOOK_CELLS = [
    "import os, time\nimport jupyter_dlops as dl\nledger = open(LEDGER, 'a', buffering=1)",
    "ledger.write(f\"run {os.environ['DLOPS_RUN_ID']}\\n\")\ndl.log_metric('attached', 1)\n"
    "start = time.time()\ni = 0\n"
    "while time.time() - start < 2.5:\n    dl.log_metric('step', i, step=i)\n"
    "    ledger.write(f'{i} {time.time()}\\n')\n    i += 1\n    time.sleep(0.002)\n"
    "if DIE:\n    os.kill(os.getpid(), 9)\nelse:\n    time.sleep(600)",
]

LAUNCHER = r'''
import os, sys
import papermill as pm
import jupyter_dlops as dl

source, output, ledger, die = sys.argv[1:5]
with dl.start_run(name="papermill-victim", kind="papermill") as run:
    os.environ["DLOPS_RUN_ID"] = run.run_id  # the kernel attaches to this run
    pm.execute_notebook(source, output, parameters={"LEDGER": ledger, "DIE": die == "1"},
                        kernel_name="python3", progress_bar=False, log_output=False)
'''


def _notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("LEDGER = ''\nDIE = False", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _launch_papermill(store_uri, child_env, tmp_path, die: bool) -> tuple[subprocess.Popen, Path]:
    _notebook(tmp_path / "victim.ipynb")
    (tmp_path / "launcher.py").write_text(LAUNCHER)
    ledger = tmp_path / "ledger.txt"
    with open(tmp_path / "stderr.txt", "w") as err:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [sys.executable, str(tmp_path / "launcher.py"), str(tmp_path / "victim.ipynb"),
             str(tmp_path / "out.ipynb"), str(ledger), "1" if die else "0"],
            env=child_env(store_uri), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True)
    return proc, ledger


@pytest.mark.slow
def test_papermill_kernel_and_launcher_killed(any_store_uri, child_env, tmp_path):
    """A machine going away mid-run: the launcher and its kernel are SIGKILLed together."""
    proc, ledger = _launch_papermill(any_store_uri, child_env, tmp_path, die=False)
    try:
        wait_for_ledger(ledger, 2.0, proc, count=0)
        time.sleep(0.5)  # the kernel sleeps now; it logged everything at least 0.5 s ago
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        killed_at = time.time()
        proc.wait(timeout=30)
    figures = check_after_kill(any_store_uri, ledger, killed_at)
    print(f"\npapermill group SIGKILL: {figures}")


@pytest.mark.slow
def test_papermill_kernel_dies(any_store_uri, child_env, tmp_path):
    """The kernel alone dies (SIGKILL from inside a cell): the run must not read as finished,
    its error names the dead kernel, and the values it logged are there."""
    proc, ledger = _launch_papermill(any_store_uri, child_env, tmp_path, die=True)
    try:
        proc.wait(timeout=180)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    err = (tmp_path / "stderr.txt").read_text()
    close_all()
    store = open_store(any_store_uri)
    assert store.integrity_check() == "ok"
    run_id, entries = read_ledger(ledger)
    run = store.get_run(run_id)
    assert run.status in ("failed", "killed"), (run.status, err[-2000:])
    assert "kernel" in (run.error or "").lower()
    stored = {int(s) for s, _, _ in store.metric_series(run_id).get("step", [])}
    last = entries[-1][1]
    assert {s for s, when in entries if when < last - 1.0} <= stored


KILL_ON_RENAME = r'''
import os, signal, sys
import jupyter_dlops as dl

def die(src, dst):  # fault injection: the machine stops between the temp write and the rename
    print("tmp", src, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

with dl.start_run(name="torn", capture=False) as run:
    run.log_metric("before", 1.0)
    run.flush()
    os.replace = die
    run.log_artifact(sys.argv[1])
'''


def test_kill_between_temp_write_and_rename(any_store_uri, child_env, tmp_path):
    payload = tmp_path / "model.bin"
    payload.write_bytes(os.urandom(256 * 1024))
    done = run_python(KILL_ON_RENAME, child_env(any_store_uri), tmp_path, str(payload), check=False)
    assert done.returncode == -signal.SIGKILL
    tmp_file = Path(done.stdout.split("tmp ", 1)[1].split()[0])
    assert tmp_file.exists()  # the temp file was fully written, never renamed

    close_all()
    store = open_store(any_store_uri)
    from jupyter_dlops.store.objects import hash_file

    object_id = hash_file(payload)
    assert not store.objects.exists(object_id)
    assert object_id not in set(store.objects.iter_ids())
    assert store.read("SELECT COUNT(*) FROM artifact")[0][0] == 0
    (run_id,) = store.search_run_ids("name = 'torn'")
    assert store.get_run(run_id).status == "killed"
    assert store.integrity_check() == "ok"

    dlops = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import run; sys.exit(run())"]
    env = child_env(any_store_uri)
    kept = subprocess.run([*dlops, "gc", "--json"], env=env, capture_output=True, text=True)
    assert kept.returncode == 0 and json.loads(kept.stdout)["temporary_removed"] == 0  # young: kept
    removed = subprocess.run([*dlops, "gc", "--grace", "0", "--json"], env=env, capture_output=True, text=True)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout)["temporary_removed"] == 1
    assert not tmp_file.exists() and list(store.objects.iter_temporary()) == []
