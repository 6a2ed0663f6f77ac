"""Which data versions a run read and wrote."""

from __future__ import annotations

import os
import time
from typing import Any

from ..errors import NotFoundError, UsageError
from ..tracking import filewatch
from . import records

DIRECTIONS = ("read", "written")


def link_run(store, run_id: str, version_id: str, direction: str) -> None:
    """Record that run ``run_id`` read (``"read"``) or wrote (``"written"``) a version.

    Raises
    ------
    UsageError
        ``direction`` is neither ``"read"`` nor ``"written"``.
    NotFoundError
        The run or the version does not exist.
    """
    if direction not in DIRECTIONS:
        raise UsageError(f"direction must be 'read' or 'written', not {direction!r}")
    if not store.run_exists(run_id):
        raise NotFoundError(f"no run {run_id}; `dlops runs` lists the runs")
    if records.get(store, version_id) is None:
        raise NotFoundError(f"no data version {version_id}; `dlops data list` lists them")
    with store.write() as cursor:
        cursor.execute(
            "INSERT INTO data_run_link (run_id, version_id, direction, created) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (run_id, version_id, direction) DO NOTHING",
            (run_id, version_id, direction, time.time()),
        )


def versions_for_run(store, run_id: str) -> list[dict[str, Any]]:
    """The versions a run read and wrote, in the order it linked them.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``direction``, ``files``, ``bytes``, and ``path``: the file or
        folder the version was made from (absolute).
    """
    rows = store.read(
        "SELECT l.version_id, v.name, l.direction, v.file_count, v.total_bytes, v.source_path "
        "FROM data_run_link l "
        "JOIN data_version v ON v.version_id = l.version_id WHERE l.run_id = ? "
        "ORDER BY l.created, l.direction", (run_id,),
    )
    return [{"id": r[0], "name": r[1], "direction": r[2], "files": r[3], "bytes": r[4],
             "path": r[5]} for r in rows]


def runs_for_version(store, version_id: str) -> list[dict[str, Any]]:
    """The runs that read or wrote a version."""
    rows = store.read("SELECT run_id, direction FROM data_run_link WHERE version_id = ? "
                      "ORDER BY created", (version_id,))
    return [{"run_id": r[0], "direction": r[1]} for r in rows]


def _log(path_or_version: str | os.PathLike[str], name: str | None, direction: str) -> str:
    from .. import active_run, start_run
    from .adding import add

    # Like log_param and log_metric: with no active run, one is started (or attached to
    # through DLOPS_RUN_ID), so a script needs no extra call.
    run = active_run() or start_run()
    if getattr(run, "disabled", False):  # DLOPS_NO_TRACK: record nothing, version nothing
        return ""
    store = run.store
    if os.path.exists(path_or_version):
        with filewatch.paused():  # hashing the file is not the user's code reading it
            version = add(path_or_version, name=name, store=store)["id"]
    else:
        try:
            version = records.resolve(store, os.fspath(path_or_version))["id"]
        except NotFoundError:
            raise NotFoundError(f"{os.fspath(path_or_version)!r} is neither a file or folder nor a "
                                "data version; check the path or `dlops data list`") from None
    link_run(store, run.run_id, version, direction)
    return version


def log_input(path_or_version: str | os.PathLike[str], name: str | None = None) -> str:
    """Record that the active run read a data folder or file (versioned now) or a version.

    Parameters
    ----------
    path_or_version
        A path to version (unchanged data gives the same id, cheaply), or a version reference.
    name
        The dataset name when a path is versioned.

    Returns
    -------
    str
        The version id.
    """
    return _log(path_or_version, name, "read")


def log_output(path_or_version: str | os.PathLike[str], name: str | None = None) -> str:
    """Record that the active run wrote a data folder or file (see :func:`log_input`)."""
    return _log(path_or_version, name, "written")


def project_root(sections: dict[str, Any]) -> str | None:
    """The folder a run's paths are shown relative to: its git checkout, else its cwd."""
    code = sections.get("code") or {}
    return (code.get("git") or {}).get("root") or code.get("cwd") or None


def relative_path(path: str | None, root: str | None) -> str | None:
    """``path`` relative to ``root`` when it lies inside it, else as it is."""
    if not path or not root:
        return path
    inside = os.path.join(os.path.abspath(root), "")
    return os.path.relpath(path, root) if path.startswith(inside) else path


def run_data(store, run) -> list[dict[str, Any]]:
    """The data a run read and wrote, as people see it (``dlops show``, ``compare``, the panel).

    Every version of :func:`versions_for_run` with ``relative_path`` (to the run's project),
    except files of the environment (packages, metadata, caches) that versions before issue 15
    recorded as data: those are not data, and the environment section covers them.
    """
    from ..tracking.datapaths import ENVIRONMENT

    root = project_root(getattr(run, "sections", None) or {})
    shown = []
    for version in versions_for_run(store, run.run_id):
        if version["path"] and not ENVIRONMENT.is_data(version["path"]):
            continue
        shown.append({**version, "relative_path": relative_path(version["path"], root)})
    return shown
