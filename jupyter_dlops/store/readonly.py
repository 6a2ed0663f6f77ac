"""``dlops sql``: one read-only SELECT over the documented views, on its own connection."""

from __future__ import annotations

import sqlite3

from ..errors import QuerySyntaxError, ReadOnlyQueryError, StoreError

_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_FORBIDDEN_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


def _authorizer(action, arg1, arg2, db_name, source):
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _FORBIDDEN_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in ("table_info", "table_list"):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


def _connect_readonly(db_path) -> sqlite3.Connection:
    """A read-only connection, also where the store's folder is read-only to us: a WAL database
    opened ``mode=ro`` needs its ``-shm`` file, which nobody may create there, so fall back to
    ``immutable=1`` as the store's own reader does (``runs`` and ``show`` work there too)."""
    uri = f"{db_path.as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    return sqlite3.connect(f"{uri}&immutable=1", uri=True)


def sqlite_readonly_query(db_path, sql: str, limit: int | None = None) -> tuple[list[str], list[tuple]]:
    """Columns and rows of one SELECT; anything that would write is refused."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise ReadOnlyQueryError("empty query; give one SELECT statement")
    conn = _connect_readonly(db_path)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_authorizer)
        cursor = conn.execute(text)
        columns = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
        return columns, rows
    except (sqlite3.Warning, sqlite3.ProgrammingError) as error:
        # "You can only execute one statement at a time." (a Warning before Python 3.12)
        if "one statement" not in str(error):
            raise QuerySyntaxError(f"SQL error: {error}") from None
        raise ReadOnlyQueryError(f"{error}; give exactly one SELECT statement") from None
    except sqlite3.DatabaseError as error:
        message = str(error)
        if "not authorized" in message or "readonly" in message or "read-only" in message:
            raise ReadOnlyQueryError(
                "dlops sql is read-only: only SELECT over the views runs, params, metrics, "
                "metric_summaries, tags, artifacts, data_versions is allowed"
            ) from None
        if isinstance(error, sqlite3.OperationalError) and "unable to open" in message:
            raise StoreError(f"cannot open {db_path} read-only: {message}") from None
        raise QuerySyntaxError(f"SQL error: {message}") from None
    finally:
        conn.close()
