"""bench_track.py runs end to end (tiny sizes, no peers) and writes run_all's JSON rows.
Timings are not asserted: this machine is shared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_track.py"


def test_bench_track_quick(tmp_path):
    out = tmp_path / "track.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DLOPS_STORE", "DLOPS_RUN_ID")}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-peers", "--cells", "30",
                           "--file-mb", "4", "--array-mb", "16", "--json", str(out)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    assert len(rows) == 9
    for row in rows:
        assert set(row) >= {"measure", "ours", "peer", "peer_value", "ratio", "target", "unit"}
        assert isinstance(row["ours"], float) and isinstance(row["met"], bool)
    assert all(row["peer_value"] is None for row in rows if "ipyflow" in row["peer"])
