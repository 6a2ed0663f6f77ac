"""``dlops run``, ``dlops sweep`` and ``dlops reproduce``: thin adapters over
:mod:`jupyter_dlops.sweeps` and :mod:`jupyter_dlops.reproduce`."""

from __future__ import annotations

import argparse
import sys

from .output import fmt_duration, table

# typing is for checkers only: `dlops --help` imports this module (tests/test_import_cost.py)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help="execute a notebook (or percent-format script) as one stored run",
                              description="Execute with papermill (or --engine script) as one stored run.")
    p.add_argument("notebook", metavar="NOTEBOOK_OR_SCRIPT")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[],
                   help="a parameter value, typed like the default in the parameters cell (repeatable)")
    p.add_argument("-f", "--params-file", metavar="PARAMS.yaml", help="parameter values from a YAML mapping")
    _common(p)
    p.set_defaults(func=cmd_run)

    p = subparsers.add_parser("sweep", help="run a notebook over a grid, random samples or a YAML spec",
                              description="Every combination is a stored run, grouped under one sweep; "
                              "running the same sweep again skips the combinations that finished.")
    p.add_argument("notebook", metavar="NOTEBOOK", help="the notebook; or 'show NAME' for a search's report")
    p.add_argument("show_name", nargs="?", metavar="NAME", help=argparse.SUPPRESS)
    p.add_argument("-p", "--param", nargs="+", action="append", metavar="NAME V", default=[],
                   help="a parameter and its values: -p lr 0.1 0.01 (with --random: -p lr 1e-4..1e-1; "
                   "with --search: -p lr loguniform:1e-5:1e-1, -p layers int:1:4, -p opt choice:adam,sgd)")
    p.add_argument("--random", type=int, metavar="N", help="N random samples instead of the full grid")
    p.add_argument("--seed", type=int, default=0, help="seed for --random (default 0: the same samples again)")
    p.add_argument("--spec", metavar="SWEEP.yaml", help="a YAML spec (method, samples, parameters)")
    p.add_argument("--search", choices=("tpe", "cmaes", "random", "grid"),
                   help="an Optuna search: each trial is a run, the next values chosen from the runs so far")
    p.add_argument("--trials", type=int, metavar="N", help="trials of the search (recorded ones count)")
    p.add_argument("--objective", metavar="METRIC:min|max", help="the metric the search minimizes or maximizes")
    p.add_argument("--prune", choices=("median", "hyperband"),
                   help="stop trials whose objective, logged per step, falls behind (status pruned)")
    p.add_argument("--workers", type=int, default=1, help="runs at the same time (default 1)")
    p.add_argument("--executor", default="local", help="local (default) or dask")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--name", help="sweep name (default: from the notebook and the spec); same name resumes")
    p.add_argument("--sort-metric", metavar="M", help="sort the summary by this metric (best first)")
    p.add_argument("--minimize", action="store_true", help="lower --sort-metric is better")
    p.add_argument("--yes", action="store_true", help="run more than 1,000 combinations without asking")
    p.add_argument("--limit", type=int, help="run at most N combinations")
    p.add_argument("--no-prewarm", action="store_true", help="do not start the next kernel ahead of time")
    _common(p)
    p.set_defaults(func=cmd_sweep)

    p = subparsers.add_parser("reproduce", help="re-run a run from its record and say whether it matched")
    p.add_argument("run", help="run id, unique id prefix, or name")
    p.add_argument("--check-only", action="store_true", help="check code, data and environment; do not run")
    p.add_argument("--allow-data-change", action="store_true", help="go on when a data file changed")
    p.add_argument("--rtol", type=float, default=1e-6, help="relative tolerance for metrics (default 1e-6)")
    p.add_argument("--atol", type=float, default=1e-9, help="absolute tolerance for metrics (default 1e-9)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_reproduce)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", default="papermill", choices=("papermill", "script"),
                   help="papermill (a kernel per run, default) or script (the exported script as a process)")
    p.add_argument("--timeout", type=float, help="seconds a cell may run (papermill), or the whole script (script engine)")
    p.add_argument("--experiment", help="experiment name for the runs")


def cmd_run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..sweeps.api import run_notebook
    from ..sweeps.params import load_params_file

    params: dict[str, Any] = load_params_file(args.params_file) if args.params_file else {}
    for name, value in args.param:
        if name in params and not args.params_file:
            raise UsageError(f"parameter '{name}' given twice; give each parameter once")
        params[name] = value
    run = run_notebook(args.notebook, params, engine=args.engine, timeout=args.timeout,
                       experiment=args.experiment)
    metrics = ", ".join(f"{k}={s.last:.6g}" for k, s in run.metrics.items()
                        if not k.startswith("sys/") and s.last is not None)
    print(f"run {run.run_id} {run.status}" + (f"  {metrics}" if metrics else ""))
    if run.status != "finished":
        where = f" in {run.error_cell}" if run.error_cell else ""
        print(f"dlops: run {run.run_id[:12]} {run.status}{where}: {run.error}", file=sys.stderr)
        return 8
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..sweeps.api import sweep
    from ..sweeps.plan import terminal_confirm

    if args.show_name is not None:
        if args.notebook != "show":
            raise UsageError(f"unexpected argument {args.show_name!r}; give one notebook, or 'show NAME'")
        from .search_show import show_search

        return show_search(args.show_name)
    params = {item[0]: item[1:] for item in args.param}
    try:
        result = sweep(args.notebook, params, random=args.random, spec=args.spec, workers=args.workers,
                       engine=args.engine, executor=args.executor, scheduler=args.scheduler,
                       name=args.name, limit=args.limit, yes=args.yes, timeout=args.timeout,
                       prewarm=not args.no_prewarm, seed=args.seed, progress=True,
                       experiment=args.experiment, confirm=terminal_confirm, search=args.search,
                       trials=args.trials, objective=args.objective, prune=args.prune, _from_cli=True)
    except KeyboardInterrupt:
        print("dlops: sweep interrupted: running runs were marked killed, finished runs are kept; "
              "run the same command again to resume", file=sys.stderr)
        return 130
    spec = result.sweep.spec if result.sweep else {}
    metric = args.sort_metric or spec.get("objective")
    print(summary(result, metric, minimize=args.minimize or spec.get("direction") == "minimize"))
    failed = len(result.failed)
    pruned = sum(run.status == "pruned" for run in result)
    print(f"sweep {result.sweep.name}: {len(result)} runs, {failed} failed, "
          + (f"{pruned} pruned, {result.skipped} recorded before" if "search" in spec
             else f"{result.skipped} skipped (already finished)"))
    return 8 if failed else 0


def summary(result: Any, metric: str | None, *, minimize: bool = False) -> str:
    """The sweep's runs as a table, best ``metric`` first."""
    runs = list(result)
    if not runs:
        return "no runs"
    metrics = sorted({k for r in runs for k in r.metrics if not k.startswith("sys/")})
    metric = metric or (metrics[0] if metrics else None)
    if metric in metrics:
        metrics.remove(metric)
        metrics.insert(0, metric)
    params = list(dict.fromkeys(k for r in runs for k in r.params))
    varying = [p for p in params if len({repr(r.params.get(p)) for r in runs}) > 1]
    params = varying or params  # the swept parameters; the defaults every run shares add nothing
    ordered = result.sorted_by(metric, descending=not minimize)
    headers = ["run", "status", *params, *metrics[:6], "duration"]
    rows = [[r.run_id[:12], r.status, *[r.params.get(p) for p in params],
             *[(r.metrics[m].last if m in r.metrics else None) for m in metrics[:6]], fmt_duration(r.duration)]
            for r in ordered]
    return table(headers, rows, highlight=[i == 0 and r.status == "finished" for i, r in enumerate(ordered)])


def cmd_reproduce(args: argparse.Namespace) -> int:
    from ..reproduce import reproduce

    report = reproduce(args.run, check_only=args.check_only, allow_data_change=args.allow_data_change,
                       rtol=args.rtol, atol=args.atol)
    if args.json:
        from .output import json_safe, print_json

        print_json(json_safe(report.to_dict()))
    else:
        print(report.render())
    return report.exit_code()
