"""``dlops import mlflow``: runs from an MLflow tracking store into this store (issue 19).

MLflow is read through its own client (``mlflow-skinny`` is enough for a local ``mlruns``
folder or an ``http(s)://`` tracking server; ``sqlite:///`` and other database URIs need the
full ``mlflow`` package). A run keeps its MLflow run id, so a second import finds it and adds
nothing; a run is written with its row last, and its partial rows are cleared first, so an
import cut off halfway is completed by the next one.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

#: MLflow's statuses → the store's. A run MLflow still shows as running (or scheduled) is not
#: running here: nothing here heartbeats for it, so it is recorded as killed, its MLflow
#: status kept in the ``mlflow.status`` tag.
STATUS = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "killed"}
PAGE = 1000


@dataclass
class ImportReport:
    """What one import did."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    metric_values: int = 0
    artifacts: int = 0


def _tracking_uri(source: str) -> str:
    """A folder becomes a ``file:`` URI; an URI is taken as it is."""
    if source.startswith("sqlite:///") and not Path(source[len("sqlite:///"):]).is_file():
        # MLflow would create an empty database there and import nothing.
        raise UsageError(f"no MLflow database at {source}: check the path (sqlite:////abs/path.db)")
    if "://" in source or source.startswith("file:"):
        return source
    path = Path(source).expanduser()
    if not path.is_dir():
        raise UsageError(f"no MLflow store at {source}: give an mlruns folder or a tracking URI")
    return path.resolve().as_uri()


def _client(source: str):
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise UsageError("importing from MLflow needs MLflow: pip install mlflow-skinny") from None
    uri = _tracking_uri(source)
    if uri.startswith("file:"):
        # MLflow 3 refuses its own mlruns folders unless told otherwise; we only read them.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    try:
        return MlflowClient(tracking_uri=uri)
    except Exception as error:  # MLflow raises many kinds for a URI it cannot use
        raise UsageError(f"cannot open the MLflow store {source}: {str(error).splitlines()[0]}") from None


def import_mlflow(store, source: str, *, artifacts: bool = True) -> ImportReport:
    """Copy every run of every experiment of an MLflow tracking store into ``store``.

    Parameters
    ----------
    store : Store
        The destination.
    source : str
        An ``mlruns`` folder or a tracking URI (``file:``, ``http(s)://``, ``sqlite:///``...).
    artifacts : bool
        Also copy the runs' artifacts into the object store.

    Returns
    -------
    ImportReport
        The runs imported and skipped (already here), metric values and artifacts copied.
    """
    client = _client(source)
    report = ImportReport()
    for experiment in client.search_experiments(view_type=3):  # ALL: active and deleted
        token = None
        while True:
            page = client.search_runs([experiment.experiment_id], run_view_type=3,
                                      max_results=PAGE, page_token=token)
            for run in page:
                if store.run_exists(run.info.run_id):
                    report.skipped.append(run.info.run_id)
                    continue
                _import_run(store, client, run, experiment.name, report, artifacts)
                report.imported.append(run.info.run_id)
            token = page.token
            if not token:
                break
    return report


def _import_run(store, client, run, experiment: str, report: ImportReport, artifacts: bool) -> None:
    from ..models import Run

    info, run_id = run.info, run.info.run_id
    with store.write() as cursor:  # what a cut-off import left behind
        cursor.execute("DELETE FROM metric_value WHERE series_id IN "
                       "(SELECT series_id FROM metric_series WHERE run_id = ?)", (run_id,))
        for table in ("param", "tag", "metric_series", "metric_summary", "artifact"):
            cursor.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
    store.log_params(run_id, dict(run.data.params))
    tags = dict(run.data.tags)
    if info.status not in STATUS:
        tags["mlflow.status"] = info.status
    store.set_tags(run_id, tags)
    rows = _metric_rows(client, run)
    store.insert_metrics(rows)
    report.metric_values += len(rows)
    if artifacts:
        report.artifacts += _copy_artifacts(store, client, run_id)
    end = info.end_time / 1000 if info.end_time else None
    store.create_run(Run(run_id=run_id, name=info.run_name or run_id, experiment=experiment,
                         kind="mlflow", status=STATUS.get(info.status, "killed"),
                         start_time=(info.start_time or 0) / 1000, end_time=end,
                         user_name=info.user_id or None))


def _metric_rows(client, run) -> list[tuple[str, str, float, int, float]]:
    rows = []
    for key in run.data.metrics:
        history = client.get_metric_history(run.info.run_id, key)
        # MLflow keeps values in the order logged, timestamps in ms; the summary's "last" is
        # the latest step (then time), as MLflow's own latest value is.
        history = sorted(history, key=lambda m: (m.step, m.timestamp))
        rows.extend((run.info.run_id, key, float(m.value), int(m.step), m.timestamp / 1000)
                    for m in history)
    return rows


def _copy_artifacts(store, client, run_id: str) -> int:
    import time

    from ..models import Artifact

    copied = 0
    with tempfile.TemporaryDirectory(prefix="dlops-mlflow-") as folder:
        root = Path(client.download_artifacts(run_id, "", folder))
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            object_id = store.objects.put_file(path)
            relative = path.relative_to(root).as_posix()
            store.add_artifact(run_id, Artifact(relative, object_id, path.stat().st_size, "artifact",
                                                time.time()))
            copied += 1
    return copied


def describe(report: ImportReport) -> dict[str, Any]:
    """The report as JSON-ready numbers."""
    return {"imported": len(report.imported), "skipped": len(report.skipped),
            "metric_values": report.metric_values, "artifacts": report.artifacts}
