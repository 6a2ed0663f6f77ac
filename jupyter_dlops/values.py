"""Typed parameter values: what a parameter may hold and how it is stored.

Parameters are stored typed (``int``, ``float``, ``str``, ``bool``, ``None``, ``list``,
``dict``) so that ``params.lr < 0.1`` compares numbers, not strings. Numbers and booleans
also land in a numeric column that the query compiler and the indexes use.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import InvalidValueError, UsageError

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
    except (TypeError, ValueError, OverflowError):
        raise InvalidValueError(
            f"metric '{_shown(key)}' got {type(value).__name__} {_shown(repr(value))}; log a number"
        ) from None


STEP_RANGE = (-(2**63), 2**63 - 1)  # a 64-bit integer column, in SQLite and PostgreSQL


_GOOD_KEYS: set[str] = set()  # names already checked: logging stays a few attribute lookups
STEP_MIN, STEP_MAX = STEP_RANGE


def metric_row(key: Any, value: Any, step: Any, timestamp: Any) -> tuple[str, float, int, float]:
    """``(key, value, step, timestamp)`` checked for the store, or :class:`InvalidValueError`.

    Checked when the value is logged: a row the store refuses, found only by the background
    flush, used to lose every buffered value of the run (issue 14)."""
    if type(key) is not str or key not in _GOOD_KEYS:
        _check_key(key)
    number = value if type(value) is float else metric_value(value, key=key)
    if type(step) is not int or not STEP_MIN <= step <= STEP_MAX:
        step = _checked_step(key, step)
    if type(timestamp) is not float or not math.isfinite(timestamp):
        when = metric_value(timestamp, key=key)
        if not math.isfinite(when):
            raise InvalidValueError(f"metric '{_shown(key)}' got timestamp {when!r}; give seconds since the epoch")
        timestamp = when
    return key, number, step, timestamp


def _check_key(key: Any) -> None:
    if not isinstance(key, str) or not key:
        raise InvalidValueError(f"metric names must be non-empty strings, got {_shown(repr(key))}")
    check_text(key, what="metric name")
    if len(_GOOD_KEYS) < 100_000:
        _GOOD_KEYS.add(key)


def _checked_step(key: str, step: Any) -> int:
    try:
        whole = int(step)
    except (TypeError, ValueError, OverflowError):
        raise InvalidValueError(f"metric '{_shown(key)}' got step {_shown(repr(step))}; "
                                "give an integer step") from None
    if not STEP_MIN <= whole <= STEP_MAX or whole != step:
        raise InvalidValueError(f"metric '{_shown(key)}' got step {_shown(repr(step))}; "
                                "give an integer step within 64 bits (|step| < 2**63)")
    return whole


def check_text(text: str, *, what: str) -> str:
    """``text`` if it can be stored (UTF-8, no NUL), else :class:`InvalidValueError`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValueError(f"{what} {_shown(repr(text))} is not valid UTF-8 (a lone surrogate); "
                                "use a name made of real characters") from None
    if "\x00" in text:
        raise InvalidValueError(f"{what} {_shown(repr(text))} holds a NUL character; remove it")
    return text


def _shown(text: str, limit: int = 60) -> str:
    """A value as it can be printed on one line: ASCII, shortened."""
    text = ascii(text) if not text.isascii() else text
    return text if len(text) <= limit else text[:limit] + "..."
