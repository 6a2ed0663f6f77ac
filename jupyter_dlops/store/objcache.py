"""A size-bounded, least-recently-used local cache of objects read from a remote store.

Objects are immutable and verified against their BLAKE3 id before they enter the cache, so a
cached copy is served with no request and no re-hash (issue 19: repeated reads are free).
Recency is the file's modification time, refreshed on every hit; when the cache grows past
its bound the least recently used files are removed. Several processes may share a cache:
entries are installed with ``os.replace`` and eviction tolerates files that vanish.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import blake3

from ..config import env_float

DEFAULT_BYTES = 2 << 30


def cache_root(location: str) -> Path:
    """The cache folder for one remote location (``DLOPS_CACHE_DIR`` or ``~/.cache``)."""
    base = os.environ.get("DLOPS_CACHE_DIR", "").strip() or Path.home() / ".cache" / "jupyter-dlops"
    return Path(base).expanduser() / "objects" / blake3.blake3(location.encode()).hexdigest()[:16]


class ObjectCache:
    """Verified copies of remote objects, at most ``max_bytes`` in all (``DLOPS_CACHE_BYTES``)."""

    def __init__(self, root: Path, max_bytes: int | None = None) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.max_bytes = int(max_bytes if max_bytes is not None else env_float("DLOPS_CACHE_BYTES", DEFAULT_BYTES))
        self._size: int | None = None  # an estimate, rescanned when it passes the bound

    def path(self, object_id: str) -> Path:
        return self.root / object_id[:2] / object_id[2:]

    def get(self, object_id: str) -> Path | None:
        """The cached file, marked as just used, or None."""
        path = self.path(object_id)
        try:
            os.utime(path)
        except OSError:
            return None
        return path

    def staging(self, object_id: str) -> str:
        """A new temporary file name inside the cache, to download or copy into."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix=object_id[:8] + ".")
        os.close(fd)
        return name

    def install(self, object_id: str, staged: str) -> Path:
        """Move a verified staged file into the cache and evict what no longer fits."""
        target = self.path(object_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged, 0o444)
        size = os.path.getsize(staged)
        os.replace(staged, target)
        if self._size is None:
            self._size = self._scan_size()
        else:
            self._size += size
        if self._size > self.max_bytes:
            self._evict(keep=target)
        return target

    def _entries(self) -> list[tuple[float, int, Path]]:
        found = []
        if not self.root.is_dir():
            return found
        for shard in os.scandir(self.root):
            if len(shard.name) != 2 or not shard.is_dir():
                continue
            for entry in os.scandir(shard.path):
                try:
                    info = entry.stat()
                except FileNotFoundError:
                    continue
                found.append((info.st_mtime, info.st_size, Path(entry.path)))
        return found

    def _scan_size(self) -> int:
        return sum(size for _mtime, size, _path in self._entries())

    def _evict(self, keep: Path) -> None:
        entries = sorted(self._entries())
        total = sum(size for _mtime, size, _path in entries)
        for _mtime, size, path in entries:
            if total <= self.max_bytes:
                break
            if path == keep:  # the object just asked for stays, even if it alone is too big
                continue
            path.unlink(missing_ok=True)
            total -= size
        self._size = total
