"""Running a user's WHERE clause against a metadata database, and nothing else.

Three fences, each enough on its own for what it guards:

1. a lexical check refuses a ``;`` (a second statement), comments (which could hide the
   rest of our statement) and unbalanced parentheses, with the position;
2. the database is opened read-only (``mode=ro``, ``PRAGMA query_only``);
3. an authorizer (``sqlite3_set_authorizer``) allows only SELECT, reading the one table
   ``meta``, and a list of pure functions: no other table, no ATTACH, no PRAGMA, no writes,
   nothing that touches files.

A progress handler stops a query that runs longer than ``TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from ..errors import QuerySyntaxError
from .metadata import TABLE

TIMEOUT_SECONDS = 60.0
FUNCTIONS = frozenset(["abs", "avg", "coalesce", "count", "date", "datetime", "glob", "hex", "ifnull", "iif", "instr", "julianday", "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif", "printf", "format", "quote", "replace", "round", "rtrim", "sign", "strftime", "substr", "substring", "sum", "time", "total", "trim", "typeof", "unicode", "unlikely", "upper", "unixepoch", "ceil", "ceiling", "floor", "exp", "ln", "log", "log10", "log2", "mod", "pow", "power", "sqrt"])


def check_clause(text: str) -> None:
    """Refuse what could turn one WHERE clause into something else (see module doc)."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        char = text[i]
        if char in "'\"`[":
            close = "]" if char == "[" else char
            end = _closing(text, i, close)
            if end < 0:
                kind = "string" if char == "'" else "quoted name"
                raise QuerySyntaxError(f"unterminated {kind}", text=text, position=i)
            i = end + 1
            continue
        if char == ";":
            raise QuerySyntaxError("a data query is one WHERE clause; ';' and a second "
                                   "statement are not allowed", text=text, position=i)
        if text.startswith(("--", "/*"), i):
            raise QuerySyntaxError("comments are not allowed in a data query", text=text, position=i)
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise QuerySyntaxError("')' without a matching '('", text=text, position=i)
        i += 1
    if depth:
        raise QuerySyntaxError("a '(' is never closed", text=text, position=len(text))


def _closing(text: str, start: int, close: str) -> int:
    i = start + 1
    while True:
        i = text.find(close, i)
        if i < 0 or close == "]":
            return i
        if text.startswith(close * 2, i):  # '' and "" escape the quote inside
            i += 2
            continue
        return i


def connect(database: str | Path) -> tuple[sqlite3.Connection, list[str]]:
    """A read-only connection to a metadata database, fenced; and the reasons it refused."""
    uri = Path(database).absolute().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    denied: list[str] = []

    def authorize(action, arg1, arg2, dbname, source) -> int:
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and arg1 == TABLE and dbname == "main":
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in FUNCTIONS:
            return sqlite3.SQLITE_OK
        denied.append(_reason(action, arg1, arg2))
        return sqlite3.SQLITE_DENY

    conn.set_authorizer(authorize)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 100_000)
    return conn, denied


def _reason(action: int, arg1: str | None, arg2: str | None) -> str:
    if action == sqlite3.SQLITE_READ:
        return f"a data query may read only its metadata table, not {arg1!r}"
    if action == sqlite3.SQLITE_FUNCTION:
        return f"the function {arg2}() is not allowed in a data query"
    return "a data query may only read the metadata table (no writes, PRAGMA, ATTACH or files)"


def explain(error: sqlite3.Error, text: str, denied: list[str], columns: list[str],
            conn: sqlite3.Connection | None = None) -> QuerySyntaxError:
    """A :class:`QuerySyntaxError` saying what is wrong with ``text``, with the position."""
    message = str(error)
    if denied:
        return QuerySyntaxError(denied[0] + "; rewrite the query", text=text)
    if "interrupted" in message:
        return QuerySyntaxError(f"the query ran longer than {TIMEOUT_SECONDS:.0f} s and was "
                                "stopped; make it more selective", text=text)
    match = re.match(r'(?:near "(.*)": syntax error|unrecognized token: "(.*)")', message)
    if match:
        token = match.group(1) or match.group(2)
        position = _locate(conn, text, token) if conn is not None else _find(text, token)
        return QuerySyntaxError("syntax error in the query", text=text, position=position)
    match = re.match(r"no such column: (.*)", message)
    if match:
        shown = ", ".join(columns)
        return QuerySyntaxError(f"unknown column {match.group(1)!r} (columns: {shown}; quote names "
                                "with double quotes)", text=text, position=_find(text, match.group(1)))
    match = re.match(r"no such (table|function): (.*)", message)
    if match:
        what = "table" if match.group(1) == "table" else "function"
        return QuerySyntaxError(f"unknown {what} {match.group(2)!r}: a data query may read only its "
                                "metadata table's columns", text=text, position=_find(text, match.group(2)))
    if "incomplete input" in message:
        return QuerySyntaxError("the query ends too early", text=text, position=len(text))
    return QuerySyntaxError(f"the query cannot run ({message}); fix it", text=text)


def _locate(conn: sqlite3.Connection, text: str, token: str) -> int | None:
    """Which occurrence of ``token`` SQLite choked on: the first whose prefix, cut just
    after it, already fails with the same "near" error (Python 3.11 has no error offset)."""
    start = text.find(token)
    while start >= 0:
        prefix = text[:start + len(token)]
        try:
            conn.execute(f"SELECT 1 FROM {TABLE} WHERE ({prefix}")
        except sqlite3.Error as error:
            if str(error) == f'near "{token}": syntax error':
                return start
        start = text.find(token, start + 1)
    return _find(text, token)


def _find(text: str, token: str) -> int | None:
    index = text.find(token)
    if index < 0:
        index = text.lower().find(token.lower())
    return index if index >= 0 else None
