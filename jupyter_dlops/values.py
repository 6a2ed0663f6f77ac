"""Typed parameter values: what a parameter may hold and how it is stored.

Parameters are stored typed (``int``, ``float``, ``str``, ``bool``, ``None``, ``list``,
``dict``) so that ``params.lr < 0.1`` compares numbers, not strings. Numbers and booleans
also land in a numeric column that the query compiler and the indexes use.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import UsageError

PARAM_TYPES = ("int", "float", "str", "bool", "none", "list", "dict")


def normalise(value: Any, *, name: str = "value") -> Any:
    """Plain Python for a parameter value (NumPy scalars, tuples, paths); refuse the rest."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ in ("numpy", "torch"):
        try:
            return normalise(item(), name=name)
        except (TypeError, ValueError):
            pass
    if isinstance(value, (list, tuple)):
        return [normalise(v, name=name) for v in value]
    if isinstance(value, dict):
        return {str(k): normalise(v, name=name) for k, v in value.items()}
    if type(value).__name__ in ("PosixPath", "WindowsPath", "PurePosixPath"):
        return str(value)
    raise UsageError(
        f"parameter '{name}' has a value of type {type(value).__name__}, which cannot be stored; "
        "pass a str, int, float, bool, None, list or dict"
    )


def type_name(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    for kind in (int, float, str, list, dict):
        if isinstance(value, kind):
            return kind.__name__
    raise TypeError(type(value).__name__)


def encode(value: Any, *, name: str = "value") -> tuple[str, float | None, str | None, str]:
    """``(type, num, text, json)`` columns for a parameter value."""
    value = normalise(value, name=name)
    kind = type_name(value)
    num = float(value) if kind in ("int", "float", "bool") else None
    if num is not None and not math.isfinite(num):
        num = None
    text = value if kind == "str" else None
    return kind, num, text, json.dumps(value, allow_nan=True, ensure_ascii=False)


def decode(kind: str, json_text: str) -> Any:
    value = json.loads(json_text)
    if kind == "float" and isinstance(value, int):
        return float(value)
    return value


def decode_columns(kind: str, num: float | None, text: str | None, json_text: str) -> Any:
    """Like :func:`decode`, from the typed columns where they hold the exact value (parsing
    JSON for every parameter of every run was most of ``dlops runs``' time)."""
    if num is not None:
        if kind == "float":
            return num
        if kind == "int" and num.is_integer() and abs(num) < 2**53:  # exact in a double
            return int(num)
        if kind == "bool":
            return bool(num)
    elif kind == "str" and text is not None:
        return text
    elif kind == "none":
        return None
    return decode(kind, json_text)


def metric_value(value: Any, *, key: str) -> float:
    """A metric value as a float; the error names the key."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UsageError(
            f"metric '{key}' got {type(value).__name__} {value!r:.40}; log a number"
        ) from None
