"""Reading metric series: whole, streamed in chunks, as arrays, or downsampled for a curve.

Values live in ``metric_value`` keyed by an integer series id (migration 7), indexed on
``(series_id, step)``: a downsampled read seeks that index once per point, so 2,000 points
of a 10M-value series cost 2,000 index lookups, not a scan (issue 20).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from typing import Any

from ..errors import UsageError

NAN_TEXT = "NaN"
CHUNK_ROWS = 65536


def metric_number(value: Any) -> float | None:
    """A stored metric value as a float (the text ``'NaN'`` as NaN)."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, str):
        return math.nan if value == NAN_TEXT else float(value)
    return float(value)


def _decoded(rows: list[tuple]) -> list[tuple]:
    if any(type(v) is not float for _, v, _ in rows):
        return [(s, metric_number(v), t) for s, v, t in rows]
    return rows


class SeriesReads:
    def _order(self) -> str:
        # Values logged at one step keep their logging order: SQLite's rowid is that order
        # (and the index's last column, so no sort); PostgreSQL has no rowid, time is next best.
        return "step, rowid" if self.dialect == "sqlite" else "step, timestamp"

    def _series_of(self, run_id: str, key: str | None) -> list[tuple]:
        sql = ("SELECT m.series_id, m.key, COALESCE(s.count, 0) FROM metric_series m "
               "LEFT JOIN metric_summary s ON s.run_id = m.run_id AND s.key = m.key WHERE m.run_id = ?")
        params: list = [run_id]
        if key is not None:
            sql += " AND m.key = ?"
            params.append(key)
        return self.read(sql + " ORDER BY m.key", params)

    def metric_series(self, run_id: str, key: str | None = None, *,
                      max_points: int | None = None) -> dict[str, list[tuple]]:
        """``{key: [(step, value, timestamp), ...]}`` in step order.

        Parameters
        ----------
        run_id, key
            The run, and one metric of it (default: all of them).
        max_points
            At most this many points a key, for a curve: the first and last values and the
            values at evenly spaced steps between (read from the index, so as fast for 10M
            values as for 10k). Default: every value.
        """
        if max_points is not None and (isinstance(max_points, bool) or int(max_points) < 2):
            raise UsageError(f"max_points must be 2 or more, not {max_points!r}")
        series: dict[str, list[tuple]] = {}
        for series_id, name, count in self._series_of(run_id, key):
            if max_points is not None and count > max_points:
                points = self._sampled(series_id, int(max_points))
            else:
                points = _decoded(self.read("SELECT step, value, timestamp FROM metric_value "
                                            f"WHERE series_id = ? ORDER BY {self._order()}", (series_id,)))
            if points:
                series[name] = points
        return series

    def iter_metric_series(self, run_id: str, key: str, size: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
        """One series as lists of at most ``size`` ``(step, value, timestamp)``, in step order."""
        for series_id, _, _ in self._series_of(run_id, key):
            for rows in self.read_chunks("SELECT step, value, timestamp FROM metric_value "
                                         f"WHERE series_id = ? ORDER BY {self._order()}", (series_id,), size):
                yield _decoded(rows)

    def metric_arrays(self, run_id: str, key: str) -> dict[str, array]:
        """One series as three arrays, ``step`` (int64), ``value`` and ``timestamp`` (float64),
        read in chunks: 10M values take 240 MB, not gigabytes of tuples.
        ``numpy.frombuffer(arrays["value"])`` views one without a copy."""
        steps, values, times = array("q"), array("d"), array("d")
        for rows in self.iter_metric_series(run_id, key):
            s, v, t = zip(*rows, strict=True)
            steps.extend(s)
            values.extend(math.nan if x is None else x for x in v)
            times.extend(t)
        return {"step": steps, "value": values, "timestamp": times}

    def _sampled(self, series_id: int, n: int) -> list[tuple]:
        """The first value at or after each of ``n`` evenly spaced steps, first to last."""
        lo = self.read_one("SELECT step FROM metric_value WHERE series_id = ? ORDER BY step LIMIT 1",
                           (series_id,))
        hi = self.read_one("SELECT step FROM metric_value WHERE series_id = ? ORDER BY step DESC LIMIT 1",
                           (series_id,))
        if lo is None or hi is None:
            return []
        targets = sorted({math.ceil(lo[0] + (hi[0] - lo[0]) * i / (n - 1)) for i in range(n)})
        if self.dialect == "sqlite":
            rows = self._seeks(series_id, targets)
        else:
            rows = self.read(
                "SELECT v.step, v.value, v.timestamp FROM unnest(?::bigint[]) AS t(x) CROSS JOIN LATERAL "
                "(SELECT step, value, timestamp FROM metric_value WHERE series_id = ? AND step >= t.x "
                f"ORDER BY {self._order()} LIMIT 1) v ORDER BY t.x", (targets, series_id))
        unique, seen = [], set()
        for row in rows:
            if row is not None and row[0] not in seen:  # sparse steps: several targets, one value
                seen.add(row[0])
                unique.append(row)
        return _decoded(unique)

    def _seeks(self, series_id: int, targets: list[int]) -> list[tuple | None]:
        """SQLite: one index seek per target on one cursor (in process, each costs microseconds)."""
        sql = ("SELECT step, value, timestamp FROM metric_value WHERE series_id = ? AND step >= ? "
               f"ORDER BY {self._order()} LIMIT 1")
        with self._lock:
            try:
                cursor = self.conn.cursor()
                try:
                    return [cursor.execute(sql, (series_id, target)).fetchone() for target in targets]
                finally:
                    cursor.close()
            except Exception as error:
                raise self._wrap(error) from None
