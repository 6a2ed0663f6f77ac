"""``dlops store copy SRC DEST``: a whole store (rows and objects) to another store, SQLite and
local objects to PostgreSQL and back (issue 19), verified by counts and hashes.

The destination must be empty (a fresh store): copying into a store that already has runs
would mix two histories. Every table's rows are copied in one transaction per table; every
object is re-addressed by its BLAKE3 hash on the way in, so an object that does not hash to
its id is refused. At the end each table's row count and a hash of its sorted rows are
compared on both sides.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from ..errors import StoreError, UsageError

#: Per-machine caches (file stats, tree states) and the schema bookkeeping stay where they are.
LOCAL_TABLES = {"meta", "data_stat_cache", "data_tree_state"}
NAN_TEXT = "NaN"
CHUNK = 5000


@dataclass
class CopyReport:
    """Rows per table and objects copied, each verified."""

    rows: dict[str, int] = field(default_factory=dict)
    objects: int = 0


def tables(store) -> list[str]:
    if store.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() " \
              "AND table_type = 'BASE TABLE'"
    return sorted(row[0] for row in store.read(sql) if row[0] not in LOCAL_TABLES)


def columns(store, table: str) -> list[str]:
    if store.dialect == "sqlite":
        return [row[1] for row in store.read(f"PRAGMA table_info({table})")]
    return [row[0] for row in store.read(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position", [table])]


def copy_store(source, dest) -> CopyReport:
    """Copy every run, data version and object of ``source`` into the empty store ``dest``.

    Parameters
    ----------
    source, dest : Store
        Open stores (SQLite or PostgreSQL, either way).

    Returns
    -------
    CopyReport
        Rows per table and objects copied; raises :class:`StoreError` if a count or hash
        differs afterwards.
    """
    names = [t for t in tables(source) if t in set(tables(dest))]
    busy = [t for t in names if dest.read(f"SELECT COUNT(*) FROM {t}")[0][0]]
    if busy:
        raise UsageError(f"{dest.location} already holds data (table {busy[0]}); copy into a new, empty store")
    report = CopyReport()
    for object_id in source.objects.iter_ids():
        with open(source.objects.path(object_id), "rb") as handle:
            copied = dest.objects.put_bytes(handle.read())
        if copied != object_id:
            raise StoreError(f"object {object_id} hashes to {copied}: the source store is damaged; "
                             "run `dlops gc --check` there")
        report.objects += 1
    for table in names:
        report.rows[table] = _copy_table(source, dest, table)
    verify(source, dest, names)
    return report


def _copy_table(source, dest, table: str) -> int:
    cols = [c for c in columns(source, table) if c in set(columns(dest, table))]
    rows = source.read(f"SELECT {', '.join(cols)} FROM {table}")
    fix = (lambda v: NAN_TEXT if isinstance(v, float) and math.isnan(v) else v) if dest.dialect == "sqlite" \
        else (lambda v: float("nan") if v == NAN_TEXT else v)
    marks = ", ".join("?" for _ in cols)
    with dest.write() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                               [tuple(fix(v) for v in row) for row in rows[start:start + CHUNK]])
    return len(rows)


def table_digest(store, table: str, cols: list[str]) -> tuple[int, str]:
    """``(rows, sha256 of the sorted rows)``, the same for equal contents on either database."""
    rows = sorted(repr(tuple(_canonical(v) for v in row))
                  for row in store.read(f"SELECT {', '.join(cols)} FROM {table}"))
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if value == NAN_TEXT or isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def verify(source, dest, names: list[str]) -> None:
    """Refuse (StoreError) unless every table and object of ``source`` is in ``dest``."""
    for table in names:
        cols = [c for c in columns(source, table) if c in set(columns(dest, table))]
        if table_digest(source, table, cols) != table_digest(dest, table, cols):
            raise StoreError(f"table {table} differs after the copy; the destination is incomplete")
    missing = [i for i in source.objects.iter_ids() if not dest.objects.exists(i)]
    if missing:
        raise StoreError(f"object {missing[0]} is missing after the copy ({len(missing)} in all)")
