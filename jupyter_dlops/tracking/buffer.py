"""Buffered metric writes: ``add`` is a list append; a background thread commits every
``interval`` seconds, so at most that much is at risk if the process is killed.

Backpressure: a loop that logs flat out starves the background thread (a GIL convoy: sqlite3's
``executemany`` gives the GIL back on every row and waits up to the 5 ms switch interval to
get it again), so nothing was committed for seconds. When the buffer is full or its oldest
row is older than ``1.5 × interval``, ``add`` commits in the caller's thread instead; the
SIGKILL window stays bounded whatever the logging rate (benchmarks/bench_tracking.py).
"""

from __future__ import annotations

import sys
import threading
import time

from ..config import env_float
from ..errors import StoreError


class MetricBuffer:
    def __init__(self, store, interval: float | None = None, max_rows: int = 5_000) -> None:
        self.store = store
        self.interval = interval if interval is not None else env_float("DLOPS_FLUSH_INTERVAL", 0.25)
        self.max_rows = max_rows
        self.paused_reason: str | None = None
        #: set while a run ends: an unreachable store is then reported once, by the spool
        self.quiet = False
        self._rows: list[tuple] = []
        self._oldest = 0.0  # monotonic time the oldest unflushed row arrived
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="dlops-metrics", daemon=True)
        self._thread.start()

    def add(self, row: tuple) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._rows:
                self._oldest = now
            self._rows.append(row)
            late = len(self._rows) >= self.max_rows or now - self._oldest > 1.5 * self.interval
        if late and self.paused_reason is None:  # while the store fails, the thread retries
            self.flush()

    def extend(self, rows: list[tuple]) -> None:
        with self._lock:
            if not self._rows:
                self._oldest = time.monotonic()
            self._rows.extend(rows)

    def flush(self) -> None:
        """Commit everything buffered; on a store error keep the rows and pause."""
        with self._flush_lock:
            with self._lock:
                rows, self._rows = self._rows, []
            if not rows:
                return
            try:
                self.store.insert_metrics(rows)
                self.paused_reason = None
            except StoreError as error:
                with self._lock:
                    self._rows[:0] = rows
                    self._oldest = time.monotonic()
                if self.paused_reason is None and not self.quiet:
                    print(f"dlops: metrics not saved yet ({error}); tracking paused, will retry",
                          file=sys.__stderr__)
                self.paused_reason = str(error)
            except Exception:  # a row the store refuses: it alone is dropped, never the batch
                self._insert_one_by_one(rows)

    def _insert_one_by_one(self, rows: list[tuple]) -> None:
        """Rows are checked when logged (``values.metric_row``), so this is a last defence:
        whatever one row does, the others are kept (issue 14: one bad value lost them all)."""
        for index, row in enumerate(rows):
            try:
                self.store.insert_metrics([row])
            except StoreError:  # the store itself failed meanwhile: keep the rest for the retry
                with self._lock:
                    self._rows[:0] = rows[index:]
                return
            except Exception as error:
                print(f"dlops: metric {ascii(row[1])[:60]} = {row[2]!r} at step {row[3]!r} was not saved: "
                      f"{type(error).__name__}: {error}", file=sys.__stderr__)

    def take(self) -> list[tuple]:
        """Remove and return the rows not committed yet (to keep them elsewhere)."""
        with self._flush_lock, self._lock:
            rows, self._rows = self._rows, []
        return rows

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._thread.join(timeout=10)
        self.flush()

    def _loop(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception as error:  # the thread must live on: it is the only committer
                print(f"dlops: metrics flush failed ({type(error).__name__}: {error}); will retry",
                      file=sys.__stderr__)
