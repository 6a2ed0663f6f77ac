"""Cells with top-level ``await`` (IPython's autoawait) as plain Python (issue 16).

IPython runs ``await``, ``async for`` and ``async with`` at a cell's top level in its event
loop. The script gives such a cell's code to an ``async def`` whose ``global`` statement names
every name the cell binds, so they stay the script's globals as in the notebook, and runs it
with ``_dlops_await`` (shell_runtime.py): one event loop for the whole script, as IPython keeps
one for the session. A last expression is returned, so it stays the cell's result.
"""

from __future__ import annotations

import ast

from .pysource import indent

AWAIT_HELPER = "_dlops_await"
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_ASYNC = (ast.Await, ast.AsyncFor, ast.AsyncWith)


def has_top_level_await(tree: ast.Module, source: str) -> bool:
    """Whether the cell awaits outside any function (what only IPython accepts)."""
    if "async" not in source and "await" not in source:  # the cheap test for most cells
        return False
    stack: list[ast.AST] = [tree]
    while stack:
        for child in ast.iter_child_nodes(stack.pop()):
            if isinstance(child, _ASYNC) or (isinstance(child, ast.comprehension) and child.is_async):
                return True
            if not isinstance(child, _SCOPES):
                stack.append(child)
    return False


def wrap_async(code: str, tree: ast.Module, defined: frozenset[str], number: int) -> str:
    """The cell as an ``async def`` run by ``_dlops_await``, its bound names kept global.

    Parameters
    ----------
    code : str
        The cell's (translated) code.
    tree : ast.Module
        Its parse.
    defined : frozenset of str
        The names the cell binds at top level.
    number : int
        The cell's number, naming the function.

    Returns
    -------
    str
        The replacement code.
    """
    lines = code.split("\n")
    last = tree.body[-1] if tree.body else None
    returns = isinstance(last, ast.Expr) and last.col_offset == 0
    if returns:
        assert last is not None
        lines[last.lineno - 1] = "return " + lines[last.lineno - 1]
    body = "\n".join(lines)
    name = f"_dlops_cell_{number}"
    head = [f"async def {name}():  # [dlops] top-level await: IPython runs this cell in its event loop"]
    if defined:
        head.append(f"    global {', '.join(sorted(defined))}")
    call = f"_dlops_await({name}())"
    return "\n".join(head) + "\n" + indent(body) + "\n\n\n" + call
