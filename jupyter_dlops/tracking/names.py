"""Which names a cell reads, writes and mutates, from its source alone (no execution).

The analysis is the converter's (:func:`jupyter_dlops.convert.names.cell_names`), so live
tracking and export agree on what a cell defines and uses: the export's hidden-state check
and ``%dlops state`` are the same analysis. This module adds what tracking needs on top:

* ``used`` includes the free names read by functions and lambdas the cell defines (they
  read them when called, which for tracking is a read by this cell);
* ``deleted``: names removed with ``del name``;
* a few more in-place mutations than the converter counts: ``inplace=True``, PyTorch's
  trailing-underscore methods, and fitting or loading models (``fit``, ``load_state_dict``);
* ``params``: top-level literal assignments, typed (for ``%%track --params``).

Results are cached by source, so re-running an unchanged cell costs a dictionary lookup.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache

from ..convert.names import IPYTHON_NAMES, cell_names

# Beyond the converter's list: calls that change their receiver in place.
EXTRA_MUTATORS = frozenset({
    "difference_update", "intersection_update", "symmetric_difference_update", "appendleft",
    "extendleft", "popleft", "rotate", "itemset", "setflags", "fit", "partial_fit",
    "fit_transform", "load_state_dict", "train", "eval", "set_params", "write", "writelines",
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


def _extra_mutated(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        inplace = any(kw.arg == "inplace" and isinstance(kw.value, ast.Constant)
                      and kw.value.value is True for kw in node.keywords)
        torch_style = method.endswith("_") and not method.startswith("_")
        if method in EXTRA_MUTATORS or inplace or torch_style:
            base = node.func.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                found.add(base.id)
    return found


def _deleted(tree: ast.Module) -> set[str]:
    # Module level only: a ``del`` inside a function deletes a local.
    names: set[str] = set()
    for node in tree.body:
        for inner in ast.walk(node) if not isinstance(node, _SCOPES) else ():
            if isinstance(inner, ast.Delete):
                names.update(t.id for t in inner.targets if isinstance(t, ast.Name))
    return names


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


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
    base = cell_names(tree)
    deleted = _deleted(tree)
    reads = (base.used | base.deferred) - IPYTHON_NAMES
    return CellNames(
        defined=frozenset(base.defined - deleted), used=frozenset(reads),
        mutated=frozenset(base.mutated | _extra_mutated(tree)), deleted=frozenset(deleted),
        params=literal_params(tree),
    )


@lru_cache(maxsize=1024)
def analyze(source: str) -> CellNames:
    """:class:`CellNames` of a cell's (plain Python) source; raises ``SyntaxError``."""
    return analyze_tree(ast.parse(source))
