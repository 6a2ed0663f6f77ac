"""Names a cell defines and uses, from its AST (reusable for live hidden-state checks).

``cell_names(source)`` reads one cell as a module would run it, statement by statement:
``used`` holds the names read at module level before the cell itself binds them (they must
come from an earlier cell), ``deferred`` the free names read inside the functions and lambdas
the cell defines (they must exist when those are *called*), and ``mutated`` the names whose
objects the cell changes in place (``x.a = 1``, ``x[i] = 1``, ``x += 1``, ``x.append(1)``).
Comprehensions, lambdas, functions and classes get their own scopes as in Python; a star
import sets ``star`` because any name may then come from it.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

BUILTIN_NAMES = frozenset(dir(builtins)) | {
    "__file__", "__name__", "__builtins__", "__doc__", "__spec__", "__loader__",
    "__package__", "__annotations__",
}
# Defined by IPython in every notebook, missing under plain python.
IPYTHON_NAMES = frozenset({"display", "get_ipython", "In", "Out", "_ih", "_oh", "_dh"})
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard",
    "setdefault", "popitem", "sort", "reverse", "fill_", "zero_", "add_", "mul_", "copy_",
    "drop", "rename", "fillna", "set_index", "reset_index", "resize", "put", "fill",
})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (*_FUNCTIONS, ast.ClassDef, *_COMPREHENSIONS)
_SCOPE_TYPES = frozenset(_SCOPES)
_NAMED_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_BINDERS = frozenset({ast.Import, ast.ImportFrom, ast.ExceptHandler, ast.MatchAs, ast.MatchStar,
                      ast.MatchMapping})


@dataclass(frozen=True)
class CellNames:
    """What one cell binds and reads; ``lines`` gives the first line of each name read."""

    defined: frozenset[str]
    used: frozenset[str]
    deferred: frozenset[str] = frozenset()
    mutated: frozenset[str] = frozenset()
    star: bool = False
    lines: dict[str, int] = field(default_factory=dict, compare=False)


def cell_names(source: str | ast.Module) -> CellNames:
    """Analyse one cell's Python source (magics must be translated first).

    Parameters
    ----------
    source : str or ast.Module
        The cell's code, or its parsed module.

    Returns
    -------
    CellNames
        Names defined, used before definition, used by functions, and mutated.

    Raises
    ------
    SyntaxError
        When ``source`` is text that does not parse.
    """
    tree = ast.parse(source) if isinstance(source, str) else source
    visitor = _ModuleVisitor()
    for statement in tree.body:
        visitor.visit(statement)
    used = {name: line for name, line in visitor.used.items() if name not in BUILTIN_NAMES}
    deferred = {
        name: line for name, line in visitor.deferred.items()
        if name not in BUILTIN_NAMES and name not in visitor.bound
    }
    lines = {**deferred, **used}
    return CellNames(
        defined=frozenset(visitor.bound), used=frozenset(used), deferred=frozenset(deferred),
        mutated=frozenset(visitor.mutated), star=visitor.star, lines=lines,
    )


class _ModuleVisitor(ast.NodeVisitor):
    """Walks module-level statements in execution order."""

    _methods: dict[type, Callable[[_ModuleVisitor, Any], None]] = {}

    def visit(self, node: ast.AST) -> None:
        # NodeVisitor.visit builds a method name and looks it up for every node; the export
        # of a 1,000-cell notebook visits ~25k nodes, so resolve each node type once.
        kind = type(node)
        method: Any = self._methods.get(kind)
        if method is None:
            method = getattr(type(self), "visit_" + kind.__name__, type(self).generic_visit)
            self._methods[kind] = method
        method(self, node)

    def visit_Constant(self, node: ast.Constant) -> None:
        pass  # no names; skips NodeVisitor's deprecated visit_Num/visit_Str shims

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.used: dict[str, int] = {}
        self.deferred: dict[str, int] = {}
        self.mutated: set[str] = set()
        self.star = False

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.bound.add(node.id)
        elif node.id not in self.bound:
            self.used.setdefault(node.id, node.lineno)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._target(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.visit_Name(ast.Name(node.target.id, ast.Load(), lineno=node.lineno))
        self._target(node.target)
        self.mutated.update(_base_names([node.target]))

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._target(node.target)
        self.visit(node.annotation)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._target(node.target)

    def _target(self, target: ast.expr) -> None:
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            self.mutated.update(_base_names([target]))
        self.visit(target)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._target(node.target)
        self._visit_all(node.body)
        self._visit_all(node.orelse)

    visit_AsyncFor = visit_For

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.bound.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.star = True
            else:
                self.bound.add(alias.asname or alias.name)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self._visit_all(_outer_parts(node))
        free, global_writes = scope_free_names(node)
        for name, line in free.items():
            self.deferred.setdefault(name, line)
        self.bound.update(global_writes)
        if not isinstance(node, ast.Lambda):
            self.bound.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._visit_all(_outer_parts(node))
        outer = set(self.bound)
        self._visit_all(node.body)  # a class body runs now, in a scope of its own
        self.bound = outer | {node.name}

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bound.add(node.name)
        self._visit_all(node.body)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING_METHODS:
            self.mutated.update(_base_names([node.func.value]))
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.visit_Name(ast.Name(target.id, ast.Load(), lineno=target.lineno))
            else:
                self._target(target)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        self.generic_visit(node)
        if node.name:
            self.bound.add(node.name)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bound.add(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.generic_visit(node)
        if node.rest:
            self.bound.add(node.rest)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        generators = node.generators
        self.visit(generators[0].iter)  # the first iterable is evaluated outside
        outer = set(self.bound)
        targets: set[str] = set()
        for index, generator in enumerate(generators):
            if index:
                self.visit(generator.iter)
            targets.update(_stored_names(generator.target))
            self.bound.update(targets)
            self._visit_all(generator.ifs)
        self._visit_all(_elements(node))
        self.bound = outer | (self.bound - targets)  # := inside binds outside; targets do not

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def _visit_all(self, nodes: Iterable[ast.AST]) -> None:
        for node in nodes:
            self.visit(node)


def _elements(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.DictComp):
        return [node.key, node.value]
    return [node.elt]  # type: ignore[attr-defined]


def _outer_parts(node: ast.AST) -> list[ast.AST]:
    """The parts of a scope-making node that Python evaluates in the enclosing scope."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        parts: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        if not isinstance(node, ast.Lambda):
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            parts += [a.annotation for a in every if a is not None and a.annotation is not None]
            parts += [*node.decorator_list, *([node.returns] if node.returns else [])]
        return parts
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
    if isinstance(node, _COMPREHENSIONS):
        return [node.generators[0].iter]
    return []


def _inner_parts(node: ast.AST) -> tuple[set[str], list[ast.AST]]:
    """A scope's parameters (or comprehension targets) and the nodes of its body."""
    if isinstance(node, _FUNCTIONS):
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        params = {a.arg for a in every if a is not None}
        return params, [node.body] if isinstance(node, ast.Lambda) else list(node.body)
    if isinstance(node, ast.ClassDef):
        return set(), list(node.body)
    generators = node.generators  # type: ignore[attr-defined]
    targets = {name for g in generators for name in _stored_names(g.target)}
    body = [*_elements(node), *(i for g in generators for i in g.ifs)]
    return targets, body + [g.iter for g in generators[1:]]


def scope_free_names(node: ast.AST) -> tuple[dict[str, int], set[str]]:
    """Free names read in a function, lambda, class or comprehension, and its ``global`` writes."""
    local, body = _inner_parts(node)
    loads: dict[str, int] = {}
    declared_global: set[str] = set()
    nested: list[ast.AST] = []
    for child in _own_nodes(body):
        kind = type(child)
        if kind is ast.Name:
            if isinstance(child.ctx, ast.Load):  # type: ignore[attr-defined]
                loads.setdefault(child.id, child.lineno)  # type: ignore[attr-defined]
            else:
                local.add(child.id)  # type: ignore[attr-defined]
        elif kind in _SCOPE_TYPES:
            nested.append(child)
            if kind in _NAMED_SCOPES:
                local.add(child.name)  # type: ignore[attr-defined]
        elif kind is ast.Global or kind is ast.Nonlocal:
            declared_global.update(child.names)  # type: ignore[attr-defined]
        elif kind in _BINDERS:
            local.update(_bound_by(child))
    for scope in nested:
        free, writes = scope_free_names(scope)
        for name, line in free.items():
            loads.setdefault(name, line)
        declared_global |= writes
    local -= declared_global
    return {n: line for n, line in loads.items() if n not in local}, declared_global


def _own_nodes(nodes: list[ast.AST]) -> Iterator[ast.AST]:
    """Every node of one scope; a nested scope is yielded whole, with its outer parts walked."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        children = _outer_parts(node) if type(node) in _SCOPE_TYPES else ast.iter_child_nodes(node)
        stack.extend(reversed(list(children)))


def _bound_by(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom):
        return {a.asname or a.name for a in node.names if a.name != "*"}
    if isinstance(node, ast.ExceptHandler) and node.name:
        return {node.name}
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return {node.name}
    if isinstance(node, ast.MatchMapping) and node.rest:
        return {node.rest}
    return set()


def _stored_names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _base_names(targets: list[ast.expr]) -> set[str]:
    names = set()
    for target in targets:
        while isinstance(target, (ast.Attribute, ast.Subscript, ast.Starred)):
            target = target.value
        if isinstance(target, ast.Name):
            names.add(target.id)
    return names
