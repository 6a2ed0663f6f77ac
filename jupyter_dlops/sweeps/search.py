"""``dlops sweep --search``: a study driven by Optuna's ask-and-tell API, one stored run a trial.

No Optuna storage: the run store is the record. A study is rebuilt in memory from the sweep's
runs (finished, pruned and failed ones are trials; killed ones are run again), so running the
same command again continues the study where it stopped. Trials run ``workers`` at a time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .records import combo_key
from .task import RunTask

TRIAL_STATUSES = ("finished", "pruned", "failed")


@dataclass
class Search:
    """What to search: the method, the budget, the objective, the pruner and the space."""

    method: str
    trials: int
    metric: str
    direction: str
    space: dict[str, list[Any]]
    fixed: dict[str, Any] = field(default_factory=dict)
    prune: str | None = None
    seed: int = 0

    def describe(self) -> dict[str, Any]:
        """Stored with the sweep (the budget is not part of it: a bigger budget resumes)."""
        return {"search": self.method, "objective": self.metric, "direction": self.direction,
                "prune": self.prune, "seed": self.seed, "space": self.space, "fixed": self.fixed}

    def check(self) -> None:
        from .search_space import METHODS, PRUNERS

        if self.method not in METHODS:
            raise UsageError(f"unknown search '{self.method}'; choose one of {', '.join(METHODS)}")
        if self.prune is not None and self.prune not in PRUNERS:
            raise UsageError(f"unknown pruner '{self.prune}'; choose median or hyperband")
        if self.trials < 1:
            raise UsageError("--trials must be at least 1")
        if not self.space:
            raise UsageError("a search needs at least one parameter with a range or choices, "
                             "e.g. -p lr loguniform:1e-5:1e-1")
        if self.method == "grid" and any(entry[0] != "choice" for entry in self.space.values()):
            raise UsageError("--search grid takes choices only (-p opt choice:adam,sgd); use tpe or random for ranges")


def make_sampler(search: Search, offset: int = 0) -> Any:
    """The sampler of ``search``, seeded with its seed plus ``offset`` (the trials recorded)."""
    import optuna

    seed = search.seed + offset

    if search.method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if search.method == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if search.method == "grid":  # the points are queued in grid order (enqueue_grid)
        return optuna.samplers.RandomSampler(seed=seed)
    # Optuna's 10 random start-up trials leave a small budget little to model: a third of it, 5 to 10
    startup = min(10, max(5, search.trials // 3))
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)


def new_study(search: Search) -> Any:
    import optuna

    from .pruning import make_pruner

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the runs table says what happened
    return optuna.create_study(direction=search.direction, sampler=make_sampler(search),
                               pruner=make_pruner(search.prune))


def recorded_trial(run: Any, search: Search, dists: dict[str, Any]) -> Any | None:
    """A stored run as a finished Optuna trial, or None when it is no trial of this space."""
    import optuna
    from optuna.trial import TrialState

    params = {name: run.params.get(name) for name in dists}
    try:  # a run of an earlier, different space is no trial of this one
        if any(params[n] is None or not d._contains(d.to_internal_repr(params[n])) for n, d in dists.items()):
            return None
    except (ValueError, TypeError):
        return None
    summary = run.metrics.get(search.metric)
    value = summary.last if summary is not None else None
    state = {"finished": TrialState.COMPLETE, "pruned": TrialState.PRUNED}.get(run.status, TrialState.FAIL)
    if state == TrialState.COMPLETE and (value is None or value != value):
        state = TrialState.FAIL  # finished without logging the objective
    return optuna.trial.create_trial(
        params=params, distributions=dists, state=state,
        value=value if state == TrialState.COMPLETE else None,
        intermediate_values=_last_step(run, search.metric) if state == TrialState.PRUNED else None)


def enqueue_grid(study: Any, search: Search, count: int) -> None:
    """The next ``count`` grid points not tried yet, in grid order, queued for ``ask``: the
    store, not Optuna's GridSampler (whose ids follow trial numbers), says what was tried."""
    import itertools

    names = list(search.space)
    tried = {tuple(t.params.get(n) for n in names) for t in study.trials}
    fresh = (c for c in itertools.product(*(search.space[n][1] for n in names)) if c not in tried)
    for combo in itertools.islice(fresh, count):
        study.enqueue_trial(dict(zip(names, combo, strict=True)))


def _last_step(run: Any, metric: str) -> dict[int, float] | None:
    summary = run.metrics.get(metric)
    if summary is None or summary.last is None:
        return None
    return {int(summary.last_step): float(summary.last)}


def resume(db: Any, sweep_id: str, search: Search, study: Any, dists: dict[str, Any]) -> list[str]:
    """Add the sweep's recorded trials to ``study``; their run ids."""
    from .records import sweep_run_ids

    runs = [r for r in db.runs_by_id(sweep_run_ids(db, sweep_id)) if r.status in TRIAL_STATUSES]
    kept = []
    for run in sorted(runs, key=lambda r: r.start_time):
        trial = recorded_trial(run, search, dists)
        if trial is not None:
            study.add_trial(trial)
            kept.append(run.run_id)
    return kept


def tell(study: Any, trial: Any, outcome: Any, run: Any, search: Search) -> None:
    """Tell Optuna how a trial's run ended."""
    from optuna.trial import TrialState

    summary = run.metrics.get(search.metric) if run is not None else None
    value = summary.last if summary is not None else None
    if outcome.status == "pruned":
        study.tell(trial, state=TrialState.PRUNED)
    elif outcome.status == "finished" and value is not None and value == value:
        study.tell(trial, value)
    else:
        study.tell(trial, state=TrialState.FAIL)


def trial_tasks(trials: list[Any], search: Search, base: dict[str, Any], declared: dict[str, Any]) -> list[RunTask]:
    """One run task per asked trial, its values typed like the parameters cell."""
    from ..tracking.client import default_name as default_run_name
    from .plan import _typed_draw

    tasks = []
    for trial in trials:
        params = {**search.fixed, **{k: _typed_draw(k, v, declared[k]) for k, v in trial.params.items()}}
        run_id = uuid.uuid4().hex
        tasks.append(RunTask(run_id, base["path"], params, base["uri"], default_run_name(base["path"], run_id),
                             combo=combo_key(params), prunable=search.prune is not None,
                             cwd=str(Path(base["path"]).parent), **base["task"]))
    return tasks


def build_search(params: dict[str, Any] | None, *, spec: str | None, method: str | None, trials: int | None,
                 objective: str | None, prune: str | None, seed: int | None,
                 declared: dict[str, Any], source: str) -> Search:
    """The search from a spec file (if any) with the options and ``-p`` values given on top."""
    from .params import check_names
    from .search_space import from_cli, load_search_spec, parse_objective, typed

    loaded = load_search_spec(spec) if spec else {"space": {}, "fixed": {}}
    space, fixed = from_cli(dict(params or {}))
    space = {**{k: v for k, v in loaded["space"].items() if k not in fixed}, **space}
    fixed = {**{k: v for k, v in loaded["fixed"].items() if k not in space}, **fixed}
    check_names([*space, *fixed], declared, source)
    typed(space, fixed, declared)
    objective = objective or loaded.get("objective")
    trials = trials if trials is not None else loaded.get("trials")
    if not objective:
        raise UsageError("a search needs --objective METRIC:min or METRIC:max (or 'objective' in the spec)")
    if trials is None:
        raise UsageError("a search needs --trials N (or 'trials' in the spec)")
    metric, direction = parse_objective(str(objective))
    search = Search(str(method or loaded.get("search") or loaded.get("method") or "tpe"), int(trials), metric,
                    direction, space, fixed, prune or loaded.get("prune"),
                    int(seed if seed is not None else loaded.get("seed") or 0))
    search.check()
    return search
