"""What the notebook showed, the script shows (issue 16, "Displayed results are kept").

In IPython a cell's last expression is displayed unless it ends with ``;``; ``display(...)``
shows any value; the inline backend shows, then closes, every figure a cell leaves open. The
exported script does the same in a terminal: each code cell starts with ``_dlops_cell(N)`` (N is
the notebook's cell number), a displayed last expression becomes ``_dlops_show(expr)`` (evaluated
once, as before), and a generated cell defines both, with ``display`` for plain ``python``. When
the run is tracked, :mod:`jupyter_dlops.tracking.outputs` records every shown value in it.
``--standalone`` scripts only print; ``--no-outputs`` scripts only get ``display``.
"""

from __future__ import annotations

import ast
import re

CELL_MARKER = "_dlops_cell"
SHOW = "_dlops_show"
# Calls that always return None: wrapping them would show nothing and only clutter the script.
_RETURNS_NONE = frozenset({"print", "display", SHOW})  # and an exported script's, exported again

_MARKED = re.compile(rf"^{CELL_MARKER}\(\d+\)\n")

_PRINTER = '''\
# jupyter-dlops: what the notebook shows, the script shows: each cell's last expression,
# display(...) and the figures a cell leaves open are printed (repr, shortened){recorded}.
# Export with --no-outputs to leave this out.
class _DlopsOutputs:
    def __init__(self, recorder=None):
        self.recorder = recorder

    def cell(self, number):
        import atexit

        self.figures()  # the previous cell's, shown then closed as Jupyter's inline backend does
        if self.recorder is not None:
            self.recorder.cell(number)
        atexit.unregister(self.figures)  # re-registered: runs before the run's own exit handler
        atexit.register(self.figures)

    def show(self, value):
        if value is not None:
            self.display(value)

    def display(self, *values, **options):
        for value in values:
            text = repr(value)
            if self.recorder is None or self.recorder.record(value, text):
                print(self.shorten(text), flush=True)

    def figures(self):
        pyplot = __import__("sys").modules.get("matplotlib.pyplot")  # never imports matplotlib
        if pyplot is not None:
            for number in pyplot.get_fignums():
                self.display(pyplot.figure(number))
            pyplot.close("all")

    @staticmethod
    def shorten(text, lines=40, width=4000):
        if len(text) <= width and len(text.splitlines()) <= lines:
            return text
        kept = "\\n".join(text[:width].splitlines()[:lines])
        return f"{{kept}}\\n... (shortened: {{len(text.splitlines())}} lines, {{len(text)}} characters)"


def _dlops_outputs():
    import sys

    if "ipykernel" in sys.modules and "__file__" not in globals():
        return (lambda number: None), (lambda value: value), None  # IPython shows results itself
{recorder}


_dlops_cell, _dlops_show, _dlops_display = _dlops_outputs()
try:
    display
except NameError:  # IPython's display(), for plain python
    display = _dlops_display'''

_TRACKED_RECORDER = '''\
    try:
        from jupyter_dlops.tracking.outputs import OutputRecorder
    except ImportError:  # the script also runs where jupyter-dlops is not installed
        OutputRecorder = None
    outputs = _DlopsOutputs(OutputRecorder() if OutputRecorder is not None else None)
    return outputs.cell, outputs.show, outputs.display'''

_PRINT_ONLY = '''\
    outputs = _DlopsOutputs()
    return outputs.cell, outputs.show, outputs.display'''

DISPLAY_ONLY = '''\
# jupyter-dlops: IPython's display(), for plain python (exported with --no-outputs: printed only).
try:
    display
except NameError:
    def display(*values, **options):
        for value in values:
            print(repr(value))'''


def outputs_cell(*, record: bool) -> str:
    """The generated cell that defines ``_dlops_cell``, ``_dlops_show`` and ``display``.

    Parameters
    ----------
    record : bool
        Hand every shown value to jupyter-dlops's recorder when it is installed; false for
        ``--standalone`` scripts, which never import jupyter_dlops.

    Returns
    -------
    str
        Python source, without a trailing newline.
    """
    recorded = " and, when the run\n# is tracked, recorded in it (outputs/cell-N/)" if record else ""
    return _PRINTER.format(recorded=recorded, recorder=_TRACKED_RECORDER if record else _PRINT_ONLY)


def with_outputs(code: str, tree: ast.Module, original: str, number: int, *, show: bool = True) -> str:
    """A cell's code with its cell marker first and its displayed last expression shown.

    Parameters
    ----------
    code : str
        The cell's code after magic translation; ``tree`` is its parse.
    tree : ast.Module
        The parse of ``code``.
    original : str
        The cell's source as written in the notebook: only an expression the user wrote is
        shown (never one a magic's translation produced).
    number : int
        The notebook's cell number.
    show : bool
        Show the last expression (false for the parameters cell).

    Returns
    -------
    str
        The code to write in the script.
    """
    shown = _rebind_display(_show_last_expression(code, tree, original) if show else code, tree)
    if _MARKED.match(shown):  # a script read back as a notebook, exported again
        shown = _MARKED.sub("", shown, count=1)
    return f"{CELL_MARKER}({number})\n{shown}"


def _show_last_expression(code: str, tree: ast.Module, original: str) -> str:
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or _returns_none(last.value):
        return code
    segment = ast.get_source_segment(code, last)
    if not segment or segment not in original:
        return code  # a translation's code (subprocess.run for `!cmd`...): IPython shows nothing
    lines = code.splitlines(keepends=True)
    start = _char_offset(lines, last.lineno, last.col_offset)
    end = _char_offset(lines, last.end_lineno or last.lineno, last.end_col_offset or 0)
    rest = code[end:]
    if _is_quiet(rest) or not _only_users_comments(rest, original):
        return code
    return f"{code[:start]}{SHOW}({code[start:end]}){rest}"


def _rebind_display(code: str, tree: ast.Module) -> str:
    """After ``from IPython.display import display``: outside a kernel IPython's display()
    prints ``str(value)`` and keeps nothing; the script's shows the repr, as the notebook does."""
    lines = code.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("IPython") and any(
                alias.name == "display" and alias.asname in (None, "display") for alias in node.names):
            end = node.end_lineno or node.lineno
            if lines and not lines[end - 1].endswith("\n"):
                lines[end - 1] += "\n"
            lines.insert(end, "display = _dlops_display or display  # [dlops] shown as in the notebook\n")
    return "".join(lines)


def _returns_none(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _RETURNS_NONE


def _char_offset(lines: list[str], lineno: int, col_bytes: int) -> int:
    """The character offset in the code of an AST position (columns count UTF-8 bytes)."""
    before = sum(len(line) for line in lines[: lineno - 1])
    return before + len(lines[lineno - 1].encode("utf-8")[:col_bytes].decode("utf-8", "replace"))


def _is_quiet(rest: str) -> bool:
    """``x;`` shows nothing in IPython: the cell's last token is a semicolon."""
    first_line = rest.split("\n", 1)[0]
    return first_line.split("#", 1)[0].strip().startswith(";")


def _only_users_comments(rest: str, original: str) -> bool:
    """After the expression only the user's own comments: a removed magic there (a ``# [dlops]``
    note) was IPython's last statement, and a magic's result is not shown."""
    written = {line.strip() for line in original.splitlines()}
    return all(not line.strip() or line.strip() in written for line in rest.splitlines()[1:])
