"""Data versioning side by side with DVC 3, in one run, on data generated here.

    python benchmarks/bench_data.py            # 1 GiB / 2,000 files and 200 MB / 20,000 files
    python benchmarks/bench_data.py --small    # a tenth of that, for a quick look
    python benchmarks/bench_data.py --peers-python /path/to/python-with-dvc

For each dataset it measures, as whole processes (start-up included), the best of
``--repeat`` runs (default 3) for every tool alike:

- ``dlops data add`` the first time, against ``dvc add`` the first time (target: 10x faster);
- the hashing phase of that add (from ``--json``: bytes / hash_seconds), against reading and
  BLAKE3-hashing the same bytes in a plain Python loop (target: at least 70 % of it);
- the second add with nothing changed, against DVC's second add (target: 10x faster);
- the add after one file changed: bytes read must be that file's size and nothing more.

DVC is not a dependency of jupyter-dlops: it is installed into ``benchmarks/.venv-peers``
(``python -m venv`` + ``pip install dvc``) unless ``--peers-python`` names an interpreter
that has it; if neither works, DVC is skipped with a note. Results are printed as a table and
written to ``benchmarks/results/bench_data.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import blake3

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".venv-peers"
DATASETS = {"1 GiB / 2,000 files": (2_000, 1 << 30), "200 MB / 20,000 files": (20_000, 200_000_000)}


def generate(folder: Path, count: int, total: int) -> None:
    """``count`` files of random bytes, ``total`` bytes in all, 100 per sub-folder."""
    size = total // count
    block = os.urandom(size + count)
    for index in range(count):
        path = folder / f"part{index // 100:03d}" / f"item {index:06d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(block[index:index + size])
    past = time.time() - 5  # out of the racily-clean window, as real data would be
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


def raw_blake3(folder: Path) -> tuple[float, int]:
    """Seconds and bytes to read and hash every file in a plain loop (the baseline)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    started, total = time.perf_counter(), 0
    for path in files:
        content = path.read_bytes()
        blake3.blake3(content).digest()
        total += len(content)
    return time.perf_counter() - started, total


def timed(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])}... failed: {done.stderr.strip()[-500:]}")
    return elapsed, done


def dlops_command() -> list[str]:
    script = Path(sys.executable).parent / "dlops"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]


def dlops_add(folder: Path, store: Path) -> tuple[float, dict]:
    env = {**os.environ, "DLOPS_STORE": str(store)}
    elapsed, done = timed([*dlops_command(), "data", "add", str(folder), "--json"], env=env)
    return elapsed, json.loads(done.stdout)


def find_dvc(peers_python: str | None) -> tuple[list[str] | None, str]:
    """The command that runs DVC, or None and why not."""
    candidates = [peers_python] if peers_python else [str(PEERS / "bin" / "python")]
    if not peers_python and not Path(candidates[0]).exists():
        print(f"installing DVC into {PEERS} (once) ...", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
            subprocess.run([candidates[0], "-m", "pip", "install", "-q", "dvc"], check=True,
                           timeout=900)
        except (subprocess.SubprocessError, OSError) as error:
            return None, f"DVC skipped: it could not be installed ({error})"
    try:
        version = subprocess.run([candidates[0], "-m", "dvc", "--version"], capture_output=True,
                                 text=True, check=True, timeout=120).stdout.strip()
    except (subprocess.SubprocessError, OSError) as error:
        return None, f"DVC skipped: {candidates[0]} cannot run it ({error})"
    return [candidates[0], "-m", "dvc"], f"DVC {version}"


def dvc_adds(dvc: list[str], workspace: Path, repeat: int) -> tuple[float, float]:
    """Best seconds for ``dvc add data`` the first and the second time, each first add in a
    fresh repository with a fresh site cache (DVC keeps a hash index there)."""
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    firsts, seconds = [], []
    for attempt in range(repeat):
        shutil.rmtree(workspace / ".dvc", ignore_errors=True)
        (workspace / "data.dvc").unlink(missing_ok=True)
        timed([*dvc, "init", "--no-scm", "-q"], cwd=workspace, env=env)
        site = workspace.parent / f"dvc-site-{workspace.name}-{attempt}"
        timed([*dvc, "config", "core.site_cache_dir", str(site)], cwd=workspace, env=env)
        firsts.append(timed([*dvc, "add", "-q", "data"], cwd=workspace, env=env)[0])
        seconds.append(timed([*dvc, "add", "-q", "data"], cwd=workspace, env=env)[0])
    return min(firsts), min(seconds)


def change_one_file(folder: Path) -> int:
    target = sorted(p for p in folder.rglob("*") if p.is_file())[len(list(folder.rglob("*.bin"))) // 2]
    size = target.stat().st_size
    target.write_bytes(os.urandom(size))
    past = time.time() - 1
    os.utime(target, (past, past))
    return size


def _secs(measure: tuple[float, dict]) -> float:
    return measure[0]


def bench_dataset(label: str, count: int, total: int, scratch: Path, dvc: list[str] | None,
                  repeat: int) -> dict:
    workspace = scratch / label.split()[0].replace("/", "")
    data = workspace / "data"
    print(f"[{label}] generating ...", file=sys.stderr)
    generate(data, count, total)
    raw_blake3(data)  # warm the page cache: every tool below reads from memory alike
    raw_seconds, raw_bytes = min(raw_blake3(data) for _ in range(repeat))
    print(f"[{label}] dlops ...", file=sys.stderr)
    firsts, seconds = [], []
    for attempt in range(repeat):  # best of N: this machine is shared and noisy
        store = scratch / f"store-{workspace.name}-{attempt}"
        firsts.append(dlops_add(data, store))
        seconds.append(dlops_add(data, store))
    (first_s, first), (second_s, second) = min(firsts, key=_secs), min(seconds, key=_secs)
    hash_s = min(measure[1]["hash_seconds"] for measure in firsts)
    changed_size = change_one_file(data)
    third_s, third = dlops_add(data, store)
    row = {"dataset": label, "files": count, "bytes": raw_bytes,
           "raw_blake3_s": raw_seconds, "raw_blake3_MBps": raw_bytes / raw_seconds / 1e6,
           "dlops_first_s": first_s, "dlops_hash_s": hash_s,
           "dlops_hash_MBps": first["bytes_read"] / max(hash_s, 1e-9) / 1e6,
           "dlops_second_s": second_s, "dlops_second_bytes_read": second["bytes_read"],
           "dlops_changed_s": third_s, "dlops_changed_bytes_read": third["bytes_read"],
           "dlops_changed_files_hashed": third["files_hashed"], "changed_file_size": changed_size}
    if dvc:
        print(f"[{label}] dvc ...", file=sys.stderr)
        row["dvc_first_s"], row["dvc_second_s"] = dvc_adds(dvc, workspace, repeat)
    return row


def report(rows: list[dict], dvc_note: str) -> str:
    lines = [f"peers: {dvc_note}", "",
             f"{'dataset':24} {'measure':34} {'dlops':>10} {'DVC':>10} {'ratio':>8}  target"]

    def line(dataset, measure, ours, theirs, ratio, target):
        lines.append(f"{dataset:24} {measure:34} {ours:>10} {theirs:>10} {ratio:>8}  {target}")

    for r in rows:
        for key, measure in (("first", "add, first time (s)"), ("second", "add, nothing changed (s)")):
            ours, theirs = r[f"dlops_{key}_s"], r.get(f"dvc_{key}_s")
            ratio = f"{theirs / ours:.1f}x" if theirs else "-"
            line(r["dataset"], measure, f"{ours:.3f}", f"{theirs:.3f}" if theirs else "-", ratio, ">= 10x")
        share = r["dlops_hash_MBps"] / r["raw_blake3_MBps"]
        line(r["dataset"], "hashing MB/s (raw loop in DVC col.)", f"{r['dlops_hash_MBps']:.0f}",
             f"{r['raw_blake3_MBps']:.0f}", f"{share:.0%}", ">= 70% of raw")
        line(r["dataset"], "bytes read, nothing changed", str(r["dlops_second_bytes_read"]), "-", "-", "0")
        line(r["dataset"], "bytes read, one file changed", str(r["dlops_changed_bytes_read"]), "-", "-",
             f"{r['changed_file_size']} (that file)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines.append(f"\nbest of the repeats; {os.cpu_count()} CPUs, load average {load:.1f} at the end")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the data, for a quick run")
    parser.add_argument("--peers-python", help="a Python interpreter that has DVC installed")
    parser.add_argument("--no-dvc", action="store_true", help="measure jupyter-dlops only")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs of each (default 3)")
    args = parser.parse_args(argv)
    dvc, note = (None, "DVC skipped (--no-dvc)") if args.no_dvc else find_dvc(args.peers_python)
    scale = 10 if args.small else 1
    scratch = Path(tempfile.mkdtemp(prefix="dlops-bench-"))
    try:
        rows = [bench_dataset(label, count // scale, total // scale, scratch, dvc, max(1, args.repeat))
                for label, (count, total) in DATASETS.items()]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = report(rows, note)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bench_data.json").write_text(json.dumps({"peers": note, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
