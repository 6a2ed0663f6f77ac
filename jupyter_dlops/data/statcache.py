"""The stat cache: a file whose (path, size, mtime_ns, inode) match a remembered entry has
the remembered hash and is not read again.

A file modified in the same clock tick as it was hashed can keep its mtime (the "racily
clean" problem git documents in ``Documentation/technical/racy-git.txt``): hashing waits
until a file's mtime is a tick old (see :mod:`.hashing`), and an entry whose mtime is that
close to the moment it was saved is not trusted either: it is hashed again next time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable

import blake3

from .hashing import HashStats, hash_entries
from .scan import Entry

RACY_NS = 20_000_000  # 20 ms: coarser than any kernel clock tick in use


def _prefix_bounds(root: str) -> tuple[str, str]:
    prefix = root.rstrip("/") + "/"
    return prefix, prefix[:-1] + chr(ord("/") + 1)


def load(store, root: str, entries: list[Entry]) -> dict[str, tuple[int, int, int, str]]:
    """Cached ``{path: (size, mtime_ns, inode, hash)}`` for the files under ``root``."""
    if len(entries) == 1 and entries[0].path == root:
        rows = store.read(
            "SELECT path, size, mtime_ns, inode, hash FROM data_stat_cache WHERE path = ?", (root,)
        )
    else:
        low, high = _prefix_bounds(root)
        rows = store.read(
            "SELECT path, size, mtime_ns, inode, hash FROM data_stat_cache "
            "WHERE path >= ? AND path < ?", (low, high),
        )
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def hash_with_cache(store, root: str, entries: list[Entry], stats: HashStats,
                    *, use_cache: bool = True) -> tuple[dict[str, tuple[str, int]], list[tuple]]:
    """``{rel: (hash, size)}`` for ``entries`` and the cache rows to write back.

    The size is the one seen while the file was hashed, which may differ from the scan's
    if the file changed in between.
    """
    cached = load(store, root, entries) if use_cache else {}
    hashes: dict[str, tuple[str, int]] = {}
    todo: list[Entry] = []
    for entry in entries:
        hit = cached.get(entry.path)
        if hit and hit[:3] == (entry.size, entry.mtime_ns, entry.inode):
            hashes[entry.rel] = (hit[3], entry.size)
        else:
            todo.append(entry)
    stats.files_cached += len(entries) - len(todo)
    stats.racy = 0
    fresh = hash_entries(todo, stats)
    now = time.time_ns()
    updates = []
    for rel, (digest, entry) in fresh.items():
        hashes[rel] = (digest, entry.size)
        if now - entry.mtime_ns > RACY_NS:
            updates.append((entry.path, entry.size, entry.mtime_ns, entry.inode, digest))
        else:
            stats.racy += 1
    return hashes, updates


def save(cursor, rows: Iterable[tuple]) -> None:
    """Upsert cache rows inside an open write transaction."""
    cursor.executemany_exact(
        "INSERT INTO data_stat_cache (path, size, mtime_ns, inode, hash) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
        "inode = excluded.inode, hash = excluded.hash",
        list(rows),
    )


def tree_digest(entries: list[Entry]) -> str:
    """BLAKE3 of every file's (relative path, path, size, mtime_ns, inode): equal digests
    mean the stat cache would answer every file exactly as it did last time."""
    return blake3.blake3(json.dumps(entries).encode("ascii")).hexdigest()


def known_version(store, root: str, meta_key: str, digest: str) -> str | None:
    """The version id last recorded for ``root`` when its files had this stat digest."""
    row = store.read_one(
        "SELECT version_id FROM data_tree_state WHERE root = ? AND meta_key = ? AND stat_digest = ?",
        (root, meta_key, digest),
    )
    return row[0] if row else None


def save_tree(cursor, root: str, meta_key: str, digest: str, version_id: str) -> None:
    """Remember which version ``root`` made with this stat digest (inside a transaction)."""
    cursor.execute(
        "INSERT INTO data_tree_state (root, meta_key, stat_digest, version_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (root, meta_key) DO UPDATE SET stat_digest = excluded.stat_digest, "
        "version_id = excluded.version_id",
        (root, meta_key, digest, version_id),
    )
