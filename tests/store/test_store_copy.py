"""``dlops store copy``: SQLite and local objects to PostgreSQL and back, nothing lost, verified
by counts and hashes (issue 19)."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

import jupyter_dlops as dl
from jupyter_dlops.errors import UsageError
from jupyter_dlops.store import close_all, open_store
from jupyter_dlops.store.copy import copy_store, table_digest, tables

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store_uri(postgres_server, tmp_path):
    name = postgres_server.create_database()
    yield f"{postgres_server.uri(name)}?artifacts={tmp_path / 'pg-objects'}"
    close_all()
    postgres_server.drop_database(name)


def _fill(store, tmp_path):
    weights = tmp_path / "weights.bin"
    weights.write_bytes(os.urandom(4096))
    with dl.start_run(name="one", params={"lr": 0.01, "layers": [64, 32], "opt": None}, tags={"stage": "prod"},
                      capture=False, store=store) as run:
        for step, value in enumerate([1.0, float("nan"), float("inf"), 0.25]):
            run.log_metric("loss", value, step=step)
        run.log_artifact(str(weights))
    return run.run_id


def _everything(store):
    return {t: table_digest(store, t, sorted(c for c in _cols(store, t))) for t in tables(store)}


def _cols(store, table):
    from jupyter_dlops.store.copy import columns

    return columns(store, table)


def test_sqlite_to_postgresql_and_back_loses_nothing(tmp_path, pg_store_uri, monkeypatch):
    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    source = open_store(str(tmp_path / "src"))
    run_id = _fill(source, tmp_path)
    pg = open_store(pg_store_uri)
    report = copy_store(source, pg)
    assert report.rows["run"] == 1 and report.rows["metric_value"] == 4 and report.objects >= 1
    back = open_store(str(tmp_path / "back"))
    copy_store(pg, back)
    assert _everything(back) == _everything(source)
    run = back.get_run(run_id)
    assert run.params == {"lr": 0.01, "layers": [64, 32], "opt": None}
    values = [v for _, v, _ in back.metric_series(run_id)["loss"]]
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == math.inf and values[3] == 0.25
    artifact = next(a for a in run.artifacts if a.path.endswith("weights.bin"))
    assert back.objects.read_bytes(artifact.object_id) == (tmp_path / "weights.bin").read_bytes()
    assert back.search_run_ids("metrics.loss = 0.25 and params.lr = '0.01'") == [run_id]


def test_a_destination_with_data_is_refused_and_left_alone(tmp_path, pg_store_uri, monkeypatch):
    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    source = open_store(str(tmp_path / "src"))
    _fill(source, tmp_path)
    pg = open_store(pg_store_uri)
    copy_store(source, pg)
    before = _everything(pg)
    with pytest.raises(UsageError, match="already holds data"):
        copy_store(source, pg)
    assert _everything(pg) == before


def test_the_cli_copies(tmp_path, pg_store_uri, monkeypatch):
    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    _fill(open_store(str(tmp_path / "src")), tmp_path)
    close_all()
    dlops = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]
    done = subprocess.run([*dlops, "store", "copy", str(tmp_path / "src"), pg_store_uri],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "counts and hashes match" in done.stdout
    again = subprocess.run([*dlops, "store", "copy", str(tmp_path / "src"), pg_store_uri],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode != 0 and "already holds data" in again.stderr
