"""Start-up cost, as whole processes: ``python -c "import jupyter_dlops"`` (target < 60 ms) and
``dlops --help`` (target < 150 ms), each the median of ≥ 20 runs, beside ``python -c pass``
on the same interpreter (the ratio reported is ours ÷ bare python). With the peers venv,
``import mlflow`` and ``mlflow --help`` are timed in the same rounds for scale (there the ratio
is the peer's time ÷ ours).

The commands are interleaved round by round, so a burst of load on this shared machine hits
every command alike instead of one of them.

    python benchmarks/bench_startup.py [--quick] [--no-peers] [--runs N] [--json PATH]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import Report, Row, median, parse, parser, ratio

PY = sys.executable
DLOPS = str(Path(sys.executable).parent / "dlops")


def commands(mlflow_python: Path | None) -> dict[str, list[str]]:
    cmds = {
        "pass": [PY, "-c", "pass"],
        "import": [PY, "-c", "import jupyter_dlops"],
        "help": [DLOPS, "--help"],
    }
    if mlflow_python is not None:
        cmds["mlflow import"] = [str(mlflow_python), "-c", "import mlflow"]
        cmds["mlflow help"] = [str(mlflow_python.parent / "mlflow"), "--help"]
    return cmds


def compile_package(cwd: str) -> str:
    """Byte-compile the installed package, as ``pip install`` does: an editable checkout run
    with PYTHONDONTWRITEBYTECODE=1 (the Makefile sets it) would otherwise recompile every
    module in every process and time the compiler, not the import."""
    folder = subprocess.run([PY, "-c", "import jupyter_dlops, os; print(os.path.dirname("
                             "jupyter_dlops.__file__))"], capture_output=True, text=True,
                            check=True, cwd=cwd).stdout.strip()
    subprocess.run([PY, "-m", "compileall", "-q", folder], check=True, stdout=subprocess.DEVNULL)
    return folder


def time_rounds(cmds: dict[str, list[str]], runs: int, peer_runs: int,
                cwd: str) -> dict[str, list[float]]:
    """Seconds per whole-process run, ``runs`` rounds, every command once per round (the
    peers, which take seconds each, only in the first ``peer_runs`` rounds)."""
    env = dict(os.environ)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for command in cmds.values():  # one untimed run each: page cache
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    for round_ in range(runs):
        for name, command in cmds.items():
            if name.startswith("mlflow") and round_ >= peer_runs:
                continue
            wall, cpu = time_once(command, env, cwd)
            times[name].append(wall)
            CPU.setdefault(name, []).append(cpu)
    return times


CPU: dict[str, list[float]] = {}  # user + system seconds of each run, by command


def time_once(command: list[str], env: dict, cwd: str) -> tuple[float, float]:
    """Wall and CPU seconds of one run. CPU time is far less sensitive than wall time to the
    other jobs on a shared machine, so it goes in the notes beside every median."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def mlflow_python(args) -> Path | None:
    from peers import have_peer, peer_python

    if args.no_peers or not have_peer("mlflow"):
        return None
    return peer_python("mlflow")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=None, help="runs per command (default 25; 5 with --quick)")
    args = parse(p, argv)
    runs = args.runs or (5 if args.quick else 25)
    # a neutral folder: from the repository root, `import jupyter_dlops` would pick up the
    # source tree ('' is first on sys.path) instead of the installed package
    with tempfile.TemporaryDirectory(prefix="dlops-bench-startup-") as cwd:
        folder = compile_package(cwd)
        times = time_rounds(commands(mlflow_python(args)), runs, 3 if args.quick else 5, cwd)
    ms = {name: median(values) * 1000 for name, values in times.items()}
    cpu = {name: median(values) * 1000 for name, values in CPU.items()}
    report = Report("startup")
    report.info = {"runs": runs, "medians_ms": ms, "cpu_medians_ms": cpu, "package": folder}
    for key, label, limit in (("import", 'python -c "import jupyter_dlops"', 60.0),
                              ("help", "dlops --help", 150.0)):
        report.add(Row(f"{label}, median of {runs} (ratio: ours ÷ bare python)", ms[key], "ms",
                       f"< {limit:.0f} ms", "python -c pass", ms["pass"], ratio(ms[key], ms["pass"]),
                       ms[key] < limit,
                       note=f"over bare python: {ms[key] - ms['pass']:.1f} ms wall; CPU time "
                            f"{cpu[key]:.1f} ms vs {cpu['pass']:.1f} ms"))
    for key, label, limit in (("import", 'python -c "import jupyter_dlops"', 60.0),
                              ("help", "dlops --help", 150.0)):
        # On an idle machine a one-thread process's wall time is its CPU time plus a little I/O;
        # on this shared one the wall time mostly measures the other jobs
        report.add(Row(f"{label}, CPU time (user+sys), median (ratio: ours ÷ bare python)",
                       cpu[key], "ms", f"< {limit:.0f} ms", "python -c pass", cpu["pass"],
                       ratio(cpu[key], cpu["pass"]), cpu[key] < limit))
    if "mlflow import" in ms:
        for key, peer, label in (("import", "mlflow import", 'import jupyter_dlops vs import mlflow'),
                                 ("help", "mlflow help", "dlops --help vs mlflow --help")):
            report.add(Row(f"{label} (info; ratio: peer ÷ ours)", ms[key], "ms", "",
                           peer.replace(" import", ": import mlflow").replace(" help", " --help"),
                           ms[peer], ratio(ms[peer], ms[key]), note=f"peer: median of {len(times[peer])}"))
    report.finish(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
