"""Errors Python reports only when compiling, not when parsing (``ast.parse`` accepts them).

``return 5`` in a cell parses, yet the script would not compile. Compiling the whole script
costs as much again as the rest of the export, so this walks the statements instead and finds
the compile-only errors a notebook cell can hold: ``return``/``yield``/``await`` outside a
function, ``break``/``continue`` outside a loop, ``nonlocal`` at module level, and
``from __future__`` imports (which must open the file, where the generated code may stand).
"""

from __future__ import annotations

import ast

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def compile_error(tree: ast.Module, source: str) -> tuple[int, str] | None:
    """``(line, message)`` of the first compile-only error in a parsed cell, or None."""
    found = _statements(tree.body, in_function=False, in_loop=False)
    if found is None and ("yield" in source or "await" in source):
        found = _outside_function(tree)
    return found


def _statements(body: list[ast.stmt], *, in_function: bool, in_loop: bool) -> tuple[int, str] | None:
    for statement in body:
        found = _statement(statement, in_function, in_loop)
        if found is not None:
            return found
    return None


def _statement(node: ast.stmt, in_function: bool, in_loop: bool) -> tuple[int, str] | None:
    kind = type(node)
    if kind is ast.Return and not in_function:
        return node.lineno, "'return' outside function"
    if kind in (ast.Break, ast.Continue) and not in_loop:
        return node.lineno, f"'{kind.__name__.lower()}' outside loop"
    if kind is ast.Nonlocal and not in_function:
        return node.lineno, "nonlocal declaration not allowed at module level"
    if kind is ast.ImportFrom and node.module == "__future__":  # type: ignore[attr-defined]
        return node.lineno, "a 'from __future__' import cannot be exported (it must open the script); remove it"
    if isinstance(node, _FUNCTIONS):
        return _statements(node.body, in_function=True, in_loop=False)
    if kind is ast.ClassDef:
        return _statements(node.body, in_function=False, in_loop=False)  # type: ignore[attr-defined]
    if isinstance(node, _LOOPS):
        return (_statements(node.body, in_function=in_function, in_loop=True)
                or _statements(node.orelse, in_function=in_function, in_loop=in_loop))
    for block in _blocks(node):
        found = _statements(block, in_function=in_function, in_loop=in_loop)
        if found is not None:
            return found
    return None


def _blocks(node: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(node, name) for name in ("body", "orelse", "finalbody") if hasattr(node, name)]
    blocks += [handler.body for handler in getattr(node, "handlers", [])]
    blocks += [case.body for case in getattr(node, "cases", [])]
    return blocks


def _outside_function(tree: ast.Module) -> tuple[int, str] | None:
    """``yield`` or ``await`` not inside any function (lambdas count as functions for yield)."""
    stack: list[tuple[ast.AST, str]] = [(tree, "module")]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            kind = type(child)
            if kind in (ast.Yield, ast.YieldFrom) and scope == "module":
                return child.lineno, "'yield' outside function"  # type: ignore[attr-defined]
            if kind is ast.Await and scope != "async":
                return child.lineno, "'await' outside async function (top-level await works only in IPython)"  # type: ignore[attr-defined]
            inner = {ast.AsyncFunctionDef: "async", ast.FunctionDef: "function",
                     ast.Lambda: "function"}.get(kind, scope)  # type: ignore[call-overload]
            stack.append((child, inner))
    return None
