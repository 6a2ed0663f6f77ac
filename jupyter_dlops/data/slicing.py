"""``dlops data query V "WHERE clause" [--save NAME]``: slice a version by its metadata
(a module named for what it does, not ``query``, which is the public function).

The clause runs in SQL against the version's metadata database (indexed, analysed), fenced
by :mod:`.sqlguard`. ``--save`` records the matching items as a new immutable version whose
id covers its files, its parent and its query, so saving the same slice twice is a no-op.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from typing import Any

from ..errors import DataError, QuerySyntaxError, UsageError
from . import records, sqlguard
from .adding import insert_version, record_name
from .manifest import version_id
from .metadata import TABLE, Table, build_database, quote


def _open(store, version: dict[str, Any]) -> tuple[sqlite3.Connection, list[str], list[tuple]]:
    if not version["meta_object"]:
        raise DataError(f"data version {version['id'][:12]} has no metadata table; add the data "
                        "again with --meta TABLE.csv")
    database = store.objects.path(version["meta_object"])
    if not database.exists():
        raise DataError(f"the metadata table of {version['id'][:12]} is missing from the object "
                        "store; add the data again with --meta")
    info = []
    with closing(sqlite3.connect(database.absolute().as_uri() + "?mode=ro", uri=True)) as conn:
        info = [(row[1], row[2]) for row in conn.execute(f"PRAGMA table_info({TABLE})")]
    conn, denied = sqlguard.connect(database)
    return conn, denied, info


def run_query(store, ref: str, where: str) -> dict[str, Any]:
    """The metadata rows of version ``ref`` matching the WHERE clause ``where``.

    Parameters
    ----------
    ref
        A version id, unique prefix or name.
    where
        A WHERE clause over the metadata columns, e.g. ``"temperature > 22 AND label = 'awake'"``;
        names that are SQL keywords are quoted with double quotes.

    Returns
    -------
    dict
        ``id``, ``where``, ``columns``, ``path_column``, ``rows`` (tuples, in path order),
        ``count``, ``total`` (rows in the table) and ``seconds``; a
        :class:`QuerySyntaxError` for a malformed clause or one that reaches beyond the table.
    """
    where = (where or "").strip()
    if not where:
        raise UsageError("give a WHERE clause, e.g. \"label = 'cat' AND width > 100\"")
    sqlguard.check_clause(where)
    version = records.resolve(store, ref)
    started = time.perf_counter()
    conn, denied, info = _open(store, version)
    columns = [name for name, _ in info]
    path_column = version["meta_path_column"]
    # "+path": sort the matches, but never walk the path index to avoid that sort: the
    # planner then uses the index of a selective column (0.06 s instead of 0.25 s on a
    # million rows, measured).
    sql = f"SELECT * FROM {TABLE} WHERE ({where}) ORDER BY +{quote(path_column)}"
    with closing(conn):
        try:
            rows = conn.execute(sql).fetchall()
        except sqlite3.Error as error:
            raise sqlguard.explain(error, where, denied, columns, conn) from None
    return {"id": version["id"], "where": where, "columns": columns, "types": [t for _, t in info],
            "path_column": path_column, "rows": rows, "count": len(rows),
            "total": version["meta_rows"], "seconds": round(time.perf_counter() - started, 4)}


def save_slice(store, result: dict[str, Any], name: str) -> dict[str, Any]:
    """Record the rows of a :func:`run_query` result as a new version named ``name``."""
    if not name or not name.strip():
        raise UsageError("--save needs a name for the new version")
    if not result["rows"]:
        raise QuerySyntaxError("the query matches no item, so there is nothing to save; loosen it",
                               text=result["where"])
    parent = records.resolve(store, result["id"])
    index = result["columns"].index(result["path_column"])
    keep = {row[index] for row in result["rows"]}
    manifest = [f for f in records.files(store, parent["id"]) if f.path in keep]
    vid = version_id(manifest, meta_hash=parent["meta_hash"], parent_id=parent["id"],
                     query=result["where"])
    existing = records.get(store, vid)
    meta_info = None
    if existing is None:
        table = Table(result["columns"], result["types"], result["rows"], result["path_column"])
        meta_info = {"object": build_database(store.objects, table, [row[index] for row in result["rows"]]),
                     "column": result["path_column"], "rows": len(result["rows"])}
    now = time.time()
    with store.write() as cursor:
        created = existing is None and insert_version(
            cursor, vid, name=name.strip(), root=parent["source_path"], manifest=manifest, now=now,
            has_content=parent["has_content"], meta_hash=parent["meta_hash"], meta_info=meta_info,
            parent_id=parent["id"], query=result["where"])
        record_name(cursor, name.strip(), vid, now)
    return {"id": vid, "name": name.strip(), "created": created, "parent": parent["id"],
            "query": result["where"], "files": len(manifest), "bytes": sum(f.size for f in manifest)}
