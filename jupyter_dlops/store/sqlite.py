"""The embedded default store: a folder holding ``dlops.db`` (SQLite, WAL) and ``objects/``."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from ..config import env_float
from ..errors import NotFoundError, StoreError
from .base import SQLBackend
from .operations import StoreOperations

DB_NAME = "dlops.db"


def folder_from_uri(uri: str) -> Path:
    """``/path``, ``file:///path`` or ``sqlite:///path`` to the store folder."""
    if "://" not in uri:
        return Path(uri).expanduser().resolve()
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", "sqlite"):
        raise StoreError(f"'{uri}' is not a SQLite store URI; use a path or sqlite:///path")
    path = Path(unquote(parsed.netloc + parsed.path))
    return (path.parent if path.suffix == ".db" else path).resolve()


def artifacts_option(uri: str) -> str:
    """The ``?artifacts=`` of a ``sqlite:///`` URI (a folder or ``s3://bucket/prefix``), or ""."""
    if "://" not in uri:
        return ""
    return parse_qs(urlparse(uri).query).get("artifacts", [""])[-1]


class SQLiteStore(SQLBackend, StoreOperations):
    """SQLite in WAL mode with a busy timeout; safe for many processes on one machine."""

    dialect = "sqlite"

    def __init__(self, uri: str, *, create: bool = True) -> None:
        folder = folder_from_uri(uri)
        self.folder = folder
        self.db_path = folder / DB_NAME
        objects = artifacts_option(uri) or os.environ.get("DLOPS_ARTIFACTS", "") or folder / "objects"
        super().__init__(uri, objects, str(folder))
        self.uri_for_children = str(folder)  # absolute: a child may run in another folder
        self.read_only = False
        timeout = env_float("DLOPS_BUSY_TIMEOUT", 30.0)
        self.busy_timeout = timeout
        self.busy_retry_seconds = timeout
        try:
            exists = self.db_path.exists()
        except OSError as error:
            raise StoreError(f"cannot read the store at {folder}: {error.strerror}; check its permissions") from None
        if not exists:
            if not create:
                raise NotFoundError(
                    f"no store at {folder}; run `dlops init` there or set DLOPS_STORE"
                )
            self._create_folder()
        self.migrate()

    def _create_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / ".gitignore").write_text("*\n")
        except OSError as error:
            raise StoreError(f"cannot create the store at {self.folder}: {error.strerror}") from None

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = self._open_rw()
        except sqlite3.OperationalError as error:
            if not self.db_path.exists() or "readonly" not in str(error) and "unable to open" not in str(error):
                raise self._map_error(error) from None
            conn = self._open_ro()
        except sqlite3.DatabaseError as error:
            raise self._map_error(error) from None
        # --where's LIKE is case-sensitive, as PostgreSQL's and MLflow's are (issue 19).
        conn.execute("PRAGMA case_sensitive_like = ON")
        return conn

    def _open_rw(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.db_path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous=NORMAL")
            if mode != "wal":
                raise sqlite3.OperationalError("attempt to write a readonly database")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _open_ro(self) -> sqlite3.Connection:
        self.read_only = True
        uri = f"{self.db_path.as_uri()}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            conn = sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
        return conn

    def _begin(self, cursor) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.folder} is read-only; make it writable or set DLOPS_STORE elsewhere")
        cursor.execute("BEGIN IMMEDIATE")

    def _is_busy(self, error: Exception) -> bool:
        return isinstance(error, sqlite3.OperationalError) and (
            "locked" in str(error) or "busy" in str(error)
        )

    def _map_error(self, error: Exception) -> StoreError:
        text = str(error)
        if self._is_busy(error):
            return StoreError(f"the store at {self.folder} is locked by another process; retry when it is done")
        if "not a database" in text or "malformed" in text:
            return StoreError(f"the store database {self.db_path} is corrupt ({text}); restore it from a backup or move it away")
        if "readonly" in text or "unable to open" in text or "read-only" in text:
            return StoreError(f"the store at {self.folder} is read-only; make it writable or set DLOPS_STORE elsewhere")
        if "disk" in text and "full" in text:
            return StoreError(f"the disk holding {self.folder} is full; free some space and retry")
        return StoreError(f"store {self.folder}: {text}")

    def _has_table(self, name: str) -> bool:
        return bool(self.read("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))

    def query_readonly(self, sql: str, limit: int | None = None) -> tuple[list[str], list[tuple]]:
        from .readonly import sqlite_readonly_query

        return sqlite_readonly_query(self.db_path, sql, limit)

    def integrity_check(self) -> str:
        return self.read("PRAGMA integrity_check")[0][0]
