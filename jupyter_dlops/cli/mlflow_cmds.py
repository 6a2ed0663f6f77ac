"""``dlops import mlflow``: bring runs over from an MLflow tracking store (issue 19)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help="import runs from another tracker (mlflow)")
    sources = p.add_subparsers(dest="source", metavar="SOURCE", required=True)
    m = sources.add_parser("mlflow", help="every run of an MLflow tracking store; a second import adds nothing")
    m.add_argument("uri", metavar="PATH_OR_URI", help="an mlruns folder or a tracking URI (file:, http://, sqlite:///)")
    m.add_argument("--no-artifacts", action="store_true", help="leave the runs' artifacts behind")
    m.add_argument("--json", action="store_true", help="print one JSON document")
    m.set_defaults(func=cmd_import_mlflow)
    register_export(subparsers)


def cmd_import_mlflow(args: argparse.Namespace) -> int:
    import json

    from ..bridge.mlflow_import import describe, import_mlflow
    from ..store import open_store

    store = open_store(create=True)
    summary = describe(import_mlflow(store, args.uri, artifacts=not args.no_artifacts))
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"imported {summary['imported']} runs ({summary['metric_values']} metric values, "
              f"{summary['artifacts']} artifacts); {summary['skipped']} already here")
    return 0


def register_export(subparsers) -> None:
    """``dlops export mlflow`` (reached through ``export``, whose first argument is a notebook)."""
    p = subparsers.add_parser("export-mlflow", prog="dlops export mlflow",
                              description="Write runs into an MLflow tracking store; a second export adds nothing.")
    p.add_argument("items", nargs="+", metavar="RUN... DEST",
                   help="run ids (or none with --where), then an mlruns folder or a tracking URI")
    p.add_argument("--where", help="export the runs matching this filter instead of listing them")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_export_mlflow)


def cmd_export_mlflow(args: argparse.Namespace) -> int:
    import json

    from ..bridge.mlflow_export import export_mlflow
    from ..errors import UsageError
    from ..store import open_store

    *refs, dest = args.items
    if bool(refs) == bool(args.where):
        raise UsageError("give run ids or --where (not both), then the MLflow destination")
    store = open_store(create=False)
    run_ids = store.search_run_ids(args.where) if args.where else [store.resolve_run(r) for r in refs]
    report = export_mlflow(store, run_ids, dest)
    if args.json:
        print(json.dumps({"exported": report.exported, "skipped": report.skipped}))
    else:
        print(f"exported {len(report.exported)} runs to {dest}; {len(report.skipped)} already there")
    return 0
