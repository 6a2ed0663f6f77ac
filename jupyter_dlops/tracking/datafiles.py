"""Data versions of the files a tracked cell opened.

Each regular file a cell read or wrote becomes a single-file data version through
:mod:`jupyter_dlops.data` (content-addressed, with the store's stat cache) and is linked to
the run as read or written. An in-process cache keyed by (size, mtime_ns, inode) sits in
front, so re-reading an unchanged file costs one ``os.stat`` and no store access at all.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import DlopsError, StoreError

# A file modified within this window of being hashed may change again within the same
# mtime tick (git's "racily clean" problem): such a cache entry is not trusted.
RACY_NS = 20_000_000


@dataclass
class _Known:
    signature: tuple[int, int, int]
    version_id: str
    hashed_at_ns: int
    linked: set[str] = field(default_factory=set)


class FileVersions:
    """Versions files for one store, remembering what it already versioned."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._known: dict[str, _Known] = {}

    def record(self, run_id: str, opened: dict[str, str]) -> list[dict[str, Any]]:
        """``[{path, mode, size, version}]`` for the files a cell opened; links them to the run.

        A file that cannot be versioned (vanished, unreadable) is listed with its ``error``;
        a store error propagates (the caller pauses tracking).
        """
        return [self._one(run_id, path, mode) for path, mode in sorted(opened.items())]

    def _one(self, run_id: str, path: str, mode: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": path, "mode": mode}
        try:
            info = os.stat(path)
        except OSError as error:
            entry["error"] = error.strerror or str(error)
            return entry
        entry["size"] = info.st_size
        signature = (info.st_size, info.st_mtime_ns, info.st_ino)
        known = self._known.get(path)
        if known is None or known.signature != signature or self._racy(known, info):
            try:
                known = self._version(path, signature)
            except DlopsError as error:
                if isinstance(error, StoreError):
                    raise
                entry["error"] = error.message
                return entry
        entry["version"] = known.version_id
        for direction in _directions(mode):
            if direction not in known.linked:
                self._link(run_id, known.version_id, direction)
                known.linked.add(direction)
        return entry

    @staticmethod
    def _racy(known: _Known, info: os.stat_result) -> bool:
        return known.hashed_at_ns - info.st_mtime_ns < RACY_NS

    def _version(self, path: str, signature: tuple[int, int, int]) -> _Known:
        from .. import data

        version = data.add(path, store=self.store)
        known = _Known(signature, version["id"], time.time_ns())
        self._known[path] = known
        return known

    def _link(self, run_id: str, version_id: str, direction: str) -> None:
        from .. import data

        data.link_run(self.store, run_id, version_id, direction)

    def forget_links(self) -> None:
        """A new run starts: files must be linked to it again."""
        for known in self._known.values():
            known.linked.clear()


def _directions(mode: str) -> list[str]:
    return [d for c, d in (("r", "read"), ("w", "written")) if c in mode]
