"""Writing many finished runs at once (``dlops import mlflow``, issue 19).

A batch of runs is one transaction: rows go in with ``executemany``, and a metric history
given as JSON text is unpacked by the database itself (``json_each`` on SQLite,
``json_array_elements`` on PostgreSQL), so a million values never become a million Python
tuples. Each run's row is written last and the batch commits whole, so an import cut off
halfway leaves no run half-written; rows an older importer left behind without their run
row are cleared first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import values
from ..capture.redact import known_secrets, redact_value
from ..models import RUN_COLUMNS, Artifact, Run
from .metric_ops import _summarise

#: A metric history: ``(timestamp_ms, value, step)`` tuples in the order logged, or the same
#: triples as the text of a JSON array of arrays of finite numbers (``[[1700000000000,0.5,0],...]``),
#: which is stored without being redacted (:meth:`~.base.Cursor.execute_numbers`).
History = Sequence[tuple[int, float, int]] | str

_UNPACK = {
    "sqlite": "SELECT ?, json_extract(value, '$[2]'), json_extract(value, '$[1]'), "
              "json_extract(value, '$[0]') / 1000.0 FROM json_each(?)",
    "postgresql": "SELECT ?, (e->>2)::bigint, (e->>1)::double precision, "
                  "(e->>0)::double precision / 1000 FROM json_array_elements(?::json) AS e",
}
# MLflow's latest value of a metric is the greatest (step, timestamp, value); so is ours.
_LAST = ("(SELECT v.{column} FROM metric_value v WHERE v.series_id = s.series_id "
         "ORDER BY v.step DESC, v.timestamp DESC, v.value DESC LIMIT 1)")
_SUMMARIES = (
    "INSERT INTO metric_summary (run_id, key, last, min, max, count, last_step, last_timestamp) "
    f"SELECT s.run_id, s.key, {_LAST.format(column='value')}, a.lo, a.hi, a.n, "
    f"{_LAST.format(column='step')}, {_LAST.format(column='timestamp')} FROM metric_series s JOIN "
    "(SELECT series_id, MIN(value) AS lo, MAX(value) AS hi, COUNT(*) AS n FROM metric_value "
    "WHERE series_id IN ({marks}) GROUP BY series_id) a ON a.series_id = s.series_id"
)


@dataclass
class ImportedRun:
    """One finished run, whole, as another tracker kept it."""

    run: Run
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, History] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)


def existing_run_ids(store, run_ids: Sequence[str]) -> set[str]:
    """Those of ``run_ids`` the store already has, in a few queries."""
    found: set[str] = set()
    for lo in range(0, len(run_ids), 500):
        chunk = list(run_ids[lo:lo + 500])
        marks = ", ".join("?" for _ in chunk)
        found.update(r[0] for r in store.read(f"SELECT run_id FROM run WHERE run_id IN ({marks})", chunk))
    return found


def write_runs(store, runs: Sequence[ImportedRun]) -> int:
    """Write ``runs`` (none of which the store has yet) in one transaction.

    Parameters
    ----------
    store : Store
        The destination.
    runs : sequence of ImportedRun
        The runs, each with its params, tags, metric histories and artifacts (whose objects
        are already in the object store).

    Returns
    -------
    int
        The metric values written.
    """
    if not runs:
        return 0
    # Series rows are committed first and never deleted (see MetricOperations._series_ids),
    # so their ids stay valid if this transaction is rolled back or replayed.
    series = store._series_ids({(r.run.run_id, key) for r in runs for key in r.metrics})
    known = known_secrets()  # once a batch: it reads the whole environment
    written, unpacked = 0, []
    with store.write() as cursor:
        _clear(cursor, [r.run.run_id for r in runs])
        cursor.executemany("INSERT INTO param (run_id, key, type, num, text, json) VALUES (?, ?, ?, ?, ?, ?)",
                           [row for r in runs for row in _param_rows(r, known)])
        cursor.executemany("INSERT INTO tag (run_id, key, value) VALUES (?, ?, ?)",
                           [row for r in runs for row in _tag_rows(r, known)])
        for r in runs:
            for key, history in r.metrics.items():
                series_id = series[(r.run.run_id, key)]
                count = _write_json(store, cursor, series_id, history) if isinstance(history, str) else None
                if count is None:
                    count = _write_rows(store, cursor, r.run.run_id, key, series_id, _rows_of(history))
                elif count:
                    unpacked.append(series_id)
                written += count
        for lo in range(0, len(unpacked), 500):
            chunk = unpacked[lo:lo + 500]
            cursor.execute_numbers(_SUMMARIES.format(marks=", ".join("?" for _ in chunk)), chunk)
        cursor.executemany("INSERT INTO artifact (run_id, path, object_id, size, kind, created) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           [(r.run.run_id, a.path, a.object_id, a.size, a.kind, a.created)
                            for r in runs for a in r.artifacts])
        for columns, rows in _run_rows(runs).items():
            cursor.executemany(f"INSERT INTO run ({', '.join(columns)}) VALUES "
                               f"({', '.join('?' for _ in columns)})", rows)
    return written


def _clear(cursor, run_ids: list[str]) -> None:
    """What an import cut off before this one left behind (runs without their run row)."""
    for lo in range(0, len(run_ids), 500):
        chunk = run_ids[lo:lo + 500]
        marks = ", ".join("?" for _ in chunk)
        cursor.execute("DELETE FROM metric_value WHERE series_id IN "
                       f"(SELECT series_id FROM metric_series WHERE run_id IN ({marks}))", chunk)
        for table in ("param", "tag", "metric_summary", "artifact"):
            cursor.execute(f"DELETE FROM {table} WHERE run_id IN ({marks})", chunk)


def _param_rows(imported: ImportedRun, known: set[str]) -> list[tuple]:
    # As log_params: a secret-looking name's value is stored redacted, and remembered.
    params = {str(k): redact_value(str(k), v, known) for k, v in imported.params.items()}
    return [(imported.run.run_id, k, *values.encode(v, name=k)) for k, v in params.items()]


def _tag_rows(imported: ImportedRun, known: set[str]) -> list[tuple]:
    return [(imported.run.run_id, str(k), redact_value(str(k), str(v), known)) for k, v in imported.tags.items()]


def _run_rows(runs: Sequence[ImportedRun]) -> dict[tuple[str, ...], list[list]]:
    """Run rows grouped by the columns they set (a NULL column keeps its default)."""
    grouped: dict[tuple[str, ...], list[list]] = {}
    for r in runs:
        columns = tuple(c for c in RUN_COLUMNS if getattr(r.run, c) is not None)
        grouped.setdefault(columns, []).append([getattr(r.run, c) for c in columns])
    return grouped


def _write_json(store, cursor, series_id: int, history: str) -> int | None:
    """Values unpacked from JSON by the database; None when it refuses the text (a number
    JSON cannot spell), which is then read in Python (``history.rows()``)."""
    if store.dialect != "sqlite":
        # PostgreSQL would abort the whole transaction on bad JSON: check it here.
        try:
            json.loads(history)
        except ValueError:
            return None
    try:
        cursor.execute_numbers(f"INSERT INTO metric_value (series_id, step, value, timestamp) "
                               f"{_UNPACK[store.dialect]}", (series_id, history))
    except sqlite3.OperationalError as error:  # SQLite undoes just this statement
        if "JSON" not in str(error):
            raise
        return None
    return cursor.rowcount


def _rows_of(history: History) -> Sequence[tuple[int, float, int]]:
    if isinstance(history, str):
        rows = getattr(history, "rows", None)
        return rows() if rows is not None else [tuple(item) for item in json.loads(history)]
    return history


def _write_rows(store, cursor, run_id: str, key: str, series_id: int, history) -> int:
    # NaN and infinities come this way: the store's own rules for them apply (series.py).
    ordered = sorted(history, key=lambda m: (m[2], m[0], _sortable(m[1])))
    rows = [(series_id, int(s), store._nan_stored(float(v)), t / 1000) for t, v, s in history]
    cursor.executemany("INSERT INTO metric_value (series_id, step, value, timestamp) VALUES (?, ?, ?, ?)", rows)
    summaries = _summarise([(run_id, key, float(v), int(s), t / 1000) for t, v, s in ordered])
    cursor.executemany("INSERT INTO metric_summary (run_id, key, last, min, max, count, last_step, "
                       "last_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [(r, k, store._nan_stored(last), *rest) for r, k, last, *rest in summaries])
    return len(rows)


def _sortable(value: float) -> float:
    # MLflow's max() over (step, timestamp, value) meets NaN as a value that is never greater.
    return float("-inf") if value != value else value
