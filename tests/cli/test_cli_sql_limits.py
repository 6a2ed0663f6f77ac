"""``dlops sql`` on SQLite is bounded: a time limit, Ctrl-C, and a row cap (issue 14: a
never-ending recursive CTE ran for ever, ignored Ctrl-C and grew memory without bound)."""

import json
import os
import signal
import subprocess
import time

import pytest
from helpers import BIN, add_run, run_cli

FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "


@pytest.fixture
def populated(store, store_dir):
    add_run(store, "aaaa1111", {"lr": 0.01}, {"acc": 0.95}, name="one")
    store.close()
    return store_dir


def test_a_never_ending_query_stops_at_the_time_limit(populated):
    done = run_cli("sql", FOREVER + "SELECT count(*) FROM c", env={"DLOPS_SQL_TIMEOUT": "1"})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "longer than the time limit (1 s)" in lines[0] and "DLOPS_SQL_TIMEOUT" in lines[0]


def test_a_never_ending_row_query_prints_the_first_rows_and_says_so(populated):
    from jupyter_dlops.store.readonly import MAX_ROWS

    done = run_cli("sql", FOREVER + "SELECT x FROM c", "--json", env={"DLOPS_SQL_TIMEOUT": "600"})
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == MAX_ROWS and rows[-1] == {"x": MAX_ROWS}
    assert f"showing the first {MAX_ROWS:,} rows" in done.stderr
    limited = run_cli("sql", FOREVER + "SELECT x FROM c", "--limit", "3", "--json")
    assert json.loads(limited.stdout) == [{"x": 1}, {"x": 2}, {"x": 3}] and limited.stderr == ""


def test_ctrl_c_stops_a_running_query(populated):
    proc = subprocess.Popen([str(BIN / "dlops"), "sql", FOREVER + "SELECT count(*) FROM c"],
                            env={**os.environ, "DLOPS_SQL_TIMEOUT": "3600"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Interrupt once the query is running: the process has spent CPU time beyond its start-up.
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        with open(f"/proc/{proc.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks > 2.0:  # utime + stime
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("dlops sql did not stop on Ctrl-C")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
