"""Metadata tables: one row per item, matched to files by a path column, any other columns.

A table (CSV, or Parquet through pyarrow, loaded lazily) is checked against the version's
files, then loaded into its own small SQLite database with one table, ``meta``, every column
typed and indexed and the statistics gathered (``ANALYZE``), so that a WHERE clause over a
million rows answers in milliseconds. The database is stored content-addressed in the object
store: it works the same whether the main store is SQLite or PostgreSQL, and a query opens
it read-only with an authorizer that allows nothing but reading ``meta`` (see query.py).
"""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, NotFoundError, UsageError

TABLE = "meta"
PATH_COLUMNS = ("path", "file", "filename", "file_name", "filepath")
MAX_INDEXES = 32


@dataclass
class Table:
    """A metadata table in memory: column names, SQLite types, rows, and the path column."""

    columns: list[str]
    types: list[str]
    rows: list[tuple]
    path_column: str


def quote(name: str) -> str:
    """An SQL identifier, quoted, so that columns named like keywords work."""
    return '"' + name.replace('"', '""') + '"'


def read_table(path: str | os.PathLike[str], path_column: str | None = None) -> Table:
    """Read a CSV or Parquet table and pick its path column.

    Raises
    ------
    NotFoundError
        The file does not exist.
    DataError
        The table is empty, malformed, or has no usable path column.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no metadata table at {path}; give a .csv or .parquet file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        columns, data, types = _read_parquet(path)
    elif suffix in (".csv", ".tsv"):
        columns, rows = _read_csv(path, "\t" if suffix == ".tsv" else ",")
        data = [list(c) for c in zip(*rows, strict=False)] if rows else [[] for _ in columns]
        types = [_type_text_column(column) for column in data]
        data = [_convert(column, kind) for column, kind in zip(data, types, strict=False)]
    else:
        raise UsageError(f"metadata table {path.name}: use a .csv, .tsv or .parquet file")
    _check_columns(columns, path)
    if not data or not data[0]:
        raise DataError(f"metadata table {path} has no rows; add one row per item")
    rows = list(zip(*data, strict=False))
    return Table(columns, types, rows, _pick_path_column(columns, path_column, path))


def _read_csv(path: Path, delimiter: str) -> tuple[list[str], list[tuple]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise DataError(f"metadata table {path} is empty; add a header row and one row per item")
            width = len(header)
            rows = []
            for number, row in enumerate(reader, start=2):
                if len(row) != width:
                    if not row:
                        continue
                    raise DataError(f"metadata table {path}, line {number}: {len(row)} fields, "
                                    f"the header has {width}; fix the row")
                rows.append(tuple(row))
    except (UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"metadata table {path} cannot be read as UTF-8 CSV ({error}); fix the file") from None
    return [h.strip() for h in header], rows


def _read_parquet(path: Path) -> tuple[list[str], list[list[Any]], list[str]]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("reading Parquet needs pyarrow; `pip install jupyter-dlops[data]`") from None
    try:
        table = pq.read_table(path)
    except Exception as error:  # pyarrow raises several unrelated types
        raise DataError(f"metadata table {path} is not a readable Parquet file ({error}); fix it") from None
    columns, types = [], []
    for field, column in zip(table.schema, table.columns, strict=False):
        kind = _parquet_kind(pa, field.type)
        values = column.to_pylist()
        if kind in ("DATE", "TIMESTAMP"):
            values = [None if v is None else _timestamp(v.isoformat()) if kind == "TIMESTAMP"
                      else v.isoformat() for v in values]
        elif kind == "TEXT":
            values = [v if v is None or isinstance(v, str) else str(v) for v in values]
        columns.append(values)
        types.append(kind)
    return list(table.column_names), columns, types


def _parquet_kind(pa: Any, kind: Any) -> str:
    for name, test in (("BOOLEAN", pa.types.is_boolean), ("INTEGER", pa.types.is_integer),
                       ("REAL", pa.types.is_floating), ("DATE", pa.types.is_date),
                       ("TIMESTAMP", pa.types.is_timestamp)):
        if test(kind):
            return name
    return "TEXT"


def _check_columns(columns: list[str], path: Path) -> None:
    seen: set[str] = set()
    for column in columns:
        if not column:
            raise DataError(f"metadata table {path} has a column without a name; name every column")
        if column.lower() in seen:
            raise DataError(f"metadata table {path} has the column {column!r} twice; rename one")
        seen.add(column.lower())


def _pick_path_column(columns: list[str], wanted: str | None, path: Path) -> str:
    if wanted is not None:
        if wanted not in columns:
            raise UsageError(f"metadata table {path} has no column {wanted!r}; columns: {', '.join(columns)}")
        return wanted
    for candidate in PATH_COLUMNS:
        for column in columns:
            if column.lower() == candidate:
                return column
    raise DataError(f"metadata table {path} has no path column ({', '.join(PATH_COLUMNS)}); "
                    "add one or name it with --path-column")


INT_TEXT = re.compile(r"\s*[+-]?\d+\s*")
REAL_TEXT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
# As pandas reads CSV: true/false in any case. yes/no stay text, so that a query such as
# ``answer = 'yes'`` keeps matching (a boolean column would compare 1 with 'yes': no rows).
BOOL_TEXT = {"true": True, "false": False}
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?")


def _boolean(text: str) -> bool:
    return BOOL_TEXT[text.strip().lower()]


def _date(text: str) -> str:
    import datetime as dt

    return dt.date.fromisoformat(text.strip()).isoformat()


def _timestamp(text: str) -> str:
    """ISO 8601 as ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (SQLite's own form), in UTC when the text
    has an offset, so that every value of a column compares correctly as text."""
    import datetime as dt

    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat(sep=" ")


# Tried in order on the non-empty cells of a text column; the first that fits every cell wins.
_KINDS = (("INTEGER", INT_TEXT.fullmatch, int), ("REAL", REAL_TEXT.fullmatch, float),
          ("BOOLEAN", lambda v: v.strip().lower() in BOOL_TEXT, _boolean),
          ("DATE", DATE_TEXT.fullmatch, _date), ("TIMESTAMP", TIME_TEXT.fullmatch, _timestamp))


def _type_text_column(values: list[str]) -> str:
    """The type of a CSV column: INTEGER, REAL, BOOLEAN (true/false, any case), DATE
    or TIMESTAMP (ISO 8601) when every non-empty cell is one, else TEXT (issue 15)."""
    present = [v for v in values if v != ""]
    for kind, fits, cast in _KINDS:
        if all(fits(v) for v in present):
            try:  # a pattern that fits can still be no value: 2024-02-30
                for v in present:
                    cast(v)
            except ValueError:
                continue
            return kind
    return "TEXT"


def _convert(values: list[str], kind: str) -> list[Any]:
    """Empty cells become NULL; typed cells their value (booleans 1/0, dates ISO text)."""
    if kind == "TEXT":
        return [None if v == "" else v for v in values]
    cast = next(c for k, _, c in _KINDS if k == kind)
    return [None if v == "" else cast(v) for v in values]


def normalise_paths(table: Table, files: Sequence[str], root: str) -> list[str]:
    """Match the path column to ``files``; returns the rows' relative paths in row order.

    Raises
    ------
    DataError
        A path matches no file, or appears twice.
    """
    known = set(files)
    index = table.columns.index(table.path_column)
    prefix = os.path.abspath(root).rstrip("/") + "/"
    paths, seen, missing = [], set(), []
    for row in table.rows:
        raw = row[index]
        rel = "" if raw is None else str(raw).strip().replace("\\", "/")
        rel = rel[len(prefix):] if rel.startswith(prefix) else rel.removeprefix("./")
        if rel in seen:
            raise DataError(f"metadata path {rel!r} appears twice in column {table.path_column!r}; "
                            "keep one row per item")
        if rel not in known:
            missing.append(rel)
        seen.add(rel)
        paths.append(rel)
    if missing:
        shown = ", ".join(repr(m) for m in missing[:3])
        raise DataError(f"{len(missing)} metadata path(s) match no file of the version ({shown}); "
                        f"column {table.path_column!r} must hold paths relative to the data folder")
    return paths


def build_database(objects, table: Table, paths: list[str]) -> str:
    """Write the table into a fresh SQLite file, store it as an object, return its id."""
    objects.tmp.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=objects.tmp, prefix="meta.", suffix=".sqlite")
    os.close(fd)
    try:
        _fill(tmp, table, paths)
        return objects.put_file(tmp, link=True)
    except sqlite3.Error as error:
        raise DataError(f"cannot load the metadata table: {error}; check its values") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _fill(target: str, table: Table, paths: list[str]) -> None:
    index = table.columns.index(table.path_column)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        defs = ", ".join(f"{quote(c)} {'TEXT' if i == index else t}"
                         for i, (c, t) in enumerate(zip(table.columns, table.types, strict=False)))
        conn.execute(f"CREATE TABLE {TABLE} ({defs})")
        marks = ", ".join("?" for _ in table.columns)
        rows = (row[:index] + (rel,) + row[index + 1:] for row, rel in zip(table.rows, paths, strict=False))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", rows)
        conn.execute(f"CREATE UNIQUE INDEX meta_path ON {TABLE} ({quote(table.path_column)})")
        others = [c for c in table.columns if c != table.path_column][:MAX_INDEXES]
        for number, column in enumerate(others):
            conn.execute(f"CREATE INDEX meta_i{number} ON {TABLE} ({quote(column)})")
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()
