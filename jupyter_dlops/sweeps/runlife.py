"""The parent's side of one stored run: create it, attach the record sections captured once
per sweep, store the output, and end it with a classified status."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .records import COMBO_TAG
from .task import Outcome, RunTask


def client_for(uri: str) -> Any:
    from ..store import open_store
    from ..tracking.client import DlopsClient

    return DlopsClient(open_store(uri))


def begin_run(client: Any, task: RunTask, kind: str) -> float:
    """Create the run (status running) with its params, tags and record sections."""
    tags = {"engine": task.engine}
    if task.combo is not None:
        tags[COMBO_TAG] = task.combo
    client.create_run(task.name, task.recorded_params(), experiment=task.experiment, kind=kind, tags=tags,
                      entry_point=task.origin or task.notebook, sweep_id=task.sweep_id, run_id=task.run_id)
    for section, body in task.sections.items():
        client.store.put_section(task.run_id, section, body)
    return time.time()


@contextlib.contextmanager
def sampled(client: Any, run_id: str, pid: int | None, *, prunable: bool = False) -> Iterator[None]:
    """Sample the usage of process ``pid`` (a kernel, a script) and its children into the run's
    ``sys/*`` series while the block runs, beating the run's heartbeat; then store the usage
    section. The process joins the run through ``DLOPS_RUN_ID`` and samples nothing itself.
    With ``prunable`` (a search trial), the process is killed once its run is marked pruned."""
    if prunable and pid:
        from .pruning import PruneWatch

        with PruneWatch(client.store, run_id, pid), sampled(client, run_id, pid):
            yield
        return
    sampler = None
    if pid:
        from ..capture.usage import UsageSampler
        from ..config import env_float

        try:
            sampler = UsageSampler(
                lambda values, when: client.log_metrics(run_id, values, timestamp=when),
                lambda: client.store.heartbeat(run_id),
                interval=env_float("DLOPS_SAMPLE_INTERVAL", 1.0),
                beat_every=env_float("DLOPS_HEARTBEAT_INTERVAL", 5.0), pid=pid)
            sampler.start()
        except Exception:  # the process is already gone: its outcome says why
            sampler = None
    try:
        yield
    finally:
        if sampler is not None:
            usage = sampler.stop()
            with contextlib.suppress(Exception):  # usage must never change the outcome
                client.store.put_section(run_id, "usage", usage)


def finish_run(client: Any, task: RunTask, outcome: Outcome, started: float,
               outputs: dict[str, tuple[Path, str]]) -> Outcome:
    """Store the outputs (``{name: (path, kind)}``), the cost, and the final status."""
    from ..capture.cost import compute_cost

    for name, (path, kind) in outputs.items():
        if path.is_file() and path.stat().st_size:
            _store_output(client, task, path, name, kind)
    outcome.duration = time.time() - started
    outcome.params = task.params
    hardware = task.sections.get("hardware")
    client.store.put_section(task.run_id, "cost", compute_cost(outcome.duration, hardware))
    row = client.store.read_one("SELECT status FROM run WHERE run_id = ?", (task.run_id,))
    if row and row[0] == "killed":  # marked killed on Ctrl-C while it was stopping: keep that
        outcome.status, outcome.kind = "killed", "interrupted"
        return outcome
    if row and row[0] == "pruned":  # the search stopped it early: its kernel died of that, keep it
        outcome.status, outcome.kind, outcome.error = "pruned", None, None
        return outcome
    if outcome.kind:
        client.set_tag(task.run_id, "error.kind", outcome.kind)
    client.set_terminated(task.run_id, outcome.status, error=outcome.error, error_cell=outcome.error_cell)
    return outcome


def _store_output(client: Any, task: RunTask, path: Path, name: str, kind: str) -> None:
    """Logs and executed notebooks are records we write: stored as text objects (redacted,
    including the values of secret-named parameters papermill injected, which creating the
    run remembered). Other outputs are artifacts, kept byte for byte."""
    if kind not in ("log", "notebook"):
        client.log_artifact(task.run_id, path, name=name, kind=kind)
        return
    client.log_text(task.run_id, path.read_bytes(), name, kind=kind)


def capture_sections(entry: str, store: Any) -> dict[str, Any]:
    """Code, environment and hardware, captured once and shared by every run of a sweep."""
    from ..capture.code import capture_code
    from ..capture.environment import capture_environment
    from ..capture.hardware import capture_hardware

    objects = store.objects
    sections: dict[str, Any] = {}
    for name, produce in (
        ("code", lambda: capture_code(entry, objects)),
        ("environment", lambda: capture_environment(lambda data: objects.put_text(data)[0])),
        ("hardware", capture_hardware),
    ):
        try:
            sections[name] = produce()
        except Exception as error:  # a capture problem must never stop the runs
            sections[name] = {"error": str(error)}
    return sections
