"""``dlops init``, ``sql``, ``doctor`` and ``gc``: the store itself."""

from __future__ import annotations

import argparse

from ..views import VIEW_LIST
from .output import json_safe, print_json, table


def register(subparsers) -> None:
    p = subparsers.add_parser("init", help="create the store (.dlops/ at the project root, or DLOPS_STORE)")
    p.add_argument("path", nargs="?", help="where to create it (default: the project root's .dlops/)")
    p.set_defaults(func=cmd_init)

    p = subparsers.add_parser("sql", help="run one read-only SELECT over the documented views",
                              description=f"Views: {VIEW_LIST} (columns in docs/store.md).")
    p.add_argument("query", help='e.g. "SELECT key, max, count FROM metric_summaries"')
    p.add_argument("--limit", type=int, help="at most N rows")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_sql)

    p = subparsers.add_parser("doctor", help="check that this configuration reaches the database and the objects")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_doctor)

    p = subparsers.add_parser("gc", help="remove objects no run or data version references")
    p.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    p.add_argument("--grace", type=float, default=3600.0, metavar="SECONDS",
                   help="keep unreferenced objects younger than this (default: 3600)")
    p.add_argument("--check", action="store_true",
                   help="remove nothing; verify every object and data version (exit 4 if tampered)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_gc)

    p = subparsers.add_parser("store", help="move a whole store: dlops store copy SRC DEST")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = actions.add_parser("copy", help="copy every run, data version and object into a new, empty store; "
                                        "verified by counts and hashes")
    c.add_argument("source", metavar="SRC", help="a store path or URI (postgresql://...)")
    c.add_argument("dest", metavar="DEST", help="a new store path or URI")
    c.set_defaults(func=cmd_store_copy)


def cmd_init(args: argparse.Namespace) -> int:
    from ..config import default_store_uri
    from ..store import open_store

    store = open_store(args.path or default_store_uri(), create=True)
    print(f"store ready at {store.location} (schema version {store.schema_version()})")
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    import sys

    from ..store import open_store
    from ..store.readonly import MAX_ROWS

    # One row more than shown tells that there were more; memory stays bounded on both stores.
    columns, rows = open_store(create=False).query_readonly(args.query, args.limit or MAX_ROWS + 1)
    if not args.limit and len(rows) > MAX_ROWS:
        rows = rows[:MAX_ROWS]
        print(f"dlops: showing the first {MAX_ROWS:,} rows; add --limit N or a LIMIT clause for another number",
              file=sys.stderr)
    if args.json:
        print_json([json_safe(dict(zip(columns, row, strict=False))) for row in rows])
    elif columns:
        print(table(columns, rows))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """``dlops doctor``: a read/write probe of the database and the objects (issue 19)."""
    from ..errors import StoreError
    from ..store.doctor import diagnose

    checks = diagnose()
    if args.json:
        print_json([vars(check) for check in checks])
    else:
        for check in checks:
            print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name:<8}  {check.detail}")
    failed = [check for check in checks if not check.ok]
    if failed:
        raise StoreError(f"this configuration does not reach the {failed[0].name}: {failed[0].detail}")
    return 0


def cmd_gc(args: argparse.Namespace) -> int:
    from ..store import open_store
    from ..store.gc import collect

    if args.check:
        return cmd_gc_check(args)
    report = collect(open_store(create=False), grace_seconds=args.grace, dry_run=args.dry_run)
    if args.json:
        print_json(json_safe(vars(report)))
        return 0
    verb = "would remove" if args.dry_run else "removed"
    print(f"{report.objects} objects, {report.referenced} referenced; {verb} {len(report.removed)} "
          f"({report.bytes_freed} bytes) and {report.temporary_removed} stale temporary files; "
          f"kept {report.kept_young} unreferenced objects younger than {args.grace:g}s")
    return 0


def cmd_gc_check(args: argparse.Namespace) -> int:
    """``dlops gc --check``: tampered or missing objects and data versions (issue 8)."""
    from ..errors import StoreError
    from ..store import open_store
    from ..store.gc import check

    store = open_store(create=False)
    found = check(store)
    found["data_versions"] = []
    if store._has_table("data_version"):
        from ..data.integrity import all_version_problems

        found["data_versions"] = [f"{vid[:12]}: {p}" for vid, ps in all_version_problems(store).items() for p in ps]
    problems = [f"object {o[:12]} does not match its content" for o in found["corrupt"]]
    problems += [f"object {o[:12]} is referenced but missing" for o in found["missing"]]
    problems += [f"data version {line}" for line in found["data_versions"]]
    if args.json:
        print_json(found)
    else:
        for line in problems:
            print(line)
    if problems:
        raise StoreError(f"the store at {store.location} failed its check ({len(problems)} problems, "
                         f"first: {problems[0]}); restore it from a backup")
    if not args.json:
        print(f"ok: every object and data version in {store.location} is intact")
    return 0


def cmd_store_copy(args: argparse.Namespace) -> int:
    from ..store import open_store
    from ..store.copy import copy_store

    report = copy_store(open_store(args.source, create=False), open_store(args.dest, create=True))
    print(f"copied {sum(report.rows.values())} rows in {len(report.rows)} tables and {report.objects} "
          "objects; counts and hashes match")
    return 0
