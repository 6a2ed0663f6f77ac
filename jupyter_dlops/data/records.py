"""Reading data versions back: resolving a reference, listing, showing, a name's history.

A reference is a full id, a unique id prefix (at least 4 characters), or a name (the newest
version recorded under that name).
"""

from __future__ import annotations

from typing import Any

from ..errors import AmbiguousError, NotFoundError, UsageError
from .manifest import FileRecord

COLUMNS = ("version_id", "name", "source_path", "created", "file_count", "total_bytes",
           "has_content", "meta_object", "meta_hash", "meta_path_column", "meta_rows",
           "parent_id", "query")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM data_version"
MIN_PREFIX = 4


def _record(row: tuple) -> dict[str, Any]:
    record = dict(zip(COLUMNS, row, strict=False))
    record["id"] = record.pop("version_id")
    record["has_content"] = bool(record["has_content"])
    return record


def get(store, version_id: str) -> dict[str, Any] | None:
    """The version with exactly this id, or None."""
    row = store.read_one(f"{SELECT} WHERE version_id = ?", (version_id,))
    return _record(row) if row else None


def resolve(store, ref: str) -> dict[str, Any]:
    """The version a reference names: an id, a unique id prefix, or a name (newest).

    Raises
    ------
    NotFoundError, AmbiguousError, UsageError
    """
    ref = (ref or "").strip()
    if not ref:
        raise UsageError("empty data version reference; give an id, an id prefix or a name")
    found = get(store, ref)
    if found:
        return found
    named = store.read_one(
        "SELECT version_id FROM data_name WHERE name = ? ORDER BY created DESC LIMIT 1", (ref,)
    )
    found = get(store, named[0]) if named else None
    if found:
        return found
    if len(ref) >= MIN_PREFIX and all(c in "0123456789abcdef" for c in ref.lower()):
        rows = store.read(f"{SELECT} WHERE version_id LIKE ? ORDER BY created DESC LIMIT 11",
                          (ref.lower() + "%",))
        if len(rows) == 1:
            return _record(rows[0])
        if rows:
            shown = ", ".join(r[0][:12] for r in rows[:10])
            raise AmbiguousError(f"'{ref}' matches several data versions ({shown}); give more of the id")
    raise NotFoundError(f"no data version matches '{ref}'; `dlops data list` lists them")


def files(store, version_id: str) -> list[FileRecord]:
    """The manifest of a version, sorted by path."""
    rows = store.read("SELECT path, size, hash FROM data_file WHERE version_id = ? ORDER BY path",
                      (version_id,))
    return [FileRecord(*row) for row in rows]


def names(store, version_id: str) -> list[str]:
    """Every name the version was recorded under."""
    rows = store.read("SELECT DISTINCT name FROM data_name WHERE version_id = ? ORDER BY name",
                      (version_id,))
    return [r[0] for r in rows]


def list_versions(store, name: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """All versions, newest first (only those recorded under ``name`` when given)."""
    if name:
        sql = (f"{SELECT} WHERE version_id IN (SELECT version_id FROM data_name WHERE name = ?) "
               "ORDER BY created DESC")
        params: tuple = (name,)
    else:
        sql, params = f"{SELECT} ORDER BY created DESC", ()
    if limit is not None:
        if limit < 0:
            raise UsageError("--limit must be zero or more")
        sql += f" LIMIT {int(limit)}"
    return [_record(row) for row in store.read(sql, params)]


def history(store, name: str) -> list[dict[str, Any]]:
    """The versions recorded under ``name``, newest first, with when each was recorded."""
    rows = store.read(
        f"SELECT n.created, {', '.join('v.' + c for c in COLUMNS)} FROM data_name n "
        "JOIN data_version v ON v.version_id = n.version_id WHERE n.name = ? "
        "ORDER BY n.created DESC", (name,),
    )
    if not rows:
        raise NotFoundError(f"no data version is named '{name}'; `dlops data list` lists them")
    out = []
    for recorded, *rest in rows:
        record = _record(tuple(rest))
        record["recorded"] = recorded
        out.append(record)
    return out
