"""``benchmarks/bench_data.py --quick --no-peers`` runs and writes rows ``run_all.py`` reads.
Timings are not asserted (the machine is shared); the bytes-read figures are exact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_data.py"


@pytest.mark.slow
def test_bench_data_quick(tmp_path):
    out = tmp_path / "data.json"
    env = {**os.environ, "DLOPS_BENCH_NO_PEERS": "1"}
    env.pop("DLOPS_STORE", None)
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--no-peers", "--repeat", "1",
                           "--json", str(out)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    # three trees, eight rows each: two add timings, the first add against the bare loop (whole
    # processes: wall and CPU time; in process: wall), the hashing throughput, and the bytes
    # read by a second add before and after one file changes
    assert len(rows) == 24
    exact = [r for r in rows if "bytes read" in r["measure"]]
    assert len(exact) == 6 and all(r["met"] for r in exact), exact
    loops = [r for r in rows if "bare loop" in r["measure"]]
    assert len(loops) == 9 and all(r["peer_value"] > 0 and r["ours"] > 0 for r in loops)
    assert all(r["peer_value"] is None for r in rows if "add" in r["measure"] and r not in loops)
