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
    "jupyter_dlops.cli.data_cmds",
    "jupyter_dlops.cli.export_cmds",
    "jupyter_dlops.cli.run_cmds",
    "jupyter_dlops.cli.models_cmds",
    "jupyter_dlops.cli.mlflow_cmds",
)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter without its ``import shutil`` (which drags in bz2 and lzma, a few
    ms of every ``dlops`` start: argparse builds a formatter for every ``add_argument``)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    import os

    try:
        return int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.__stdout__.fileno()).columns
    except (ValueError, OSError, AttributeError):
        return 80


class _Parser(argparse.ArgumentParser):
    """Every (sub-)parser uses :class:`_HelpFormatter` unless told otherwise; sub-parsers
    inherit this class through ``add_subparsers``."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``dlops`` parser; given the ``command`` about to run, only the modules up to the
    one that registers it (a whole parser is ~140 arguments: 10-20 ms of every start)."""
    parser = _Parser(
        prog="dlops",
        description="Experiment tracking, notebook export and sweeps for Jupyter.",
        epilog="Store: DLOPS_STORE (a path or URI) overrides the .dlops/ folder at the project root.",
    )
    parser.add_argument("--version", action="version", version=f"jupyter-dlops {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
        if command is not None and command in subparsers.choices:
            break
    return parser


VALUE_MAY_START_WITH_DASH = ("--sort",)


def _join_dash_values(argv: list[str]) -> list[str]:
    """``--sort -metrics.acc`` means descending order, not an unknown option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in VALUE_MAY_START_WITH_DASH and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Run one ``dlops`` command; returns its exit status. Everything it prints to the
    terminal has its control characters escaped (:mod:`.terminal`)."""
    from .terminal import escaped_output

    with escaped_output():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:2] == ["export", "mlflow"]:  # `dlops export NOTEBOOK` keeps its plain form
        words = ["export-mlflow", *words[2:]]
    parser = build_parser(words[0] if words and not words[0].startswith("-") else None)
    args = parser.parse_args(_join_dash_values(words))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        if code == 130 and argv is None:  # Ctrl-C handled by the command (a sweep)
            _leave_now(code)
        return code
    except DlopsError as error:
        print(f"dlops: error: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # before OSError, its base: `dlops show RUN | head` read all it wanted
        from .terminal import silence_stdout

        silence_stdout()
        return 0
    except OSError as error:  # a file problem we did not anticipate: still one clear line
        where = f": {error.filename}" if error.filename else ""
        print(f"dlops: error: {error.strerror or error}{where}; check the path and its permissions",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dlops: interrupted", file=sys.stderr)
        if argv is None:
            _leave_now(130)
        return 130


def _leave_now(code: int) -> None:
    """Exit at once after Ctrl-C, skipping the interpreter's teardown: with kernels just
    killed, ZMQ contexts and worker threads held it for seconds on a loaded machine, and a
    sweep must stop within 2 s (issue 14). Exit handlers (buffered metrics) still run."""
    import atexit
    import contextlib
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def run() -> None:  # pragma: no cover - console-script shim
    try:
        status = main()
    except SystemExit as done:  # --help, or argparse refusing an option
        status = done.code
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `dlops --help | head -1`
        from .terminal import silence_stdout

        silence_stdout()
    sys.exit(status)
