"""Hashing files on worker threads while the caller goes on (listing the rest of the folder).

The caller hands files over as it finds them (:meth:`HashPool.add`); they travel to the
threads in batches, because a hand-over costs more than hashing a small file. Threads start
as batches arrive, so a few files are hashed on the calling thread without starting any.
The first error (a file unreadable, vanished or never stable) stops the work and is raised
in the calling thread.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from queue import SimpleQueue

from .hashing import HashStats, hash_stable
from .scan import Entry

BATCH_BYTES = 8 << 20  # at 1-2 GB/s a batch is a few ms: threads finish close together
BATCH_FILES = 64

Hashed = dict[str, tuple[str, Entry]]


def default_workers() -> int:
    """Hashing threads: two a core (reads from a cold disk wait; BLAKE3 releases the GIL)."""
    return min(16, (os.cpu_count() or 2) * 2)


def _hash_batch(group: list[Entry], stats: HashStats) -> list[tuple[str, tuple[str, Entry]]]:
    local = HashStats()
    done = []
    for entry in group:
        digest, info = hash_stable(entry.path, local)
        fresh = Entry(entry.rel, entry.path, info.st_size, info.st_mtime_ns, info.st_ino)
        done.append((entry.rel, (digest, fresh)))
    stats.merge(local)
    return done


class HashPool:
    """Files hashed on up to ``workers`` threads; use as a context manager so that the
    threads are stopped however the caller leaves.

    Not a ``ThreadPoolExecutor``: importing it (and the logging it pulls in) cost a first
    ``data add`` more than its futures gave.
    """

    def __init__(self, stats: HashStats, workers: int | None = None) -> None:
        self.stats = stats
        self.workers = workers or default_workers()
        self._todo: SimpleQueue = SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._parts: list[list] = []
        self._errors: list[BaseException] = []
        self._batch: list[Entry] = []
        self._bytes = 0
        self._started: float | None = None

    def add(self, entries: Iterable[Entry]) -> None:
        """Queue files for hashing; raises at once if a thread has already failed."""
        for entry in entries:
            self._batch.append(entry)
            self._bytes += entry.size  # -1 when the listing did not stat: files count
            if len(self._batch) >= BATCH_FILES or self._bytes >= BATCH_BYTES:
                self._send()
        if self._errors:
            raise self._errors[0]

    def results(self) -> Hashed:
        """``{rel: (hash, entry re-stated after hashing)}`` of every file added."""
        if self._batch and not self._threads:  # one small batch: not worth a thread
            self._started = self._started or time.perf_counter()
            self._parts.append(_hash_batch(self._batch, self.stats))
        elif self._batch:
            self._send()
        self._batch = []
        self._stop()
        if self._errors:
            raise self._errors[0]
        if self._started is not None:
            self.stats.seconds += time.perf_counter() - self._started
        return {rel: value for part in self._parts for rel, value in part}

    def __enter__(self) -> HashPool:
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is not None:
            self._errors.append(exc_info[1])  # the threads drop what is left
        self._stop()

    def _send(self) -> None:
        if self.workers == 1:  # asked for no parallelism: hash here, now
            self._started = self._started or time.perf_counter()
            self._parts.append(_hash_batch(self._batch, self.stats))
            self._batch, self._bytes = [], 0
            return
        if len(self._threads) < self.workers:
            if self._started is None:
                self._started = time.perf_counter()
            thread = threading.Thread(target=self._work, name=f"dlops-hash-{len(self._threads)}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)
        self._todo.put(self._batch)
        self._batch, self._bytes = [], 0

    def _stop(self) -> None:
        threads, self._threads = self._threads, []
        for _ in threads:
            self._todo.put(None)
        for thread in threads:
            thread.join()

    def _work(self) -> None:
        while (group := self._todo.get()) is not None:
            if self._errors:  # the add fails anyway: drain the queue without reading
                continue
            try:
                self._parts.append(_hash_batch(group, self.stats))
            except BaseException as error:  # raised in the calling thread
                self._errors.append(error)


def hash_entries(entries: Iterable[Entry], stats: HashStats, workers: int | None = None) -> Hashed:
    """Hash files in parallel; returns ``{rel: (hash, entry re-stated after hashing)}``."""
    with HashPool(stats, workers) as pool:
        pool.add(entries)
        return pool.results()
