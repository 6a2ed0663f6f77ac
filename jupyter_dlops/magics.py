"""The IPython extension: ``%load_ext jupyter_dlops``, ``%%track`` and ``%dlops ...``.

A thin adapter: it parses magic arguments (bad ones raise IPython's ``UsageError``, shown on
one line), runs the cell, and hands everything else to :mod:`jupyter_dlops.tracking.cells`
and :mod:`jupyter_dlops.tracking.session`.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .errors import DlopsError
from .tracking import session
from .tracking.cells import NO_RESULT, CellOptions, CellTracker
from .tracking.paramcell import cell_parameters, is_parameters_cell

# Only cells that contain IPython syntax pay for IPython's input transformers.
_IPYTHON_SYNTAX = re.compile(r"^\s*[%!]|\?\s*$|^\s*\w+\s*=\s*[%!]", re.M)
_OWN_CELL = re.compile(r"\s*(%%track\b|%dlops\b|%(re)?load_ext\s+jupyter_dlops|%unload_ext\s+jupyter_dlops)")
COMMANDS = ("status", "new-run", "end", "state", "track-all", "track-none", "flush", "autolog")


class Extension:
    """Per-shell state: the tracker, the current cell's id, and track-all mode."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.tracker: CellTracker | None = None
        self.track_all = False
        self.cell_id: str | None = None
        self.raw_cell: str | None = None
        self.pending: Any = None
        self.cell_params: dict[str, Any] | None = None
        self.problem: str | None = None

    # -- run -------------------------------------------------------------------------------
    def start(self, *, new: bool = False) -> None:
        try:
            run = session.start_notebook_run(self.shell.user_ns, new=new)
            if self.tracker is None:
                self.tracker = CellTracker(run, notebook_path=session.notebook_path(self.shell.user_ns))
            elif self.tracker.run is not run:
                self.tracker.switch_run(run)
            self.problem = None
        except DlopsError as error:
            self.problem = error.message
            print(f"dlops: cannot start tracking ({error.message}); cells run untracked")

    def follow(self, run: Any) -> None:
        """Record into ``run`` from now on (a new run started by ``%dlops new-run`` or by a
        parameter panel)."""
        if _extensions.get(id(self.shell)) is not self:  # unloaded since: nothing to follow
            return
        if self.tracker is None:
            self.tracker = CellTracker(run, notebook_path=session.notebook_path(self.shell.user_ns))
        elif self.tracker.run is not run:
            self.tracker.switch_run(run)
        self.problem = None

    @property
    def run(self) -> Any:
        run = self.tracker.run if self.tracker is not None else None
        return None if run is None or run.ended else run

    @property
    def live(self) -> CellTracker | None:
        """The tracker, if it has a run that is still open."""
        return self.tracker if self.run is not None else None

    def say(self) -> None:
        if self.tracker is not None:
            for notice in self.tracker.take_notices():
                print(f"dlops: {notice}")

    # -- IPython events ----------------------------------------------------------------------
    def pre_run_cell(self, info: Any) -> None:
        self.cell_id = getattr(info, "cell_id", None)
        self.raw_cell = getattr(info, "raw_cell", None)
        self.cell_params = self._guard(self.parameters_cell) if self.cell_id and self.raw_cell else None
        tracker = self.live
        if (self.track_all and tracker is not None and not getattr(info, "silent", False)
                and self.raw_cell and not _OWN_CELL.match(self.raw_cell)):
            raw, shell = self.raw_cell, self.shell
            self.pending = self._guard(lambda: tracker.begin(
                raw, transform(shell, raw), shell.user_ns, cell_id=self.cell_id,
                execution_count=cell_number(shell)))

    def post_run_cell(self, result: Any) -> None:
        params, self.cell_params = self.cell_params, None
        if params and not result.error_in_exec and not result.error_before_exec:
            self._guard(lambda: self.record_parameters(params))
        if self.pending is None or self.tracker is None:
            return
        pending, self.pending = self.pending, None
        error = result.error_in_exec or result.error_before_exec
        value = result.result if result.result is not None else NO_RESULT
        tracker = self.tracker
        self._guard(lambda: tracker.finish(pending, self.shell.user_ns, error=error, result=value))
        self.say()

    def parameters_cell(self) -> dict[str, Any] | None:
        """The literal assignments of the cell tagged ``parameters`` about to run, recorded as
        the run's params after it ran, tracked or not (issue 15). Values other than those the
        run logged metrics with start a new run first, so the cell's own record goes there."""
        run = self.run
        if run is None or not is_parameters_cell(session.notebook_path(self.shell.user_ns), self.cell_id):
            return None
        params = cell_parameters(self.raw_cell or "", lambda body: transform(self.shell, body))
        if params:
            note = session.renew_if_changed(run, params, self.shell.user_ns)
            if note:
                print(f"dlops: {note}")
        return params or None

    def record_parameters(self, params: dict[str, Any]) -> None:
        run = self.run
        if run is not None:
            try:
                run.log_params(params)
            except DlopsError as problem:
                print(f"dlops: parameters not recorded ({problem.message})")

    # -- %%track -----------------------------------------------------------------------------
    def run_tracked(self, line: str, body: str, options: CellOptions) -> Any:
        __tracebackhide__ = True  # noqa: F841 (IPython hides this frame from tracebacks)
        tracker = self.live
        if tracker is None:
            if self.problem is None:
                print("dlops: no active run (ended with %dlops end); this cell runs untracked. "
                      "Use %dlops new-run to record again.")
            return execute(self.shell, transform(self.shell, body))
        raw = self.raw_cell if self.raw_cell and body.strip() in self.raw_cell else f"%%track {line}\n{body}"
        code = transform(self.shell, body)
        shell = self.shell
        execution = self._guard(lambda: tracker.begin(
            raw, code, shell.user_ns, options=options, cell_id=self.cell_id,
            execution_count=cell_number(shell)))
        if execution is None:
            return execute(shell, code)
        error, value = None, NO_RESULT
        try:
            value = execute(shell, code)
            return value
        except BaseException as exc:
            error = exc
            raise
        finally:
            self._guard(lambda: tracker.finish(execution, shell.user_ns, error=error, result=value))
            self.say()

    def _guard(self, action: Any) -> Any:
        """Run a tracking step; a bug in it must never break the user's cell (said once)."""
        try:
            return action()
        except Exception as error:  # noqa: BLE001 (any failure of ours: report, keep going)
            if not self.problem:
                self.problem = f"{type(error).__name__}: {error}"
                print(f"dlops: tracking failed on this cell ({self.problem}); the cell ran, "
                      "untracked. Please report this.")
            return None


def cell_number(shell: Any) -> int:
    """The running cell's ``In[n]``: IPython 9 counts up before running a cell, 8 after, and
    the display hook's ``prompt_count`` is right in both."""
    return int(getattr(shell.displayhook, "prompt_count", shell.execution_count))


def transform(shell: Any, source: str) -> str:
    """Plain Python for a cell that may hold magics or shell escapes."""
    if _IPYTHON_SYNTAX.search(source):
        return shell.transform_cell(source)
    return source


def execute(shell: Any, code: str) -> Any:
    """Run ``code`` in the user namespace; the value of a final expression is returned, as
    IPython shows it (a trailing ``;`` hides it)."""
    __tracebackhide__ = True  # noqa: F841
    filename = shell.compile.cache(code, shell.execution_count, raw_code=code)
    tree = ast.parse(code, filename)
    if _has_top_level_await(tree):
        raise UsageError("%%track cannot run top-level await; move the awaits into an async "
                         "function and run it with asyncio, or leave this cell untracked")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    flags = shell.compile.flags
    exec(compile(tree, filename, "exec", flags=flags, dont_inherit=True),
         shell.user_global_ns, shell.user_ns)
    if not isinstance(last, ast.Expr):
        return None
    value = eval(compile(ast.Expression(last.value), filename, "eval", flags=flags,
                         dont_inherit=True), shell.user_global_ns, shell.user_ns)
    return None if code.rstrip().endswith(";") else value


def _has_top_level_await(tree: ast.Module) -> bool:
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if not isinstance(node, scopes):
            todo.extend(ast.iter_child_nodes(node))
    return False


@magics_class
class DlopsMagics(Magics):
    """``%%track`` and ``%dlops``."""

    def __init__(self, shell: Any, extension: Extension) -> None:
        super().__init__(shell)
        self.extension = extension
        self._options: dict[str, CellOptions] = {}

    @magic_arguments()
    @argument("--name", help="a stable name for this cell (its identity across edits)")
    @argument("--params", action="store_true",
              help="record every literal assignment in the cell as a run parameter")
    @argument("--no-data", action="store_true", help="do not watch the files the cell opens")
    @cell_magic
    def track(self, line: str, cell: str) -> Any:
        """Run the cell and record it: source, names read and written, fingerprints,
        parameters, data files, metrics, outputs and errors."""
        __tracebackhide__ = True  # noqa: F841
        options = self._options.get(line)
        if options is None:  # argparse costs ~0.1 ms: parse each distinct line once
            args = parse_argstring(self.track, line)
            options = CellOptions(name=args.name, params=args.params, data=not args.no_data)
            self._options[line] = options
        return self.extension.run_tracked(line, cell, options)

    @magic_arguments()
    @argument("command", nargs="?", default="status",
              help="status | new-run [NAME] | end | state | track-all | track-none | flush | autolog [FRAMEWORK...]")
    @argument("rest", nargs="*", help="the new run's name, for new-run; frameworks, for autolog")
    @line_magic
    def dlops(self, line: str) -> Any:
        """Manage the notebook's run: status, new-run, end, state, track-all, track-none."""
        args = parse_argstring(self.dlops, line)
        if args.command not in COMMANDS:
            raise UsageError(f"unknown %dlops command '{args.command}'; use one of {', '.join(COMMANDS)}")
        return dispatch(self.extension, args.command, args.rest)


def dispatch(extension: Extension, command: str, rest: list[str]) -> Any:
    """Run one ``%dlops`` command; prints its report (returns nothing to display)."""
    from .tracking import report

    if command == "autolog":
        return _autolog(rest)
    if command == "end":
        if extension.live is not None:
            extension.live.flush()
            session.close_notebook_run(extension.run)
        print("dlops: run ended; %%track cells now run untracked until %dlops new-run")
        return None
    if command == "new-run":
        if extension.live is not None:
            extension.live.flush()
        try:  # the tracker and parameter panels follow (Extension.follow)
            session.new_notebook_run(extension.shell.user_ns, " ".join(rest) or None)
        except DlopsError as error:
            extension.problem = error.message
            print(f"dlops: cannot start tracking ({error.message}); cells run untracked")
        command = "status"
    if command in ("track-all", "track-none"):
        extension.track_all = command == "track-all"
        print("dlops: every cell is tracked now" if extension.track_all
              else "dlops: only %%track cells are tracked now")
        return None
    if extension.tracker is None:
        raise UsageError(extension.problem or "tracking is not running; %load_ext jupyter_dlops")
    if command == "flush":
        extension.tracker.flush()
    if command == "state":
        print(report.state_text(extension.tracker.state(extension.shell.user_ns)))
    else:
        print(report.status_text(extension.tracker, track_all=extension.track_all))
    extension.say()
    return None


def _autolog(frameworks: list[str]) -> None:
    """``%dlops autolog [FRAMEWORK...]``: ``dl.autolog()`` for the named (default: all) frameworks."""
    from .integrations import autolog

    try:
        enabled = autolog(frameworks or None)
    except DlopsError as error:
        raise UsageError(error.message) from None
    print(f"dlops: autolog on for {', '.join(enabled)}" if enabled
          else "dlops: autolog found none of its frameworks installed")


_extensions: dict[int, Extension] = {}


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and start (or resume) the notebook's run."""
    extension = _extensions.get(id(ipython))
    if extension is None:
        extension = _extensions[id(ipython)] = Extension(ipython)
        ipython.register_magics(DlopsMagics(ipython, extension))
        ipython.events.register("pre_run_cell", extension.pre_run_cell)
        ipython.events.register("post_run_cell", extension.post_run_cell)
        session.follow_new_runs(extension.follow)
    if extension.run is None:
        extension.start()
    if extension.run is not None:
        print(f"dlops: tracking into run {extension.run.run_id[:12]} "
              f"({extension.run.info.name}); %%track a cell to record it")


def unload_ipython_extension(ipython: Any) -> None:
    """Stop tracking: queued records are written; the run stays open (and resumable)."""
    extension = _extensions.pop(id(ipython), None)
    if extension is None:
        return
    ipython.events.unregister("pre_run_cell", extension.pre_run_cell)
    ipython.events.unregister("post_run_cell", extension.post_run_cell)
    if extension.tracker is not None:
        extension.tracker.close()


def extension_for(ipython: Any) -> Extension | None:
    """The extension state of a shell (None if not loaded)."""
    return _extensions.get(id(ipython))
