"""The stat cache: a file whose (path, size, mtime_ns, inode) match a remembered entry has
the remembered hash and is not read again.

A file modified in the same clock tick as it was hashed can keep its mtime (the "racily
clean" problem git documents in ``Documentation/technical/racy-git.txt``): hashing waits
until a file's mtime is a tick old (see :mod:`.hashing`), and an entry whose mtime is that
close to the moment it was saved is not trusted either: it is hashed again next time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable

import blake3

from .hashing import HashStats
from .pool import Hashed, HashPool, hash_entries
from .scan import Entry, scan, store_folder

RACY_NS = 20_000_000  # 20 ms: coarser than any kernel clock tick in use


def _prefix_bounds(root: str) -> tuple[str, str]:
    prefix = root.rstrip("/") + "/"
    return prefix, prefix[:-1] + chr(ord("/") + 1)


def cached_under(store, root: str, *, single_file: bool = False) -> dict[str, tuple[int, int, int, str]]:
    """Cached ``{path: (size, mtime_ns, inode, hash)}`` for the files under ``root``."""
    if single_file:
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


def load(store, root: str, entries: list[Entry]) -> dict[str, tuple[int, int, int, str]]:
    """Cached ``{path: (size, mtime_ns, inode, hash)}`` for the files under ``root``."""
    return cached_under(store, root, single_file=len(entries) == 1 and entries[0].path == root)


def _answer(entries: list[Entry], cached: dict, hashes: dict[str, tuple[str, int]]) -> list[Entry]:
    """Put the hashes the cache knows into ``hashes``; return the files it cannot answer."""
    todo = []
    for entry in entries:
        hit = cached.get(entry.path)
        if hit and hit[:3] == (entry.size, entry.mtime_ns, entry.inode):
            hashes[entry.rel] = (hit[3], entry.size)
        else:
            todo.append(entry)
    return todo


def _merge(fresh: Hashed, hashes: dict[str, tuple[str, int]], stats: HashStats) -> list[tuple]:
    """Add the fresh hashes to ``hashes``; the cache rows to write (racy files left out)."""
    now = time.time_ns()
    updates = []
    stats.racy = 0
    for rel, (digest, entry) in fresh.items():
        hashes[rel] = (digest, entry.size)
        if now - entry.mtime_ns > RACY_NS:
            updates.append((entry.path, entry.size, entry.mtime_ns, entry.inode, digest))
        else:
            stats.racy += 1
    return updates


def hash_with_cache(store, root: str, entries: list[Entry], stats: HashStats,
                    *, use_cache: bool = True) -> tuple[dict[str, tuple[str, int]], list[tuple]]:
    """``{rel: (hash, size)}`` for ``entries`` and the cache rows to write back.

    The size is the one seen while the file was hashed, which may differ from the scan's
    if the file changed in between.
    """
    cached = load(store, root, entries) if use_cache else {}
    hashes: dict[str, tuple[str, int]] = {}
    todo = _answer(entries, cached, hashes)
    stats.files_cached += len(entries) - len(todo)
    return hashes, _merge(hash_entries(todo, stats), hashes, stats)


def scan_and_hash(store, root: str, stats: HashStats
                  ) -> tuple[list[Entry], str, dict[str, tuple[str, int]], list[tuple]]:
    """:func:`hash_with_cache` while listing: each folder's files that the cache cannot
    answer are hashed on the pool's threads while the listing goes on (for a folder never
    added, the listing then costs no time of its own). When the cache knows nothing under
    ``root``, files are not even stat-ed by the listing: the hashing's own stat, taken on
    the open file, gives their size, mtime and inode. Returns the files (with those stats),
    their :func:`tree_digest`, hashes and cache rows."""
    cached = cached_under(store, root, single_file=os.path.isfile(root))
    hashes: dict[str, tuple[str, int]] = {}
    with HashPool(stats) as pool:
        entries = scan(root, skip=store_folder(store), stat_files=bool(cached),
                       found=lambda files: pool.add(_answer(files, cached, hashes)))
        fresh = pool.results()
    stats.files_cached += len(hashes)
    if not cached:
        entries = [fresh[e.rel][1] for e in entries]
    return entries, tree_digest(entries), hashes, _merge(fresh, hashes, stats)


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


def remembered(store, root: str, meta_key: str) -> tuple[str, str] | None:
    """The stat digest ``root`` last had and the version it made, if it was added before."""
    row = store.read_one(
        "SELECT stat_digest, version_id FROM data_tree_state WHERE root = ? AND meta_key = ?",
        (root, meta_key),
    )
    return (row[0], row[1]) if row else None


def save_tree(cursor, root: str, meta_key: str, digest: str, version_id: str) -> None:
    """Remember which version ``root`` made with this stat digest (inside a transaction)."""
    cursor.execute_exact(
        "INSERT INTO data_tree_state (root, meta_key, stat_digest, version_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (root, meta_key) DO UPDATE SET stat_digest = excluded.stat_digest, "
        "version_id = excluded.version_id",
        (root, meta_key, digest, version_id),
    )
