"""The keys a ``--where`` expression names, checked against the keys the store holds: a
misspelled key (``metrics.val_acc`` where only ``val_accuracy`` was logged) is said, with the
closest known keys, instead of a silent "no runs match" (issue 15)."""

from __future__ import annotations

import difflib
from typing import Any

from ..errors import QuerySyntaxError

_TABLES = {"params": "param", "param": "param", "metrics": "metric_summary",
           "metric": "metric_summary", "tags": "tag", "tag": "tag"}
_PREFIX = {"param": "params", "metric_summary": "metrics", "tag": "tags"}


def where_keys(text: str | None) -> list[tuple[str, str]]:
    """``(table, key)`` for every ``params.``/``metrics.``/``tags.`` field in ``text``, in
    order, once each; empty for text that does not tokenize (compiling it says why)."""
    from .where import tokenize

    if not text or not text.strip():
        return []
    try:
        tokens = tokenize(text)
    except QuerySyntaxError:
        return []
    found: list[tuple[str, str]] = []
    for token in tokens:
        head, _, key = token.text.partition(".")
        if token.kind != "field" or head.lower() not in _TABLES or not key:
            continue
        if key.startswith("`") and key.endswith("`"):
            key = key[1:-1]
        pair = (_TABLES[head.lower()], key)
        if pair not in found:
            found.append(pair)
    return found


def known_keys(store: Any, table: str) -> list[str]:
    """Every key of ``param``, ``metric_summary`` or ``tag`` that some run has."""
    if table not in _PREFIX:
        raise ValueError(f"no keys table {table!r}")
    return sorted(row[0] for row in store.read(f"SELECT DISTINCT key FROM {table}"))


def closest(key: str, known: list[str], n: int = 3) -> list[str]:
    """The known keys nearest to ``key`` (difflib's ratio, best first)."""
    return difflib.get_close_matches(key, known, n=n, cutoff=0.5)


def unknown_key_notes(store: Any, where: str | None) -> list[str]:
    """One line per key in ``where`` that no run has, with the closest known keys."""
    notes, cache = [], {}
    for table, key in where_keys(where):
        if table not in cache:
            cache[table] = known_keys(store, table)
        if key in cache[table]:
            continue
        prefix = _PREFIX[table]
        near = closest(key, cache[table])
        if near:
            notes.append(f"no run has {prefix}.{key}; did you mean "
                         + " or ".join(f"{prefix}.{k}" for k in near) + "?")
        else:
            known = ", ".join(cache[table][:10]) or "none yet"
            notes.append(f"no run has {prefix}.{key} (known {prefix}: {known})")
    return notes
