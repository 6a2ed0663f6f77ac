"""Reading MLflow through its own client, for what cannot be read directly: a tracking server
(``http(s)://``), or a database other than SQLite (issue 19). Runs come a page of 1,000 at a
time (``search_runs``), each metric's whole history in pages (``get_metric_history``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import UsageError
from .mlflow_runs import SourceRun

PAGE = 1000
ALL = 3  # ViewType.ALL: active and deleted


def open_client(uri: str):
    """MLflow's client for ``uri``; one clear line when MLflow is missing or refuses it."""
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise UsageError("importing from an MLflow tracking server needs MLflow: pip install mlflow-skinny") from None
    if uri.startswith("file:"):
        # MLflow 3 refuses its own mlruns folders unless told otherwise; we only read them.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    try:
        return MlflowClient(tracking_uri=uri)
    except Exception as error:  # MLflow raises many kinds for a URI it cannot use
        raise UsageError(f"cannot open the MLflow store {uri}: {str(error).splitlines()[0]}") from None


def read_client(uri: str) -> Iterator[SourceRun]:
    """Every run of every experiment (active and deleted) that the tracking store at ``uri`` has."""
    client = open_client(uri)
    for experiment in client.search_experiments(view_type=ALL):
        token = None
        while True:
            page = client.search_runs([experiment.experiment_id], run_view_type=ALL,
                                      max_results=PAGE, page_token=token)
            for run in page:
                yield _source_run(client, run, experiment.name)
            token = page.token
            if not token:
                break


def _source_run(client, run, experiment: str) -> SourceRun:
    info = run.info
    metrics = {key: [(m.timestamp, float(m.value), int(m.step))
                     for m in client.get_metric_history(info.run_id, key)]
               for key in run.data.metrics}

    def download(scratch: Path) -> Path | None:
        return Path(client.download_artifacts(info.run_id, "", str(scratch)))

    return SourceRun(run_id=info.run_id, experiment=experiment, name=info.run_name, status=info.status,
                     start_ms=info.start_time, end_ms=info.end_time, user=info.user_id,
                     params=dict(run.data.params), tags=dict(run.data.tags), metrics=metrics,
                     artifacts=download)
