"""Runs grouped by experiment, sweep or a parameter, counted in SQL: the lab's runs table shows
one collapsible header per group and loads a group's runs with the ``where`` it carries, so
grouping 10,000 runs costs one ``GROUP BY``, not a read of every run (issue 17)."""

from __future__ import annotations

import json
import math
from typing import Any

from ..errors import UsageError
from ..values import decode

#: more groups than this are cut (a float param of 10,000 runs has 10,000 values)
MAX_GROUPS = 1000
_ATTRIBUTES = {"experiment": "run.experiment", "sweep": "run.sweep_id", "sweep_id": "run.sweep_id"}


def run_groups(store: Any, where: str | None, by: str, sort: str | None = None) -> dict[str, Any]:
    """The groups of the runs matching ``where``, by ``experiment``, ``sweep`` or
    ``params.KEY``: ``{"by", "groups": [{"value", "label", "count", "where", "best"}],
    "truncated"}``, in value order with the runs lacking a value last.

    ``where`` of a group selects exactly its runs (``and``-ed with the filter by the caller);
    ``best`` is the best value of the sort metric in the group (max for a descending sort,
    min for an ascending one), or None when the sort is not a metric.

    Raises
    ------
    UsageError
        ``by`` is not ``experiment``, ``sweep`` or ``params.KEY``.
    """
    from .where import metric_sort

    column, key = _group_column(by)
    clauses, params = store._where_parts(where, None)
    best_sql, best_params = _best_sql(metric_sort(sort))
    join, join_params = ("", []) if key is None else (
        " LEFT JOIN param p ON p.run_id = run.run_id AND p.key = ?", [key])
    filters = "".join(f" AND ({c})" for c in clauses)
    value = column if key is None else "p.type, p.json"
    rows = store.read(
        f"SELECT {value}, COUNT(*), {best_sql} FROM run{join} WHERE 1 = 1{filters} "
        f"GROUP BY {value} ORDER BY COUNT(*) DESC LIMIT {MAX_GROUPS + 1}",
        [*best_params, *join_params, *params],
    )
    groups = [_group(by, key, row) for row in rows[:MAX_GROUPS]]
    groups.sort(key=_order)
    return {"by": by, "groups": groups, "truncated": len(rows) > MAX_GROUPS}


def _group_column(by: str) -> tuple[str, str | None]:
    """(SQL column, param key or None) for a group-by name."""
    if by in _ATTRIBUTES:
        return _ATTRIBUTES[by], None
    head, _, key = by.partition(".")
    if head in ("params", "param") and key:
        return "p.json", key[1:-1] if key.startswith("`") and key.endswith("`") else key
    raise UsageError(f"cannot group by {by!r}; group by experiment, sweep or params.NAME")


def _best_sql(by_metric: tuple[str, str] | None) -> tuple[str, list[Any]]:
    if by_metric is None:
        return "NULL", []
    key, direction = by_metric
    # numbers only: SQLite keeps a NaN as the text 'NaN', above every number
    aggregate = "MAX" if direction == "DESC" else "MIN"
    return (f"{aggregate}((SELECT s.last FROM metric_summary s WHERE s.run_id = run.run_id "
            f"AND s.key = ? AND s.last < 'NaN'))", [key])


def _group(by: str, key: str | None, row: tuple) -> dict[str, Any]:
    if key is None:
        value, count, best = row
        field = "sweep_id" if by.startswith("sweep") else "experiment"
        where = f"{field} is null" if value is None else f"{field} = {_quote(value)}"
    else:
        kind, text, count, best = row
        value = None if text is None else decode(kind, text)
        where = _param_where(key, kind, value, text)
    label = "(none)" if value is None and (key is None or kind is None) else _label(value)
    return {"value": value, "label": label, "count": int(count), "where": where,
            "best": None if best is None or (isinstance(best, float) and math.isnan(best)) else float(best)}


def _param_where(key: str, kind: str | None, value: Any, text: str | None) -> str:
    field = f"params.`{key}`"
    if kind is None:
        return f"{field} is null"
    if kind == "none":
        return f'{field} = "None"'
    if isinstance(value, bool):
        return f"{field} = {'true' if value else 'false'}"
    if isinstance(value, (int, float)) and kind in ("int", "float") and math.isfinite(value):
        return f"{field} = {value!r}"
    if isinstance(value, str):
        return f"{field} = {_quote(value)}"
    return f"{field} = {_quote(text or '')}"  # a list or dict: its JSON text, as MLflow shows it


def _quote(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


def _label(value: Any) -> str:
    if value is None:
        return "None"
    return value if isinstance(value, str) else json.dumps(value)


def _order(group: dict[str, Any]) -> tuple:
    """Numbers in numeric order, then text, then the runs without a value."""
    value = group["value"]
    if group["where"].endswith(" is null"):
        return (2, 0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, group["label"])
