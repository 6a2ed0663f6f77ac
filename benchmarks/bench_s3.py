"""Objects to and from an S3-compatible server, against a plain copy with the same client.

    python benchmarks/bench_s3.py            # 1 GB in 100 objects
    python benchmarks/bench_s3.py --quick    # 20 MB in 20 objects

The server is moto's standalone server (``moto[server]``) on 127.0.0.1, started here in a
subprocess (issue 19). For the same files, in one run, it times:

- upload: ``S3ObjectStore.put_file`` for every file (stage, BLAKE3, existence check, upload)
  against boto3's ``upload_file`` of the same files with the same transfer settings;
- download: ``S3ObjectStore.path`` with an empty cache (download, BLAKE3 check, install in the
  cache) against boto3's ``download_file`` of the same keys;
- a repeated read of every object (served by the local cache).

Target: ours at least 80 % of the plain copy's throughput, both ways. Each side is timed
``--repeat`` times (default 2), alternating, and the best of each is kept.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def start_server() -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
            return proc, endpoint
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto.server did not start") from None
            time.sleep(0.2)


def generate(folder: Path, count: int, total: int) -> list[Path]:
    size = total // count
    block = os.urandom(size + count)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"part{index:04d}.bin"
        path.write_bytes(block[index:index + size])
        paths.append(path)
    return paths


def plain_upload(objects, paths: list[Path], prefix: str) -> float:
    started = time.perf_counter()
    for index, path in enumerate(paths):
        objects.client.upload_file(str(path), objects.bucket, f"{prefix}/{index}", Config=objects._transfer_config())
    return time.perf_counter() - started


def ours_upload(location: str, paths: list[Path], cache: Path) -> tuple[float, list[str]]:
    from jupyter_dlops.store.objects import open_objects

    os.environ["DLOPS_CACHE_DIR"] = str(cache)
    objects = open_objects(location)
    started = time.perf_counter()
    ids = [objects.put_file(path) for path in paths]
    return time.perf_counter() - started, ids


def plain_download(objects, count: int, prefix: str, target: Path) -> float:
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for index in range(count):
        objects.client.download_file(objects.bucket, f"{prefix}/{index}", str(target / str(index)),
                                     Config=objects._transfer_config())
    return time.perf_counter() - started


def ours_download(location: str, ids: list[str], cache: Path) -> tuple[float, float]:
    from jupyter_dlops.store.objects import open_objects

    os.environ["DLOPS_CACHE_DIR"] = str(cache)
    os.environ["DLOPS_CACHE_BYTES"] = str(1 << 40)
    objects = open_objects(location)
    started = time.perf_counter()
    for object_id in ids:
        objects.path(object_id)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for object_id in ids:
        objects.read_bytes(object_id)
    return cold, time.perf_counter() - started


def measure(args, endpoint: str, work: Path, count: int, total: int) -> dict[str, float]:
    import boto3

    from jupyter_dlops.store.objects import open_objects

    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": endpoint}.items():
        os.environ[name] = value
    paths = generate(work / "files", count, total)
    best = {"plain up": 1e9, "ours up": 1e9, "plain down": 1e9, "ours down": 1e9, "cached": 1e9}
    for attempt in range(args.repeat):
        bucket = f"bench-{uuid.uuid4().hex[:12]}"
        boto3.session.Session().client("s3").create_bucket(Bucket=bucket)
        location = f"s3://{bucket}/objects"
        plain = open_objects(location)
        best["plain up"] = min(best["plain up"], plain_upload(plain, paths, "plain"))
        seconds, ids = ours_upload(location, paths, work / f"cache-up-{attempt}")
        best["ours up"] = min(best["ours up"], seconds)
        best["plain down"] = min(best["plain down"], plain_download(plain, count, "plain", work / f"down-{attempt}"))
        cold, warm = ours_download(location, ids, work / f"cache-down-{attempt}")
        best["ours down"], best["cached"] = min(best["ours down"], cold), min(best["cached"], warm)
        for folder in work.glob("*-*"):
            shutil.rmtree(folder, ignore_errors=True)
    return best


def main(argv: list[str] | None = None) -> int:
    p = benchlib.parser(__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=2, help="timings per side; the best is kept")
    args = benchlib.parse(p, argv)
    count, total = (20, 20_000_000) if args.quick else (100, 1_000_000_000)
    report = benchlib.Report(f"S3 objects: {total / 1e6:,.0f} MB in {count} objects (moto server)")
    proc, endpoint = start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="dlops-bench-s3-") as work:
            best = measure(args, endpoint, Path(work), count, total)
    finally:
        proc.terminate()
        proc.wait(30)
    mb = total / 1e6
    for way in ("up", "down"):
        ours, plain = mb / best[f"ours {way}"], mb / best[f"plain {way}"]
        ratio = benchlib.ratio(ours, plain)
        report.add(benchlib.Row(f"{way}load throughput", ours, "MB/s", target="≥ 80% of plain",
                                peer="boto3 plain copy", peer_value=plain, ratio=ratio,
                                met=ratio is not None and ratio >= 0.8))
    report.add(benchlib.Row("repeated read (local cache)", mb / best["cached"], "MB/s"))
    report.info.update(objects=count, bytes=total, repeat=args.repeat)
    report.finish(args.json or benchlib.HERE / "results" / "bench_s3.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
