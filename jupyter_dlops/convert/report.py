"""The export report: what was exported, left out, translated and found (stdout and JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .hidden import Finding
from .magic_base import MagicNote
from .parameters import Parameter


@dataclass
class ExportReport:
    """Everything an export decided, for the CLI, the JupyterLab button and ``--report``."""

    notebook: str = ""
    script: str = ""
    cells_exported: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    magics: list[MagicNote] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    hidden_state: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)

    @property
    def cells_skipped(self) -> int:
        return len(self.skipped)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``skipped`` details what ``cells_skipped`` counts."""
        return {
            "notebook": self.notebook,
            "script": self.script,
            "cells_exported": self.cells_exported,
            "cells_skipped": self.cells_skipped,
            "skipped": list(self.skipped),
            "magics": [note.to_dict() for note in self.magics],
            "requirements": list(dict.fromkeys(self.requirements)),
            "hidden_state": [finding.to_dict() for finding in self.hidden_state],
            "warnings": list(self.warnings),
            "parameters": [parameter.to_dict() for parameter in self.parameters],
        }

    def format_text(self) -> str:
        """A short human summary, one finding a line."""
        lines = [
            f"exported {self.notebook or 'notebook'} -> {self.script or 'script'}: "
            f"{self.cells_exported} cells exported, {self.cells_skipped} left out, "
            f"{len(self.parameters)} parameters, {len(self.magics)} magics translated"
        ]
        lines += [f"  left out: cell {s['cell']} ({s['reason']})" for s in self.skipped]
        if self.parameters:
            flags = ", ".join(f"{p.flags[0]} ({p.kind})" for p in self.parameters)
            lines.append(f"  flags: {flags}")
        lines += [f"  magic: cell {n.cell}, line {n.line}: {n.magic} -> {n.action}" for n in self.magics]
        if self.requirements:
            lines.append("  requirements: " + " ".join(dict.fromkeys(self.requirements)))
        lines += [f"  hidden state: {finding.message}" for finding in self.hidden_state]
        lines += [f"  warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)
