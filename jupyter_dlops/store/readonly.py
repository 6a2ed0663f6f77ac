"""``dlops sql``: one read-only SELECT over the documented views, on its own connection.

A query is bounded (issue 14): it stops after ``DLOPS_SQL_TIMEOUT`` seconds (30), Ctrl-C stops
it at once, and at most ``MAX_ROWS`` rows are fetched, so a never-ending recursive CTE can
neither run for ever nor fill the memory.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import threading
import time

from ..errors import QuerySyntaxError, ReadOnlyQueryError, StoreError
from ..views import VIEW_LIST

_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_FORBIDDEN_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}
MAX_ROWS = 100_000  # rows fetched without --limit; one more tells the caller there were more
CHECK_EVERY = 20_000  # SQLite virtual-machine steps between two deadline checks (~1 ms)


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
    """Columns and rows of one SELECT; anything that would write is refused.

    At most ``limit`` rows, or ``MAX_ROWS + 1`` without one (so the caller can say there
    were more); the query stops at the deadline (``QuerySyntaxError``) or on Ctrl-C
    (``KeyboardInterrupt``)."""
    from ..config import env_float

    text = sql.strip().rstrip(";").strip()
    if not text:
        raise ReadOnlyQueryError("empty query; give one SELECT statement")
    timeout = env_float("DLOPS_SQL_TIMEOUT", 30.0)
    conn = _connect_readonly(db_path)
    stop = _Stop(time.monotonic() + timeout)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_authorizer)
        conn.set_progress_handler(stop.check, CHECK_EVERY)
        with stop.on_ctrl_c():
            cursor = conn.execute(text)
            columns = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchmany(limit if limit else MAX_ROWS + 1)
        return columns, rows
    except (sqlite3.Warning, sqlite3.ProgrammingError) as error:
        # "You can only execute one statement at a time." (a Warning before Python 3.12)
        if "one statement" not in str(error):
            raise QuerySyntaxError(f"SQL error: {error}") from None
        raise ReadOnlyQueryError(f"{error}; give exactly one SELECT statement") from None
    except sqlite3.DatabaseError as error:
        raise _mapped(error, db_path, stop, timeout) from None
    finally:
        conn.close()


class _Stop:
    """The progress handler: stop the statement at the deadline or after Ctrl-C.

    SQLite runs in C and Python's own SIGINT handling cannot reach it; the handler below only
    records Ctrl-C, and the progress callback (Python code, called every ``CHECK_EVERY``
    steps) makes SQLite abandon the statement."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.interrupted = False
        self.timed_out = False

    def check(self) -> int:
        if self.interrupted:
            return 1
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    @contextlib.contextmanager
    def on_ctrl_c(self):
        if threading.current_thread() is not threading.main_thread():
            yield  # signals go to the main thread only; the deadline still holds
            return
        previous = signal.getsignal(signal.SIGINT)

        def record(signum, frame):
            self.interrupted = True

        signal.signal(signal.SIGINT, record)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
            if self.interrupted:
                raise KeyboardInterrupt


def _mapped(error: sqlite3.DatabaseError, db_path, stop: _Stop, timeout: float) -> Exception:
    message = str(error)
    if stop.interrupted:
        return KeyboardInterrupt()
    if stop.timed_out or message == "interrupted":
        return QuerySyntaxError(f"the query ran longer than the time limit ({timeout:g} s); "
                                "narrow it or raise DLOPS_SQL_TIMEOUT")
    if "not authorized" in message or "readonly" in message or "read-only" in message:
        return ReadOnlyQueryError(f"dlops sql is read-only: only SELECT over the views {VIEW_LIST} is allowed")
    if isinstance(error, sqlite3.OperationalError) and "unable to open" in message:
        return StoreError(f"cannot open {db_path} read-only: {message}")
    return QuerySyntaxError(f"SQL error: {message}")
