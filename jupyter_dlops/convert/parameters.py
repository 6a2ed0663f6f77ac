"""The parameters cell: which assignments become command-line flags, with what type and help.

A top-level assignment of a literal (or of arithmetic on number literals, evaluated safely,
never with ``eval``) to a plain name becomes a parameter; its type is inferred from the value
and its help is the comment on its line. Everything else in the cell stays as code and is
reported, as papermill would also leave it.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, field
from typing import Any

from .pysource import line_comments

# Flags the generated command line keeps for itself.
RESERVED_FLAGS = frozenset({"-h", "--help", "--no-track"})
_KINDS = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict",
          tuple: "tuple", type(None): "none"}
_OPERATORS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


@dataclass
class Parameter:
    """One command-line parameter taken from the parameters cell."""

    name: str
    kind: str
    default: Any
    help: str = ""
    line: int = 0
    flags: tuple[str, ...] = ()
    source: str = ""  # the value as Python source (a literal or number arithmetic), for re-use

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind, "default": self.default,
                "help": self.help, "line": self.line, "flags": list(self.flags)}


@dataclass
class ParametersCell:
    """The parameters found, and the statements kept as code with the reason."""

    parameters: list[Parameter] = field(default_factory=list)
    kept: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


class _NotSafe(Exception):
    """An expression that cannot be evaluated without running code."""


def parse_parameters(tree: ast.Module, source: str, cell: int) -> ParametersCell:
    """Find the parameters of a (translated, parsed) parameters cell.

    Parameters
    ----------
    tree : ast.Module
        The parsed cell.
    source : str
        Its source text, for the comments.
    cell : int
        The cell number, for messages.

    Returns
    -------
    ParametersCell
        The parameters in order of first assignment (a later assignment wins) and what was kept.
    """
    comments = line_comments(source)
    found: dict[str, Parameter] = {}
    result = ParametersCell()
    for statement in tree.body:
        names, value = _assignment(statement)
        if not names or value is None:
            result.kept.append((statement.lineno, f"cell {cell}, line {statement.lineno}: not a "
                                "parameter assignment; kept as code"))
            continue
        try:
            default = safe_value(value)
            kind = kind_of(default)
        except _NotSafe as why:
            for name in names:
                found.pop(name, None)
            result.kept.append((statement.lineno, f"cell {cell}, line {statement.lineno}: "
                                f"{', '.join(names)} = {why}; kept as code, not a flag"))
            continue
        if not isinstance(value, (ast.Constant, ast.List, ast.Dict, ast.Tuple, ast.UnaryOp)):
            result.kept.append((statement.lineno, f"cell {cell}, line {statement.lineno}: "
                                f"{ast.unparse(value)[:60]} evaluated safely to {default!r} for "
                                "the flag's default; the line stays as written"))
        end = statement.end_lineno or statement.lineno
        help_text = comments.get(end) or comments.get(statement.lineno, "")
        for name in names:
            found.pop(name, None)  # keep the order of the last assignment
            found[name] = Parameter(name, kind, default, help_text, statement.lineno,
                                    source=ast.unparse(value))
    result.parameters = list(found.values())
    assign_flags(result.parameters)
    return result


def _assignment(statement: ast.stmt) -> tuple[list[str], ast.expr | None]:
    if isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
        return [t.id for t in statement.targets], statement.value  # type: ignore[attr-defined]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id], statement.value
    return [], None


def safe_value(node: ast.expr) -> Any:
    """A literal's value, or constant number arithmetic (``1e-3 * 2``); refuses anything else."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = safe_value(node.left), safe_value(node.right)
        if _is_number(left) and _is_number(right):
            if isinstance(node.op, ast.Pow) and abs(right) > 64:
                raise _NotSafe(f"{ast.unparse(node)!s} (exponent too large to evaluate safely)")
            try:
                return _OPERATORS[type(node.op)](left, right)
            except (ArithmeticError, ValueError):
                pass
    raise _NotSafe(f"{ast.unparse(node)[:60]} is not a literal")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def kind_of(value: Any) -> str:
    """The parameter type name for a default value; refuses types a flag cannot carry."""
    kind = _KINDS.get(type(value))
    if kind is None:
        raise _NotSafe(f"a {type(value).__name__} value, which no command-line flag carries")
    if kind == "float" and not math.isfinite(value):
        return "float"
    return kind


def flag_name(name: str) -> str:
    """``batch_size`` -> ``--batch-size``; names starting with ``_`` keep their spelling."""
    return "--" + (name if name.startswith("_") else name.replace("_", "-"))


def assign_flags(parameters: list[Parameter]) -> None:
    """Give each parameter its flags, moving clashes with ``--help``/``--no-track`` aside."""
    taken = set(RESERVED_FLAGS)
    for parameter in parameters:
        primary = flag_name(parameter.name)
        if _clashes(primary, parameter.kind, taken):
            primary = "--param-" + primary[2:]
        alias = "--" + parameter.name
        flags = [primary] + ([alias] if alias != primary and alias not in taken else [])
        if parameter.kind == "bool":
            flags.append("--no-" + primary[2:])
        taken.update(flags)
        parameter.flags = tuple(flags)


def _clashes(flag: str, kind: str, taken: set[str]) -> bool:
    if flag in taken:
        return True
    return kind == "bool" and "--no-" + flag[2:] in taken
