"""``dlops runs``, ``show``, ``compare``, ``best``: looking at runs."""

from __future__ import annotations

import argparse

from .columns import default_columns
from .output import fmt_duration, fmt_time, json_safe, print_json, table

BEST_CONTEXT = 50  # the top runs whose varying params the best run's row shows


def register(subparsers) -> None:
    p = subparsers.add_parser("runs", help="list runs (filter with --where, order with --sort)",
                              description="List runs as a table, newest first.")
    p.add_argument("--where", help="filter, e.g. 'metrics.acc > 0.9 and params.lr < 0.1 and tags.stage = \"prod\"'")
    p.add_argument("--sort", help="field to sort by, e.g. metrics.acc or -start_time (- for descending)")
    p.add_argument("--limit", type=int, default=None, help="show at most N runs (default: 50 on a terminal table)")
    p.add_argument("--columns", help="comma-separated params./metrics./tags. columns to show")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--ids", action="store_true", help="print only run ids, one per line")
    p.set_defaults(func=cmd_runs)

    p = subparsers.add_parser("show", help="the whole record of one run")
    p.add_argument("run", help="run id, unique id prefix, or name (the newest run of that name)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_show)

    p = subparsers.add_parser("compare", help="runs side by side: params, metrics, data, environment, code")
    p.add_argument("runs", nargs="+", metavar="RUN", help="two or more runs")
    p.add_argument("--plot", metavar="FILE.png", help="also draw the metric curves into a PNG")
    p.add_argument("--metric", action="append", help="metric to plot (repeatable; default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_compare)

    p = subparsers.add_parser("best", help="the run with the best value of a metric")
    p.add_argument("--metric", required=True, help="metric name")
    p.add_argument("--min", action="store_true", help="lower is better (default: higher)")
    p.add_argument("--where", help="only among runs matching this filter")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_best)


def _store():
    from ..store import open_store

    return open_store(create=False)


def _get_run(store, ref: str):
    """The run a reference names; a name several runs share means the newest, said on stderr."""
    import sys

    run_id, note = store.resolve_run_ref(ref)
    if note:
        print(f"dlops: {note}", file=sys.stderr)
    return store.get_run(run_id)


def cmd_runs(args: argparse.Namespace) -> int:
    store = _store()
    limit = args.limit if args.limit is not None else (None if args.json or args.ids else 50)
    runs = store.search_runs(args.where, args.sort, limit)
    _warn_unknown_keys(store, args.where)
    if args.ids:
        print("\n".join(r.run_id for r in runs))
        return 0
    if args.json:
        print_json([json_safe(r.to_dict()) for r in runs])
        return 0
    if not runs:
        print("no runs" + (" match" if args.where else " yet"))
        return 0
    print(runs_table(runs, _columns(runs, args.columns)))
    return 0


def _columns(runs, explicit: str | None) -> list[str]:
    if explicit:
        return [check_column(c.strip()) for c in explicit.split(",") if c.strip()]
    return default_columns(runs)


def _warn_unknown_keys(store, where: str | None) -> None:
    """A key no run has (a typo, most likely) is said on stderr, with the closest ones."""
    import sys

    from ..store.keys import unknown_key_notes

    for note in unknown_key_notes(store, where):
        print(f"dlops: {note}", file=sys.stderr)


def check_column(column: str) -> str:
    """``column`` if it names a params./metrics./tags. key or a run attribute; else a
    :class:`UsageError` (never ``getattr`` on a name the user typed: ``__dict__``, ``to_dict``)."""
    from ..errors import UsageError
    from ..models import RUN_COLUMNS

    head, dot, key = column.partition(".")
    if dot and head in ("params", "metrics", "tags") and key:
        return column
    if not dot and (column in RUN_COLUMNS or column == "duration"):
        return column
    raise UsageError(f"unknown column {column!r}; use params.NAME, metrics.NAME, tags.NAME or one of "
                     f"{', '.join((*RUN_COLUMNS, 'duration'))}")


def column_value(run, column: str):
    head, _, key = column.partition(".")
    if head == "params":
        return run.params.get(key)
    if head == "metrics":
        summary = run.metrics.get(key)
        return summary.last if summary else None
    if head == "tags":
        return run.tags.get(key)
    return getattr(run, column, None)


def runs_table(runs, columns: list[str]) -> str:
    headers = ["run", "name", "status", "started", "duration", *columns]
    rows = [[r.run_id[:8], r.name, r.status, fmt_time(r.start_time), fmt_duration(r.duration),
             *[column_value(r, c) for c in columns]] for r in runs]
    return table(headers, rows)


def cmd_show(args: argparse.Namespace) -> int:
    from .show import render_run, run_record

    store = _store()
    run = _get_run(store, args.run)
    record = run_record(store, run)
    if args.json:
        print_json(json_safe(record))
    else:
        print(render_run(record))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare_runs, render_comparison

    store = _store()
    if len(args.runs) < 2:
        from ..errors import UsageError

        raise UsageError("compare needs at least two runs")
    runs = [_get_run(store, ref) for ref in args.runs]
    comparison = compare_runs(store, runs)
    if args.plot:
        from .plot import plot_metrics

        plot_metrics(store, runs, args.plot, args.metric)
    if args.json:
        print_json(json_safe(comparison))
    else:
        print(render_comparison(comparison))
        if args.plot:
            print(f"\nmetric curves written to {args.plot}")
    return 0


def cmd_best(args: argparse.Namespace) -> int:
    from ..errors import NotFoundError

    store = _store()
    sort = f"metrics.`{args.metric}` {'asc' if args.min else 'desc'}"
    _warn_unknown_keys(store, args.where)
    # The sort reads the metric's index and puts the runs without it last, so dropping them
    # here costs nothing; a "metrics.M is not null" filter made SQLite list every run that
    # has M first (1.5 s at 100k runs, issue 20).
    runs = [r for r in store.search_runs(args.where, sort, BEST_CONTEXT) if args.metric in r.metrics]
    if not runs:
        from ..store.keys import closest, known_keys

        near = closest(args.metric, known_keys(store, "metric_summary"))
        hint = f"did you mean {' or '.join(near)}?" if near else "`dlops runs` shows what was logged"
        raise NotFoundError(f"no run has logged the metric '{args.metric}'; {hint}")
    best = runs[0]
    if args.json:
        print_json(json_safe(best.to_dict()))
    else:
        value = best.metrics[args.metric].last
        print(f"best run by {args.metric} ({'min' if args.min else 'max'}): {best.run_id} ({best.name})  {args.metric} = {value:.6g}")
        print(runs_table([best], default_columns(runs, args.metric)))
    return 0
