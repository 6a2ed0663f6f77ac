"""``dlops data add|list|show|verify|diff|checkout|log|query``: immutable data versions."""

from __future__ import annotations

import argparse
import sys

from .output import fmt_time, json_safe, print_json, table

# typing is for checkers only: `dlops --help` imports this module (benchmarks/bench_startup.py)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(subparsers) -> None:
    data = subparsers.add_parser("data", help="immutable, content-addressed data versions")
    sub = data.add_subparsers(dest="data_command", metavar="ACTION")
    data.set_defaults(func=lambda args: _help(data))
    _register_add(sub)
    p = _parser(sub, "list", "the data versions, newest first", cmd_list)
    p.add_argument("--name", help="only the versions recorded under this name")
    p.add_argument("--limit", type=int, help="at most N versions")
    p = _parser(sub, "show", "one version: its record and files", cmd_show)
    p.add_argument("version", help="a version id, unique id prefix, or name (its newest version)")
    p.add_argument("--files", action="store_true", help="list every file (default: the first 20)")
    p = _parser(sub, "verify", "compare a version with its data on disk (exit 6 if it differs)", cmd_verify)
    p.add_argument("version", help="a version id, unique id prefix, or name")
    p.add_argument("--rehash", action="store_true", help="re-read every file, ignoring the stat cache")
    p = _parser(sub, "diff", "files added, removed and modified between two versions", cmd_diff)
    p.add_argument("old", help="the first version")
    p.add_argument("new", help="the second version")
    p = _parser(sub, "checkout", "write a version added with --store-content into a new folder", cmd_checkout)
    p.add_argument("version", help="a version id, unique id prefix, or name")
    p.add_argument("dir", help="the folder to create (must not exist, or be empty)")
    p = _parser(sub, "log", "the versions of a named dataset over time", cmd_log)
    p.add_argument("name", help="the dataset name given to `dlops data add --name`")
    _register_query(sub)


def _parser(sub, name: str, help_text: str, func) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=func)
    return p


def _register_add(sub) -> None:
    p = _parser(sub, "add", "hash a folder or file into an immutable version; prints its id", cmd_add)
    p.add_argument("path", help="a data folder (every file under it) or one file")
    p.add_argument("--name", help="a dataset name (`dlops data log NAME` lists its versions)")
    p.add_argument("--meta", metavar="TABLE", help="a metadata table (.csv, .tsv, .parquet), one row per item")
    p.add_argument("--path-column", help="the table's column holding file paths (default: path/file/filename)")
    p.add_argument("--store-content", action="store_true",
                   help="also copy the bytes into the store (reflinks where the file system has them, else verified copies), "
                        "so that the version can be checked out")


def _register_query(sub) -> None:
    p = _parser(sub, "query", "the items of a version whose metadata match a WHERE clause", cmd_query)
    p.add_argument("version", help="a version id, unique id prefix, or name")
    p.add_argument("where", help="a WHERE clause over the metadata columns, e.g. "
                                 "\"temperature > 22 AND label = 'awake'\" (quote odd names: \"order\")")
    p.add_argument("--save", metavar="NAME", help="record the matching items as a new version named NAME")
    p.add_argument("--columns", action="store_true", help="print every metadata column, not only paths")


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _store(create: bool = False):
    from ..store import open_store

    return open_store(create=create)


def human(size: int | None) -> str:
    """Bytes for people: 1.5 MB."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover


def cmd_add(args: argparse.Namespace) -> int:
    from .. import data

    result = data.add(args.path, name=args.name, meta=args.meta, path_column=args.path_column,
                      store_content=args.store_content, store=_store(create=True))
    if args.json:
        print_json(result)
        return 0
    print(result["id"])
    state = "new version" if result["created"] else "unchanged, same version"
    print(f"{state}: {result['files']} files, {human(result['bytes'])}; hashed {result['files_hashed']} "
          f"files ({human(result['bytes_read'])} read) in {result['seconds']:.2f}s", file=sys.stderr)
    return 0


def _rows(versions: list[dict[str, Any]]) -> list[list[Any]]:
    return [[v["id"][:12], v["name"] or "-", v["file_count"], human(v["total_bytes"]),
             "yes" if v["has_content"] else "no", v["meta_rows"] if v["meta_rows"] is not None else "-",
             (v["parent_id"] or "-")[:12], fmt_time(v.get("recorded") or v["created"])] for v in versions]


HEADERS = ["version", "name", "files", "size", "content", "meta rows", "parent", "created"]


def cmd_list(args: argparse.Namespace) -> int:
    from .. import data

    versions = data.list_versions(args.name, limit=args.limit, store=_store())
    if args.json:
        print_json(json_safe(versions))
    elif versions:
        print(table(HEADERS, _rows(versions)))
    else:
        print("no data versions yet; `dlops data add PATH` records one", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .. import data

    version = data.show(args.version, store=_store())
    if args.json:
        print_json(json_safe(version))
        return 0
    for key in ("id", "names", "source_path", "created", "file_count", "total_bytes", "has_content",
                "meta_rows", "meta_path_column", "parent_id", "query"):
        value = version[key]
        value = fmt_time(value) if key == "created" else ", ".join(value) if key == "names" else value
        print(f"{key:17} {value if value not in (None, '') else '-'}")
    for run in version["runs"]:
        print(f"{'run':17} {run['run_id']} ({run['direction']})")
    files = version["files"] if args.files else version["files"][:20]
    print(table(["path", "size", "hash"], [[f["path"], f["size"], f["hash"][:16]] for f in files]))
    if len(files) < len(version["files"]):
        print(f"... {len(version['files']) - len(files)} more (--files lists all)")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .. import data
    from ..errors import DataChangedError

    result = data.verify(args.version, rehash=args.rehash, store=_store())
    if args.json:
        print_json(result)
        return 0 if result["ok"] else DataChangedError.exit_code
    for item in result["changed"]:
        print(f"changed   {item['path']!r} ({human(item['old_size'])} -> {human(item['new_size'])})")
    for key in ("appeared", "vanished"):
        for item in result[key]:
            print(f"{key:9} {item['path']!r} ({human(item['size'])})")
    if result["ok"]:
        print(f"ok: {result['path']} matches data version {result['id'][:12]}")
        return 0
    if result.get("tampered"):
        raise DataChangedError(f"data version {result['id'][:12]} was tampered with in the store: "
                               f"{'; '.join(result['tampered'])}; restore the store from a backup")
    counts = ", ".join(f"{len(result[k])} {k}" for k in ("changed", "appeared", "vanished"))
    raise DataChangedError(f"{result['path']} differs from data version {result['id'][:12]} "
                           f"({counts}); add it again to record a new version")


def cmd_diff(args: argparse.Namespace) -> int:
    from .. import data

    result = data.diff(args.old, args.new, store=_store())
    if args.json:
        print_json(result)
        return 0
    for item in result["added"]:
        print(f"added     {item['path']!r} ({human(item['size'])})")
    for item in result["removed"]:
        print(f"removed   {item['path']!r} ({human(item['size'])})")
    for item in result["modified"]:
        print(f"modified  {item['path']!r} ({human(item['old_size'])} -> {human(item['new_size'])})")
    print(f"{len(result['added'])} added, {len(result['removed'])} removed, "
          f"{len(result['modified'])} modified, {result['unchanged']} unchanged")
    return 0


def cmd_checkout(args: argparse.Namespace) -> int:
    from .. import data

    result = data.checkout(args.version, args.dir, store=_store())
    if args.json:
        print_json(result)
    else:
        print(f"checked out {result['id'][:12]} into {result['path']} ({result['files']} files, "
              f"{human(result['bytes'])})")
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    from .. import data

    versions = data.log(args.name, store=_store())
    if args.json:
        print_json(json_safe(versions))
    else:
        print(table(HEADERS, _rows(versions)))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from .. import data

    result = data.query(args.version, args.where, save=args.save, store=_store())
    if args.json:
        print_json(json_safe(result))
        return 0
    column = result["path_column"]
    if args.columns and result["items"]:
        print(table(list(result["items"][0]), [list(i.values()) for i in result["items"]]))
    else:
        for item in result["items"]:
            path = str(item[column])
            print(path if path.isprintable() else repr(path))  # one line per item, always
    print(f"{result['count']} of {result['total']} items match ({result['seconds'] * 1000:.0f} ms)",
          file=sys.stderr)
    if "saved" in result:
        saved = result["saved"]
        print(f"saved as {saved['name']}: data version {saved['id']}", file=sys.stderr)
    return 0
