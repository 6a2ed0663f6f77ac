"""Which columns ``dlops runs`` and ``best`` show when none are asked for: the parameters
that vary across the listed runs (what tells them apart), then the metrics (issue 15)."""

from __future__ import annotations

from collections import Counter

# Loaded with every `dlops` command: json and typing wait until needed (tests/test_import_cost.py)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SYSTEM_PREFIX = "sys/"
MAX_PARAMS = 6
MAX_METRICS = 4
_ABSENT = "\0absent"


def _signature(value: Any) -> str:
    """A comparable form of a parameter value (lists and dicts are unhashable)."""
    import json

    return json.dumps(value, sort_keys=True, default=str)


def varying_params(runs: list[Any]) -> list[str]:
    """Parameter keys whose value differs between the runs (a run without the key counts
    as a different value), the most widely set first; every key when there is one run."""
    counts = Counter(k for r in runs for k in r.params)
    if len(runs) > 1:
        counts = Counter({k: n for k, n in counts.items()
                          if len({_signature(r.params.get(k, _ABSENT)) for r in runs}) > 1})
    return [k for k, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def default_columns(runs: list[Any], metric: str | None = None) -> list[str]:
    """``params.KEY`` for the varying parameters, then ``metrics.KEY`` (``metric`` first,
    then the most widely logged; ``sys/`` usage series left out)."""
    metrics = Counter(k for r in runs for k in r.metrics if not k.startswith(SYSTEM_PREFIX))
    ordered = [k for k, _ in sorted(metrics.items(), key=lambda item: (-item[1], item[0]))]
    if metric is not None:
        ordered = [metric, *(k for k in ordered if k != metric)]
    return ([f"params.{k}" for k in varying_params(runs)[:MAX_PARAMS]]
            + [f"metrics.{k}" for k in ordered[:MAX_METRICS]])
