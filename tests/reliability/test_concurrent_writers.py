"""16 processes writing at once, each 1,000 metric values and 10 artifacts, into one shared
run (attached through DLOPS_RUN_ID) or into a run of their own, on SQLite and PostgreSQL:
every value and every artifact lands, and no "database is locked" reaches anyone."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from jupyter_dlops.store import close_all, open_store
from jupyter_dlops.store.objects import hash_bytes
from jupyter_dlops.tracking.client import DlopsClient

WORKERS, VALUES, ARTIFACTS = 16, 1000, 10

WORKER = r'''
import sys, time
from pathlib import Path
import jupyter_dlops as dl

index, go, folder = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
folder.mkdir(parents=True, exist_ok=True)
while not go.exists():  # start together, after every interpreter is up
    time.sleep(0.005)
with dl.start_run(name=f"worker-{index}") as run:
    for i in range(1000):
        run.log_metric("m", index * 1000 + i, step=i)
        if i % 100 == 99:
            j = i // 100
            path = folder / f"a{j}.bin"
            path.write_bytes(f"worker {index} artifact {j} ".encode() * 500)
            run.log_artifact(path, name=f"w{index}/a{j}.bin")
print("done", run.run_id)
'''


def expected_artifacts() -> dict[str, str]:
    return {f"w{i}/a{j}.bin": hash_bytes(f"worker {i} artifact {j} ".encode() * 500)
            for i in range(WORKERS) for j in range(ARTIFACTS)}


def launch(tmp_path, env) -> tuple[list[subprocess.CompletedProcess], float]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, str(script), str(i), str(go), str(tmp_path / f"w{i}")],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(WORKERS)]
    time.sleep(2.0)  # let the interpreters import; the clock starts at "go"
    start = time.perf_counter()
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results, time.perf_counter() - start


def check_workers(results) -> None:
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr.lower() and "dlops:" not in result.stderr, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("shared", [True, False], ids=["one-shared-run", "own-runs"])
def test_sixteen_writers(any_store_uri, child_env, tmp_path, shared, record_property):
    store = open_store(any_store_uri)
    run_id = DlopsClient(store).create_run("shared") if shared else None
    close_all()
    env = child_env(any_store_uri, **({"DLOPS_RUN_ID": run_id} if shared else {}))
    results, seconds = launch(tmp_path, env)
    check_workers(results)

    store = open_store(any_store_uri)
    runs = store.search_run_ids("name like 'worker-%'")
    assert len(runs) == (0 if shared else WORKERS)
    assert all(store.get_run(r).status == "finished" for r in runs)
    rows = store.read("SELECT COUNT(*), COUNT(DISTINCT value) FROM metrics WHERE key = 'm'")[0]
    assert rows == (WORKERS * VALUES, WORKERS * VALUES)
    summaries = store.read("SELECT SUM(count), MIN(min), MAX(max) FROM metric_summary WHERE key = 'm'")[0]
    assert summaries == (WORKERS * VALUES, 0.0, WORKERS * VALUES - 1.0)
    stored = {path: oid for path, oid in store.read("SELECT path, object_id FROM artifact")}
    assert stored == expected_artifacts()
    for object_id in stored.values():
        assert hash_bytes(store.objects.read_bytes(object_id)) == object_id
    assert store.integrity_check() == "ok"
    rate = WORKERS * VALUES / seconds
    record_property("seconds", round(seconds, 2))
    print(f"\n{store.dialect} {'shared' if shared else 'own'}: {WORKERS} writers, "
          f"{WORKERS * VALUES} values + {WORKERS * ARTIFACTS} artifacts in {seconds:.2f}s ({rate:,.0f} values/s)")
