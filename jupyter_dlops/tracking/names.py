"""Which names a cell reads, writes and mutates, from its source alone (no execution).

This is the static half of hidden-state detection: :func:`analyze` gives, for one cell, the
names it needs from earlier cells (``used``), the names it binds (``defined``), the names it
changes in place (``mutated``: ``df.loc[i] = v``, ``obj.attr = v``, ``lst.append(v)``) and the
names it deletes. The converter can reuse it as is: a cell whose ``used`` names no earlier
exported cell ``defined`` depends on hidden state.

The analysis is deliberately simple and fast (one AST walk, cached by source): names used only
inside a function body count as reads of the cell (the function reads them when called), and a
name both bound and read in the cell is a read only if the read comes first.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from functools import lru_cache

BUILTINS = frozenset(dir(builtins)) | {"get_ipython", "display", "In", "Out", "exit", "quit"}

# Method calls that change their receiver in place. A heuristic (the analysis never runs the
# code): builtin containers, NumPy/pandas in-place methods, scikit-learn/PyTorch fitting and
# loading. ``inplace=True`` and PyTorch's trailing-underscore convention are checked separately.
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
    "setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
    "symmetric_difference_update", "appendleft", "extendleft", "popleft", "rotate",
    "fill", "resize", "itemset", "put", "setflags", "fit", "partial_fit", "fit_transform",
    "load_state_dict", "train", "eval", "set_params", "write", "writelines",
})


@dataclass(frozen=True)
class CellNames:
    """What one cell's source does with names (all sets are frozen)."""

    defined: frozenset[str] = frozenset()
    used: frozenset[str] = frozenset()
    mutated: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()
    params: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def writes(self) -> frozenset[str]:
        """Every name whose value this cell may change: bound, mutated or deleted."""
        return self.defined | self.mutated | self.deleted


class _Visitor(ast.NodeVisitor):
    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.used: set[str] = set()
        self.mutated: set[str] = set()
        self.deleted: set[str] = set()

    # -- bindings ---------------------------------------------------------------------
    def _bind(self, name: str) -> None:
        self.defined.add(name)

    def _read(self, name: str) -> None:
        if name not in self.defined and name not in BUILTINS:
            self.used.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._read(node.id)
        elif isinstance(node.ctx, ast.Store):
            self._bind(node.id)
        else:
            self.deleted.add(node.id)
            self.defined.discard(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        # The value is evaluated before the targets are bound: ``x = x + 1`` reads x.
        self.visit(node.value)
        for target in node.targets:
            self._target(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self._target(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self._read(node.target.id)
            self._bind(node.target.id)
        else:
            self._target(node.target)

    def _target(self, target: ast.AST) -> None:
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            base = _base_name(target)
            if base is not None:
                self._read(base)
                self.mutated.add(base)
            self.generic_visit(target)
        else:
            self.visit(target)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                self._target(target)
            else:
                self.visit(target)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._bind(node.name)
        self.used |= free_names(node) - self.defined - BUILTINS

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.used |= free_names(node) - self.defined - BUILTINS

    def _comprehension(self, node: ast.AST) -> None:
        self.used |= free_names(node) - self.defined - BUILTINS

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self._bind(name)

    # -- in-place mutation through method calls ---------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            base = _base_name(func.value) if not isinstance(func.value, ast.Name) else func.value.id
            if base is not None and _mutates(func.attr, node):
                self._read(base)
                self.mutated.add(base)
        self.generic_visit(node)


def _mutates(method: str, call: ast.Call) -> bool:
    if method in MUTATING_METHODS:
        return True
    if method.endswith("_") and not method.startswith("_"):
        return True  # PyTorch's in-place convention: add_, zero_, fill_
    return any(
        kw.arg == "inplace" and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in call.keywords
    )


def _base_name(node: ast.AST) -> str | None:
    """``df`` for ``df.loc[0, 'a']``, ``obj.a.b``, ``lst[0][1]``; None for ``f().x``."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def free_names(node: ast.AST) -> set[str]:
    """Names a function, class, lambda or comprehension reads from the enclosing scope."""
    loads: set[str] = set()
    local: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            (loads if isinstance(child.ctx, ast.Load) else local).add(child.id)
        elif isinstance(child, ast.arg):
            local.add(child.arg)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child is not node:
            local.add(child.name)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            local.update((a.asname or a.name.split(".")[0]) for a in child.names)
    return loads - local


def literal_params(tree: ast.Module) -> dict:
    """Top-level ``name = <literal>`` assignments: the cell's parameters, typed."""
    params: dict = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                params[target.id] = ast.literal_eval(value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
    return {k: v for k, v in params.items() if not isinstance(v, (bytes, complex, set, frozenset))}


def analyze_tree(tree: ast.Module) -> CellNames:
    """:class:`CellNames` of an already parsed cell."""
    visitor = _Visitor()
    visitor.visit(tree)
    return CellNames(
        defined=frozenset(visitor.defined), used=frozenset(visitor.used),
        mutated=frozenset(visitor.mutated), deleted=frozenset(visitor.deleted),
        params=literal_params(tree),
    )


@lru_cache(maxsize=1024)
def analyze(source: str) -> CellNames:
    """:class:`CellNames` of a cell's (plain Python) source; raises ``SyntaxError``.

    Cached by source, so re-running an unchanged cell costs a dictionary lookup.
    """
    return analyze_tree(ast.parse(source))


def hidden_state(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(cell key, name)`` for every name a cell uses that no earlier cell defines.

    ``cells`` is ``[(key, plain Python source), ...]`` in notebook order; names defined
    nowhere earlier and not builtins are hidden state (or simply undefined). Cells that do not
    parse are skipped.
    """
    defined: set[str] = set()
    found: list[tuple[str, str]] = []
    for key, source in cells:
        try:
            names = analyze(source)
        except SyntaxError:
            continue
        found.extend((key, name) for name in sorted(names.used - defined))
        defined |= names.defined
        defined -= names.deleted
    return found
