"""Plain records returned by the store and the client (no behaviour, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUN_STATUSES = ("running", "finished", "failed", "killed", "pruned")
RUN_COLUMNS = (
    "run_id", "name", "experiment", "kind", "status", "start_time", "end_time", "heartbeat",
    "host", "pid", "user_name", "entry_point", "error", "error_cell", "parent_id", "sweep_id",
)


@dataclass
class MetricSummary:
    last: float | None
    min: float | None
    max: float | None
    count: int
    last_step: int


@dataclass
class Artifact:
    path: str
    object_id: str
    size: int
    kind: str
    created: float


@dataclass
class Run:
    """One experiment record: the run row plus everything attached to it."""

    run_id: str
    name: str
    experiment: str
    kind: str
    status: str
    start_time: float
    end_time: float | None = None
    heartbeat: float | None = None
    host: str | None = None
    pid: int | None = None
    user_name: str | None = None
    entry_point: str | None = None
    error: str | None = None
    error_cell: str | None = None
    parent_id: str | None = None
    sweep_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, MetricSummary] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        end = self.end_time or self.heartbeat
        return None if end is None else max(0.0, end - self.start_time)

    def to_dict(self) -> dict[str, Any]:
        # by hand, not dataclasses.asdict: its recursive deep copy was a third of
        # `dlops runs --json` over thousands of runs (benchmarks/bench_tracking.py)
        data: dict[str, Any] = {name: getattr(self, name) for name in RUN_COLUMNS}
        data["params"] = dict(self.params)
        data["metrics"] = {key: dict(vars(summary)) for key, summary in self.metrics.items()}
        data["tags"] = dict(self.tags)
        data["artifacts"] = [dict(vars(artifact)) for artifact in self.artifacts]
        data["sections"] = dict(self.sections)
        data["duration"] = self.duration
        return data
