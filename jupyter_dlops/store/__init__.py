"""Stores, chosen by URI: a path or ``sqlite:///`` for the embedded store, ``postgresql://``
for a team server; other schemes come from the ``jupyter_dlops.stores`` entry point group."""

from __future__ import annotations

import threading
from typing import Any

from ..config import default_store_uri
from ..errors import StoreError

_BUILTIN = {
    "": "jupyter_dlops.store.sqlite:SQLiteStore",
    "file": "jupyter_dlops.store.sqlite:SQLiteStore",
    "sqlite": "jupyter_dlops.store.sqlite:SQLiteStore",
    "postgresql": "jupyter_dlops.store.postgres:PostgresStore",
    "postgres": "jupyter_dlops.store.postgres:PostgresStore",
}
_cache: dict[tuple[str, bool], Any] = {}
_lock = threading.Lock()


def scheme_of(uri: str) -> str:
    return uri.split("://", 1)[0].lower() if "://" in uri else ""


def store_class(uri: str) -> type:
    scheme = scheme_of(uri)
    target = _BUILTIN.get(scheme)
    if target is None:
        from importlib.metadata import entry_points

        for ep in entry_points(group="jupyter_dlops.stores"):
            if ep.name == scheme:
                return ep.load()
        raise StoreError(f"no store handles '{scheme}://' URIs; use a path, sqlite:/// or postgresql://")
    module_name, _, attr = target.partition(":")
    import importlib

    return getattr(importlib.import_module(module_name), attr)


def open_store(uri: str | None = None, *, create: bool = True):
    """The store at ``uri`` (default: ``DLOPS_STORE`` or ``.dlops/`` at the project root).

    Stores are cached per process; ``create=False`` refuses to create a missing store.
    """
    uri = uri or default_store_uri()
    key = (uri, create)
    with _lock:
        store = _cache.get(key) or _cache.get((uri, True))
        if store is None:
            store = store_class(uri)(uri, create=create)
            _cache[key] = store
        return store


def close_all() -> None:
    with _lock:
        for store in _cache.values():
            store.close()
        _cache.clear()
