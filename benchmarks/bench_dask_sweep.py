"""A Dask sweep whose workers share no directory with the submitter, against the same sweep
with a shared directory (issue 19): 8 runs on 2 workers of a ``LocalCluster`` (processes).

    python benchmarks/bench_dask_sweep.py            # 8 runs of 1 s of work, papermill engine
    python benchmarks/bench_dask_sweep.py --quick    # 2 runs of 0.1 s, script engine
    python benchmarks/bench_dask_sweep.py --engine script --repeat 3

Both sweeps use one SQLite database. With a shared directory the objects are a folder beside
it and the workers read the notebook by its path; with none, the objects are a bucket on a
local S3-compatible server (moto's standalone server, as ``bench_s3.py`` starts it), so the
notebook travels to the workers as an object and each run works in a private temporary
folder (``sweeps/shipping.py``); logs, the executed notebook and artifacts return as objects.

Each sweep gets a fresh cluster (its start is not timed; a worker that ran a bucket's task
keeps the bucket in its environment); the two kinds alternate ``--repeat`` times (default 2)
and the best of each is kept. Target: no shared directory ≤ 1.15× the shared one.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def notebook(folder: Path, work: float) -> Path:
    cells = [
        {"cell_type": "code", "id": "params", "metadata": {"tags": ["parameters"]}, "outputs": [],
         "execution_count": None, "source": f"work = {work}\nseed = 0"},
        {"cell_type": "code", "id": "work", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "import time\nimport jupyter_dlops as dl\ntime.sleep(work)\ndl.log_metric('score', seed * 0.5)"},
    ]
    path = folder / "work.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}))
    return path


def bucket(endpoint: str) -> str:
    """A fresh bucket on the server, with the standard AWS variables aimed at it (the
    workers, started after this, inherit them)."""
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ENDPOINT_URL_S3=endpoint, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "DLOPS_ARTIFACTS"):
        os.environ.pop(name, None)
    import boto3

    name = f"dlops-bench-{uuid.uuid4().hex[:8]}"
    boto3.session.Session().client("s3").create_bucket(Bucket=name)
    return f"s3://{name}/objects"


def one_sweep(nb: Path, store: str, runs: int, engine: str, work: Path) -> float:
    """Seconds for one sweep on a fresh 2-worker cluster (every run must finish)."""
    import distributed

    from jupyter_dlops.sweeps import api

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  local_directory=str(work / "dask")) as cluster:
        began = time.perf_counter()
        result = api.sweep(nb, {"seed": list(range(runs))}, executor="dask", scheduler=cluster.scheduler_address,
                           workers=2, engine=engine, store=store)
        seconds = time.perf_counter() - began
    failed = [r.error for r in result if r.status != "finished"]
    if len(result) != runs or result.skipped or failed:
        raise RuntimeError(f"the sweep on {store} did not finish every run: {failed[:1]}")
    return seconds


def measure(args, work: Path, runs: int, seconds: float) -> dict[str, float]:
    from bench_s3 import start_server

    nb = notebook(work, seconds)
    proc, endpoint = start_server()
    try:
        location = bucket(endpoint)
        os.environ["DLOPS_CACHE_DIR"] = str(work / "cache")  # not the user's cache
        # A fresh store a sweep: a sweep run again in the same store skips what it finished.
        stores = {"shared": lambda i: str(work / f"shared-store-{i}"),
                  "no shared": lambda i: f"sqlite:///{work / f'bucket-store-{i}'}?artifacts={location}/{i}"}
        best = {kind: float("inf") for kind in stores}
        for i in range(args.repeat):
            for kind, store in stores.items():
                best[kind] = min(best[kind], one_sweep(nb, store(i), runs, args.engine, work))
                print(f"  {kind}: {best[kind]:.2f} s (best so far)", file=sys.stderr, flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
    return best


def main(argv: list[str] | None = None) -> int:
    p = benchlib.parser(__doc__.splitlines()[0])
    p.add_argument("--engine", choices=("papermill", "script"), help="default papermill; --quick: script")
    p.add_argument("--repeat", type=int, default=2, help="sweeps of each kind; the best is kept")
    args = benchlib.parse(p, argv)
    runs, seconds = (2, 0.1) if args.quick else (8, 1.0)
    args.engine = args.engine or ("script" if args.quick else "papermill")
    args.repeat = 1 if args.quick else args.repeat
    try:
        import distributed  # noqa: F401
        import moto  # noqa: F401
    except ImportError as error:
        print(f"bench_dask_sweep: needs {error.name} (pip install 'jupyter-dlops[dask,test]')", file=sys.stderr)
        return 2
    report = benchlib.Report("dask_sweep")
    with tempfile.TemporaryDirectory(prefix="dlops-bench-dask-") as work:
        best = measure(args, Path(work), runs, seconds)
    ratio = best["no shared"] / best["shared"]
    report.add(benchlib.Row(f"{runs} runs of {seconds:g} s on 2 Dask workers ({args.engine} engine), no shared "
                            "directory (objects in S3) vs shared directory (ratio: no shared ÷ shared)", best["no shared"], "s", target="≤ 1.15×",
                            peer="same sweep, shared directory", peer_value=best["shared"], ratio=ratio,
                            met=ratio <= 1.15))
    report.info.update(runs=runs, work_seconds=seconds, engine=args.engine, repeat=args.repeat)
    report.finish(args.json or benchlib.HERE / "results" / "bench_dask_sweep.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
