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
