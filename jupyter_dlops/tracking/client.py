"""The explicit client: every tracking operation takes the run id it applies to."""

from __future__ import annotations

import getpass
import os
import socket
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from .. import values
from ..errors import NotFoundError, UsageError
from ..models import Artifact, Run
from ..store import open_store
from . import filewatch
from .buffer import MetricBuffer


def new_run_id() -> str:
    return uuid.uuid4().hex


def default_name(entry_point: str | None, run_id: str) -> str:
    stem = Path(entry_point).stem if entry_point else "run"
    return f"{stem}-{run_id[:6]}"


class DlopsClient:
    """Runs, parameters, metrics, tags and artifacts, against one store."""

    def __init__(self, store: Any = None) -> None:
        self.store = store if store is not None and not isinstance(store, str) else open_store(store)
        self._buffer: MetricBuffer | None = None
        self._steps: dict[tuple[str, str], int] = defaultdict(int)

    # -- runs ---------------------------------------------------------------------------
    def create_run(self, name: str | None = None, params: dict[str, Any] | None = None, *,
                   experiment: str | None = None, kind: str = "script", tags: dict[str, Any] | None = None,
                   entry_point: str | None = None, parent_id: str | None = None,
                   sweep_id: str | None = None, run_id: str | None = None) -> str:
        run_id = run_id or new_run_id()
        if params:
            self._check_params(params)
        run = Run(
            run_id=run_id, name=name or default_name(entry_point, run_id),
            experiment=experiment or "default", kind=kind, status="running",
            start_time=time.time(), heartbeat=time.time(), host=socket.gethostname(),
            pid=os.getpid(), user_name=_user(), entry_point=entry_point,
            parent_id=parent_id, sweep_id=sweep_id,
        )
        self.store.create_run(run)
        if params:
            self.log_params(run_id, params)
        if tags:
            self.set_tags(run_id, tags)
        return run_id

    def set_terminated(self, run_id: str, status: str = "finished", *, error: str | None = None,
                       error_cell: str | None = None, end_time: float | None = None) -> None:
        self.flush()
        end = end_time or time.time()
        row = self.store.read_one("SELECT start_time FROM run WHERE run_id = ?", (run_id,))
        if row and row[0] is not None and end < row[0]:
            end = row[0]  # the wall clock stepped backwards during the run: no negative duration
        fields: dict[str, Any] = {"status": status, "end_time": end}
        if error is not None:
            fields["error"] = error  # redacted where it enters the store (store/scrub.py)
        if error_cell is not None:
            fields["error_cell"] = error_cell
        self.store.update_run(run_id, **fields)

    def get_run(self, ref: str) -> Run:
        return self.store.get_run(ref)

    def search_runs(self, where: str | None = None, sort: str | None = None,
                    limit: int | None = None) -> list[Run]:
        return self.store.search_runs(where, sort, limit)

    # -- params and tags ----------------------------------------------------------------
    def log_param(self, run_id: str, key: str, value: Any) -> None:
        self.log_params(run_id, {key: value})

    def log_params(self, run_id: str, params: dict[str, Any]) -> None:
        self._check_params(params)
        self.store.log_params(run_id, params)

    def set_tag(self, run_id: str, key: str, value: Any) -> None:
        self.set_tags(run_id, {key: value})

    def set_tags(self, run_id: str, tags: dict[str, Any]) -> None:
        self.store.set_tags(run_id, tags)

    @staticmethod
    def _check_params(params: dict[str, Any]) -> None:
        if not isinstance(params, dict):
            raise UsageError("params must be a dict of name -> value")
        for key, value in params.items():
            if not isinstance(key, str) or not key:
                raise UsageError(f"parameter names must be non-empty strings, got {key!r}")
            values.normalise(value, name=key)

    # -- metrics ------------------------------------------------------------------------
    @property
    def buffer(self) -> MetricBuffer:
        if self._buffer is None:
            self._buffer = MetricBuffer(self.store)
        return self._buffer

    def log_metric(self, run_id: str, key: str, value: Any, step: int | None = None,
                   timestamp: float | None = None) -> None:
        counter = (run_id, key)
        if step is None:
            step = self._steps.get(counter, 0) if isinstance(key, str) else 0
        key, number, step, when = values.metric_row(key, value, step, timestamp or time.time())
        self._steps[counter] = step + 1
        self.buffer.add((run_id, key, number, step, when))

    def log_metrics(self, run_id: str, metrics: dict[str, Any], step: int | None = None,
                    timestamp: float | None = None) -> None:
        now = timestamp or time.time()
        for key, value in metrics.items():
            self.log_metric(run_id, key, value, step, now)

    def flush(self) -> None:
        if self._buffer is not None:
            self._buffer.flush()

    def close(self) -> None:
        if self._buffer is not None:
            self._buffer.close()
            self._buffer = None

    # -- artifacts ----------------------------------------------------------------------
    def log_artifact(self, run_id: str, path: str | os.PathLike[str], name: str | None = None,
                     kind: str = "artifact") -> list[Artifact]:
        """Store a file (or every file under a folder) as content-addressed artifacts."""
        source = Path(path)
        if not source.exists():
            raise NotFoundError(f"log_artifact: {source} does not exist; save the file first")
        base = name or source.name
        files = [(source, base)] if source.is_file() else [
            (f, f"{base}/{f.relative_to(source).as_posix()}") for f in sorted(source.rglob("*")) if f.is_file()
        ]
        stored = []
        with filewatch.paused():  # storing the file is not the user's code reading it
            for file, artifact_path in files:
                object_id = self.store.objects.put_file(file)
                artifact = Artifact(artifact_path, object_id, file.stat().st_size, kind, time.time())
                self.store.add_artifact(run_id, artifact)
                stored.append(artifact)
        return stored

    def log_bytes(self, run_id: str, data: bytes, name: str, kind: str = "artifact") -> Artifact:
        """Store ``data`` byte for byte as the artifact ``name``."""
        return self._add_object(run_id, self.store.objects.put_bytes(data), name, kind)

    def log_text(self, run_id: str, text: str | bytes, name: str, kind: str = "log") -> Artifact:
        """Store a text we recorded (a log, an executed notebook) as ``name``, redacted."""
        return self._add_object(run_id, self.store.objects.put_text(text)[0], name, kind)

    def _add_object(self, run_id: str, object_id: str, name: str, kind: str) -> Artifact:
        artifact = Artifact(name, object_id, self.store.objects.path(object_id).stat().st_size, kind, time.time())
        self.store.add_artifact(run_id, artifact)
        return artifact


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
