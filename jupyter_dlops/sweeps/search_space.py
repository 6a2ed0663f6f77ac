"""The search space of ``dlops sweep --search``: Optuna distributions from ``-p`` and a spec.

``-p lr loguniform:1e-5:1e-1``, ``-p layers int:1:4``, ``-p opt choice:adam,sgd``,
``-p dropout uniform:0:0.5`` (also ``1e-4..1e-1``, log-uniform for rates); several values
are a choice; one plain value is fixed. The space is stored with the sweep as plain JSON
(``[kind, ...]``) so ``dlops sweep show`` can rebuild the study from the runs alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError
from .params import coerce, read_yaml
from .space import RANGE, is_rate

METHODS = ("tpe", "cmaes", "random", "grid")
PRUNERS = ("median", "hyperband")
KINDS = ("loguniform", "uniform", "float", "int", "logint", "choice")


def parse_objective(text: str) -> tuple[str, str]:
    """``val_loss:min`` → ``("val_loss", "minimize")``."""
    metric, _, goal = str(text).rpartition(":")
    if not metric or goal not in ("min", "max"):
        raise UsageError(f"--objective {text!r} must be METRIC:min or METRIC:max, e.g. --objective loss:min")
    return metric, "minimize" if goal == "min" else "maximize"


def parse_entry(name: str, text: str) -> list[Any] | None:
    """One ``-p`` token as a stored distribution (``[kind, ...]``), or None for a plain value."""
    kind, sep, rest = text.partition(":")
    if sep and kind.lower() in KINDS:
        kind = kind.lower()
        if kind == "choice":
            return ["choice", [v for v in rest.split(",") if v != ""]]
        parts = rest.split(":")
        try:
            low, high = (float(p) for p in parts)
        except ValueError:
            raise UsageError(f"parameter '{name}': {text!r} must be {kind}:LOW:HIGH, e.g. {kind}:1:4") from None
        return _range(name, "float" if kind == "uniform" else kind, low, high)
    match = RANGE.match(text)
    if match:
        low, high = (float(x) for x in match.groups())
        integer = not any(c in bound.lower() for bound in match.groups() for c in ".e")
        return _range(name, "int" if integer else "loguniform" if is_rate(name) else "float", low, high)
    return None


def _range(name: str, kind: str, low: float, high: float) -> list[Any]:
    if not high > low:
        raise UsageError(f"range of '{name}' must have its low end below its high end, got {low}:{high}")
    if kind in ("loguniform", "logint") and low <= 0:
        raise UsageError(f"log range of '{name}' must be above zero, got {low}:{high}")
    if kind in ("int", "logint"):
        if not (low.is_integer() and high.is_integer()):
            raise UsageError(f"integer range of '{name}' needs whole ends, got {low}:{high}")
        return [kind, int(low), int(high)]
    return [kind, low, high]


def from_cli(params: dict[str, list[str]]) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """``({name: [kind, ...]}, {name: fixed value})`` from ``-p NAME V...``."""
    space: dict[str, list[Any]] = {}
    fixed: dict[str, Any] = {}
    for name, values in params.items():
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        entry = parse_entry(name, str(values[0])) if len(values) == 1 else ["choice", values]
        if entry is None:
            fixed[name] = values[0]
        else:
            space[name] = entry
    return space, fixed


def load_search_spec(path: str | Path) -> dict[str, Any]:
    """A YAML spec: ``search``, ``trials``, ``objective``, ``prune``, ``seed`` and
    ``parameters`` (``{min, max, distribution}``, ``{values}``, a list, ``"int:1:4"`` or a value)."""
    file = Path(path)
    data = read_yaml(file, "sweep spec")
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise UsageError(f"sweep spec {file} must be a YAML mapping with a 'parameters' mapping")
    space: dict[str, list[Any]] = {}
    fixed: dict[str, Any] = {}
    for name, entry in data["parameters"].items():
        name = str(name)
        stored = _spec_entry(name, entry, file)
        if stored is None:
            fixed[name] = entry
        else:
            space[name] = stored
    options = {k: data[k] for k in ("search", "method", "trials", "objective", "prune", "seed") if k in data}
    return {"space": space, "fixed": fixed, **options}


def _spec_entry(name: str, entry: Any, file: Path) -> list[Any] | None:
    if isinstance(entry, dict) and "values" in entry:
        return ["choice", list(entry["values"])]
    if isinstance(entry, dict) and {"min", "max"} <= set(entry):
        kind = str(entry.get("distribution", "")).lower().replace("_", "")
        kind = {"loguniform": "loguniform", "log": "loguniform", "int": "int", "integer": "int",
                "logint": "logint", "uniform": "float", "float": "float", "": ""}.get(kind, "?")
        if kind == "?":
            raise UsageError(f"sweep spec {file}: '{name}' distribution must be uniform, log_uniform, int or log_int")
        kind = kind or ("loguniform" if is_rate(name) else "float")
        return _range(name, kind, float(entry["min"]), float(entry["max"]))
    if isinstance(entry, dict):
        raise UsageError(f"sweep spec {file}: '{name}' needs 'values' or 'min' and 'max'")
    if isinstance(entry, list):
        return ["choice", entry]
    return parse_entry(name, entry) if isinstance(entry, str) else None


def typed(space: dict[str, list[Any]], fixed: dict[str, Any], declared: dict[str, Any]) -> None:
    """Choices and fixed values typed against the parameters cell (in place)."""
    for name, entry in space.items():
        if entry[0] == "choice":
            if not entry[1]:
                raise UsageError(f"parameter '{name}' has no choices; give at least one")
            entry[1] = [coerce(name, v, declared[name]) for v in entry[1]]
    for name, value in fixed.items():
        fixed[name] = coerce(name, value, declared[name])


def distributions(space: dict[str, list[Any]]) -> dict[str, Any]:
    """The stored space as Optuna distributions."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out: dict[str, Any] = {}
    for name, entry in space.items():
        kind = entry[0]
        if kind == "choice":
            out[name] = CategoricalDistribution(list(entry[1]))
        elif kind in ("int", "logint"):
            out[name] = IntDistribution(entry[1], entry[2], log=kind == "logint")
        else:
            out[name] = FloatDistribution(entry[1], entry[2], log=kind == "loguniform")
    return out
