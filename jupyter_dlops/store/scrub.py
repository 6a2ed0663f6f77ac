"""The one gate where text enters the store's tables: every ``INSERT`` and ``UPDATE`` a
:class:`~.base.Cursor` runs has its text values passed through
:func:`~jupyter_dlops.capture.redact.redact_text` (issue 14: ``%%track --params`` wrote raw
values into ``cell_execution.params`` while the ``params`` view was redacted). Text objects
get the same function in :meth:`~.objects.ObjectStore.put_text`.

JSON documents (a cell's parameters, a sweep spec, a record section) are also walked by
name, so ``{"api_key": 12345678}`` or ``{"token": ["a", "b"]}`` lose their values too.
Identifiers (run ids, object ids: 32, 40 or 64 hex digits) are never touched, so a 6-letter
secret can never corrupt a key. A data manifest's file paths and the stat cache's are the
one exception (``Cursor.executemany_exact``): they name files on disk, and a redacted name is
a file that no longer verifies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..capture.redact import KEYWORDS, REDACTED, known_secrets, redact_text, redact_value

_WRITES = ("INSERT", "UPDATE")
_HEX = frozenset("0123456789abcdef")
_MEMO_LIMIT = 4096
_memo: dict[str, str] = {}
_memo_known: frozenset[str] = frozenset()


def scrub_params(sql: str, params: Sequence[Any]) -> tuple:
    """``params`` of one statement, text values redacted when the statement writes."""
    params = tuple(params)
    if not _writes(sql):
        return params
    scrub = _scrubber()
    return tuple(scrub(p) if isinstance(p, str) else p for p in params)


def scrub_rows(sql: str, rows: Iterable[Sequence[Any]]) -> list:
    """The rows of an ``executemany``, each as :func:`scrub_params` would give it. Each
    distinct text is redacted once (a batch of metrics repeats one run id and a few keys), and
    the rows are rebuilt only when something changed: logging stays above 100,000 values/s."""
    rows = list(rows)
    if not _writes(sql):
        return rows
    scrub = _scrubber()
    changed = {}
    for text in {p for row in rows for p in row if type(p) is str}:
        clean = scrub(text)
        if clean != text:
            changed[text] = clean
    if not changed:
        return rows
    return [tuple(changed.get(p, p) if type(p) is str else p for p in row) for row in rows]


def _writes(sql: str) -> bool:
    return sql.lstrip()[:6].upper() in _WRITES


def _scrubber():
    """The redaction for this statement's values, with a memo of short strings (metric keys
    and run names repeat: a dict look-up then costs less than a scan) that is dropped when
    the set of known secrets changes."""
    global _memo, _memo_known
    known = frozenset(known_secrets())
    if known != _memo_known:
        _memo, _memo_known = {}, known

    def scrub(text: str) -> str:
        if len(text) < 5 or _is_identifier(text):
            return text
        cached = _memo.get(text)
        if cached is not None:
            return cached
        clean = redact_text(_by_name(text, known), set(known))
        if len(text) <= 256:
            if len(_memo) >= _MEMO_LIMIT:
                _memo.clear()
            _memo[text] = clean
        return clean

    return scrub


def _is_identifier(text: str) -> bool:
    return len(text) in (32, 40, 64) and _HEX.issuperset(text)


def _by_name(text: str, known: frozenset[str]) -> str:
    """A JSON object or array with the values under secret-looking keys redacted (the text
    unchanged when it is not JSON, or nothing in it has a secret-looking name)."""
    if text[0] not in "{[" or not any(word in text.lower() for word in KEYWORDS):
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return text
    walked = redact_value("", document, set(known))
    if walked == document:
        return text
    return json.dumps(walked, default=str, ensure_ascii=False)


__all__ = ["REDACTED", "scrub_params", "scrub_rows"]
