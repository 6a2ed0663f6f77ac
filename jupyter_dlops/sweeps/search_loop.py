"""The loop of ``dlops sweep --search``: ask ``workers`` trials, run them (watching their
intermediate values when pruning), tell Optuna how they ended, until the budget is spent."""

from __future__ import annotations

from typing import Any

from .search import Search


def run_search(path: str, search: Search, declared: dict[str, Any], executor_obj: Any, *,
               name: str | None, engine: str, timeout: float | None, store: str | None,
               progress: bool, workers: int, experiment: str | None, kernel: str) -> Any:
    """Run the study to ``search.trials`` trials (those already recorded count); a ``SweepResult``."""
    from ..config import default_store_uri
    from ..store import open_store
    from .api import SweepResult
    from .notebook_io import literal_defaults
    from .records import default_name, open_sweep, set_status
    from .runlife import capture_sections
    from .search import make_sampler, resume
    from .search_space import distributions

    db = open_store(store or default_store_uri())
    description = {"engine": engine, **search.describe()}
    record, _ = open_sweep(db, name or default_name(path, description), path, description)
    dists = distributions(search.space)
    study = _study(search)
    done = resume(db, record.sweep_id, search, study, dists)
    if done:  # a resumed study must not draw its first values again: the seed moves on with it
        study.sampler = make_sampler(search, offset=len(done))
    base = {"path": path, "uri": db.uri_for_children,
            "task": {"engine": engine, "sweep_id": record.sweep_id, "timeout": timeout, "experiment": experiment,
                     "defaults": literal_defaults(declared), "kernel_name": kernel,
                     "sections": capture_sections(path, db) if len(done) < search.trials else {}}}
    ran: list[str] = []
    ok = True
    while len(done) + len(ran) < _budget(search):
        count = min(workers, _budget(search) - len(done) - len(ran))
        ids, batch_ok = _round(db, study, search, dists, declared, base, executor_obj, count,
                               progress=progress, workers=workers, skipped=len(done))
        ran += ids
        ok = ok and batch_ok
    set_status(db, record.sweep_id, "finished" if ok else "failed")
    runs = db.runs_by_id(done + ran)
    return SweepResult(sorted(runs, key=lambda r: r.start_time), record, skipped=len(done))


def _study(search: Search) -> Any:
    from .search import new_study

    return new_study(search)


def _budget(search: Search) -> int:
    """The trials to run: ``trials``, and for a grid no more than its size."""
    if search.method != "grid":
        return search.trials
    import math

    return min(search.trials, math.prod(len(entry[1]) for entry in search.space.values()))


def _round(db: Any, study: Any, search: Search, dists: dict[str, Any], declared: dict[str, Any],
           base: dict[str, Any], executor_obj: Any, count: int, **bar: Any) -> tuple[list[str], bool]:
    """Ask ``count`` trials, run them side by side, tell their results."""
    import contextlib

    from .api import _execute
    from .pruning import PruneMonitor
    from .search import enqueue_grid, tell, trial_tasks

    if search.method == "grid":
        enqueue_grid(study, search, count)
    trials = [study.ask(dists) for _ in range(count)]
    tasks = trial_tasks(trials, search, base, declared)
    by_run = {t.run_id: trial for t, trial in zip(tasks, trials, strict=True)}
    monitor = PruneMonitor(db, search.metric, by_run) if search.prune else contextlib.nullcontext()
    with monitor:
        outcomes = _execute(executor_obj, tasks, db, base["task"]["sweep_id"], bar["workers"],
                            bar["progress"], bar["skipped"])
    runs = {r.run_id: r for r in db.runs_by_id([t.run_id for t in tasks])}
    for outcome in outcomes:
        tell(study, by_run[outcome.run_id], outcome, runs.get(outcome.run_id), search)
    return [t.run_id for t in tasks], all(o.status in ("finished", "pruned") for o in outcomes)
