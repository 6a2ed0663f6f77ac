"""Hashing a file, and never recording a hash for bytes that were changing.

Files are hashed in parallel by :mod:`.pool` (BLAKE3 releases the GIL); a large file is
memory-mapped and hashed on all cores. Each file is stat-ed before it is opened and again
after its last byte was read: if size, mtime, ctime or inode moved, the file is hashed again
(a few times, with a short pause), and refused if it keeps changing.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from dataclasses import dataclass, field

import blake3

from ..errors import DataError

MMAP_THRESHOLD = 8 << 20
SMALL_FILE = 1 << 20
CHUNK = 1 << 20
RETRIES = 4
RECENT_NS = 20_000_000  # 20 ms: coarser than any kernel timestamp tick in use


@dataclass
class HashStats:
    """What a hashing pass did: observable proof that unchanged files are not re-read."""

    files_hashed: int = 0
    bytes_read: int = 0
    files_cached: int = 0
    racy: int = 0  # hashed, but modified too recently for the stat cache to trust
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, size: int) -> None:
        self.files_hashed += 1  # one thread per instance; merge() combines them
        self.bytes_read += size

    def merge(self, other: HashStats) -> None:
        with self._lock:
            self.files_hashed += other.files_hashed
            self.bytes_read += other.bytes_read

    def as_dict(self) -> dict[str, float | int]:
        return {"files_hashed": self.files_hashed, "bytes_read": self.bytes_read,
                "files_cached": self.files_cached, "hash_seconds": round(self.seconds, 4)}


def _signature(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _digest(fd: int, size: int, path: str) -> str:
    if size >= MMAP_THRESHOLD:
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        hasher.update_mmap(path)
        return hasher.hexdigest()
    if size <= SMALL_FILE:
        data = os.read(fd, size + 1)
        return blake3.blake3(data).hexdigest()
    hasher = blake3.blake3()
    with os.fdopen(os.dup(fd), "rb", buffering=0) as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def hash_stable(path: str, stats: HashStats | None = None) -> tuple[str, os.stat_result]:
    """BLAKE3 of a file whose stat did not change while it was read, with that stat.

    A file renamed over ``path`` meanwhile is fine: what was read is the file that was
    opened, consistently, and its inode (recorded) tells the stat cache it is gone.

    Raises
    ------
    DataError
        The file is unreadable (named in the message), vanished, or kept changing.
    """
    for attempt in range(RETRIES + 1):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as error:
            raise _read_error(error, path) from None
        try:
            before = os.fstat(fd)
            started = time.time_ns()
            digest = _digest(fd, before.st_size, path)
            after = os.fstat(fd)
        except OSError as error:
            raise _read_error(error, path) from None
        finally:
            os.close(fd)
        if stats is not None:
            stats.count(before.st_size)
        if _signature(before) == _signature(after):
            if not _too_recent(before, started):
                return digest, before
            time.sleep(RECENT_NS / 1e9)
            continue
        time.sleep(0.05 * (attempt + 1))
    raise DataError(f"{path} kept changing while it was hashed; stop whatever writes it and retry")


def _too_recent(info: os.stat_result, started_ns: int) -> bool:
    """Modified less than a clock tick before reading began: a write during the read could
    have left mtime unchanged on file systems with coarse timestamps (git's "racy clean")."""
    return 0 <= started_ns - info.st_mtime_ns < RECENT_NS


def _read_error(error: OSError, path: str) -> DataError:
    if error.errno in (errno.EACCES, errno.EPERM):
        return DataError(f"permission denied reading {path}; make it readable or leave it out")
    if error.errno == errno.ENOENT:
        return DataError(f"{path} vanished while it was being hashed; retry when the data is settled")
    return DataError(f"cannot read {path}: {error.strerror}")
