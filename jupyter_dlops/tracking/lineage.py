"""Hidden state, live: which cell execution defined each name, and whether that still holds.

The kernel only sees cells when they run, so two sources of truth are combined:

* executions: a cell (identified by its notebook cell id, else its ``--name``, else its
  source) re-run with a different source has been *edited*; a name defined by a cell that a
  downstream reader ran before it was (re-)run is *out of order*;
* the saved notebook, when the kernel knows its path: a defining cell missing from it was
  *deleted*, one whose saved source differs was *edited*, and cell positions come from it.
  The file is only trusted when it was saved after the execution in question, because a
  notebook saved before a cell ran says nothing about that run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Definition:
    """One cell execution that (re)defined a name."""

    order: int
    cell_key: str
    label: str
    source_hash: str
    time: float


@dataclass
class _Cell:
    key: str
    first_order: int
    source_hash: str
    last_order: int
    last_time: float
    reads: dict[str, int] = field(default_factory=dict)  # name -> order of the latest read


class SavedNotebook:
    """The notebook file on disk, re-read only when its mtime or size changes."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._signature: tuple[int, int] | None = None
        self.mtime = 0.0
        self.cells: dict[str, tuple[int, str]] = {}  # cell id -> (position, source)

    def refresh(self) -> bool:
        """True when the file could be read (now or before)."""
        if not self.path:
            return False
        try:
            info = os.stat(self.path)
        except OSError:
            return bool(self.cells)
        signature = (info.st_mtime_ns, info.st_size)
        if signature != self._signature:
            try:
                with open(self.path, encoding="utf-8") as handle:
                    cells = json.load(handle).get("cells", [])
            except (OSError, ValueError, AttributeError):
                return bool(self.cells)
            self.cells = {
                c["id"]: (i, _text(c.get("source", ""))) for i, c in enumerate(cells)
                if isinstance(c, dict) and c.get("id") and c.get("cell_type") == "code"
            }
            self._signature, self.mtime = signature, info.st_mtime
        return True


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


class Lineage:
    """Definitions and reads of names across the cell executions of one kernel."""

    def __init__(self, notebook_path: str | None = None) -> None:
        self.defined_by: dict[str, Definition] = {}
        self.cells: dict[str, _Cell] = {}
        self.sources: dict[str, str] = {}  # source hash -> raw source of the latest execution
        self.saved = SavedNotebook(notebook_path)

    def record(self, definition: Definition, raw_source: str, reads: list[str],
               writes: list[str], deleted: list[str]) -> None:
        """Remember one execution (after its stale names were computed)."""
        cell = self.cells.get(definition.cell_key)
        if cell is None:
            cell = self.cells[definition.cell_key] = _Cell(
                definition.cell_key, definition.order, definition.source_hash,
                definition.order, definition.time)
        cell.source_hash, cell.last_order, cell.last_time = (
            definition.source_hash, definition.order, definition.time)
        self.sources[definition.source_hash] = raw_source
        for name in reads:
            cell.reads[name] = definition.order
        for name in writes:
            self.defined_by[name] = definition
        for name in deleted:
            self.defined_by.pop(name, None)

    def changes(self, definition: Definition) -> list[str]:
        """How the cell behind a definition changed since: edited, deleted."""
        found = []
        cell = self.cells.get(definition.cell_key)
        if cell is not None and cell.source_hash != definition.source_hash:
            found.append("edited")
        if self.saved.refresh() and self.saved.mtime > definition.time:
            saved = self.saved.cells.get(definition.cell_key)
            if saved is None:
                found.append("deleted")
            elif "edited" not in found and saved[1].rstrip() != self.sources.get(
                    definition.source_hash, "").rstrip():
                found.append("edited")
        return found

    def stale(self, reads: list[str]) -> list[dict[str, Any]]:
        """The names read whose defining cell changed since it defined them."""
        flagged = []
        for name in reads:
            definition = self.defined_by.get(name)
            if definition is None:
                continue
            reasons = self.changes(definition)
            if reasons:
                flagged.append({"name": name, "defined_by": definition.label,
                                "order": definition.order, "reasons": reasons})
        return flagged

    def out_of_order(self, name: str, definition: Definition) -> bool:
        """A cell placed below the definer read ``name`` before the definer last ran."""
        position = self._position(definition.cell_key)
        for key, cell in self.cells.items():
            if key == definition.cell_key or name not in cell.reads:
                continue
            if self._position(key) > position and cell.reads[name] < definition.order:
                return True
        return False

    def _position(self, key: str) -> float:
        saved = self.saved.cells.get(key) if self.saved.refresh() else None
        if saved is not None:
            return saved[0]
        cell = self.cells.get(key)
        # Without the notebook, the order cells first ran stands in for their position.
        return cell.first_order if cell else float("inf")

    def state(self, namespace: dict[str, Any]) -> list[dict[str, Any]]:
        """Per live variable: its defining execution and what changed since."""
        rows = []
        for name in sorted(self.defined_by):
            if name not in namespace:
                continue
            definition = self.defined_by[name]
            flags = self.changes(definition)
            if self.out_of_order(name, definition):
                flags.append("out-of-order")
            rows.append({"name": name, "defined_by": definition.label, "order": definition.order,
                         "cell": definition.cell_key, "flags": flags})
        return rows
