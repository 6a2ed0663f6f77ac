"""Write docs/benchmarks.md from the results of ``benchmarks/run_all.py``.

    .venv/bin/python benchmarks/run_all.py --save build/bench          # measure (make bench)
    .venv/bin/python docs/gen_benchmarks_page.py build/bench/latest.json [more.json ...] [--note TEXT]

Each input is run_all's combined document (``{"when", "results": [...]}``) or one bench
script's ``--json`` document (``{"name", "rows"}``); later inputs replace earlier results of
the same benchmark. The page shows the figures exactly as measured, the machine they were
measured on, and the command for each; a benchmark that failed is listed with its error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent / "benchmarks.md"
COMMANDS = {
    "tracking": "python benchmarks/bench_tracking.py",
    "startup": "python benchmarks/bench_startup.py",
    "export": "python benchmarks/bench_export.py",
    "data": "python benchmarks/bench_data.py",
    "sweep": "python benchmarks/bench_sweep.py",
    "track": "python benchmarks/bench_track.py",
    "redact": "python benchmarks/bench_redact.py",
    "mlflow_import": "python benchmarks/bench_mlflow_import.py",
    "dask_sweep": "python benchmarks/bench_dask_sweep.py",
}


#: Targets no benchmark script measures yet; each is a TODO, not a figure.
NOT_MEASURED = [
    "## Not measured yet", "",
    "- TODO: the Experiments workspace's timings on a quiet machine (`ui-tests/tests/bench-10k.spec.ts` "
    "writes them to benchmarks/results/bench-10k.json; the figures by hand in \"Experiments "
    "workspace, 10,000 runs\" were measured at a load average of 12).",
    "- TODO: 0 failed kernel starts in 200 starts 16 at a time (`bench_sweep.py` measures it, but "
    "did not complete here; see the sweep section).",
    "- TODO: the full-size runs (without `--quick`) of `startup`, `track`, `tracking` and `data`.",
]


def load(paths: list[Path]) -> tuple[dict[str, dict], list[str]]:
    results: dict[str, dict] = {}
    when: list[str] = []
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        if "when" in document:
            when.append(document["when"])
        if "wall_seconds" in document:
            document = export_rows(document)
        for result in document.get("results", [document]):
            if result.get("rows") or result.get("name") not in results:
                results[result["name"]] = result
    return results, when


def export_rows(document: dict) -> dict:
    """bench_export.py writes its own shape (seconds per tool); turn it into rows."""
    rows = []
    for kind in ("wall", "cpu"):
        times = document[f"{kind}_seconds"]
        ours = times.pop("dlops export")
        for peer, value in times.items():
            rows.append({"measure": f"export a {document['cells']:,}-cell notebook, whole process, "
                                    f"{kind} time (median)", "ours": ours, "unit": "s",
                         "peer": peer, "peer_value": value, "ratio": value / ours,
                         "target": "≤ 0.30 s, ≤ 50% of nbconvert" if kind == "wall" else "",
                         "met": (ours <= 0.30 and ours <= 0.5 * value) if kind == "wall" else None})
    return {"name": "export", "rows": rows}


def _number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def section(name: str, result: dict) -> list[str]:
    command = result.get("command") or COMMANDS.get(name, f"python benchmarks/bench_{name}.py")
    lines = [f"## {name}", "", "```bash", command, "```", ""]
    if result.get("note"):
        lines += [result["note"], ""]
    if not result.get("rows"):
        return [*lines, f"Not measured here: {result.get('error', 'no rows')}.", ""]
    lines += ["| measure | ours | peer | peer value | ratio | target | met |",
              "|---|---|---|---|---|---|---|"]
    for row in result["rows"]:
        met = {True: "yes", False: "**no**"}.get(row.get("met"), "")
        unit = f" {row['unit']}" if row.get("unit") else ""
        lines.append(
            f"| {row['measure']} | {_number(row.get('ours'))}{unit} | {row.get('peer') or '–'} "
            f"| {_number(row.get('peer_value'))}{unit if row.get('peer_value') is not None else ''} "
            f"| {_number(row.get('ratio'))}"
            f"{'×' if row.get('ratio') is not None else ''} | {row.get('target') or ''} | {met} |")
    return [*lines, ""]


def render(paths: list[Path], note: str = "") -> str:
    results, when = load(paths)
    cpus = os.cpu_count()
    head = [
        "# Benchmarks", "",
        "<!-- Written by docs/gen_benchmarks_page.py from benchmarks/run_all.py results. -->", "",
        "Every figure is ours measured **beside** the peer it is compared with, in the same run on "
        "the same machine; absolute times on a shared machine are noisy, the ratios carry over. "
        "What each benchmark does, exactly, is in [benchmarks/README.md](../benchmarks/README.md).",
        "", "```bash",
        "make bench                                        # every benchmark, one combined table",
        ".venv/bin/python benchmarks/run_all.py --quick    # shorter runs",
        ".venv/bin/python docs/gen_benchmarks_page.py benchmarks/results/latest.json  # this page",
        "```", "",
        "The result files this page was written from are kept in [results/](results/).", "",
        f"Measured {', '.join(when) or 'at the time given in the inputs'} on {platform.system()} "
        f"{platform.machine()}, {cpus} CPU cores, Python {platform.python_version()}."
        + (f" {note}" if note else ""), "",
    ]
    body: list[str] = []
    for name in sorted(results):
        body += section(name, results[name])
    return "\n".join(head + body + NOT_MEASURED).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/benchmarks.md from results.")
    parser.add_argument("results", nargs="+", type=Path, help="run_all or bench_*.py JSON files")
    parser.add_argument("--note", default="", help="conditions worth knowing (load, other jobs)")
    args = parser.parse_args(argv)
    TARGET.write_text(render(args.results, args.note), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
