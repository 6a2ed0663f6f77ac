"""Hidden state: what the notebook relied on that the linear script will not have.

A name an exported cell reads before any earlier exported cell defines it (because only a
skipped cell, a later cell, or no cell defines it) is a finding, as is a function's free name
that no exported cell defines. When the notebook carries execution counts, a cell that ran
before an earlier cell it shares names with is reported too: the script runs them in the
other order.
"""

from __future__ import annotations

from dataclasses import dataclass

from .names import IPYTHON_NAMES, CellNames

_IPYTHON_HINTS = {"display": "from IPython.display import display"}


@dataclass
class Finding:
    """One hidden-state finding; ``name`` is empty for execution-order findings."""

    cell: int
    line: int
    name: str
    kind: str  # undefined | later | skipped | ipython | function | order
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"cell": self.cell, "line": self.line, "name": self.name, "kind": self.kind,
                "message": self.message}


@dataclass
class AnalysedCell:
    """A cell's number, whether it is exported, its names and its execution count."""

    number: int
    exported: bool
    names: CellNames | None
    execution_count: int | None = None
    opaque: bool = False  # %run or a kept IPython call: names may appear from nowhere


def find_hidden_state(cells: list[AnalysedCell], provided: frozenset[str] = frozenset()) -> list[Finding]:
    """Report every name the linear order would not provide, then execution-order problems.

    Parameters
    ----------
    cells : list of AnalysedCell
        Every cell of the notebook in order; ``names`` is None where a cell could not be parsed.
    provided : frozenset of str
        Names the script itself defines before the first cell (``display``).

    Returns
    -------
    list of Finding
        In cell order.
    """
    findings: list[Finding] = []
    defined: set[str] = set(provided)
    last_set_by: dict[str, AnalysedCell] = {}  # in notebook order, skipped cells included
    opaque = False
    exported = [c for c in cells if c.exported and c.names is not None]
    for cell in cells:
        if cell.names is None:
            continue
        if cell.exported and not opaque:
            lines = cell.names.lines
            for name in sorted(cell.names.used - defined, key=lambda n: lines.get(n, 0)):
                findings.append(_undefined(cell, name, cells))
            findings += _rebound_by_skipped(cell, defined, last_set_by)
        if cell.exported:
            defined |= cell.names.defined
            opaque = opaque or cell.opaque or cell.names.star
        last_set_by.update(dict.fromkeys(cell.names.defined | cell.names.mutated, cell))
    if not opaque:
        findings += _deferred(exported, defined, cells)
    findings += execution_order(exported)
    return sorted(findings, key=lambda f: (f.cell, f.line))


def _rebound_by_skipped(cell: AnalysedCell, defined: set[str],
                        last_set_by: dict[str, AnalysedCell]) -> list[Finding]:
    """Names an exported cell reads that a skipped cell changed last, above it."""
    assert cell.names is not None
    findings = []
    reads = (cell.names.used | cell.names.mutated) & defined
    lines = cell.names.lines
    for name in sorted(reads, key=lambda n: lines.get(n, 0)):
        setter = last_set_by.get(name)
        if setter is not None and not setter.exported:
            line = lines.get(name, 0)
            findings.append(Finding(
                cell.number, line, name, "skipped",
                f"cell {cell.number}, line {line}: '{name}' was last changed by skipped cell "
                f"{setter.number} in the notebook; the script uses the value of an exported cell",
            ))
    return findings


def _undefined(cell: AnalysedCell, name: str, cells: list[AnalysedCell]) -> Finding:
    line = cell.names.lines.get(name, 0) if cell.names else 0
    where = f"cell {cell.number}, line {line}"
    if name in IPYTHON_NAMES:
        hint = _IPYTHON_HINTS.get(name, "define it or import it")
        return Finding(cell.number, line, name, "ipython",
                       f"{where}: '{name}' is an IPython built-in, missing under python ({hint})")
    later = [c.number for c in cells if c.exported and c.number > cell.number and _defines(c, name)]
    skipped = [c.number for c in cells if not c.exported and _defines(c, name)]
    if skipped:
        kind, why = "skipped", f"defined only in skipped cell {skipped[0]}"
    elif later:
        kind, why = "later", f"defined only later, in cell {later[0]}"
    else:
        kind, why = "undefined", "defined in no cell"
    return Finding(cell.number, line, name, kind, f"{where}: '{name}' is used but {why}")


def _defines(cell: AnalysedCell, name: str) -> bool:
    return cell.names is not None and name in cell.names.defined


def _deferred(exported: list[AnalysedCell], defined: set[str],
              cells: list[AnalysedCell]) -> list[Finding]:
    findings = []
    for cell in exported:
        assert cell.names is not None
        for name in sorted(cell.names.deferred - defined):
            finding = _undefined(cell, name, cells)
            finding.kind = "ipython" if finding.kind == "ipython" else "function"
            finding.message = finding.message.replace("is used", "is used in a function", 1)
            findings.append(finding)
    return findings


def execution_order(exported: list[AnalysedCell]) -> list[Finding]:
    """Cells that ran before an earlier cell they share names with (from execution counts)."""
    findings = []
    seen: list[AnalysedCell] = []
    highest = -1
    for cell in exported:
        count = cell.execution_count
        if count is not None and count < highest:
            findings += _order_findings(cell, seen)
        if count is not None:
            highest = max(highest, count)
            seen.append(cell)
    return findings


def _order_findings(cell: AnalysedCell, seen: list[AnalysedCell]) -> list[Finding]:
    assert cell.names is not None and cell.execution_count is not None
    findings = []
    mine = cell.names.defined | cell.names.mutated
    for earlier in seen:
        if earlier.execution_count is None or earlier.execution_count <= cell.execution_count:
            continue
        assert earlier.names is not None
        theirs = earlier.names.defined | earlier.names.mutated
        shared = (cell.names.used & theirs) | (earlier.names.used & mine)
        if shared:
            names = ", ".join(sorted(shared))
            findings.append(Finding(
                cell.number, 0, "", "order",
                f"cell {cell.number} (In [{cell.execution_count}]) ran before cell "
                f"{earlier.number} (In [{earlier.execution_count}]) but comes after it; they "
                f"share {names}, so the script may compute different values",
            ))
    return findings
