"""A hostile machine: the disk fills up while an artifact is written, the store sits on a
read-only mount, two ``dlops gc`` run at once while runs write, the wall clock steps back."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import run_python

import jupyter_dlops as dl
from jupyter_dlops.errors import StoreError
from jupyter_dlops.store import close_all, open_store

DLOPS = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import run; sys.exit(run())"]


def _mount(*args: str) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def tmpfs(folder: Path, size: str):
    """A tiny tmpfs at ``folder``; yields False where mounting is not permitted."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield mounted
    finally:
        close_all()
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _store_state(store) -> list:
    return [store.read("SELECT run_id, status FROM run ORDER BY run_id"),
            store.read("SELECT run_id, path, object_id FROM artifact ORDER BY path"),
            sorted(store.objects.iter_ids())]


# -- disk full ---------------------------------------------------------------------------
def test_disk_full_while_writing_an_artifact(tmp_path, monkeypatch):
    big = tmp_path / "model.bin"
    big.write_bytes(os.urandom(3 * 2**20))
    with tmpfs(tmp_path / "small", "1m") as mounted:
        if not mounted:
            return _disk_full_by_rlimit(tmp_path, big)
        monkeypatch.setenv("DLOPS_STORE", str(tmp_path / "small" / "store"))
        with dl.start_run(name="full", capture=False) as run:
            run.log_metric("loss", 1.0)
            (tmp_path / "small.txt").write_text("fits")
            run.log_artifact(tmp_path / "small.txt")
            store = run.store
            before = _store_state(store)
            with pytest.raises(StoreError, match="no space left on the device") as error:
                run.log_artifact(big)
            assert "\n" not in str(error.value)
            assert _store_state(store) == before  # no row, no object, no half-written file
            assert list(store.objects.iter_temporary()) == []
        assert store.get_run(run.run_id).status == "finished"  # the run itself still ends cleanly
        assert store.integrity_check() == "ok"


RLIMIT_CHILD = r'''
import resource, signal, sys
import jupyter_dlops as dl
from jupyter_dlops.errors import StoreError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
with dl.start_run(name="full", capture=False) as run:
    store = run.store
    resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))
    try:
        run.log_artifact(sys.argv[1])
    except StoreError as error:
        print("ERROR", error)
'''


def _disk_full_by_rlimit(tmp_path: Path, big: Path) -> None:
    """Where mounting is not permitted: a file-size limit makes the same write fail."""
    env = {**os.environ, "DLOPS_STORE": str(tmp_path / "store")}
    done = run_python(RLIMIT_CHILD, env, tmp_path, str(big))
    assert "ERROR" in done.stdout and "object store" in done.stdout
    store = open_store(str(tmp_path / "store"))
    assert store.read("SELECT COUNT(*) FROM artifact")[0][0] == 0
    assert list(store.objects.iter_ids()) == [] and list(store.objects.iter_temporary()) == []


# -- read-only mount -----------------------------------------------------------------------
def test_store_on_a_read_only_mount(tmp_path):
    folder = tmp_path / "mnt"
    with tmpfs(folder, "8m") as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN)")
        uri = str(folder / "store")
        with dl.start_run(name="before-ro", params={"lr": 0.1}, capture=False, store=uri) as run:
            run.log_metric("acc", 0.9)
        close_all()
        assert _mount("-o", "remount,ro", str(folder))
        env = {**os.environ, "DLOPS_STORE": uri}
        listed = subprocess.run([*DLOPS, "runs", "--json"], env=env, capture_output=True, text=True)
        assert listed.returncode == 0, listed.stderr
        assert run.run_id in listed.stdout
        shown = subprocess.run([*DLOPS, "show", "before-ro"], env=env, capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        for command in (["gc", "--grace", "0"], ["init"]):
            done = subprocess.run([*DLOPS, *command], env=env, capture_output=True, text=True)
            assert done.returncode in (0, 4), done.stderr
            assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) <= 1
        writer = run_python("import jupyter_dlops as dl\nwith dl.start_run(capture=False):\n    pass\n",
                            env, tmp_path, check=False)
        assert writer.returncode != 0 and "read-only" in writer.stderr


# -- two gc at once while runs write --------------------------------------------------------
WRITER = r'''
import os, sys
import jupyter_dlops as dl
index, folder = int(sys.argv[1]), sys.argv[2]
i = 0
with dl.start_run(name=f"writer-{index}", capture=False) as run:
    while not os.path.exists(os.path.join(folder, "stop")):
        # a new object each time, and one old unreferenced object reused (deduplicated)
        run.client.log_bytes(run.run_id, f"w{index}-{i}".encode() * 200, f"a{i}.bin")
        run.client.log_bytes(run.run_id, b"old garbage %d" % (i % 3), f"reused{i}.bin")
        run.log_metric("i", i)
        i += 1
        if i == 3:  # old objects 0-2 are referenced now: the collectors may start
            open(os.path.join(folder, f"ready-{index}"), "w").close()
print(i)
'''


@pytest.mark.slow
def test_two_gc_at_once_while_runs_write(any_store_uri, child_env, tmp_path):
    store = open_store(any_store_uri)
    old = [store.objects.put_bytes(b"old garbage %d" % i) for i in range(6)]  # 0-2 get reused
    hour_ago = time.time() - 7200
    for object_id in old:
        os.utime(store.objects.path(object_id), (hour_ago, hour_ago))
    close_all()
    env = child_env(any_store_uri)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    signals = tmp_path / "signals"
    signals.mkdir()
    writers = [subprocess.Popen([sys.executable, str(script), str(i), str(signals)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(3)]
    # event-based, not timed: the collectors start once every writer has reused objects 0-2
    while len(list(signals.glob("ready-*"))) < 3:
        assert all(p.poll() is None for p in writers), [p.communicate() for p in writers]
        time.sleep(0.05)
    gcs = []
    for _ in range(3):  # three rounds of two collectors at once, while the writers go on
        pair = [subprocess.Popen([*DLOPS, "gc", "--json"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        gcs += [(p, *p.communicate(timeout=120)) for p in pair]
    (signals / "stop").touch()
    for proc in writers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    for proc, _, err in gcs:
        assert proc.returncode == 0, err
    removed = sum(len(json.loads(out)["removed"]) for _, out, _ in gcs)
    assert removed == 3  # the three old objects nobody reused, each removed exactly once
    store = open_store(any_store_uri)
    for (object_id,) in store.read("SELECT DISTINCT object_id FROM artifact"):
        assert store.objects.exists(object_id), "gc removed an object a run references"
    assert store.integrity_check() == "ok"
    print(f"\n{len(gcs)} gc processes while 3 runs wrote "
          f"{store.read('SELECT COUNT(*) FROM artifact')[0][0]} artifacts")


# -- the wall clock steps back ---------------------------------------------------------------
CLOCK_CHILD = r'''
import time
import jupyter_dlops as dl
real = time.time
with dl.start_run(name="clock") as run:
    run.log_metric("x", 1.0)
    time.sleep(0.5)
    time.time = lambda: real() - 3600  # NTP steps the clock back an hour
    time.sleep(1.0)                     # samples and heartbeats happen on the stepped clock
    run.log_metric("x", 2.0)
    time.time = lambda: real() - 7200  # and once more
    time.sleep(0.6)
print("ok")
'''


@pytest.mark.slow
def test_clock_going_backwards(any_store_uri, child_env, tmp_path):
    env = child_env(any_store_uri, DLOPS_SAMPLE_INTERVAL="0.1", DLOPS_HEARTBEAT_INTERVAL="0.2")
    done = run_python(CLOCK_CHILD, env, tmp_path)
    assert done.stdout.strip() == "ok" and "Traceback" not in done.stderr, done.stderr
    store = open_store(any_store_uri)
    (run_id,) = store.search_run_ids("name = 'clock'")
    run = store.get_run(run_id)
    assert run.status == "finished"
    assert run.end_time >= run.start_time and (run.heartbeat or run.start_time) >= run.start_time
    assert store.query_readonly(f"SELECT duration FROM runs WHERE run_id = '{run_id}'")[1][0][0] >= 0
    assert run.sections["usage"]["samples"] >= 5
    cost = run.sections["cost"]
    assert cost["hours"] > 0 and cost["cost"] >= 0  # measured on the monotonic clock: ~2 s
    assert 1.5 / 3600 <= cost["hours"] <= 30 / 3600


def test_gc_spares_an_old_object_being_reused(tmp_path):
    """A writer deduplicating against an old unreferenced object has not written its row yet
    when gc runs: the reuse refreshes the object's age, so gc's grace period spares it."""
    from jupyter_dlops.store.gc import collect

    store = open_store(str(tmp_path / "store"))
    reused, garbage = store.objects.put_bytes(b"checkpoint"), store.objects.put_bytes(b"garbage")
    for object_id in (reused, garbage):
        os.utime(store.objects.path(object_id), (time.time() - 7200,) * 2)
    assert store.objects.put_bytes(b"checkpoint") == reused  # dedup hit; the row comes later
    report = collect(store)
    assert report.removed == [garbage] and store.objects.exists(reused)
    close_all()
