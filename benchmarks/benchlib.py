"""What every ``bench_*.py`` script shares: its command line, rows, the printed table and the
``--json`` document (the format ``run_all.py`` reads), and process-timing helpers."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


@dataclass
class Row:
    """One figure. ``ratio`` is how many times better ours is than the peer (peer time ÷ our
    time, or our rate ÷ peer rate) unless the measure says otherwise; ``met`` is the verdict
    against ``target`` (None when there is nothing to judge)."""

    measure: str
    ours: float | None
    unit: str
    target: str = ""
    peer: str = ""
    peer_value: float | None = None
    ratio: float | None = None
    met: bool | None = None
    note: str = ""


@dataclass
class Report:
    name: str
    rows: list[Row] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(f"  {row.measure}: ours {fmt(row.ours)} {row.unit}"
              + (f", {row.peer} {fmt(row.peer_value)} {row.unit}" if row.peer else "")
              + (f", ratio {row.ratio:.2f}×" if row.ratio is not None else "")
              + (f"  [{row.target}: {'met' if row.met else 'MISSED'}]" if row.met is not None else ""),
              file=sys.stderr, flush=True)
        return row

    def document(self) -> dict:
        return {"name": self.name, "rows": [asdict(r) for r in self.rows], "info": self.info}

    def finish(self, json_path: Path | None) -> None:
        if hasattr(os, "getloadavg"):  # how busy the machine was: absolute times follow it
            self.info["load_average_at_end"] = round(os.getloadavg()[0], 1)
        print(self.table())
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(self.document(), indent=2) + "\n")

    def table(self) -> str:
        head = ["measure", "ours", "peer", "peer value", "ratio", "target", "met?"]
        body = [[r.measure, f"{fmt(r.ours)} {r.unit}", r.peer or "—",
                 f"{fmt(r.peer_value)} {r.unit}" if r.peer_value is not None else "—",
                 f"{r.ratio:.2f}×" if r.ratio is not None else "—", r.target or "—",
                 {True: "yes", False: "NO", None: "—"}[r.met]] for r in self.rows]
        widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in [head, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return f"\n{self.name}\n" + "\n".join(lines)


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON here")
    p.add_argument("--quick", action="store_true", help="short run with small sizes")
    p.add_argument("--no-peers", action="store_true",
                   help="time ours only; never install or run the peers")
    return p


def parse(p: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    args = p.parse_args(argv)
    if args.no_peers:
        os.environ["DLOPS_BENCH_NO_PEERS"] = "1"  # peers.py then refuses to install anything
    return args


def ratio(better: float | None, worse: float | None) -> float | None:
    """``better ÷ worse`` when both are known and ``worse`` is non-zero."""
    if better is None or worse is None or worse == 0:
        return None
    return better / worse


def time_process(command: list[str], runs: int, env: dict | None = None,
                 cwd: Path | None = None) -> list[float]:
    """Wall times in seconds of ``runs`` whole-process runs of ``command`` (each must succeed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env, cwd=cwd)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {proc.stderr.decode()[-300:]}")
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def run_json(command: list[str], *, env: dict | None = None, cwd: Path | None = None,
             timeout: float = 1800) -> dict:
    """Run a child that prints one JSON document as its last stdout line; return it."""
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{Path(command[1]).name} {' '.join(command[2:4])} failed "
                           f"(exit {proc.returncode}): {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_runs(store, start: int, end: int, data, when, batch: int) -> None:
    """Finished runs ``start..end-1`` written in batches straight into the tables (seconds for
    100,000 runs, where the tracking API would take minutes): ``data(i)`` gives run i's
    ``(params, metrics)`` dicts and ``when(i)`` its start time."""
    from jupyter_dlops import values
    from jupyter_dlops.models import RUN_COLUMNS

    run_sql = f"INSERT INTO run ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' for _ in RUN_COLUMNS)})"
    for lo in range(start, end, batch):
        runs, params, metrics = [], [], []
        for i in range(lo, min(lo + batch, end)):
            run_id, now = f"{i:032x}", when(i)
            runs.append((run_id, f"bench-{i}", "bench", "script", "finished", now, now + 1, now + 1,
                         "bench", None, None, None, None, None, None, None))
            p, m = data(i)
            params += [(run_id, k, *values.encode(v, name=k)) for k, v in p.items()]
            metrics += [(run_id, k, v, 0, now) for k, v in m.items()]
        with store.write() as cursor:
            cursor.executemany(run_sql, runs)
            cursor.executemany("INSERT INTO param (run_id, key, type, num, text, json) "
                               "VALUES (?, ?, ?, ?, ?, ?)", params)
        store.insert_metrics(metrics)
