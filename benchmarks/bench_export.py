"""Export a 1,000-cell notebook: ``dlops export`` beside its peers, whole process, same run.

    python benchmarks/bench_export.py [--cells 1000] [--repeat 5] [--check]

Times ``dlops export`` (hidden-state analysis included), ``jupyter nbconvert --to script`` and
``jupytext --to py:percent`` on the same generated notebook, each as a fresh process, and
prints the median of each with its ratio to ours. A peer that is not installed is skipped with
a note. Targets (issue 5): at most 0.30 s, and at most half of nbconvert's time.
``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.30
TARGET_RATIO = 0.5
BIN = Path(sys.executable).parent


def make_notebook(cells: int) -> dict:
    """A notebook of ``cells`` code cells that look like real work, plus some markdown."""
    made = [_code("import math\nimport json"),
            _code("lr = 0.01  # learning rate\nepochs = 5\nlayers = [64, 32]", "parameters")]
    for i in range(cells - 2):
        if i % 50 == 0:
            made.append({"cell_type": "markdown", "metadata": {}, "source": f"## Step {i}\nNotes."})
        if i % 100 == 0:
            made.append(_code(f"%time value_{i} = math.sqrt({i} + lr)"))
            continue
        made.append(_code(
            f"def step_{i}(x, scale={i}):\n    return [v * scale + lr for v in x]\n\n"
            f"value_{i} = step_{i}(layers)\nsummary_{i} = {{'i': {i}, 'total': sum(value_{i})}}\n"
            f"print(json.dumps(summary_{i}))"
        ))
    return {"nbformat": 4, "nbformat_minor": 5, "cells": made,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}}}


def _code(source: str, *tags: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {"tags": list(tags)},
            "outputs": [], "source": source}


def _tool(name: str) -> str | None:
    local = BIN / name
    return str(local) if local.exists() else shutil.which(name)


def commands(notebook: Path, out: Path) -> dict[str, list[str] | str]:
    """Each contender's command line, or the note saying why it is skipped."""
    found: dict[str, list[str] | str] = {}
    dlops, jupyter, jupytext = _tool("dlops"), _tool("jupyter"), _tool("jupytext")
    found["dlops export"] = ([dlops, "export", str(notebook), "-o", str(out / "dlops.py")]
                             if dlops else "dlops not installed")
    has_nbconvert = jupyter and subprocess.run([jupyter, "nbconvert", "--version"],
                                               capture_output=True, check=False).returncode == 0
    found["jupyter nbconvert --to script"] = (
        [jupyter, "nbconvert", "--to", "script", str(notebook), "--output-dir", str(out / "nbc")]
        if has_nbconvert else "nbconvert not installed")
    found["jupytext --to py:percent"] = (
        [jupytext, "--to", "py:percent", str(notebook), "-o", str(out / "jupytext.py")]
        if jupytext else "jupytext not installed")
    return found


def time_command(command: list[str], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of ``repeat`` fresh runs, after a warm-up.

    CPU time is reported beside wall time because on a shared, loaded machine the wall time
    of a short process is mostly waiting for a core.
    """
    subprocess.run(command, capture_output=True, check=True)
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", type=Path, help="also write the figures (run_all's rows) here")
    parser.add_argument("--quick", action="store_true", help="100 cells, 2 repeats: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.cells, args.repeat = 100, 2
    with tempfile.TemporaryDirectory(prefix="bench-export-") as temp:
        folder = Path(temp)
        notebook = folder / "big.ipynb"
        notebook.write_text(json.dumps(make_notebook(args.cells)))
        results: dict[str, float | str] = {}
        cpu: dict[str, float] = {}
        for name, command in commands(notebook, folder).items():
            if isinstance(command, str):
                results[name] = command
                continue
            walls, cpus = time_command(command, args.repeat)
            results[name], cpu[name] = statistics.median(walls), statistics.median(cpus)
    return report(results, cpu, args)


def report(results: dict[str, float | str], cpu: dict[str, float], args: argparse.Namespace) -> int:
    """Print the table (and the JSON); the exit status says whether the targets hold."""
    ours = results.get("dlops export")
    print(f"export of a {args.cells}-cell notebook, whole process, median of {args.repeat}")
    print(f"{'tool':<34}{'wall s':>8}{'ratio':>8}{'cpu s':>8}{'ratio':>8}")
    for name, value in results.items():
        if isinstance(value, str):
            print(f"{name:<34}{'skipped':>8}   ({value})")
            continue
        ratio = f"{value / ours:.1f}x" if isinstance(ours, float) else "-"
        ours_cpu = cpu.get("dlops export")
        cpu_ratio = f"{cpu[name] / ours_cpu:.1f}x" if ours_cpu else "-"
        print(f"{name:<34}{value:>8.3f}{ratio:>8}{cpu[name]:>8.3f}{cpu_ratio:>8}")
    nbconvert = results.get("jupyter nbconvert --to script")
    ok = isinstance(ours, float) and ours <= TARGET_SECONDS
    if isinstance(ours, float) and isinstance(nbconvert, float):
        ok = ok and ours <= TARGET_RATIO * nbconvert
    print(f"targets: <= {TARGET_SECONDS:.2f} s and <= {TARGET_RATIO:.0%} of nbconvert: "
          f"{'met' if ok else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"name": "export", "rows": json_rows(results, cpu, args)}, indent=2))
    return 0 if ok or not args.check else 1


def json_rows(results: dict[str, float | str], cpu: dict[str, float],
              args: argparse.Namespace) -> list[dict[str, object]]:
    """run_all's rows: our whole-process export against each peer, wall and CPU time."""
    ours = results.get("dlops export")
    rows: list[dict[str, object]] = []
    for name, value in results.items():
        if name == "dlops export" or not isinstance(value, float) or not isinstance(ours, float):
            continue
        for clock, ours_value, peer_value in (("wall", ours, value),
                                              ("cpu", cpu.get("dlops export"), cpu.get(name))):
            ratio = peer_value / ours_value if ours_value and peer_value else None
            rows.append({"measure": f"export {args.cells} cells, whole process ({clock})",
                         "ours": ours_value, "peer": name, "peer_value": peer_value, "ratio": ratio,
                         "target": ">= 2x faster than nbconvert; <= 0.30 s", "unit": "s",
                         "met": None if ratio is None else ratio >= 2})
    return rows


if __name__ == "__main__":
    sys.exit(main())
