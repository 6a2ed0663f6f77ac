"""What ``dlops sweep show NAME`` reports on a search: the best run, the trials, and Optuna's
parameter importances, all rebuilt from the runs in the store."""

from __future__ import annotations

import warnings
from typing import Any

from ..errors import NotFoundError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .search import Search


def search_report(name: str, store: str | None = None) -> dict[str, Any]:
    """The report of search sweep ``name`` (or id).

    Returns
    -------
    dict
        ``sweep`` (the record), ``objective``, ``direction``, ``best`` (a trial or None),
        ``trials`` (``number, run_id, status, params, value, step``) and ``importances``
        (``{param: share}``, empty with fewer than two complete trials).

    Raises
    ------
    NotFoundError
        No sweep has that name or id.
    UsageError
        The sweep is a grid or random sweep, not a search.
    """
    from ..config import default_store_uri
    from ..store import open_store
    from .records import get_sweep, sweep_run_ids
    from .search import Search, new_study, resume
    from .search_space import distributions

    db = open_store(store or default_store_uri())
    record = get_sweep(db, name)
    if record is None:
        raise NotFoundError(f"no sweep named {name!r}; `dlops sweeps` lists them")
    spec = record.spec
    if "search" not in spec:
        raise UsageError(f"sweep {record.name} is a {spec.get('method', 'grid')} sweep, not a search; "
                         f"see its runs with dlops runs --where \"sweep_id = '{record.sweep_id}'\"")
    search = Search(spec["search"], 1, spec["objective"], spec["direction"], spec["space"], spec.get("fixed", {}),
                    spec.get("prune"), int(spec.get("seed", 0)))
    runs = db.runs_by_id(sweep_run_ids(db, record.sweep_id))
    trials = [_trial(number, run, search) for number, run in enumerate(runs)]
    done = [t for t in trials if t["status"] == "finished" and t["value"] is not None]
    pick = min if search.direction == "minimize" else max
    best = pick(done, key=lambda t: t["value"]) if done else None
    study = new_study(search)
    resume(db, record.sweep_id, search, study, distributions(search.space))
    return {"sweep": record.to_dict(), "objective": search.metric, "direction": search.direction,
            "best": best, "trials": trials, "importances": importances(study)}


def _trial(number: int, run: Any, search: Search) -> dict[str, Any]:
    summary = run.metrics.get(search.metric)
    return {"number": number, "run_id": run.run_id, "status": run.status,
            "params": {k: run.params.get(k) for k in search.space},
            "value": summary.last if summary is not None else None,
            "step": summary.last_step if summary is not None else None}


def importances(study: Any) -> dict[str, float]:
    """Optuna's parameter importances (fANOVA); empty while there are too few complete trials."""
    import optuna

    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 2:
        return {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning and friends: the table says enough
            found = optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError):  # e.g. every trial with the same value
        return {}
    return {name: float(share) for name, share in found.items()}
