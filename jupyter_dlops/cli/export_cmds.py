"""``dlops export NOTEBOOK``: a tagged notebook to a parameterised script.

Imports only the converter (never nbconvert or IPython) so that a whole-process export stays
fast; ``--verify`` loads papermill lazily.
"""

from __future__ import annotations

import argparse
import sys

# json and pathlib load in the handler, not at `dlops --help` (benchmarks/bench_startup.py)


def register(subparsers) -> None:
    """Add ``dlops export`` to the command line."""
    p = subparsers.add_parser(
        "export", help="turn a tagged notebook into a parameterised script (python NB.py --help)",
        description="Export a notebook to a linear percent-format script: 'skip' cells left out, "
                    "the 'parameters' cell turned into command-line flags, magics translated, "
                    "hidden state reported.",
    )
    p.add_argument("notebook", help="the .ipynb file")
    p.add_argument("-o", "--output", metavar="SCRIPT", help="where to write (default: NOTEBOOK.py)")
    p.add_argument("--strict", action="store_true", help="refuse to export when hidden state is found")
    p.add_argument("--force", action="store_true",
                   help="replace the output even where it is a file jupyter-dlops did not write")
    p.add_argument("--verify", action="store_true",
                   help="run the notebook (papermill) and the script with the same parameters and "
                        "compare their metrics and written files; exit 8 on a mismatch")
    p.add_argument("--standalone", action="store_true",
                   help="add no tracking code (no start_run, no --no-track); imports of "
                        "jupyter_dlops in the notebook's own cells stay and are reported")
    p.add_argument("--no-outputs", dest="outputs", action="store_false",
                   help="do not show each cell's last expression and open figures as the notebook "
                        "does, nor record them in the run (display() still prints)")
    p.add_argument("--keep-unknown-magics", action="store_true",
                   help="keep magics without a translation as IPython calls instead of refusing")
    p.add_argument("--strict-shell", action="store_true",
                   help="a failing shell command (!cmd) stops the script; by default it goes on, "
                        "as in IPython, with its exit status in _exit_code")
    p.add_argument("--remove-magic", action="append", default=[], metavar="NAME[=WHY]",
                   help="remove this display-only magic (%%NAME and %%%%NAME) with a note, besides "
                        "the built-in table (%%tensorboard, %%wandb, ...); repeatable")
    p.add_argument("--report", action="store_true", help="also write the report as JSON beside the script")
    p.add_argument("--json", action="store_true", help="print the report as one JSON document")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   default=[], help="a parameter value for both --verify runs (JSON, else text)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="per-cell / per-run time limit for --verify (default: 600)")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """Run the export (and the verification when asked); return the exit status."""
    import json
    from pathlib import Path

    from ..convert import export_notebook

    result = export_notebook(args.notebook, args.output, strict=args.strict,
                             standalone=args.standalone,
                             keep_unknown_magics=args.keep_unknown_magics,
                             strict_shell=args.strict_shell,
                             removed_magics=_removed_magics(args.remove_magic),
                             outputs=args.outputs, force=args.force)
    data = result.report.to_dict()
    status = 0
    if args.verify:
        from ..convert.verify import verify_export

        parameters = {name: _value(text) for name, text in args.parameter}
        verification = verify_export(Path(args.notebook), result.script_path,
                                     parameters=parameters, timeout=args.timeout)
        data["verify"] = verification.to_dict()
        status = 0 if verification.equivalent else 8
    if args.report:
        report_path = result.script_path.with_suffix(".export.json")
        report_path.write_text(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n",
                               encoding="utf-8")
    if args.json:
        json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(result.report.format_text())
        if args.verify:
            print(verification.format_text())
        if args.report:
            print(f"  report: {report_path}")
    return status


def _removed_magics(options: list[str]) -> dict[str, str]:
    from ..errors import UsageError

    table = {}
    for option in options:
        name, _, why = option.partition("=")
        name = name.strip().lstrip("%")
        if not name.isidentifier():
            raise UsageError(f"--remove-magic {option!r}: expected a magic name, e.g. --remove-magic comet")
        table[name] = why.strip() or "display-only magic (--remove-magic)"
    return table


def _value(text: str) -> object:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text
