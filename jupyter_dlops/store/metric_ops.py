"""Metric series and their per-key summaries (last, min, max, count)."""

from __future__ import annotations

import math
from collections.abc import Sequence

MetricRow = tuple  # (run_id, key, value, step, timestamp)


class MetricOperations:
    def _least(self) -> str:
        return "MIN" if self.dialect == "sqlite" else "LEAST"

    def _greatest(self) -> str:
        return "MAX" if self.dialect == "sqlite" else "GREATEST"

    def insert_metrics(self, rows: Sequence[MetricRow]) -> None:
        """Append metric values and fold them into the summaries, in one transaction."""
        if not rows:
            return
        clean = [(r, k, v if v is None or math.isfinite(v) else None, s, t) for r, k, v, s, t in rows]
        summaries = _summarise(clean)
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

    def metric_series(self, run_id: str, key: str | None = None) -> dict[str, list[tuple]]:
        """``{key: [(step, value, timestamp), ...]}`` in step order."""
        sql = "SELECT key, step, value, timestamp FROM metric WHERE run_id = ?"
        params: list = [run_id]
        if key is not None:
            sql += " AND key = ?"
            params.append(key)
        series: dict[str, list[tuple]] = {}
        for k, step, value, ts in self.read(sql + " ORDER BY key, step, timestamp", params):
            series.setdefault(k, []).append((step, value, ts))
        return series

    def metric_keys(self) -> list[str]:
        return [r[0] for r in self.read("SELECT DISTINCT key FROM metric_summary ORDER BY key")]

    def param_keys(self) -> list[str]:
        return [r[0] for r in self.read("SELECT DISTINCT key FROM param ORDER BY key")]

    def varying_param_keys(self) -> list[str]:
        """The param keys whose value differs between runs (or that some runs lack): the
        columns worth showing by default."""
        return [r[0] for r in self.read(
            "SELECT key FROM param GROUP BY key "
            "HAVING COUNT(DISTINCT json) > 1 OR COUNT(*) < (SELECT COUNT(*) FROM run) ORDER BY key"
        )]


def _summarise(rows: Sequence[MetricRow]) -> list[tuple]:
    acc: dict[tuple[str, str], list] = {}
    for run_id, key, value, step, ts in rows:
        entry = acc.get((run_id, key))
        if entry is None:
            acc[(run_id, key)] = [value, value, value, 1, step, ts]
            continue
        entry[0], entry[4], entry[5] = value, step, ts
        entry[3] += 1
        if value is not None:
            entry[1] = value if entry[1] is None else min(entry[1], value)
            entry[2] = value if entry[2] is None else max(entry[2], value)
    # Sorted, so that concurrent writers lock summary rows in one order (no deadlocks).
    return [(run_id, key, *entry) for (run_id, key), entry in sorted(acc.items())]
