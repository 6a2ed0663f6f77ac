"""`make demo` with a .dlops/ from an earlier version: the store is migrated, nothing is lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_store_from_before_data_tree_state_is_caught_up(tmp_path, store_dir):
    """A store written when m002 had no data_tree_state (main, before 398e942) still adds data."""
    from jupyter_dlops import start_run
    from jupyter_dlops.store import close_all

    with start_run(name="older") as run:
        run.log_metric("loss", 0.5)
    close_all()
    db = sqlite3.connect(store_dir / "dlops.db")
    with db:  # make it what that version wrote: schema 4, no tree state, no triggers
        db.execute("DROP TABLE data_tree_state")
        db.execute("DROP TRIGGER data_file_immutable")
        db.execute("DROP TRIGGER data_version_immutable")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
        # metric values in version 1's one table, keyed by run id and key (before m007)
        db.execute("CREATE TABLE metric AS SELECT run_id, key, value, step, timestamp FROM metrics")
        db.execute("DROP VIEW metrics")
        db.execute("DROP TABLE metric_value")
        db.execute("DROP TABLE metric_series")
        db.execute("CREATE VIEW metrics AS SELECT run_id, key, value, step, timestamp FROM metric")
    db.close()
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x\n1\n")
    added = subprocess.run([str(BIN / "dlops"), "data", "add", str(data), "--name", "d"],
                           capture_output=True, text=True, check=False)
    assert added.returncode == 0, added.stderr
    runs = subprocess.run([str(BIN / "dlops"), "runs", "--ids"], capture_output=True, text=True,
                          check=False)
    assert runs.stdout.split() == [run.run_id]
    db = sqlite3.connect(store_dir / "dlops.db")
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert {"data_tree_state", "data_file_immutable", "data_version_immutable"} <= names
    assert "metric" not in names and {"metric_series", "metric_value"} <= names
    from jupyter_dlops.store import open_store
    assert [tuple(p[:2]) for p in open_store(str(store_dir)).metric_series(run.run_id)["loss"]] == [(0, 0.5)]
