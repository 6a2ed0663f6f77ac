"""Data versioning side by side with DVC 3, in one run, on data generated here.

    python benchmarks/bench_data.py            # 1 GiB / 2,000, 200 MB / 20,000, 266 MB / 6,000 files
    python benchmarks/bench_data.py --quick    # a tenth of that (also --small)
    python benchmarks/bench_data.py --peers-python /path/to/python-with-dvc

For each dataset it measures, as whole processes (start-up included), the best of
``--repeat`` runs (default 3) for every tool alike:

- ``dlops data add`` the first time, against ``dvc add`` the first time (target: 10x faster);
  the store is created beforehand, untimed, as ``dvc init`` is for DVC;
- that same first add against its floor, the bare loop, also as a whole process (target:
  within 1.5x): ``python -c`` that imports blake3, lists the folder with ``os.walk``, and reads
  and BLAKE3-hashes every file with as many plain threads as ``dlops`` hashes with. Like with
  like: both pay the interpreter's start, the listing and the same hashing threads; what is
  left is ours alone (imports, the store, stats, the stat cache and the manifest). The CPU
  time of both (user + system, all threads) is reported beside it: it moves less with load;
- the same two in process, as issue 20 framed the floor: ``data.add`` timed inside ``dlops``
  (``--json``'s seconds: listing, hashing, stat cache, manifest and rows; the store is open)
  against the bare loop's listing and hashing timed inside its process;
- the hashing phase of that add (from ``--json``: bytes / hash_seconds), against reading and
  BLAKE3-hashing the same bytes in a plain in-process loop on one thread run just before it
  (target: at least 70 % of it; the median of the pairs is reported);
- the second add with nothing changed, against DVC's second add (target: 10x faster);
- the add after one file changed: bytes read must be that file's size and nothing more.

DVC is not a dependency of jupyter-dlops: :mod:`peers` installs it into
``benchmarks/.venv-peers`` (``python -m venv`` + ``pip install dvc``) unless
``--peers-python`` names an interpreter that has it; if neither works (or ``--no-peers``),
DVC is skipped with a note. The table follows ``benchlib`` (``run_all.py`` reads ``--json``);
without ``--json`` the document goes to ``benchmarks/results/bench_data.json``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import blake3

HERE = Path(__file__).resolve().parent
DATASETS = {"1 GiB / 2,000 files": (2_000, 1 << 30), "200 MB / 20,000 files": (20_000, 200_000_000),
            "266 MB / 6,000 files": (6_000, 266_000_000)}  # the size issue 20 measured


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


# The floor: the least a whole process must do to hash a folder's files the way dlops does
# (same interpreter, same library, same number of threads), and nothing else.
BARE_LOOP = """
import os, sys, threading, time
import blake3
started = time.perf_counter()
root, workers = sys.argv[1], int(sys.argv[2])
files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names)
def work(share):
    for path in share:
        with open(path, "rb") as handle:
            blake3.blake3(handle.read()).digest()
threads = [threading.Thread(target=work, args=(files[i::workers],)) for i in range(workers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(time.perf_counter() - started)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - started
    done.cpu_seconds = _children_cpu() - cpu  # user + system of the child, all its threads
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])}... failed: {done.stderr.strip()[-500:]}")
    return elapsed, done


def bare_loop_process(folder: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds of the floor (:data:`BARE_LOOP`) as a whole process, and the
    seconds of its listing and hashing alone, timed inside it."""
    from jupyter_dlops.data.pool import default_workers

    elapsed, done = timed([sys.executable, "-c", BARE_LOOP, str(folder), str(default_workers())])
    return elapsed, done.cpu_seconds, float(done.stdout.strip())


def compile_ours() -> None:
    """Write our bytecode once, as ``pip install`` does for users (an editable install, with
    PYTHONDONTWRITEBYTECODE set as on these machines, would otherwise compile every module
    in every timed process: ~0.15 s that no user pays; DVC's venv has its bytecode)."""
    import compileall

    import jupyter_dlops

    compileall.compile_dir(str(Path(jupyter_dlops.__file__).parent), quiet=1)


def dlops_command() -> list[str]:
    script = Path(sys.executable).parent / "dlops"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]


def dlops_add(folder: Path, store: Path) -> tuple[float, dict]:
    env = {**os.environ, "DLOPS_STORE": str(store)}
    elapsed, done = timed([*dlops_command(), "data", "add", str(folder), "--json"], env=env)
    return elapsed, {**json.loads(done.stdout), "cpu_seconds": done.cpu_seconds}


def dlops_init(store: Path) -> None:
    """Create the store, untimed: ``dvc init`` is not timed either."""
    timed([*dlops_command(), "init", str(store)], env={**os.environ, "DLOPS_STORE": str(store)})


def find_dvc(peers_python: str | None) -> tuple[list[str] | None, str]:
    """The command that runs DVC, or None and why not (the note printed with the table)."""
    if peers_python:
        python = peers_python
    else:
        from peers import have_peer, peer_python

        if not have_peer("dvc"):
            return None, "DVC skipped: it could not be installed into benchmarks/.venv-peers"
        python = str(peer_python("dvc"))
    try:
        version = subprocess.run([python, "-m", "dvc", "--version"], capture_output=True,
                                 text=True, check=True, timeout=300).stdout.strip()
    except (subprocess.SubprocessError, OSError) as error:
        return None, f"DVC skipped: {python} cannot run it ({error})"
    return [python, "-m", "dvc"], f"DVC {version}"


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
    print(f"[{label}] dlops ...", file=sys.stderr)
    firsts, seconds, pairs, floors = [], [], [], []
    for attempt in range(repeat):  # best of N: this machine is shared and noisy
        store = scratch / f"store-{workspace.name}-{attempt}"
        dlops_init(store)
        # The loops run right before each first add, so that each figure is compared with a
        # baseline taken under the same load; the median hashing pair is reported.
        floors.append(bare_loop_process(data))
        raw_seconds, raw_bytes = raw_blake3(data)
        firsts.append(dlops_add(data, store))
        seconds.append(dlops_add(data, store))
        pairs.append((raw_seconds / max(firsts[-1][1]["hash_seconds"], 1e-9), raw_seconds,
                      firsts[-1][1]["hash_seconds"]))
    (first_s, first), (second_s, second) = min(firsts, key=_secs), min(seconds, key=_secs)
    _, raw_seconds, hash_s = sorted(pairs)[len(pairs) // 2]
    changed_size = change_one_file(data)
    third_s, third = dlops_add(data, store)
    row = {"dataset": label, "files": count, "bytes": raw_bytes,
           "raw_blake3_s": raw_seconds, "raw_blake3_MBps": raw_bytes / raw_seconds / 1e6,
           "bare_loop_process_s": min(f[0] for f in floors),
           "bare_loop_process_cpu_s": min(f[1] for f in floors),
           "bare_loop_in_process_s": min(f[2] for f in floors),
           "dlops_first_in_process_s": min(f[1]["seconds"] for f in firsts),
           "dlops_first_s": first_s, "dlops_first_cpu_s": min(f[1]["cpu_seconds"] for f in firsts),
           "dlops_hash_s": hash_s,
           "dlops_hash_MBps": first["bytes_read"] / max(hash_s, 1e-9) / 1e6,
           "dlops_second_s": second_s, "dlops_second_bytes_read": second["bytes_read"],
           "dlops_changed_s": third_s, "dlops_changed_bytes_read": third["bytes_read"],
           "dlops_changed_files_hashed": third["files_hashed"], "changed_file_size": changed_size}
    if dvc:
        print(f"[{label}] dvc ...", file=sys.stderr)
        row["dvc_first_s"], row["dvc_second_s"] = dvc_adds(dvc, workspace, repeat)
    return row


def rows_for(report, r: dict) -> None:
    """The figures of one dataset as benchlib rows (ratio: how many times better ours is)."""
    from benchlib import Row, ratio

    label = r["dataset"]
    for key, what in (("first", "first add"), ("second", "second add, nothing changed")):
        ours, theirs = r[f"dlops_{key}_s"], r.get(f"dvc_{key}_s")
        times = ratio(theirs, ours)
        report.add(Row(f"{label}: {what} (whole process)", ours, "s", "≥ 10× faster than DVC",
                       "dvc add" if theirs else "", theirs, times,
                       None if times is None else times >= 10))
    # the whole first add against the floor, both whole processes with the same threads
    whole = r["bare_loop_process_s"] / r["dlops_first_s"]
    report.add(Row(f"{label}: first add (whole process) vs the bare loop", r["dlops_first_s"], "s",
                   "≥ 0.67× (within 1.5× of the loop)", "bare list+read+BLAKE3 process",
                   r["bare_loop_process_s"], whole, whole >= 1 / 1.5))
    inside = r["bare_loop_in_process_s"] / r["dlops_first_in_process_s"]
    report.add(Row(f"{label}: first add in process vs the bare loop in process",
                   r["dlops_first_in_process_s"], "s", "≥ 0.67× (within 1.5× of the loop)",
                   "bare list+read+BLAKE3 loop", r["bare_loop_in_process_s"], inside,
                   inside >= 1 / 1.5))
    cpu = r["bare_loop_process_cpu_s"] / r["dlops_first_cpu_s"]
    report.add(Row(f"{label}: first add vs the bare loop, CPU time (info)", r["dlops_first_cpu_s"],
                   "s", "", "bare list+read+BLAKE3 process", r["bare_loop_process_cpu_s"], cpu))
    share = r["dlops_hash_MBps"] / r["raw_blake3_MBps"]
    report.add(Row(f"{label}: hashing phase throughput", r["dlops_hash_MBps"], "MB/s",
                   "≥ 70% of raw BLAKE3", "plain read+BLAKE3 loop", r["raw_blake3_MBps"], share,
                   share >= 0.7))
    report.add(Row(f"{label}: bytes read by the second add", r["dlops_second_bytes_read"], "B",
                   "0", met=r["dlops_second_bytes_read"] == 0))
    size = r["changed_file_size"]
    report.add(Row(f"{label}: bytes read after changing one file", r["dlops_changed_bytes_read"],
                   "B", f"= {size} (that file only)",
                   met=r["dlops_changed_bytes_read"] == size and r["dlops_changed_files_hashed"] == 1))


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(HERE))
    from benchlib import Report, parse, parser

    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--small", action="store_true", help="same as --quick: a tenth of the data")
    p.add_argument("--peers-python", help="a Python interpreter that has DVC installed")
    p.add_argument("--repeat", type=int, default=3, help="best of N runs of each (default 3)")
    args = parse(p, argv)
    dvc, note = (None, "DVC skipped (--no-peers)") if args.no_peers else find_dvc(args.peers_python)
    print(f"peers: {note}", file=sys.stderr)
    compile_ours()
    scale = 10 if (args.small or args.quick) else 1
    report = Report("data")
    scratch = Path(tempfile.mkdtemp(prefix="dlops-bench-"))
    try:
        for label, (count, total) in DATASETS.items():
            row = bench_dataset(label, count // scale, total // scale, scratch, dvc, max(1, args.repeat))
            rows_for(report, row)
            report.info[label] = row
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report.info.update(peers=note, cpus=os.cpu_count(), load_average_at_end=round(load, 1),
                       method=f"best of {args.repeat} whole-process runs for every tool")
    report.finish(args.json or HERE / "results" / "bench_data.json")
    print(f"{note}; best of {args.repeat} runs; {os.cpu_count()} CPUs, load average {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
