"""Metric series and their per-key summaries (last, min, max, count).

NaN and infinities are values, stored and read back as such (MLflow keeps them too; they
were stored as NULL before, issue 14). PostgreSQL's double precision holds all three;
SQLite holds infinities but turns a NaN into NULL, so a NaN is stored there as the text
``'NaN'``, which :func:`metric_number` reads back. ``min`` and ``max`` leave NaN out
(like ``numpy.nanmin``); ``last`` is the last value, NaN included.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

MetricRow = tuple  # (run_id, key, value, step, timestamp)
NAN_TEXT = "NaN"


def metric_number(value: Any) -> float | None:
    """A stored metric value as a float (the text ``'NaN'`` as NaN)."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, str):
        return math.nan if value == NAN_TEXT else float(value)
    return float(value)


class MetricOperations:
    def _least(self) -> str:
        return "MIN" if self.dialect == "sqlite" else "LEAST"

    def _greatest(self) -> str:
        return "MAX" if self.dialect == "sqlite" else "GREATEST"

    def insert_metrics(self, rows: Sequence[MetricRow]) -> None:
        """Append metric values and fold them into the summaries, in one transaction."""
        if not rows:
            return
        summaries = [(r, k, self._nan_stored(last), *rest) for r, k, last, *rest in _summarise(rows)]
        clean = [(r, k, self._nan_stored(v), s, t) for r, k, v, s, t in rows]
        least, greatest = self._least(), self._greatest()
        with self.write() as cursor:
            cursor.executemany(
                "INSERT INTO metric (run_id, key, value, step, timestamp) VALUES (?, ?, ?, ?, ?)", clean
            )
            cursor.executemany(
                "INSERT INTO metric_summary (run_id, key, last, min, max, count, last_step, "
                "last_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET "
                "last = excluded.last, last_step = excluded.last_step, "
                "last_timestamp = excluded.last_timestamp, "
                f"min = COALESCE({least}(metric_summary.min, excluded.min), metric_summary.min, excluded.min), "
                f"max = COALESCE({greatest}(metric_summary.max, excluded.max), metric_summary.max, excluded.max), "
                "count = metric_summary.count + excluded.count",
                summaries,
            )

    def _nan_stored(self, value: float | None) -> Any:
        if value is not None and value != value and self.dialect == "sqlite":
            return NAN_TEXT
        return value

    def metric_series(self, run_id: str, key: str | None = None) -> dict[str, list[tuple]]:
        """``{key: [(step, value, timestamp), ...]}`` in step order."""
        sql = "SELECT key, step, value, timestamp FROM metric WHERE run_id = ?"
        params: list = [run_id]
        if key is not None:
            sql += " AND key = ?"
            params.append(key)
        series: dict[str, list[tuple]] = {}
        for k, step, value, ts in self.read(sql + " ORDER BY key, step, timestamp", params):
            series.setdefault(k, []).append((step, metric_number(value), ts))
        return series

    def metric_keys(self) -> list[str]:
        return [r[0] for r in self.read("SELECT DISTINCT key FROM metric_summary ORDER BY key")]

    def param_keys(self) -> list[str]:
        return [r[0] for r in self.read("SELECT DISTINCT key FROM param ORDER BY key")]


def _summarise(rows: Sequence[MetricRow]) -> list[tuple]:
    acc: dict[tuple[str, str], list] = {}
    for run_id, key, value, step, ts in rows:
        entry = acc.get((run_id, key))
        number = value if value is not None and value == value else None  # NaN: not a min or max
        if entry is None:
            acc[(run_id, key)] = [value, number, number, 1, step, ts]
            continue
        entry[0], entry[4], entry[5] = value, step, ts
        entry[3] += 1
        if number is not None:
            entry[1] = value if entry[1] is None else min(entry[1], value)
            entry[2] = value if entry[2] is None else max(entry[2], value)
    # Sorted, so that concurrent writers lock summary rows in one order (no deadlocks).
    return [(run_id, key, *entry) for (run_id, key), entry in sorted(acc.items())]
