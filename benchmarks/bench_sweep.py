"""Sweeps side by side with papermill alone: 8 executions of a notebook whose work takes
about 1 s.

    python benchmarks/bench_sweep.py [--quick] [--json PATH] [--starts N]

Rows: papermill alone (8 executions, one process, sequential) vs ``sweep`` with
``--workers 1`` (no pre-warming, then pre-warming), ``--workers 2``, ``--engine script``
(1 and 2 workers), each with the load average it ran under; concurrent kernel starts on the IPC transport (failures out of N, 16 at a
time); and whether a kernel killed mid-run is reported as a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = 8
NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "id": "params", "metadata": {"tags": ["parameters"]}, "source": "work = 1.0\nseed = 0",
         "outputs": [], "execution_count": None},
        {"cell_type": "code", "id": "work", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "import time\ntry:\n    import jupyter_dlops as dl\nexcept ImportError:  # papermill alone, in the peers venv\n    dl = None\n"
                   "time.sleep(work)\nif dl is not None:\n    dl.log_metric('score', seed * 0.5)"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}
# papermill alone runs the same work without jupyter_dlops: when the peers venv is missing, the
# baseline's kernel comes from this venv, and a kernel that imported jupyter_dlops would log to a
# run of its own (capture included) and make the baseline look slower than papermill alone is.
PEER_NOTEBOOK = {**NOTEBOOK, "cells": [NOTEBOOK["cells"][0],
                                       {**NOTEBOOK["cells"][1], "source": "import time\ntime.sleep(work)"}]}
DIES = {**NOTEBOOK, "cells": [NOTEBOOK["cells"][0], {**NOTEBOOK["cells"][1], "source": "import os\nos.kill(os.getpid(), 9)"}]}

PEER_SCRIPT = """
import json, sys, time, papermill
nb, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
began = time.perf_counter()
for seed in range(runs):
    papermill.execute_notebook(nb, out, parameters={"seed": seed}, progress_bar=False)
print(json.dumps({"seconds": time.perf_counter() - began}))
"""
PEER_DIES = """
import sys, papermill
try:
    papermill.execute_notebook(sys.argv[1], sys.argv[2], progress_bar=False)
    print("success")
except Exception as error:
    print("failure " + type(error).__name__)
"""
OURS_SCRIPT = """
import json, sys, time
from jupyter_dlops.sweeps.api import sweep
nb, workers, engine, prewarm, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1", int(sys.argv[5])
import papermill  # imported before timing, as the peer does
began = time.perf_counter()
result = sweep(nb, {"seed": list(range(runs))}, workers=workers, engine=engine, prewarm=prewarm)
print(json.dumps({"seconds": time.perf_counter() - began, "failed": len(result.failed)}))
"""


def peer_python() -> tuple[str, str]:
    """papermill (and the kernel it starts) from the peers' venv, else from this venv."""
    sys.path.insert(0, str(HERE))
    try:
        from peers import PeerUnavailable
        from peers import peer_python as find
    except ImportError:
        return sys.executable, "papermill (this venv)"
    try:
        return str(find("papermill", "ipykernel")), "papermill"
    except PeerUnavailable as error:
        print(f"bench_sweep: peers venv unavailable ({error}); timing papermill from this venv", file=sys.stderr)
        return sys.executable, "papermill (this venv)"


def _json_out(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> dict:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, cwd=cwd)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(cmd[:3])}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ours(nb: Path, workers: int, engine: str, prewarm: bool, runs: int, folder: Path) -> float:
    store = tempfile.mkdtemp(prefix="store-", dir=folder)
    env = {**os.environ, "DLOPS_STORE": store}
    result = _json_out([sys.executable, "-c", OURS_SCRIPT, str(nb), str(workers), engine,
                        "1" if prewarm else "0", str(runs)], env)
    if result["failed"]:
        raise SystemExit(f"{result['failed']} runs failed in the benchmark sweep")
    return result["seconds"]


def kernel_starts(total: int, at_once: int = 16) -> int:
    """Failed starts out of ``total``, ``at_once`` concurrent (ready = answers kernel_info)."""
    from concurrent.futures import ThreadPoolExecutor

    from jupyter_dlops.sweeps.kernels import KernelPool, close_thread_loop, wait_ready

    pool = KernelPool()

    def one(_: int) -> bool:
        try:
            km = pool.start(None, dict(os.environ), None)
            ok = wait_ready(km, timeout=120)
            pool.release(km)
            return ok
        except Exception:
            return False
        finally:
            close_thread_loop()

    with ThreadPoolExecutor(at_once) as threads:
        results = list(threads.map(one, range(total)))
    pool.close()
    return results.count(False)


def dies_detected(folder: Path, peer: str) -> tuple[float, float]:
    nb = folder / "dies.ipynb"
    nb.write_text(json.dumps(DIES))
    done = subprocess.run([peer, "-c", PEER_DIES, str(nb), str(folder / "dies-out.ipynb")],
                          capture_output=True, text=True, timeout=300, cwd=folder)
    peer_detected = 1.0 if done.stdout.strip().startswith("failure") else 0.0
    os.environ["DLOPS_STORE"] = str(folder / "dies-store")
    from jupyter_dlops.sweeps.api import run_notebook

    run = run_notebook(nb)
    return (1.0 if run.status == "failed" else 0.0), peer_detected


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


def row(measure, value, peer, peer_value, target, unit="s", higher_better=False):
    ratio = None
    if peer_value and value:
        ratio = value / peer_value if higher_better else peer_value / value
    return {"measure": measure, "ours": round(value, 3), "peer": peer,
            "peer_value": None if peer_value is None else round(peer_value, 3),
            "ratio": None if ratio is None else round(ratio, 2), "target": target, "unit": unit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer kernel starts (32 instead of 200)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--starts", type=int, help="concurrent kernel starts to try")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dlops-bench-sweep-"))
    nb = folder / "one_second.ipynb"
    nb.write_text(json.dumps(NOTEBOOK))
    peer_nb = folder / "one_second_peer.ipynb"
    peer_nb.write_text(json.dumps(PEER_NOTEBOOK))
    peer, peer_name = peer_python()
    peer_env = {k: v for k, v in os.environ.items() if not k.startswith("DLOPS_")}
    baseline = _json_out([peer, "-c", PEER_SCRIPT, str(peer_nb), str(folder / "out.ipynb"), str(RUNS)], peer_env,
                         cwd=folder)["seconds"]
    rows = [row(f"papermill alone, 8 runs sequential (load {_load()})", baseline, peer_name, baseline, "reference")]
    for label, workers, engine, prewarm, target in [
        ("sweep --workers 1, no pre-warm", 1, "papermill", False, ">= 1.0x (no slower)"),
        ("sweep --workers 1, pre-warmed kernels", 1, "papermill", True, ">= 1.4x"),
        ("sweep --workers 2", 2, "papermill", True, ">= 2.2x"),
        ("sweep --engine script --workers 1", 1, "script", False, ">= 1.8x"),
        ("sweep --engine script --workers 2", 2, "script", False, ">= 2.8x"),
    ]:
        seconds = ours(nb, workers, engine, prewarm, RUNS, folder)
        # the machine may be shared: each figure says the load it was measured under
        rows.append(row(f"{label} (load {_load()})", seconds, peer_name, baseline, target))
    starts = args.starts or (32 if args.quick else 200)
    failed = kernel_starts(starts)
    rows.append(row(f"failed kernel starts of {starts}, 16 at a time", failed, "-", None, "<= 0", unit="count"))
    ours_dies, peer_dies = dies_detected(folder, peer)
    rows.append(row("kernel killed mid-run reported as failure", ours_dies, peer_name, peer_dies, ">= 1 (1 = yes)",
                    unit="yes=1", higher_better=True))
    _print(rows)
    if args.json:
        Path(args.json).write_text(json.dumps({"name": "sweep", "rows": rows}, indent=2))


def _print(rows: list[dict]) -> None:
    print(f"{'measure':48} {'ours':>9} {'peer':>10} {'peer value':>11} {'ratio':>7}  target")
    for r in rows:
        peer_value = "-" if r["peer_value"] is None else f"{r['peer_value']:.2f}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        print(f"{r['measure']:48} {r['ours']:>8.2f}{r['unit'][0] if r['unit'] == 's' else ' '} "
              f"{r['peer']:>10} {peer_value:>11} {ratio:>7}  {r['target']}")


if __name__ == "__main__":
    main()
