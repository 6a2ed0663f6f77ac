"""The team store: PostgreSQL over psycopg 3, with artifacts on a shared path.

``DLOPS_STORE=postgresql://user:password@host:5432/dbname?artifacts=/shared/dlops-objects``

The SQL is the same as SQLite's (see :mod:`.base`); this module translates ``?``
placeholders to psycopg's ``%s``, runs every write as one explicit transaction (the
connection itself is in autocommit mode so that reads never leave a transaction open), and
replays a write transaction that PostgreSQL aborted for a deadlock or a serialization
failure, so concurrent writers never see those errors. psycopg is imported lazily: it is only
needed when a ``postgresql://`` URI is used (``pip install 'jupyter-dlops[postgres]'``).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlparse, urlunparse

from ..config import STORE_DIRNAME, env_float, project_root
from ..errors import NotFoundError, QuerySyntaxError, ReadOnlyQueryError, StoreError
from ..views import VIEW_LIST
from .base import Cursor, SQLBackend
from .migrations import all_migrations
from .objects import LocalObjectStore, ObjectStore, open_objects
from .operations import StoreOperations
from .scrub import scrub_params, scrub_rows

#: SQLSTATEs after which the whole transaction may simply be run again.
RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected
#: Serialises schema migrations between processes opening a fresh database at once.
MIGRATION_LOCK = 0x646C6F7073  # "dlops"
MAX_REPLAYS = 20
READONLY_START = re.compile(r"^\s*(select|with|values|table|explain)\b", re.IGNORECASE)
STORE_QUERY_KEYS = {"artifacts"}


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "a postgresql:// store needs psycopg 3; run: pip install 'jupyter-dlops[postgres]'"
        ) from None
    return psycopg


def split_uri(uri: str) -> tuple[str, dict[str, str], str]:
    """``(conninfo for psycopg, our own query options, location without the password)``."""
    parsed = urlparse(uri)
    query = parse_qsl(parsed.query, keep_blank_values=True)
    ours = {k: v for k, v in query if k in STORE_QUERY_KEYS}
    theirs = [(k, v) for k, v in query if k not in STORE_QUERY_KEYS]
    conninfo = urlunparse(parsed._replace(scheme="postgresql", query=urlencode(theirs)))
    host = parsed.hostname or "localhost"
    port = parsed.port or 5432
    user = f"{unquote(parsed.username)}@" if parsed.username else ""
    database = parsed.path.lstrip("/") or "postgres"
    return conninfo, ours, f"postgresql://{user}{host}:{port}/{database}"


def with_artifacts(uri: str, root: str | Path) -> str:
    """``uri`` naming ``root`` (a folder, made absolute, or an ``s3://`` location) as its
    artifacts location: a child process that runs in another folder (a re-run, a sweep's
    kernel) then writes its objects where every member reads them, not into its own
    project's ``.dlops/objects`` (issue 14)."""
    parsed = urlparse(uri)
    query = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k != "artifacts"]
    where = str(root) if str(root).lower().startswith("s3://") else str(Path(root).expanduser().resolve())
    query.append(("artifacts", where))
    return urlunparse(parsed._replace(query=urlencode(query)))


def address_of(location: str) -> str:
    """``host:port`` of a location made by :func:`split_uri`."""
    return location.split("://", 1)[1].rsplit("@", 1)[-1].split("/", 1)[0]


def _scan(sql: str):
    """``(char, quoted)`` for each character: is it inside a quoted literal or identifier?"""
    quote = ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
            yield char, True
        elif char in ("'", '"'):
            quote = char
            yield char, True
        else:
            yield char, False


def translate_placeholders(sql: str) -> str:
    """``?`` → ``%s`` and ``%`` → ``%%`` outside quoted literals and identifiers."""
    out: list[str] = []
    for char, quoted in _scan(sql):
        if not quoted and char == "?":
            out.append("%s")
        else:
            out.append("%%" if char == "%" else char)
    return "".join(out)


def single_statement(sql: str) -> str:
    """The statement without trailing semicolons; refuse a second statement."""
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    if any(char == ";" and not quoted for char, quoted in _scan(text)):
        raise ReadOnlyQueryError("give exactly one SELECT statement (found a ';' between statements)")
    return text


class PgCursor(Cursor):
    """Records the transaction's statements so that it can be replayed after a deadlock."""

    def __init__(self, cursor: Any, store: PostgresStore) -> None:
        super().__init__(cursor, store._translate)
        self._store = store
        self._history: list[tuple[str, str, Any]] = []

    def execute(self, sql: str, params=()) -> PgCursor:
        self._run("execute", sql, scrub_params(sql, params))
        return self

    def executemany(self, sql: str, rows) -> PgCursor:
        self._run("executemany", sql, scrub_rows(sql, rows))
        return self

    def executemany_exact(self, sql: str, rows) -> PgCursor:
        self._run("executemany", sql, list(rows))  # a list: a replay runs it again
        return self

    def execute_exact(self, sql: str, params=()) -> PgCursor:
        self._run("execute", sql, tuple(params))
        return self

    def _run(self, method: str, sql: str, args: Any) -> None:
        self._history.append((method, self._translate(sql), args))
        for attempt in range(MAX_REPLAYS + 1):
            try:
                if attempt == 0:
                    getattr(self._cursor, method)(*self._history[-1][1:])
                else:
                    self._replay(attempt)
                return
            except Exception as error:
                if not self._store._is_busy(error) or attempt == MAX_REPLAYS:
                    raise

    def _replay(self, attempt: int) -> None:
        # PostgreSQL aborted the whole transaction: start again and run it all once more.
        conn = self._store.conn
        conn.rollback()
        time.sleep(min(0.5, 0.005 * 2**attempt))
        self._store._begin(self._cursor)
        for method, sql, args in self._history:
            getattr(self._cursor, method)(sql, args)


UNSHARED = ("this PostgreSQL store has no shared object location, so each member's objects would "
            "stay on their own disk; set DLOPS_ARTIFACTS (or ?artifacts= in DLOPS_STORE) to "
            "s3://BUCKET/PREFIX or a folder every member mounts")


def _team_objects(options: dict[str, str]) -> ObjectStore:
    """The objects named by ``?artifacts=`` or ``DLOPS_ARTIFACTS``; else this member's own
    folder, marked unshared so that the first write is refused (issue 19)."""
    named = options.get("artifacts") or os.environ.get("DLOPS_ARTIFACTS", "")
    if named:
        return open_objects(named)
    return LocalObjectStore(project_root() / STORE_DIRNAME / "objects", shared=False, refusal=UNSHARED)


class PostgresStore(SQLBackend, StoreOperations):
    """PostgreSQL store; many machines and processes may write to it at once."""

    dialect = "postgresql"

    def __init__(self, uri: str, *, create: bool = True) -> None:
        self.conninfo, options, location = split_uri(uri)
        self.address = address_of(location)
        super().__init__(location, _team_objects(options), location)
        # a child connects as this process does (password included); with a shared object
        # location it writes there whatever folder it runs in, without one it is refused as we are
        self.uri_for_children = with_artifacts(uri, self.objects.location) if self.objects.shared else uri
        self.read_only = False
        self.statement_timeout = env_float("DLOPS_SQL_TIMEOUT", 30.0)
        try:
            if not create and not self._has_table("meta"):
                raise NotFoundError(
                    f"no jupyter-dlops store in {location}; run `dlops init` with DLOPS_STORE set to it"
                )
            self.migrate()
        except BaseException:
            self.close()  # a refused store must not leave its connection open
            raise
        self._opened = True

    def write(self):
        """One write transaction; refused while the objects are not shared (issue 19): a
        member writing runs whose objects only they can read would split the team's store."""
        if not self.objects.shared and getattr(self, "_opened", False):
            raise StoreError(UNSHARED)
        return super().write()

    # -- connection ---------------------------------------------------------------------
    @property
    def conn(self) -> Any:
        # A forked child (multiprocessing, Dask's fork workers) must never talk on its
        # parent's socket, and a connection the server closed is opened again.
        if self._conn is not None and (self._conn_pid != os.getpid() or self._conn.closed):
            self._conn = None
        return super().conn

    def _connect(self) -> Any:
        psycopg = _psycopg()
        self._conn_pid = os.getpid()
        try:
            return psycopg.connect(
                self.conninfo, autocommit=True, application_name="jupyter-dlops",
                connect_timeout=int(env_float("DLOPS_CONNECT_TIMEOUT", 10)),
            )
        except psycopg.Error as error:
            raise self._map_error(error) from None

    def _begin(self, cursor: Any) -> None:
        cursor.execute("BEGIN")

    def _translate(self, sql: str) -> str:
        return translate_placeholders(sql)

    def _make_cursor(self, cursor: Any) -> Cursor:
        return PgCursor(cursor, self)

    def _is_busy(self, error: Exception) -> bool:
        return getattr(error, "sqlstate", None) in RETRYABLE

    def _map_error(self, error: Exception) -> StoreError:
        text = _first_line(error)
        where = self.address
        lowered = text.lower()
        if "connection refused" in lowered or "could not connect" in lowered or "timeout expired" in lowered:
            return StoreError(f"cannot connect to PostgreSQL at {where} (connection refused); "
                              "start the server or fix DLOPS_STORE")
        if "password authentication failed" in lowered or "no password supplied" in lowered:
            return StoreError(f"PostgreSQL at {where} refused the credentials in DLOPS_STORE; fix the user or password")
        if "does not exist" in lowered and "database" in lowered:
            return StoreError(f"{text} on {where}; create it (createdb) or fix DLOPS_STORE")
        if getattr(error, "sqlstate", None) == "25006" or "read-only" in lowered:
            return StoreError(f"the store {self.location} is read-only; use a writable server or role")
        return StoreError(f"store {self.location}: {text}")

    def _has_table(self, name: str) -> bool:
        return bool(self.read(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_name = ?", (name,)))

    # -- schema -------------------------------------------------------------------------
    def migrate(self) -> int:
        """As :meth:`SQLBackend.migrate`, holding an advisory lock so that processes opening a
        fresh database at once do not race on ``CREATE TABLE``."""
        migrations = all_migrations()
        if self.schema_version() < len(migrations):
            with self.write() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
                row = cursor.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'"
                ).fetchone() if self._has_table_in(cursor, "meta") else None
                if row is None or int(row[0]) < len(migrations):
                    self._apply_migrations(cursor, migrations, int(row[0]) if row else 0)
        return super().migrate()  # refuses a newer schema with the shared message

    @staticmethod
    def _has_table_in(cursor: Cursor, name: str) -> bool:
        return cursor.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_name = ?", (name,)).fetchone() is not None

    # -- read-only queries and checks ---------------------------------------------------
    def query_readonly(self, sql: str, limit: int | None = None) -> tuple[list[str], list[tuple]]:
        """Columns and rows of one SELECT, in a READ ONLY transaction with a timeout."""
        text = single_statement(sql)
        if not text:
            raise ReadOnlyQueryError("empty query; give one SELECT statement")
        if not READONLY_START.match(text):
            raise ReadOnlyQueryError(_READONLY_HINT)
        from .pgguard import check_query

        check_query(text)  # only the views, only harmless functions: on the parsed statement
        psycopg = _psycopg()
        with self._lock:
            conn = self.conn
            cursor = conn.cursor()
            try:
                cursor.execute("BEGIN READ ONLY")
                cursor.execute(f"SET LOCAL statement_timeout = {int(self.statement_timeout * 1000)}")
                self._set_query_role(cursor)
                cursor.execute(text.replace("%", "%%"), ())
                columns = [d.name for d in cursor.description or ()]
                rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
                return columns, rows
            except psycopg.Error as error:
                raise _readonly_error(error) from None
            finally:
                conn.rollback()
                cursor.close()

    @staticmethod
    def _set_query_role(cursor: Any) -> None:
        """``SET LOCAL ROLE`` to ``DLOPS_SQL_ROLE`` where a team configured a least-privilege
        role for queries (docs/store.md): the server then enforces what the check allows."""
        role = os.environ.get("DLOPS_SQL_ROLE", "").strip()
        if not role:
            return
        from psycopg import Error, sql

        try:
            cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
        except Error as error:
            raise StoreError(f"cannot switch to the role {role!r} named by DLOPS_SQL_ROLE "
                             f"({_first_line(error)}); grant it to this user or unset DLOPS_SQL_ROLE") from None

    def integrity_check(self) -> str:
        """``ok``, or what is inconsistent: summaries that disagree with their series."""
        row = self.read_one(
            "SELECT COUNT(*) FROM metric_summary s WHERE s.count <> "
            "(SELECT COUNT(*) FROM metric_value v JOIN metric_series m ON m.series_id = v.series_id "
            "WHERE m.run_id = s.run_id AND m.key = s.key)"
        )
        if row and row[0]:
            return f"{row[0]} metric summaries disagree with their series"
        return "ok"


_READONLY_HINT = f"dlops sql is read-only: only SELECT over the views {VIEW_LIST} is allowed"


def _readonly_error(error: Exception) -> Exception:
    state = getattr(error, "sqlstate", None) or ""
    text = _first_line(error)
    if state in ("25006", "42501"):  # read_only_sql_transaction, insufficient_privilege
        return ReadOnlyQueryError(_READONLY_HINT)
    if state == "57014":
        return QuerySyntaxError(f"the query ran longer than the time limit ({text}); "
                                "narrow it or raise DLOPS_SQL_TIMEOUT")
    if state.startswith(("42", "22", "0A")):  # syntax/undefined object, data, unsupported
        return QuerySyntaxError(f"SQL error: {text}")
    return StoreError(f"dlops sql: {text}")


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
