"""Comparing versions with the data on disk and with each other: verify, diff, checkout."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import DataError, UsageError
from . import records, statcache
from .hashing import HashStats
from .manifest import FileRecord
from .scan import scan, store_folder


def verify(store, ref: str, *, rehash: bool = False) -> dict[str, Any]:
    """Compare a version with the files now at its source path.

    Parameters
    ----------
    ref
        A version id, unique prefix or name.
    rehash
        Read every file again instead of trusting the stat cache.

    Returns
    -------
    dict
        ``id``, ``path``, ``ok``, ``changed`` (path, old and new size), ``appeared`` and
        ``vanished`` (path, size), ``files_hashed`` and ``bytes_read``. A slice only checks
        its own files, so nothing "appears" in it.
    """
    version = records.resolve(store, ref)
    manifest = {f.path: f for f in records.files(store, version["id"])}
    root = version["source_path"]
    stats = HashStats()
    current = _current(store, version, manifest, stats, rehash) if os.path.lexists(root) else {}
    result = _compare(manifest, current)
    from .integrity import version_problems

    result["tampered"] = version_problems(store, version)  # the stored record itself (issue 8)
    result["ok"] = result["ok"] and not result["tampered"]
    result.update(id=version["id"], path=root, **stats.as_dict())
    return result


def _current(store, version, manifest, stats: HashStats, rehash: bool) -> dict[str, tuple[str, int]]:
    """``{rel: (hash, size)}`` of the files now at the version's source path."""
    root = version["source_path"]
    entries = scan(root, skip=store_folder(store))
    if version["parent_id"]:
        entries = [e for e in entries if e.rel in manifest]
    if not rehash and _same_tree(store, version, root, entries):
        stats.files_cached = len(entries)
        return {f.path: (f.hash, f.size) for f in manifest.values()}
    current, cache_rows = statcache.hash_with_cache(store, root, entries, stats, use_cache=not rehash)
    if cache_rows:
        with store.write() as cursor:
            statcache.save(cursor, cache_rows)
    return current


def _same_tree(store, version, root, entries) -> bool:
    """Whether the folder's stats are exactly those recorded when the version was added."""
    if version["parent_id"]:
        return False
    digest = statcache.tree_digest(entries)
    row = store.read_one("SELECT 1 FROM data_tree_state WHERE root = ? AND stat_digest = ? "
                         "AND version_id = ?", (root, digest, version["id"]))
    return row is not None


def _compare(manifest: dict[str, FileRecord], current: dict[str, tuple[str, int]]) -> dict:
    changed = [{"path": p, "old_size": f.size, "new_size": current[p][1]}
               for p, f in manifest.items() if p in current and current[p][0] != f.hash]
    vanished = [{"path": p, "size": f.size} for p, f in manifest.items() if p not in current]
    appeared = [{"path": p, "size": s} for p, (_, s) in sorted(current.items()) if p not in manifest]
    ok = not (changed or vanished or appeared)
    return {"ok": ok, "changed": changed, "appeared": appeared, "vanished": vanished}


def diff(store, ref_a: str, ref_b: str) -> dict[str, Any]:
    """Files added, removed and modified from version ``ref_a`` to version ``ref_b``.

    Returns
    -------
    dict
        ``from``, ``to``, ``added`` and ``removed`` (path, size), ``modified`` (path,
        old and new size), ``unchanged`` (a count).
    """
    a, b = records.resolve(store, ref_a), records.resolve(store, ref_b)
    old = {f.path: f for f in records.files(store, a["id"])}
    new = {f.path: f for f in records.files(store, b["id"])}
    added = [{"path": p, "size": f.size} for p, f in new.items() if p not in old]
    removed = [{"path": p, "size": f.size} for p, f in old.items() if p not in new]
    modified = [{"path": p, "old_size": old[p].size, "new_size": f.size}
                for p, f in new.items() if p in old and old[p].hash != f.hash]
    unchanged = sum(1 for p, f in new.items() if p in old and old[p].hash == f.hash)
    return {"from": a["id"], "to": b["id"], "added": added, "removed": removed,
            "modified": modified, "unchanged": unchanged}


def checkout(store, ref: str, target: str | os.PathLike[str]) -> dict[str, Any]:
    """Write the files of a version stored with content into the new folder ``target``.

    Raises
    ------
    DataError
        The version was added without ``store_content`` or its stored bytes are damaged.
    UsageError
        ``target`` exists and is not an empty folder.
    """
    version = records.resolve(store, ref)
    if not version["has_content"]:
        raise DataError(f"data version {version['id'][:12]} was added without --store-content, so "
                        "its bytes are not in the store; add it again with --store-content")
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} already exists and is not an empty folder; choose a new folder")
    from .content import checkout_files

    manifest = records.files(store, version["id"])
    checkout_files(store.objects, [(f.path, f.hash) for f in manifest], target)
    return {"id": version["id"], "path": str(target.absolute()), "files": len(manifest),
            "bytes": sum(f.size for f in manifest)}
