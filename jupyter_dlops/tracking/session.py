"""The notebook's interactive run: which notebook this kernel serves, and starting or resuming
its run.

The notebook path comes from ``JPY_SESSION_NAME`` (set by jupyter_server for the kernels it
starts), else ``__session__`` in the user namespace (set by ipykernel from the same source
in some front ends), else the run is simply called "notebook". Under papermill (or ``dlops
run``) the kernel has ``DLOPS_RUN_ID`` and the run is the launcher's run.

A run is resumed, rather than a new one started, when the same notebook in the same kernel
session (the kernel id of its connection file, which survives kernel restarts) loads the
extension again and the run was not closed with ``%dlops end`` or ``%dlops new-run``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from ..config import RUN_ID_ENV
from . import fluent

NOTEBOOK_TAG = "dlops.notebook"
KERNEL_TAG = "dlops.kernel"
CLOSED_TAG = "dlops.closed"


def notebook_path(namespace: dict[str, Any] | None = None) -> str | None:
    """The notebook this kernel runs, if anything says so."""
    for candidate in (os.environ.get("JPY_SESSION_NAME"), (namespace or {}).get("__session__")):
        if isinstance(candidate, str) and candidate.strip():
            return os.path.abspath(candidate.strip())
    return None


def run_name(path: str | None, run_id: str) -> str:
    """What the interactive run is called: the notebook's file name without suffix and the
    start of the run id (``explore-3f9a1c``), so that runs of one notebook tell apart."""
    return f"{Path(path).stem if path else 'notebook'}-{run_id[:6]}"


def kernel_session() -> str:
    """The kernel id (``kernel-<id>.json``), else this process id."""
    try:
        from ipykernel.connect import get_connection_file

        name = Path(get_connection_file()).stem
        return name.removeprefix("kernel-")
    except Exception:  # not in a kernel (terminal IPython, tests): the process is the session
        return f"pid-{os.getpid()}"


def start_notebook_run(namespace: dict[str, Any] | None = None, *, new: bool = False) -> Any:
    """The active run for this notebook: the current one, the papermill one, a resumed one or
    a new one (``new=True`` skips resuming)."""
    current = fluent.active_run()
    if current is not None:
        return current
    if fluent.tracking_disabled():
        from ..errors import UsageError

        raise UsageError("DLOPS_NO_TRACK is set, so nothing is recorded; unset it to track")
    if os.environ.get(RUN_ID_ENV):
        return fluent.start_run()
    path = notebook_path(namespace)
    session = kernel_session()
    client = fluent.client_for(None)
    previous = None if new else _resumable(client.store, path, session)
    if previous is not None:
        return _resume(client, previous, path)
    tags = {KERNEL_TAG: session, **({NOTEBOOK_TAG: path} if path else {})}
    active = fluent.start_run(kind="notebook", tags=tags, entry_point=path)
    if not path:  # the client names it after its entry point; there is none
        client.store.update_run(active.run_id, name=run_name(None, active.run_id))
    return active


def _resumable(store: Any, path: str | None, session: str) -> str | None:
    rows = store.read(
        "SELECT run.run_id FROM run JOIN tag k ON k.run_id = run.run_id AND k.key = ? "
        "AND k.value = ? LEFT JOIN tag n ON n.run_id = run.run_id AND n.key = ? "
        "LEFT JOIN tag c ON c.run_id = run.run_id AND c.key = ? "
        "WHERE run.kind = 'notebook' AND c.value IS NULL AND COALESCE(n.value, '') = ? "
        "ORDER BY run.start_time DESC LIMIT 1",
        (KERNEL_TAG, session, NOTEBOOK_TAG, CLOSED_TAG, path or ""),
    )
    return rows[0][0] if rows else None


def _resume(client: Any, run_id: str, path: str | None) -> Any:
    from .recorder import RunRecorder

    client.store.update_run(run_id, status="running", end_time=None, error=None,
                            pid=os.getpid(), heartbeat=time.time())
    active = fluent.start_run(run_id=run_id)
    # Resumed runs are ours again: sampled, heart-beating, and ended by us.
    active.owned = True
    active.recorder = RunRecorder(client, run_id, entry_point=path, capture_logs=False)
    fluent._ensure_exit_hooks()
    return active


# Who follows the notebook's run when a new one starts: the cell tracker of the extension and
# parameter panels (weakly held: a panel that is gone is dropped).
_followers: list[Any] = []


def follow_new_runs(callback: Any) -> None:
    """Call ``callback(run)`` whenever :func:`new_notebook_run` starts a run (a bound method
    is held weakly)."""
    import weakref

    ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
    _followers.append(ref)


def new_notebook_run(namespace: dict[str, Any] | None = None, name: str | None = None) -> Any:
    """End the notebook's current run for good and start a new one (``%dlops new-run``, or a
    parameter panel changed after the run logged metrics); every follower is told."""
    current = fluent.active_run()
    if current is not None:
        current.flush()
        close_notebook_run(current)
    # A new run is ours, not the launcher's: do not attach to $DLOPS_RUN_ID again.
    os.environ.pop(RUN_ID_ENV, None)
    run = start_notebook_run(namespace, new=True)
    if name:
        run.client.store.update_run(run.run_id, name=name)
    for ref in list(_followers):
        callback = ref()
        if callback is None:
            _followers.remove(ref)
        else:
            callback(run)
    return run


def has_metrics(run: Any) -> bool:
    """Whether the run logged a metric of its own (usage series ``sys/...`` do not count)."""
    if any(rid == run.run_id and not key.startswith("sys/") for rid, key in run.client._steps):
        return True
    return run.store.read_one("SELECT 1 FROM metric_summary WHERE run_id = ? AND key NOT LIKE "
                              "'sys/%' LIMIT 1", (run.run_id,)) is not None


def renew_if_changed(run: Any, params: dict[str, Any],
                     namespace: dict[str, Any] | None = None) -> str | None:
    """Before the cell tagged ``parameters`` sets ``params``: a run's parameters describe what
    it ran, so values that differ from those the run already logged metrics with start a new
    run (:func:`new_notebook_run`). Returns the line that says so, else None."""
    if not run.owned or not _differ(run, params) or not has_metrics(run):
        return None
    old = run.run_id[:12]
    new = new_notebook_run(namespace)
    return (f"parameters changed after run {old} logged metrics: new run "
            f"{new.run_id[:12]} ({new.info.name}) records them")


def _differ(run: Any, params: dict[str, Any]) -> bool:
    import json

    def same(value: Any) -> str:  # tuples are stored as lists
        return json.dumps(value, sort_keys=True, default=str)

    run.flush()
    (recorded,) = run.store.runs_by_id([run.run_id]) or [None]
    known = recorded.params if recorded is not None else {}
    return any(k not in known or same(known[k]) != same(v) for k, v in params.items())


def close_notebook_run(run: Any, status: str = "finished") -> None:
    """End the run for good (it will not be resumed)."""
    if run.owned:
        run.set_tag(CLOSED_TAG, "1")
    run.end(status)


def notebook_runs(store: Any, path: str | None, limit: int = 200) -> list[Any]:
    """Runs of one notebook, newest first: its interactive runs, and papermill/sweep runs
    whose entry point is the notebook."""
    if path:
        rows = store.read(
            "SELECT run_id FROM run WHERE entry_point = ? OR run_id IN (SELECT run_id FROM tag "
            "WHERE key = ? AND value = ?) ORDER BY start_time DESC LIMIT ?",
            (path, NOTEBOOK_TAG, path, limit))
    else:
        rows = store.read("SELECT run_id FROM run WHERE kind = 'notebook' AND entry_point IS NULL "
                          "AND run_id NOT IN (SELECT run_id FROM tag WHERE key = ?) "
                          "ORDER BY start_time DESC LIMIT ?", (NOTEBOOK_TAG, limit))
    return store.runs_by_id([r[0] for r in rows])
