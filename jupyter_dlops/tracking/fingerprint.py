"""Cheap fingerprints of the values a tracked cell wrote.

A fingerprint says what a value is without keeping it: its type, its length or shape and
dtype where asking is free, and a BLAKE3 content hash for NumPy arrays, pandas objects, bytes
and strings up to a size limit (``DLOPS_FINGERPRINT_BYTES``, default 64 MiB; 0 turns hashing
off). It never calls ``len()``, ``==`` or iteration on arbitrary objects: a generator, a lazy
Dask/Spark frame or an object whose ``__len__``/``__eq__`` raises is described by its type
only, and an exception from any attribute access is swallowed (recorded as ``"error"``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import blake3

DEFAULT_LIMIT = 64 << 20
_SCALARS = (int, float, bool, complex, type(None))
_SIZED = (list, tuple, dict, set, frozenset, str, bytes, bytearray, range)


def hash_limit() -> int:
    """The largest value (in bytes) whose content is hashed."""
    try:
        return max(0, int(os.environ.get("DLOPS_FINGERPRINT_BYTES", DEFAULT_LIMIT)))
    except ValueError:
        return DEFAULT_LIMIT


def fingerprint(value: Any, limit: int | None = None) -> dict[str, Any]:
    """A small JSON-able description of ``value`` (never raises, never consumes it)."""
    limit = hash_limit() if limit is None else limit
    kind = type(value)
    info: dict[str, Any] = {"type": _type_name(kind)}
    try:
        if kind in _SCALARS:
            info["value"] = repr(value)[:100]
        elif kind in _SIZED:
            info["len"] = len(value)
            if kind in (str, bytes, bytearray) and len(value) <= limit:
                data = value.encode("utf-8", "surrogatepass") if kind is str else bytes(value)
                info["hash"] = blake3.blake3(data).hexdigest()
        else:
            _describe_object(value, kind, info, limit)
    except Exception as error:  # a hostile __getattr__/__array__ must never break the cell
        info["error"] = f"{type(error).__name__}"
    return info


def _describe_object(value: Any, kind: type, info: dict[str, Any], limit: int) -> None:
    module = kind.__module__.partition(".")[0]
    if module == "numpy" and kind.__name__ == "ndarray":
        _numpy(value, info, limit)
    elif module == "pandas" and kind.__name__ in ("DataFrame", "Series", "Index"):
        _pandas(value, info, limit)
    else:
        # Shape and dtype from the class's own attributes only where they are plain data:
        # torch, jax, dask and polars expose them without computing anything.
        shape = _plain_attr(value, "shape")
        if isinstance(shape, tuple):
            info["shape"] = [s if isinstance(s, int) else str(s) for s in shape]
            dtype = _plain_attr(value, "dtype")
            if dtype is not None:
                info["dtype"] = str(dtype)[:40]


def _plain_attr(value: Any, name: str) -> Any:
    # Only look an attribute up if the class defines it (property or slot): never trigger a
    # __getattr__ fallback, which for lazy proxies may compute or fetch remote data.
    if not any(name in vars(klass) for klass in type(value).__mro__):
        return None
    return getattr(value, name)


def _numpy(array: Any, info: dict[str, Any], limit: int) -> None:
    info["shape"] = list(array.shape)
    info["dtype"] = str(array.dtype)
    if array.dtype.hasobject or array.nbytes > limit:
        return
    hasher = blake3.blake3()
    hasher.update(repr((array.shape, str(array.dtype))).encode())
    contiguous = array if array.flags.c_contiguous else array.copy(order="C")
    hasher.update(memoryview(contiguous).cast("B"))
    info["hash"] = hasher.hexdigest()


def _pandas(frame: Any, info: dict[str, Any], limit: int) -> None:
    info["shape"] = list(frame.shape)
    if hasattr(frame, "dtypes") and kind_is_frame(frame):
        info["columns"] = [str(c) for c in list(frame.columns)[:50]]
    # memory_usage(deep=False) is O(columns); object columns are not hashed when big because
    # hashing them converts every Python object.
    size = int(frame.memory_usage(index=True, deep=False).sum()) if kind_is_frame(frame) else int(frame.memory_usage(index=True, deep=False))
    if size > limit:
        return
    pandas = sys.modules["pandas"]
    hashes = pandas.util.hash_pandas_object(frame, index=True).to_numpy()
    hasher = blake3.blake3(hashes.tobytes())
    if kind_is_frame(frame):
        hasher.update(repr(info["columns"]).encode())
    info["hash"] = hasher.hexdigest()


def kind_is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame"


def _type_name(kind: type) -> str:
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module == "builtins" else f"{module}.{name}"


def shallow(value: Any) -> tuple:
    """A constant-time signature (type, length or shape) to notice in-place growth or shrink."""
    kind = type(value)
    try:
        if kind in _SIZED:
            return (kind, len(value))
        shape = _plain_attr(value, "shape") if kind not in _SCALARS else None
        return (kind, shape if isinstance(shape, tuple) else None)
    except Exception:
        return (kind, None)
