"""Immutable, content-addressed data versions (issue 3).

>>> from jupyter_dlops import data
>>> v = data.add("images/", name="pets", meta="labels.csv")   # doctest: +SKIP
>>> data.verify(v["id"])["ok"]                                 # doctest: +SKIP
>>> data.query("pets", "label = 'cat' AND width > 100", save="big-cats")  # doctest: +SKIP

Every function takes ``store=`` (a store object or URI; default: ``open_store()``). The
modules: :mod:`.scan` (walking), :mod:`.hashing` and :mod:`.statcache` (fast, safe
hashing), :mod:`.manifest` (ids), :mod:`.adding`, :mod:`.records`, :mod:`.checks`
(verify, diff, checkout), :mod:`.metadata`, :mod:`.sqlguard` and :mod:`.slicing` (queries),
:mod:`.content` (object cache), :mod:`.runs` (links to runs).
"""

from __future__ import annotations

import os
from typing import Any

from . import adding, checks, records
from .runs import link_run, log_input, log_output, runs_for_version, versions_for_run

__all__ = ["add", "list_versions", "show", "verify", "diff", "checkout", "log", "query",
           "link_run", "versions_for_run", "log_input", "log_output"]

PathLike = str | os.PathLike[str]


def _open(store: Any) -> Any:
    if store is None or isinstance(store, str):
        from ..store import open_store

        return open_store(store)
    return store


def add(path: PathLike, *, name: str | None = None, meta: PathLike | None = None,
        path_column: str | None = None, store_content: bool = False,
        store: Any = None) -> dict[str, Any]:
    """Version the files under ``path``; see :func:`.adding.add` for the fields returned."""
    return adding.add(path, name=name, meta=meta, path_column=path_column,
                      store_content=store_content, store=_open(store))


def list_versions(name: str | None = None, *, limit: int | None = None,
                  store: Any = None) -> list[dict[str, Any]]:
    """All data versions, newest first (those recorded under ``name`` when given)."""
    return records.list_versions(_open(store), name, limit)


def show(ref: str, *, store: Any = None) -> dict[str, Any]:
    """A version's record, its names, its files and the runs that used it.

    Parameters
    ----------
    ref
        A version id, a unique id prefix (4+ characters) or a name (its newest version).
    """
    store = _open(store)
    version = records.resolve(store, ref)
    version["names"] = records.names(store, version["id"])
    version["files"] = [f._asdict() for f in records.files(store, version["id"])]
    version["runs"] = runs_for_version(store, version["id"])
    return version


def verify(ref: str, *, rehash: bool = False, store: Any = None) -> dict[str, Any]:
    """Compare a version with its data on disk; ``ok`` is False when anything differs."""
    return checks.verify(_open(store), ref, rehash=rehash)


def diff(ref_a: str, ref_b: str, *, store: Any = None) -> dict[str, Any]:
    """Files added, removed and modified between two versions."""
    return checks.diff(_open(store), ref_a, ref_b)


def checkout(ref: str, target: PathLike, *, store: Any = None) -> dict[str, Any]:
    """Write a version added with ``store_content=True`` into the new folder ``target``."""
    return checks.checkout(_open(store), ref, target)


def log(name: str, *, store: Any = None) -> list[dict[str, Any]]:
    """The versions recorded under ``name``, newest first."""
    return records.history(_open(store), name)


def query(ref: str, where: str, *, save: str | None = None, store: Any = None) -> dict[str, Any]:
    """Metadata rows of a version matching a WHERE clause; ``save`` records them as a version.

    Returns
    -------
    dict
        ``id``, ``where``, ``count``, ``total``, ``seconds``, ``items`` (one dict per
        matching row, column name to value) and, with ``save``, ``saved`` (the new version).
    """
    from . import slicing  # sqlite3 fences and table loading: only for queries

    store = _open(store)
    result = slicing.run_query(store, ref, where)
    if save is not None:
        result["saved"] = slicing.save_slice(store, result, save)
    columns = result["columns"]
    # SQLite keeps booleans as 1/0: give them back as the True/False the table said.
    flags = [t == "BOOLEAN" for t in result.pop("types", None) or [False] * len(columns)]
    result["items"] = [{c: bool(v) if f and v is not None else v
                        for c, v, f in zip(columns, row, flags, strict=False)}
                       for row in result.pop("rows")]
    return result
