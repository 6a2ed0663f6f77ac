"""Dask workers that share no disk with the submitter (issue 19).

When the store's objects are in a bucket, the submitter stores the notebook as an object and
the task carries its id and the bucket's location; the worker fetches it (verified) into a
private temporary folder that becomes the run's working folder, and removed afterwards. The
executed notebook, logs and artifacts already return as objects (``runlife.finish_run``), and
the record sections were captured by the submitter, so the run is complete without any path
of the submitter's being visible on the worker.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .task import RunTask


def ship(tasks: list[RunTask]) -> list[RunTask]:
    """The tasks, with their notebooks stored as objects when the objects are remote."""
    if not tasks:
        return tasks
    from ..store import open_store
    from ..store.objects import LocalObjectStore

    objects = open_store(tasks[0].store_uri).objects
    if isinstance(objects, LocalObjectStore):  # a shared folder: workers read the paths
        return tasks
    ids: dict[str, str] = {}
    shipped = []
    for task in tasks:
        if task.notebook not in ids:
            ids[task.notebook] = objects.put_file(task.notebook)
        shipped.append(replace(task, notebook_object=ids[task.notebook], artifacts=objects.location))
    return shipped


@contextmanager
def landed(task: RunTask) -> Iterator[RunTask]:
    """On the worker: the task with its notebook fetched into a private working folder."""
    if not task.notebook_object:
        yield task
        return
    from ..store.objects import open_objects

    # The worker's own store handles (finish_run) must reach the same bucket.
    os.environ["DLOPS_ARTIFACTS"] = task.artifacts or ""
    folder = tempfile.mkdtemp(prefix="dlops-run-")
    try:
        target = Path(folder) / Path(task.notebook).name
        shutil.copyfile(open_objects(task.artifacts or "").path(task.notebook_object), target)
        yield replace(task, notebook=str(target), cwd=folder, origin=task.notebook)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
