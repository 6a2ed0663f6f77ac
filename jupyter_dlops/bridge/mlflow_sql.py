"""Reading an MLflow SQLite database (``sqlite:///mlflow.db``) directly, read-only, with a
few bulk ``SELECT``s a batch of runs over the tables MLflow's SQLAlchemy store keeps
(``experiments``, ``runs``, ``params``, ``tags``, ``metrics``; issue 19).

MLflow stores a NaN as ``value = 0, is_nan = 1`` and an infinity as the largest double of
its sign; a value is read back here as MLflow's own client returns it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..errors import UsageError
from .mlflow_runs import SourceRun, artifact_reader

BATCH = 200  # runs a SELECT asks about (SQLite allows 999 variables before 3.32)
TABLES = {"experiments", "runs", "params", "tags", "metrics"}


def database_path(uri: str) -> Path:
    """The file of a ``sqlite:///`` URI; refused when it is not there (MLflow would create
    an empty one and import nothing)."""
    path = Path(uri[len("sqlite:///"):].split("?", 1)[0]).expanduser()
    if not path.is_file():
        raise UsageError(f"no MLflow database at {uri}: check the path (sqlite:////abs/path.db)")
    return path


def read_database(path: Path) -> Iterator[SourceRun]:
    """Every run (active and deleted) of the MLflow database at ``path``."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables >= TABLES:
            raise UsageError(f"{path} is not an MLflow database (it lacks the tables "
                             f"{', '.join(sorted(TABLES - tables))})")
        runs = conn.execute(
            "SELECT r.run_uuid, e.name, r.name, r.status, r.start_time, r.end_time, r.user_id, r.artifact_uri "
            "FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id "
            "ORDER BY r.experiment_id, r.start_time, r.run_uuid").fetchall()
        for lo in range(0, len(runs), BATCH):
            yield from _batch(conn, runs[lo:lo + BATCH], path.parent)
    finally:
        conn.close()


def _batch(conn: sqlite3.Connection, rows: list[tuple], base: Path) -> Iterator[SourceRun]:
    ids = [r[0] for r in rows]
    marks = ", ".join("?" for _ in ids)
    params = _pairs(conn, f"SELECT run_uuid, key, value FROM params WHERE run_uuid IN ({marks})", ids)
    tags = _pairs(conn, f"SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ({marks})", ids)
    metrics: dict[str, dict[str, list]] = {}
    # In the order logged (rowid); the writer sorts out MLflow's latest value.
    for run_id, key, value, timestamp, step, is_nan in conn.execute(
            "SELECT run_uuid, key, value, timestamp, step, is_nan FROM metrics "
            f"WHERE run_uuid IN ({marks}) ORDER BY run_uuid, key, rowid", ids):
        series = metrics.setdefault(run_id, {}).setdefault(key, [])
        series.append((timestamp, float("nan") if is_nan else value, step))
    for run_id, experiment, name, status, start, end, user, artifact_uri in rows:
        run_tags = tags.get(run_id, {})
        yield SourceRun(run_id=run_id, experiment=experiment, name=name or run_tags.get("mlflow.runName"),
                        status=status or "RUNNING", start_ms=start, end_ms=end, user=user,
                        params=params.get(run_id, {}), tags=run_tags, metrics=metrics.get(run_id, {}),
                        artifacts=artifact_reader(artifact_uri, base=base))


def _pairs(conn: sqlite3.Connection, sql: str, ids: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for run_id, key, value in conn.execute(sql, ids):
        found.setdefault(run_id, {})[key] = "" if value is None else value
    return found
