"""``dlops models``: list model versions, show one's lineage, set an alias."""

from __future__ import annotations

import argparse

from ..errors import UsageError
from .output import fmt_time, json_safe, print_json, table


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "models", help="list models and versions; `models show NAME[@VERSION]`, `models alias NAME@VERSION ALIAS`",
        description="Without arguments: every model version. `show REF` gives a version's lineage "
                    "(run, params, data versions, code); `alias REF ALIAS` points NAME@ALIAS at it.")
    p.add_argument("words", nargs="*", metavar="show REF | alias REF ALIAS",
                   help="REF: NAME (the latest version), NAME@3 or NAME@alias")
    p.add_argument("--where", help="only versions from runs matching this filter (as `dlops runs --where`)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_models)


def cmd_models(args: argparse.Namespace) -> int:
    from ..store import open_store

    store = open_store(create=False)
    words = args.words
    if not words:
        return _list(store, args)
    if words[0] == "show" and len(words) == 2:
        return _show(store, words[1], args.json)
    if words[0] == "alias" and len(words) == 3:
        from ..registry import set_alias

        found = set_alias(store, words[1], words[2])
        print(f"{found['name']}@{words[2]} -> version {found['version']}")
        return 0
    raise UsageError("dlops models takes no argument, `show NAME[@VERSION]` or `alias NAME@VERSION ALIAS`")


def _list(store, args: argparse.Namespace) -> int:
    from ..registry import COLUMNS

    rows = store.read(f"SELECT {', '.join(COLUMNS)} FROM model_version ORDER BY name, version")
    versions = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    if args.where:
        keep = {run.run_id for run in store.search_runs(args.where, None, None)}
        versions = [v for v in versions if v["run_id"] in keep]
    aliases: dict[tuple, list[str]] = {}
    for name, alias, version in store.read("SELECT name, alias, version FROM model_alias ORDER BY alias"):
        aliases.setdefault((name, version), []).append(alias)
    for v in versions:
        v["aliases"] = aliases.get((v["name"], v["version"]), [])
    if args.json:
        print_json(json_safe(versions))
    elif not versions:
        print("no models" + (" match" if args.where else " yet (dl.log_model, or a checkpoint from dl.autolog)"))
    else:
        print(table(["model", "version", "aliases", "flavor", "parameters", "run", "created"],
                    [[v["name"], v["version"], ",".join(v["aliases"]), v["flavor"], v["parameters"],
                      (v["run_id"] or "")[:12], fmt_time(v["created"])] for v in versions]))
    return 0


def _show(store, ref: str, as_json: bool) -> int:
    from ..registry import resolve

    found = resolve(store, ref)
    run_id = found["run_id"]
    run = store.read_one("SELECT name, status, entry_point FROM runs WHERE run_id = ?", (run_id,)) or (None,) * 3
    lineage = {
        **found,
        "run": {"run_id": run_id, "name": run[0], "status": run[1], "entry_point": run[2]},
        "params": dict(store.read("SELECT key, value FROM params WHERE run_id = ?", (run_id,))),
        "data": [{"name": n, "version_id": v, "direction": d} for n, v, d in store.read(
            "SELECT v.name, l.version_id, l.direction FROM data_run_link l JOIN data_version v "
            "ON v.version_id = l.version_id WHERE l.run_id = ?", (run_id,))],
    }
    if as_json:
        print_json(json_safe(lineage))
        return 0
    print(f"{found['name']}@{found['version']}  {found['flavor']}  {found['path']}")
    print(f"  content    {found['content_id']}")
    print(f"  framework  {found['framework_version'] or '-'}   parameters {found['parameters'] or '-'}")
    print(f"  run        {run_id} ({run[0]}, {run[1]})  entry point {run[2] or '-'}")
    for key, value in sorted(lineage["params"].items()):
        print(f"  param      {key} = {value}")
    for item in lineage["data"]:
        print(f"  data       {item['direction']} {item['name']} {item['version_id'][:12]}")
    return 0
