"""``dlops import mlflow``: runs from an MLflow tracking store into this store (issue 19).

The store is read directly where it can be: a local ``mlruns`` folder in the layout MLflow's
FileStore writes (:mod:`.mlflow_files`, no MLflow needed) and an MLflow SQLite database
(:mod:`.mlflow_sql`). A tracking server (``http(s)://``) or another database is read through
MLflow's own client (:mod:`.mlflow_client`). Runs are written a batch at a time, one
transaction each (:mod:`..store.bulk`).

A run keeps its MLflow run id, so a second import finds it and adds nothing; a batch commits
whole, with each run's row, so an import cut off halfway is completed by the next one.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .mlflow_runs import SourceRun

#: MLflow's statuses → the store's. A run MLflow still shows as running (or scheduled) is not
#: running here: nothing here heartbeats for it, so it is recorded as killed, its MLflow
#: status kept in the ``mlflow.status`` tag.
STATUS = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "killed"}
BATCH = 100  # runs a transaction...
BATCH_VALUES = 2_000_000  # ...or fewer, when their metric values pass this (memory: ~60 MB of text)
READERS = ("files", "sql", "client")


@dataclass
class ImportReport:
    """What one import did."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    metric_values: int = 0
    artifacts: int = 0


def import_mlflow(store, source: str, *, artifacts: bool = True, via: str | None = None) -> ImportReport:
    """Copy every run of every experiment of an MLflow tracking store into ``store``.

    Parameters
    ----------
    store : Store
        The destination.
    source : str
        An ``mlruns`` folder or a tracking URI (``file:``, ``sqlite:///``, ``http(s)://``...).
    artifacts : bool
        Also copy the runs' artifacts into the object store.
    via : {None, "files", "sql", "client"}
        How to read ``source``; None picks the direct reader where there is one, MLflow's
        client otherwise ("client" reads a folder or a database through MLflow's client too).

    Returns
    -------
    ImportReport
        The runs imported and skipped (already here), metric values and artifacts copied.

    Raises
    ------
    UsageError
        ``source`` is not an MLflow store, or needs MLflow's client and MLflow is missing.
    """
    report = ImportReport()
    pending: list[SourceRun] = []
    values = 0
    for run in open_source(source, via):
        pending.append(run)
        values += sum(len(h) // 25 if isinstance(h, str) else len(h) for h in run.metrics.values())
        if len(pending) >= BATCH or values >= BATCH_VALUES:
            _write(store, pending, report, artifacts)
            pending, values = [], 0
    _write(store, pending, report, artifacts)
    return report


def open_source(source: str, via: str | None = None) -> Iterator[SourceRun]:
    """The runs of ``source``, from the reader ``via`` names (None: the fastest that can)."""
    from .mlflow_client import read_client

    if via not in (None, *READERS):
        raise UsageError(f"via must be one of {', '.join(READERS)}, not {via!r}")
    if source.startswith("sqlite:///"):
        from .mlflow_sql import database_path, read_database

        path = database_path(source)
        if via == "files":
            raise UsageError(f"{source} is a database: read it with via='sql' (or 'client')")
        return read_client(source) if via == "client" else read_database(path)
    folder = _folder(source)
    if via == "sql" or (folder is None and via == "files"):
        raise UsageError(f"via={via!r} reads {'an MLflow SQLite database (sqlite:///...)' if via == 'sql' else 'a folder'}, "
                         f"not {source}")
    if folder is None:  # a server, or a database only SQLAlchemy reads
        return read_client(source)
    if via == "client":
        return read_client(folder.as_uri())
    from .mlflow_files import is_mlruns, read_mlruns

    if not is_mlruns(folder):
        raise UsageError(f"{source} is not an MLflow mlruns folder (no experiment's meta.yaml in it)")
    return read_mlruns(folder)


def _folder(source: str) -> Path | None:
    """The local folder ``source`` names (a path or a ``file:`` URI), else None."""
    from .mlflow_runs import local_path

    if "://" in source or source.startswith("file:"):
        path = local_path(source) if source.startswith("file:") else None
        if path is None:
            return None
    else:
        path = Path(source).expanduser()
    if not path.is_dir():
        raise UsageError(f"no MLflow store at {source}: give an mlruns folder or a tracking URI")
    return path.resolve()


def _write(store, runs: list[SourceRun], report: ImportReport, artifacts: bool) -> None:
    from ..store.bulk import existing_run_ids, write_runs

    here = existing_run_ids(store, [r.run_id for r in runs]) | set(report.imported)
    batch = []
    for run in runs:
        if run.run_id in here:
            report.skipped.append(run.run_id)
            continue
        batch.append(_imported(store, run, report, artifacts))
        here.add(run.run_id)
    report.metric_values += write_runs(store, batch)
    report.imported.extend(r.run.run_id for r in batch)


def _imported(store, source: SourceRun, report: ImportReport, artifacts: bool):
    from ..models import Run
    from ..store.bulk import ImportedRun

    tags = dict(source.tags)
    if source.status not in STATUS:
        tags["mlflow.status"] = source.status
    run = Run(run_id=source.run_id, name=source.name or source.run_id, experiment=source.experiment,
              kind="mlflow", status=STATUS.get(source.status, "killed"),
              start_time=(source.start_ms or 0) / 1000,
              end_time=source.end_ms / 1000 if source.end_ms else None, user_name=source.user or None)
    imported = ImportedRun(run, source.params, tags, source.metrics)
    if artifacts and source.artifacts is not None:
        imported.artifacts = _copy_artifacts(store, source)
        report.artifacts += len(imported.artifacts)
    return imported


def _copy_artifacts(store, source: SourceRun) -> list:
    from ..models import Artifact

    copied = []
    with tempfile.TemporaryDirectory(prefix="dlops-mlflow-") as scratch:
        root = source.artifacts(Path(scratch))
        if root is None:
            return copied
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            object_id = store.objects.put_file(path)
            copied.append(Artifact(path.relative_to(root).as_posix(), object_id, path.stat().st_size,
                                   "artifact", time.time()))
    return copied


def describe(report: ImportReport) -> dict[str, Any]:
    """The report as JSON-ready numbers."""
    return {"imported": len(report.imported), "skipped": len(report.skipped),
            "metric_values": report.metric_values, "artifacts": report.artifacts}
