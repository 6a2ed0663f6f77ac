"""Metric series and their per-key summaries (last, min, max, count).

NaN and infinities are values, stored and read back as such (MLflow keeps them too; they
were stored as NULL before, issue 14). PostgreSQL's double precision holds all three;
SQLite holds infinities but turns a NaN into NULL, so a NaN is stored there as the text
``'NaN'``, which :func:`metric_number` reads back. ``min`` and ``max`` leave NaN out
(like ``numpy.nanmin``); ``last`` is the last value, NaN included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .series import NAN_TEXT, SeriesReads

MetricRow = tuple  # (run_id, key, value, step, timestamp)
SERIES_CACHE_MAX = 10_000  # (run_id, key) -> series id pairs a process remembers


class MetricOperations(SeriesReads):
    def _least(self) -> str:
        return "MIN" if self.dialect == "sqlite" else "LEAST"

    def _greatest(self) -> str:
        return "MAX" if self.dialect == "sqlite" else "GREATEST"

    def insert_metrics(self, rows: Sequence[MetricRow]) -> None:
        """Append metric values and fold them into the summaries, in one transaction."""
        if not rows:
            return
        ids = self._series_ids({(r[0], r[1]) for r in rows})
        summaries = [(r, k, self._nan_stored(last), *rest) for r, k, last, *rest in _summarise(rows)]
        clean = [(ids[(r, k)], s, self._nan_stored(v), t) for r, k, v, s, t in rows]
        least, greatest = self._least(), self._greatest()
        with self.write() as cursor:
            cursor.executemany(
                "INSERT INTO metric_value (series_id, step, value, timestamp) VALUES (?, ?, ?, ?)", clean
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

    def _series_ids(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The integer id of each (run_id, key) series, created when new.

        New series are committed in their own transaction before the values: a series row
        is never deleted, so its id stays valid when the values' transaction fails or is
        replayed (PostgreSQL, after a deadlock), and ids can be cached for the process."""
        cache = self.__dict__.setdefault("_series_cache", {})
        found = {p: cache[p] for p in pairs if p in cache}
        missing = sorted(pairs - found.keys())  # sorted: writers lock rows in one order
        if not missing:
            return found
        with self.write() as cursor:
            cursor.executemany("INSERT INTO metric_series (run_id, key) VALUES (?, ?) "
                               "ON CONFLICT (run_id, key) DO NOTHING", missing)
        wanted = set(missing)
        run_ids = sorted({run_id for run_id, _ in missing})
        for lo in range(0, len(run_ids), 500):
            chunk = run_ids[lo:lo + 500]
            for run_id, key, series_id in self.read(
                "SELECT run_id, key, series_id FROM metric_series WHERE run_id IN "
                f"({', '.join('?' for _ in chunk)})", chunk
            ):
                if (run_id, key) in wanted:
                    found[(run_id, key)] = series_id
        if len(cache) > SERIES_CACHE_MAX:
            cache.clear()
        cache.update((p, found[p]) for p in missing)
        return found

    def _nan_stored(self, value: float | None) -> Any:
        if value is not None and value != value and self.dialect == "sqlite":
            return NAN_TEXT
        return value

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
