"""``dlops export mlflow RUN...|--where ... DEST``: runs from this store into an MLflow tracking
store (issue 19), written with MLflow's own client.

Each exported run carries the tag ``dlops.run_id``; a run already in DEST with that tag (or
that came from DEST by ``dlops import mlflow``, keeping its MLflow id) is skipped, so a second
export adds nothing. Parameters are written as the text MLflow would have kept for them
(``str(value)``: ``0.01``, ``None``, ``True``), metrics with every step and timestamp.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

EXPORT_TAG = "dlops.run_id"
BATCH = 1000  # MLflow's log_batch takes at most 1000 metrics per call


@dataclass
class ExportReport:
    """What one export did: ``{dlops run id: MLflow run id}`` and the runs skipped."""

    exported: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def mlflow_text(value: Any) -> str:
    """The text ``mlflow.log_param`` keeps for a value (its ``str``)."""
    return value if isinstance(value, str) else str(value) if not isinstance(value, (list, dict)) \
        else json.dumps(value, ensure_ascii=False)


def _client(dest: str):
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise UsageError("exporting to MLflow needs MLflow: pip install mlflow-skinny") from None
    uri = dest
    if "://" not in dest and not dest.startswith("file:"):
        path = Path(dest).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        uri = path.resolve().as_uri()
    if uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3's opt-in for mlruns
    return MlflowClient(tracking_uri=uri)


def export_mlflow(store, run_ids: list[str], dest: str) -> ExportReport:
    """Write runs of ``store`` into the MLflow tracking store ``dest``.

    Parameters
    ----------
    store : Store
        The source.
    run_ids : list of str
        The runs to export (full ids).
    dest : str
        An ``mlruns`` folder (created if missing) or a tracking URI.

    Returns
    -------
    ExportReport
        The runs exported (with their new MLflow ids) and those DEST already had.
    """
    client = _client(dest)
    report = ExportReport()
    for run_id in run_ids:
        run = store.get_run(run_id)
        experiment_id = _experiment(client, run.experiment)
        if _already_there(client, experiment_id, run.run_id):
            report.skipped.append(run.run_id)
            continue
        report.exported[run.run_id] = _export_run(store, client, experiment_id, run)
    return report


def _experiment(client, name: str) -> str:
    experiment = client.get_experiment_by_name(name)
    return experiment.experiment_id if experiment else client.create_experiment(name)


def _already_there(client, experiment_id: str, run_id: str) -> bool:
    from mlflow.exceptions import MlflowException

    try:
        client.get_run(run_id)
        return True
    except MlflowException:
        pass
    found = client.search_runs([experiment_id], filter_string=f"tags.`{EXPORT_TAG}` = '{run_id}'",
                               run_view_type=3, max_results=1)
    return bool(found)


def _export_run(store, client, experiment_id: str, run) -> str:
    from mlflow.entities import Metric, Param

    tags = {k: v for k, v in run.tags.items() if k != "mlflow.status"}
    tags[EXPORT_TAG] = run.run_id
    if run.user_name:
        tags.setdefault("mlflow.user", run.user_name)
    created = client.create_run(experiment_id, start_time=round(run.start_time * 1000),
                                tags=tags, run_name=run.name)
    mlflow_id = created.info.run_id
    client.log_batch(mlflow_id, params=[Param(k, mlflow_text(v)) for k, v in run.params.items()])
    metrics = [Metric(key, value, round(timestamp * 1000), step)
               for key, points in store.metric_series(run.run_id).items()
               for step, value, timestamp in points]
    for start in range(0, len(metrics), BATCH):
        client.log_batch(mlflow_id, metrics=metrics[start:start + BATCH])
    for artifact in run.artifacts:
        _log_artifact(store, client, mlflow_id, artifact)
    status = run.tags.get("mlflow.status") or run.status.upper()
    status = status if status in ("FINISHED", "FAILED", "KILLED", "RUNNING", "SCHEDULED") else "KILLED"
    end = round(run.end_time * 1000) if run.end_time else None
    client.set_terminated(mlflow_id, status=status, end_time=end)
    return mlflow_id


def _log_artifact(store, client, mlflow_id: str, artifact) -> None:
    import shutil
    import tempfile

    relative = Path(artifact.path)
    with tempfile.TemporaryDirectory(prefix="dlops-mlflow-") as folder:
        target = Path(folder) / relative.name
        shutil.copyfile(store.objects.path(artifact.object_id), target)
        parent = relative.parent.as_posix()
        client.log_artifact(mlflow_id, str(target), None if parent == "." else parent)
