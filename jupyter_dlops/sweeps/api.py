"""The Python API: :func:`sweep` and :func:`run_notebook`. The CLI calls these."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, UsageError
from .task import RunTask

ENGINES = ("papermill", "script")


class SweepResult(list):
    """The runs of a sweep (``Run`` records, skipped ones included), with the sweep record."""

    def __init__(self, runs: list[Any], sweep: Any = None, *, skipped: int = 0) -> None:
        super().__init__(runs)
        self.sweep = sweep
        self.skipped = skipped

    @property
    def failed(self) -> list[Any]:
        return [run for run in self if run.status not in ("finished", "pruned")]

    def sorted_by(self, metric: str | None, *, descending: bool = True) -> list[Any]:
        """Runs with the metric first, best first; the others after, in start order."""
        if not metric:
            return list(self)
        have = [r for r in self if r.metrics.get(metric) and r.metrics[metric].last is not None]
        rest = [r for r in self if r not in have]
        return sorted(have, key=lambda r: r.metrics[metric].last, reverse=descending) + rest

    def to_pandas(self) -> Any:
        """One row per run: id, status, ``params.*`` and ``metrics.*`` (last values)."""
        import pandas as pd

        rows = []
        for run in self:
            row: dict[str, Any] = {"run_id": run.run_id, "status": run.status, "duration": run.duration}
            row.update({f"params.{k}": v for k, v in run.params.items()})
            row.update({f"metrics.{k}": s.last for k, s in run.metrics.items() if not k.startswith("sys/")})
            rows.append(row)
        return pd.DataFrame(rows)


def _check_common(notebook: str | Path, engine: str, **names: str | None) -> str:
    for option, value in names.items():
        _check_utf8(option, value)
    path = Path(notebook)
    if not path.is_file():
        raise NotFoundError(f"{path} does not exist; give the path of a notebook or a percent-format script")
    if engine not in ENGINES:
        raise UsageError(f"unknown engine '{engine}'; choose papermill or script")
    return str(path.resolve())


def _check_utf8(option: str, value: str | None) -> None:
    """A name the store cannot hold fails here, in the caller, not in a worker (issue 14)."""
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"--{option} {ascii(value)} is not valid UTF-8; give a name in UTF-8") from None


def sweep(notebook: str | Path, params: dict[str, Any] | None = None, *, random: int | None = None,
          spec: str | Path | None = None, workers: int = 1, engine: str = "papermill",
          executor: str = "local", scheduler: str | None = None, name: str | None = None,
          limit: int | None = None, yes: bool = False, timeout: float | None = None,
          prewarm: bool = True, store: str | None = None, seed: int = 0, progress: bool = False,
          experiment: str | None = None, confirm: Callable[[int], bool | None] | None = None,
          search: str | None = None, trials: int | None = None, objective: str | None = None,
          prune: str | None = None, client: Any = None, _from_cli: bool = False) -> SweepResult:
    """Run ``notebook`` once per combination of parameter values, each run a stored experiment.

    Parameters
    ----------
    notebook
        A ``.ipynb`` notebook with a cell tagged ``parameters`` (or a percent-format ``.py``).
    params
        ``{name: [values]}`` for a grid; a scalar is a fixed value. With ``random=N``,
        a ``Range`` (or ``"1e-4..1e-1"`` on the CLI) is sampled, log-uniformly for rates.
    random, spec, seed
        N random samples instead of the grid; a YAML spec file; the sampling seed.
    workers, engine, executor, scheduler
        Parallel runs; ``papermill`` (kernels) or ``script`` (exported script as a process);
        ``local`` or ``dask`` (``scheduler`` is ``tcp://host:8786``; none: a LocalCluster).
    client
        With ``executor="dask"``: a connected ``distributed.Client`` to run on instead of
        ``scheduler`` (a Dask Gateway or KubeCluster client, which carries its own credentials);
        left open.
    name
        The sweep's name; running a sweep again under the same name skips finished combinations.
    limit, yes, confirm
        Run at most ``limit`` combinations; more than 1,000 need ``yes`` or ``confirm(count)``.
    search, trials, objective, prune
        An Optuna search instead of a grid (``tpe``, ``cmaes``, ``random``, ``grid``): ``trials``
        runs, minimizing or maximizing ``objective`` (``"loss:min"``); ``params`` then take
        ``"loguniform:1e-5:1e-1"``, ``"int:1:4"``, ``"choice:a,b"`` or lists. ``prune``
        (``median``, ``hyperband``) stops trials whose per-step objective falls behind.

    Returns
    -------
    SweepResult
        The runs (a list of ``Run``), with ``.sweep``, ``.skipped`` and ``.to_pandas()``.
    """
    from .executors import executor_class
    from .notebook_io import kernel_name, literal_defaults, load_notebook
    from .plan import build_space, combinations, typed_space

    path = _check_common(notebook, engine, experiment=experiment, name=name)
    # Only when given: an executor plugged in through an entry point may not take a client.
    given = {"client": client} if client is not None else {}
    executor_obj = executor_class(executor)(workers, scheduler=scheduler, prewarm=prewarm, **given)
    if search or trials or objective or prune or _spec_searches(spec):
        return _search(path, params, executor_obj, spec=spec, method=search, trials=trials, objective=objective,
                       prune=prune, seed=seed, name=name, engine=engine, timeout=timeout, store=store,
                       progress=progress, workers=workers, experiment=experiment)
    space = build_space(params, random=random, spec=str(spec) if spec else None, seed=seed, from_cli=_from_cli)
    space, declared = typed_space(space, path)
    combos = combinations(space, declared, limit=limit, yes=yes, confirm=confirm)
    if hasattr(executor_obj, "connect"):
        executor_obj.connect()  # a cluster that does not answer fails before the store changes
    return _launch(path, space.describe(), combos, executor_obj, name=name, engine=engine,
                   timeout=timeout, store=store, progress=progress, workers=workers,
                   experiment=experiment, defaults=literal_defaults(declared),
                   kernel=kernel_name(load_notebook(path)))


def _spec_searches(spec: str | Path | None) -> bool:
    """A spec that names an Optuna search (``search: tpe``) or a budget of trials."""
    if not spec:
        return False
    from .params import read_yaml

    data = read_yaml(Path(spec), "sweep spec")
    return isinstance(data, dict) and ("search" in data or "trials" in data)


def _search(path: str, params: dict[str, Any] | None, executor_obj: Any, *, spec: Any, method: str | None,
            trials: int | None, objective: str | None, prune: str | None, seed: int, **options: Any) -> SweepResult:
    from .notebook_io import declared_parameters, kernel_name, load_notebook
    from .search import build_search
    from .search_loop import run_search

    nb = load_notebook(path)
    declared = declared_parameters(nb)
    found = build_search(params, spec=str(spec) if spec else None, method=method, trials=trials,
                         objective=objective, prune=prune, seed=seed or None, declared=declared,
                         source=Path(path).name)
    if hasattr(executor_obj, "connect"):
        executor_obj.connect()
    return run_search(path, found, declared, executor_obj, kernel=kernel_name(nb), **options)


def _launch(path: str, description: dict[str, Any], combos: list[dict[str, Any]], executor_obj: Any, *,
            name: str | None, engine: str, timeout: float | None, store: str | None,
            progress: bool, workers: int, experiment: str | None, defaults: dict[str, Any],
            kernel: str) -> SweepResult:
    from ..config import default_store_uri
    from ..store import open_store
    from ..tracking.client import default_name as default_run_name
    from .records import combo_key, default_name, finished_combos, open_sweep, set_status
    from .runlife import capture_sections

    uri = store or default_store_uri()
    db = open_store(uri)
    record, _ = open_sweep(db, name or default_name(path, {"engine": engine, **description}), path, description)
    done = finished_combos(db, record.sweep_id)
    todo = [c for c in combos if combo_key(c, record.sweep_id) not in done]
    sections: dict[str, Any] = {}  # filled below; the same dict in every task
    ids = [uuid.uuid4().hex for _ in todo]
    # Names unique across sweeps and resumes (issue 15): the file stem and the id's start.
    tasks = [RunTask(run_id, path, combo, db.uri_for_children, default_run_name(path, run_id), engine=engine,
                     sweep_id=record.sweep_id, combo=combo_key(combo, record.sweep_id), timeout=timeout,
                     cwd=str(Path(path).parent), experiment=experiment, sections=sections,
                     defaults=defaults, kernel_name=kernel)
             for run_id, combo in zip(ids, todo, strict=True)]
    if hasattr(executor_obj, "warm_up"):
        executor_obj.warm_up(tasks)  # the first kernels start while the capture below runs
    if todo:
        sections.update(capture_sections(path, db))
    outcomes = _execute(executor_obj, tasks, db, record.sweep_id, workers, progress, len(combos) - len(todo))
    set_status(db, record.sweep_id, "finished" if all(o.ok for o in outcomes) else "failed")
    keys = {combo_key(c, record.sweep_id) for c in combos}
    runs = db.runs_by_id([done[k] for k in keys if k in done] + [t.run_id for t in tasks])
    return SweepResult(sorted(runs, key=lambda r: r.start_time), record, skipped=len(combos) - len(todo))


def _execute(executor_obj: Any, tasks: list[RunTask], db: Any, sweep_id: str, workers: int,
             progress: bool, skipped: int) -> list[Any]:
    """Run the tasks with a progress bar; Ctrl-C marks the sweep killed and propagates."""
    from .progress import Progress
    from .records import set_status

    bar = Progress(len(tasks), workers, skipped=skipped, enabled=progress)
    try:
        return executor_obj.run(tasks, bar.event) if tasks else []
    except KeyboardInterrupt:
        set_status(db, sweep_id, "killed")
        raise
    except Exception:  # a worker could not start or end a run: the sweep did not finish
        with contextlib.suppress(Exception):  # the store may be what failed
            set_status(db, sweep_id, "failed")
        raise
    finally:
        bar.close()


def run_notebook(notebook: str | Path, params: dict[str, Any] | None = None, *, engine: str = "papermill",
                 timeout: float | None = None, store: str | None = None, name: str | None = None,
                 experiment: str | None = None, kernel_name: str | None = None,
                 cwd: str | None = None) -> Any:
    """Execute ``notebook`` once as one stored run (``dlops run``) and return its ``Run``.

    Parameters are typed against the notebook's ``parameters`` cell; a failure is recorded
    on the run (status ``failed``, error, failing cell), not raised.
    """
    from ..config import default_store_uri
    from ..store import open_store
    from ..tracking.client import default_name as default_run_name
    from .executors import LocalExecutor
    from .notebook_io import declared_parameters, literal_defaults, load_notebook
    from .notebook_io import kernel_name as notebook_kernel
    from .params import check_names, coerce
    from .runlife import capture_sections

    path = _check_common(notebook, engine, experiment=experiment, name=name)
    nb = load_notebook(path)
    declared = declared_parameters(nb)
    given = dict(params or {})
    check_names(list(given), declared, Path(path).name)
    typed = {k: coerce(k, v, declared[k]) for k, v in given.items()}
    uri = store or default_store_uri()
    db = open_store(uri)
    run_id = uuid.uuid4().hex
    task = RunTask(run_id, path, typed, db.uri_for_children, name or default_run_name(path, run_id), engine=engine,
                   timeout=timeout, cwd=cwd or str(Path(path).parent),
                   kernel_name=kernel_name or notebook_kernel(nb),
                   experiment=experiment, sections=capture_sections(path, db),
                   defaults=literal_defaults(declared))
    LocalExecutor(1, prewarm=False).run([task], lambda kind, payload: None)
    return db.get_run(run_id)
