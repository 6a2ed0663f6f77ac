"""Run every ``benchmarks/bench_*.py`` and print one combined table (``make bench``).

Each script runs in its own process with ``--json FILE`` (and ``--quick`` when given
here; ``--no-peers`` sets ``DLOPS_BENCH_NO_PEERS=1``, which :mod:`peers` honours), so one that crashes or hangs cannot hide the others: it shows up in the
table as failed, with the last line of its error output, and the exit status is non-zero.

    python benchmarks/run_all.py [--quick] [--no-peers] [--only tracking,startup]
                                 [--timeout SECONDS] [--save DIR]

The combined results are also written to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["benchmark", "measure", "ours", "peer", "peer value", "ratio", "target", "met?"]
TARGET = re.compile(r"^\s*(≥|>=|≤|<=|>|<)\s*([0-9][0-9,_]*\.?[0-9]*)\s*(×|x\b)?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (smaller sizes)")
    parser.add_argument("--no-peers", action="store_true", help="time ours only; never install peers")
    parser.add_argument("--only", help="comma-separated topics, e.g. tracking,startup")
    parser.add_argument("--timeout", type=float, default=1800, help="per-script limit in seconds")
    parser.add_argument("--save", type=Path, default=HERE / "results", help="where latest.json goes")
    args = parser.parse_args(argv)

    scripts = discover(args.only)
    if not scripts:
        print("run_all: no benchmarks/bench_*.py matched", file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    results = []
    for script in scripts:
        print(f"run_all: {script.name} ...", file=sys.stderr, flush=True)
        results.append(run_script(script, args))
    print(render(results))
    print(footer(results, load_before))
    save(results, args.save)
    failed = [r["name"] for r in results if r.get("error")]
    if failed:
        print(f"run_all: {len(failed)} benchmark(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def discover(only: str | None) -> list[Path]:
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        wanted = {w.strip().removeprefix("bench_").removesuffix(".py") for w in only.split(",")}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    return scripts


def run_script(script: Path, args: argparse.Namespace) -> dict:
    """Run one bench script; its JSON document, or a stand-in that says why there is none."""
    with tempfile.TemporaryDirectory(prefix="dlops-bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, str(script), "--json", str(out)]
        command += ["--quick"] if args.quick else []
        # --no-peers travels as an environment variable that peers.py honours, so that every
        # bench script skips its peers without having to know the flag
        env = {**os.environ, "DLOPS_BENCH_NO_PEERS": "1"} if args.no_peers else None
        start = time.monotonic()
        try:
            # stdout is the script's own table: pass it through so the run can be followed
            proc = subprocess.run(command, stderr=subprocess.PIPE, text=True, timeout=args.timeout,
                                  env=env)
        except subprocess.TimeoutExpired:
            return failure(script, f"timed out after {args.timeout:.0f} s")
        sys.stderr.write(proc.stderr)
        elapsed = time.monotonic() - start
        return read_result(script, out, proc, elapsed)


def read_result(script: Path, out: Path, proc: subprocess.CompletedProcess, elapsed: float) -> dict:
    last = (proc.stderr.strip().splitlines() or [""])[-1][:160]
    if not out.exists() or out.stat().st_size == 0:
        return failure(script, f"exit {proc.returncode}, wrote no JSON" + (f": {last}" if last else ""))
    try:
        data = json.loads(out.read_text())
        rows = data["rows"]
        assert isinstance(rows, list)
    except (ValueError, KeyError, TypeError, AssertionError) as error:
        return failure(script, f"unreadable JSON ({error})")
    data.setdefault("name", script.stem.removeprefix("bench_"))
    data["seconds"] = round(elapsed, 1)
    if proc.returncode != 0:
        data["error"] = f"exit {proc.returncode} after writing its JSON" + (f": {last}" if last else "")
    return data


def failure(script: Path, why: str) -> dict:
    return {"name": script.stem.removeprefix("bench_"), "rows": [], "error": why}


def met(row: dict) -> bool | None:
    """The row's own verdict if it gives one, else read a simple target: ``≥ 100×`` compares
    the ratio, ``≤ 60 ms`` compares our value (in the row's unit)."""
    if isinstance(row.get("met"), bool):
        return row["met"]
    match = TARGET.match(str(row.get("target") or ""))
    if not match:
        return None
    op, number, times = match.group(1), float(match.group(2).replace(",", "").replace("_", "")), match.group(3)
    value = row.get("ratio") if times else row.get("ours")
    if not isinstance(value, (int, float)):
        return None
    return {"≥": value >= number, ">=": value >= number, ">": value > number,
            "≤": value <= number, "<=": value <= number, "<": value < number}[op]


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def table_rows(results: list[dict]) -> list[list[str]]:
    rows = []
    for result in results:
        name = result["name"]
        if result.get("error") and not result["rows"]:
            rows.append([name, f"FAILED: {result['error']}", "", "", "", "", "", "✗"])
            continue
        for row in result["rows"]:
            verdict = met(row)
            unit = row.get("unit", "")
            rows.append([
                name, str(row.get("measure", "?")), fmt(row.get("ours"), unit), str(row.get("peer") or "—"),
                fmt(row.get("peer_value"), unit), f"{row['ratio']:.3g}×" if row.get("ratio") is not None else "—",
                str(row.get("target") or "—"), {True: "yes", False: "NO", None: "—"}[verdict],
            ])
        if result.get("error"):
            rows.append([name, f"FAILED: {result['error']}", "", "", "", "", "", "✗"])
    return rows


def render(results: list[dict]) -> str:
    rows = [COLUMNS, *table_rows(results)]
    widths = [min(60, max(len(r[i]) for r in rows)) for i in range(len(COLUMNS))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell[:60].ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def footer(results: list[dict], load_before: float | None) -> str:
    """Notes under the table: what ratio means, and how busy the machine was."""
    lines = ["\nratio: how many times better ours is (peer time ÷ ours, or our rate ÷ the peer's) "
             "unless the measure says otherwise; compare ratios, not absolute times."]
    if load_before is not None:
        load_now = os.getloadavg()[0]
        lines.append(f"{os.cpu_count()} CPUs; load average {load_before:.1f} at the start, "
                     f"{load_now:.1f} at the end")
    notes = [f"  {r['name']}: {row['measure'][:50]}: {row['note']}" for r in results
             for row in r["rows"] if row.get("note")]
    return "\n".join(lines + (["notes:", *notes] if notes else []))


def save(results: list[dict], folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        document = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "results": results}
        (folder / "latest.json").write_text(json.dumps(document, indent=2) + "\n")
    except OSError as error:
        print(f"run_all: could not save results to {folder}: {error.strerror}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
