"""Writes cell-execution records in a background thread, so a tracked cell never waits for
the database, and keeps them while the store cannot be written.

A record is a plain dict queued by the main thread. The writer stores the source as a text
object (content-addressed) and inserts the rows of a batch in one transaction; both paths
redact where text enters the store (sources, outputs and parameters may hold secrets,
issue 14). On a store error the batch is kept (up to
``MAX_PENDING`` records; older ones are dropped and counted) and retried every second;
``paused`` holds the reason meanwhile, which the notebook side announces once.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from ..errors import StoreError

MAX_PENDING = 10_000
RETRY_SECONDS = 1.0
# Records are written at most this often: one transaction for a burst of cells, and the
# writer holds the GIL (JSON, redaction) as rarely as possible while the user's cells run.
BATCH_SECONDS = 0.5
CHUNK = 50
COLUMNS = (
    "run_id", "exec_order", "execution_count", "cell_id", "cell_name", "source_object",
    "start_time", "duration", "reads", "writes", "deleted", "fingerprints", "params", "files",
    "metrics", "stale", "error", "outputs",
)
_JSON = ("reads", "writes", "deleted", "fingerprints", "params", "files", "metrics", "stale",
         "outputs")
INSERT = (f"INSERT INTO cell_execution ({', '.join(COLUMNS)}) VALUES "
          f"({', '.join('?' for _ in COLUMNS)}) ON CONFLICT (run_id, exec_order) DO NOTHING")


class CellWriter:
    """Queue of cell records for one store, drained by a daemon thread."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.paused: str | None = None
        self.dropped = 0
        self.written = 0
        self._pending: list[dict[str, Any]] = []
        self._stored_sources: dict[str, str] = {}  # raw source -> object id
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="dlops-cells", daemon=True)
        self._thread.start()

    def add(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._pending.append(record)
            if len(self._pending) > MAX_PENDING:
                del self._pending[0]
                self.dropped += 1
        self._wake.set()

    def flush(self) -> bool:
        """Write everything queued now; False if the store refused (records are kept)."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return self.paused is None
            try:
                self._write(batch)
            except StoreError as error:
                with self._lock:
                    self._pending[:0] = batch
                self.paused = error.message
                return False
            self.paused = None
            self.written += len(batch)
            return True

    def _write(self, batch: list[dict[str, Any]]) -> None:
        rows = []
        for original in batch:
            rows.append(self._row(original))
            # Hand the GIL back after each record: the user's next cell then waits for at most
            # one record's work, not for Python's 5 ms thread switch interval.
            time.sleep(0)
        with self.store.write() as cursor:
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(INSERT, rows[start:start + CHUNK])
                time.sleep(0)

    def _row(self, original: dict[str, Any]) -> tuple:
        # Error, outputs and parameters are redacted where every row enters the store
        # (store/scrub.py); the record is kept intact: a failed batch is retried as it was.
        record = dict(original)
        record["source_object"] = self._source_object(record["source"])
        return tuple(_column(record, c) for c in COLUMNS)

    def _source_object(self, raw: str) -> str:
        """The object id of a (redacted) source; a source seen before costs a dict lookup."""
        object_id = self._stored_sources.get(raw)
        if object_id is None:
            object_id = self.store.objects.put_text(raw)[0]
            if len(self._stored_sources) > 10_000:
                self._stored_sources.clear()
            self._stored_sources[raw] = object_id
        return object_id

    def close(self) -> None:
        self._closed = True
        self._closing.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self.flush()

    def _loop(self) -> None:
        while not self._closed:
            self._wake.wait(RETRY_SECONDS if self.paused else None)
            if self._closed:
                break
            self._closing.wait(BATCH_SECONDS)  # let a burst of cells accumulate
            self._wake.clear()
            self.flush()


_ENCODE = json.JSONEncoder(default=str, ensure_ascii=False).encode  # one encoder, reused
_EMPTY = {"reads": "[]", "writes": "[]", "deleted": "[]", "files": "[]", "stale": "[]"}


def _column(record: dict[str, Any], name: str) -> Any:
    value = record.get(name)
    if name not in _JSON:
        return value
    if not value:  # most cells: nothing deleted, no files, no params, no metrics
        return _EMPTY.get(name, "{}")
    return _ENCODE(value)
