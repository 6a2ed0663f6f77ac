"""The ``dlops`` command line: one entry point, sub-commands registered by small modules.

Each module in ``COMMAND_MODULES`` exposes ``register(subparsers)``, which adds its
sub-commands and sets ``func`` on each parser to a handler ``(args) -> int``. Handlers import
what they need lazily so that ``dlops --help`` stays fast. Every handler error that is a
:class:`~jupyter_dlops.errors.DlopsError` becomes one line on stderr and its exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .._version import __version__
from ..errors import DlopsError

COMMAND_MODULES = (
    "jupyter_dlops.cli.store_cmds",
    "jupyter_dlops.cli.runs_cmds",
    "jupyter_dlops.cli.run_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlops",
        description="Experiment tracking, notebook export and sweeps for Jupyter.",
        epilog="Store: DLOPS_STORE (a path or URI) overrides the .dlops/ folder at the project root.",
    )
    parser.add_argument("--version", action="version", version=f"jupyter-dlops {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except DlopsError as error:
        print(f"dlops: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("dlops: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:  # pragma: no cover - console-script shim
    sys.exit(main())
