"""The SQL backend every store shares: connections, transactions, schema migrations.

SQL is written once, with ``?`` placeholders, in the subset SQLite and PostgreSQL share; a
backend translates placeholders for its driver. Writes go through :meth:`SQLBackend.write`,
one transaction each, retried while the database is busy so that concurrent writers never
see "database is locked". Reads go through :meth:`SQLBackend.read`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import SchemaVersionError, StoreError
from .migrations import all_migrations
from .objects import ObjectStore, open_objects
from .scrub import scrub_params, scrub_rows


class SQLBackend:
    """Abstract connection layer; subclasses implement ``_connect`` and error mapping."""

    dialect = "sqlite"
    busy_retry_seconds = 60.0

    def __init__(self, uri: str, objects: str | Path | ObjectStore, location: str) -> None:
        self.uri = uri
        self.location = location
        #: The whole configuration a child process needs to reach this same store (for
        #: PostgreSQL: the password and the artifacts location). Only for a child's environment
        #: (``DLOPS_STORE``): never printed, recorded, or put on a command line.
        self.uri_for_children = uri
        # A folder or s3://bucket/prefix (issue 19), or an object store built by the subclass.
        self.objects = objects if isinstance(objects, ObjectStore) else open_objects(objects)
        self._lock = threading.RLock()
        self._conn: Any = None

    # -- subclass hooks ---------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin(self, cursor: Any) -> None:
        cursor.execute("BEGIN")

    def _is_busy(self, error: Exception) -> bool:
        return False

    def _map_error(self, error: Exception) -> StoreError:
        return StoreError(f"store {self.location}: {error}")

    def _translate(self, sql: str) -> str:
        return sql

    def _make_cursor(self, cursor: Any) -> Cursor:
        # PostgreSQL's cursor records its statements to replay a transaction after a deadlock.
        return Cursor(cursor, self._translate)

    # -- connection ---------------------------------------------------------------------
    @property
    def conn(self) -> Any:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                cursor = self.conn.cursor()
                cursor.execute(self._translate(sql), tuple(params))
                rows = cursor.fetchall()
                cursor.close()
                return rows
            except Exception as error:
                raise self._wrap(error) from None

    def read_chunks(self, sql: str, params: Sequence[Any] = (), size: int = 65536) -> Iterator[list[tuple]]:
        """The rows of one query, ``size`` at a time, so that a long result (a 10M-value
        series) never sits in memory as one list. The store is held until it is consumed."""
        with self._lock:
            try:
                cursor = self.conn.cursor()
                cursor.execute(self._translate(sql), tuple(params))
            except Exception as error:
                raise self._wrap(error) from None
            try:
                while rows := cursor.fetchmany(size):
                    yield rows
            finally:
                cursor.close()

    def read_one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        rows = self.read(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        """One write transaction; retried as a whole while another writer holds the lock."""
        with self._lock:
            deadline = time.monotonic() + self.busy_retry_seconds
            cursor = self.conn.cursor()
            while True:
                try:
                    self._begin(cursor)
                    break
                except Exception as error:
                    if not self._is_busy(error) or time.monotonic() > deadline:
                        raise self._wrap(error) from None
                    time.sleep(0.01)
            try:
                yield self._make_cursor(cursor)
                self.conn.commit()
            except BaseException as error:
                self.conn.rollback()
                if isinstance(error, Exception) and not isinstance(error, StoreError):  # noqa: SIM102
                    if _is_driver_error(error):
                        raise self._wrap(error) from None
                raise
            finally:
                cursor.close()

    def _wrap(self, error: Exception) -> StoreError:
        return error if isinstance(error, StoreError) else self._map_error(error)

    # -- schema -------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self._has_table("meta"):
            return 0
        row = self.read_one("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(row[0]) if row else 0

    def migrate(self) -> int:
        """Bring the schema up to date; refuse a store written by a newer version."""
        migrations = all_migrations()
        current = self.schema_version()
        if current > len(migrations):
            raise SchemaVersionError(
                f"the store at {self.location} has schema version {current}, newer than this "
                f"jupyter-dlops understands ({len(migrations)}); upgrade jupyter-dlops"
            )
        if current == len(migrations):
            return current
        with self.write() as cursor:
            self._apply_migrations(cursor, migrations, current)
        return len(migrations)

    def _apply_migrations(self, cursor: Cursor, migrations: list, current: int) -> None:
        """Run the migrations after version ``current`` and record the new version."""
        for migration in migrations[current:]:
            for statement in migration.statements(self.dialect):
                cursor.execute(statement)
        cursor.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(len(migrations)),),
        )

    def _has_table(self, name: str) -> bool:
        raise NotImplementedError


_NUMBER_BYTES = b"0123456789.,[]eE+- \n"


def is_number_text(text: str) -> bool:
    """Whether ``text`` holds numbers only: digits, signs, dots, exponents, commas, brackets
    and blanks (a byte-table pass, ~1 ns a character: a metric history is megabytes)."""
    return text.isascii() and not text.encode("ascii").translate(None, _NUMBER_BYTES)


class Cursor:
    """A cursor that translates ``?`` placeholders for the driver, and the one gate where
    text enters the tables: written values are redacted (:mod:`.scrub`)."""

    def __init__(self, cursor: Any, translate) -> None:
        self._cursor = cursor
        self._translate = translate

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        self._cursor.execute(self._translate(sql), scrub_params(sql, params))
        return self

    def executemany(self, sql: str, rows) -> Cursor:
        self._cursor.executemany(self._translate(sql), scrub_rows(sql, rows))
        return self

    def execute_numbers(self, sql: str, params: Sequence[Any]) -> Cursor:
        """``execute`` for values that are numbers, or text made of numbers only (a metric
        history as JSON, :mod:`.bulk`): numbers are never redacted, and a scan of 30 KB of
        digits for secrets would cost more than storing them."""
        if any(isinstance(p, str) and not is_number_text(p) for p in params):
            raise StoreError("execute_numbers takes numbers, or text of digits, signs, dots, commas and brackets")
        return self.execute_exact(sql, params)

    def _run(self, method: str, sql: str, args: Any) -> None:
        getattr(self._cursor, method)(self._translate(sql), args)

    def executemany_exact(self, sql: str, rows) -> Cursor:
        """Rows whose text must be stored byte for byte: a data manifest's file paths and
        hashes. Redaction would rename a file called ``api_key=....csv`` in the manifest, so
        its version would never verify (and redacting 6,000 paths doubled a data add)."""
        self._run("executemany", sql, rows)
        return self

    def execute_exact(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """One statement whose values are stored as given (a data folder's path): the caller
        redacts any free text in them itself (:func:`.scrub.scrub_params`)."""
        self._run("execute", sql, tuple(params))
        return self

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


def _is_driver_error(error: Exception) -> bool:
    module = type(error).__module__
    return module.startswith(("sqlite3", "psycopg"))
