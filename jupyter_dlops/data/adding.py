"""``dlops data add``: hash a folder into an immutable, content-addressed version.

Everything that can fail (scanning, hashing, reading and matching the metadata table,
copying content) happens before the one write transaction that records the version, its
manifest, its name and the refreshed stat cache, so bad input leaves the store unchanged.
"""

from __future__ import annotations

import os
import time
from typing import Any

import blake3

from ..errors import DataError, NotFoundError
from ..store.objects import hash_file
from . import records, statcache
from .hashing import HashStats
from .manifest import FileRecord, version_id
from .scan import Entry, scan, store_folder


def scan_tree(store, root: str) -> list[Entry]:
    """Every file under ``root`` (the store's own folder left out); refuses an empty tree."""
    entries = scan(root, skip=store_folder(store))
    if not entries:
        raise DataError(f"{root} holds no files; nothing to version")
    return entries


def hash_tree(store, root: str, entries: list[Entry],
              stats: HashStats) -> tuple[list[FileRecord], list[tuple]]:
    """The manifest of ``entries`` (through the stat cache) and the cache rows to save."""
    hashes, cache_rows = statcache.hash_with_cache(store, root, entries, stats)
    return _manifest(entries, hashes), cache_rows


def _manifest(entries: list[Entry], hashes: dict[str, tuple[str, int]]) -> list[FileRecord]:
    return [FileRecord(e.rel, hashes[e.rel][1], hashes[e.rel][0]) for e in entries]


def _first_time(store, root: str, meta_key: str, stats: HashStats):
    """A folder never added with this metadata: each folder's files are hashed while the
    listing goes on (a known folder is listed first: its stats may match a version and
    then nothing is read at all)."""
    entries, digest, hashes, cache_rows = statcache.scan_and_hash(store, root, stats)
    if not entries:
        raise DataError(f"{root} holds no files; nothing to version")
    return entries, (root, meta_key, digest), _manifest(entries, hashes), cache_rows


def add(path: str | os.PathLike[str], *, name: str | None = None,
        meta: str | os.PathLike[str] | None = None, path_column: str | None = None,
        store_content: bool = False, store=None) -> dict[str, Any]:
    """Version the files under ``path`` (a folder or one file); same data, same id.

    Parameters
    ----------
    name
        A dataset name; ``log(name)`` lists its versions over time.
    meta, path_column
        A metadata table (.csv, .tsv, .parquet), one row per item, matched to the files by
        ``path_column`` (default: a column named path, file or filename).
    store_content
        Also copy the bytes into the store's object cache, so the version can be checked out.

    Returns
    -------
    dict
        ``id``, ``name``, ``created`` (False when it existed), ``files``, ``bytes``,
        ``has_content``, and ``files_hashed``, ``bytes_read``, ``files_cached``, ``seconds``.
    """
    started = time.perf_counter()
    store = _store(store)
    root = os.path.abspath(os.fspath(path))
    if meta is not None and not os.path.isfile(meta):
        raise NotFoundError(f"no metadata table at {meta}; give a .csv or .parquet file")
    name = name.strip() if name and name.strip() else None
    meta_key = _meta_hash(meta, path_column) if meta is not None else ""
    stats = HashStats()
    before = statcache.remembered(store, root, meta_key)
    result = None
    if before is None:
        entries, tree, manifest, cache_rows = _first_time(store, root, meta_key, stats)
    else:
        entries = scan_tree(store, root)
        tree = (root, meta_key, statcache.tree_digest(entries))
        result = _unchanged(store, tree, before, name, store_content, stats, len(entries))
        if result is None:
            manifest, cache_rows = hash_tree(store, root, entries, stats)
    if result is None:
        result = _new_or_known(store, root, entries, manifest, cache_rows, tree, name, meta,
                               path_column, store_content, stats)
    result.update(**stats.as_dict(), seconds=round(time.perf_counter() - started, 4))
    return result


def _unchanged(store, tree, before, name, store_content, stats, count) -> dict[str, Any] | None:
    """The fast path: the folder's stats are exactly those of a known version."""
    version = records.get(store, before[1]) if before[0] == tree[2] else None
    if version is None or (store_content and not version["has_content"]):
        return None
    stats.files_cached = count
    if name:
        with store.write() as cursor:
            record_name(cursor, name, version["id"], time.time())
    return {"id": version["id"], "name": name, "created": False, "files": version["file_count"],
            "bytes": version["total_bytes"], "has_content": version["has_content"]}


def _new_or_known(store, root, entries, manifest, cache_rows, tree, name, meta, path_column,
                  store_content, stats) -> dict[str, Any]:
    """Record the version if it is new (and the stat cache, the name, the content)."""
    vid = version_id(manifest, meta_hash=tree[1] or None)
    existing = records.get(store, vid)
    with store.objects.pinned():  # gc waits until the rows referencing these objects exist
        return _record(store, vid, existing, root, entries, manifest, tree, name, meta,
                       path_column, store_content, stats, cache_rows)


def _record(store, vid, existing, root, entries, manifest, tree, name, meta, path_column,
            store_content, stats, cache_rows) -> dict[str, Any]:
    meta_info = None
    if meta is not None and existing is None:
        meta_info = _load_meta(store, meta, path_column, manifest, root)
    had_content = _store_content(store, store_content, existing, entries, manifest)
    with store.write() as cursor:
        statcache.save(cursor, cache_rows)
        created = existing is None and insert_version(
            cursor, vid, name=name, root=root, manifest=manifest, now=time.time(),
            has_content=store_content, meta_hash=tree[1] or None, meta_info=meta_info)
        if store_content and not had_content and not created:  # known, or added meanwhile
            cursor.execute("UPDATE data_version SET has_content = 1 WHERE version_id = ? "
                           "AND has_content = 0", (vid,))
        if name:
            record_name(cursor, name, vid, time.time())
        if not stats.racy:
            statcache.save_tree(cursor, tree[0], tree[1], tree[2], vid)
    return {"id": vid, "name": name, "created": created, "files": len(manifest),
            "bytes": sum(f.size for f in manifest), "has_content": store_content or had_content}


def _store_content(store, wanted: bool, existing, entries, manifest) -> bool:
    """Copy the bytes into the object store if asked and not done; whether they were there."""
    had_content = bool(existing and existing["has_content"])
    if wanted and not had_content:
        from .content import store_files

        by_rel = {f.path: f.hash for f in manifest}
        store_files(store.objects, ((e, by_rel[e.rel]) for e in entries))
    return had_content


def _store(store):
    if store is None:
        from ..store import open_store

        store = open_store()
    return store


def _meta_hash(meta, path_column: str | None) -> str:
    """The table's bytes and the path column asked for: both decide what the metadata means."""
    return blake3.blake3(f"{hash_file(meta)}\0{path_column or ''}".encode()).hexdigest()


def _load_meta(store, meta, path_column, manifest, root) -> dict[str, Any]:
    from .metadata import build_database, normalise_paths, read_table

    table = read_table(meta, path_column)
    paths = normalise_paths(table, [f.path for f in manifest], root)
    object_id = build_database(store.objects, table, paths)
    return {"object": object_id, "column": table.path_column, "rows": len(table.rows)}


def insert_version(cursor, vid: str, *, name, root, manifest, now, has_content,
                   meta_hash=None, meta_info=None, parent_id=None, query=None) -> bool:
    """Insert a version and its manifest inside an open write transaction, if absent.

    Versions are content-addressed and immutable, so a concurrent writer inserting the same
    one is no conflict: each statement inserts if absent (issue 14: two sweep workers adding
    the same data lost a run to a unique-key violation). Returns whether this call inserted it.
    The folder's path and the manifest are stored exactly (a redacted path is a folder that
    no longer verifies); the free text (name, column, query) is redacted as everywhere.
    """
    from ..store.scrub import scrub_params

    meta_info = meta_info or {}
    name, column, query = scrub_params("INSERT", (name, meta_info.get("column"), query))
    inserted = cursor.execute_exact(
        "INSERT INTO data_version (version_id, name, source_path, created, file_count, "
        "total_bytes, has_content, meta_object, meta_hash, meta_path_column, meta_rows, "
        "parent_id, query) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (version_id) DO NOTHING",
        (vid, name, root, now, len(manifest), sum(f.size for f in manifest), int(has_content),
         meta_info.get("object"), meta_hash, column, meta_info.get("rows"), parent_id, query),
    ).rowcount == 1
    cursor.executemany_exact(
        "INSERT INTO data_file (version_id, path, size, hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (version_id, path) DO NOTHING",
        [(vid, f.path, f.size, f.hash) for f in manifest],
    )
    return inserted


def record_name(cursor, name: str, vid: str, now: float) -> None:
    """Append ``vid`` to the history of ``name`` unless it already is the newest there
    (one statement: the check and the insert cannot be split by another writer)."""
    cursor.execute(
        "INSERT INTO data_name (name, version_id, created) SELECT ?, ?, ? "
        "WHERE COALESCE((SELECT version_id FROM data_name WHERE name = ? "
        "ORDER BY created DESC LIMIT 1), '') <> ? ON CONFLICT DO NOTHING",
        (name, vid, now, name, vid),
    )
