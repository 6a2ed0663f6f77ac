"""The outcome of ``dlops reproduce``: the checks, the comparison and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERDICTS = ("reproduced", "differs", "could not run", "checked")


@dataclass
class ReproReport:
    run_id: str
    verdict: str = "checked"
    reason: str | None = None
    new_run_id: str | None = None
    code_notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    metrics: list[Any] = field(default_factory=list)
    artifacts: list[tuple] = field(default_factory=list)
    rtol: float = 1e-6
    atol: float = 1e-9
    data_changed: bool = False
    altered: bool = False  # an object of the record no longer matches its BLAKE3 id

    def exit_code(self) -> int:
        if self.verdict in ("reproduced", "checked"):
            return 0
        if self.altered:
            return 9
        if self.data_changed:
            return 6
        return 8

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "verdict": self.verdict, "reason": self.reason,
            "new_run_id": self.new_run_id, "code": self.code_notes, "data": self.data,
            "environment": self.environment, "tolerance": {"rtol": self.rtol, "atol": self.atol},
            "metrics": [{"key": m.key, "old": m.old, "new": m.new, "diff": m.diff, "ok": m.ok} for m in self.metrics],
            "artifacts": [{"path": p, "old": a, "new": b} for p, a, b in self.artifacts],
        }

    def render(self) -> str:
        lines = [f"run {self.run_id[:12]}"]
        lines += [f"  code: {note}" for note in self.code_notes]
        lines.append(f"  data: {_data_line(self.data)}")
        lines.append(f"  environment: {_env_line(self.environment)}")
        skipped = self.data.get("environment_files") or []
        if skipped:
            lines.append(f"    {len(skipped)} environment file(s) the run recorded as data are "
                         "compared as environment, not data")
        for label, key in (("added", "added"), ("removed", "removed")):
            for item in self.environment.get(key, [])[:20]:
                lines.append(f"    {label:8} {item}")
        for name, old, new in self.environment.get("changed", [])[:20]:
            lines.append(f"    changed  {name} {old} -> {new}")
        if self.environment.get("accelerators"):
            old, new = self.environment["accelerators"]
            lines.append(f"    accelerators {old} -> {new}")
        if self.new_run_id:
            lines.append(f"  re-run: {self.new_run_id}")
        lines.extend(self._differences())
        verdict = self.verdict + (f": {self.reason}" if self.reason else "")
        lines.append(f"verdict: {verdict}")
        return "\n".join(lines)

    def _differences(self) -> list[str]:
        bad = [m for m in self.metrics if not m.ok]
        if not bad and not self.artifacts:
            return [f"  {len(self.metrics)} metrics equal within rtol={self.rtol:g} atol={self.atol:g}"] if self.metrics else []
        out = [f"  differences (rtol={self.rtol:g}, atol={self.atol:g}):",
               f"    {'metric':24} {'old':>14} {'new':>14} {'diff':>12}"]
        for m in bad:
            diff = "-" if m.diff is None else f"{m.diff:.3g}"
            out.append(f"    {m.key:24} {_num(m.old):>14} {_num(m.new):>14} {diff:>12}")
        for path, old, new in self.artifacts:
            out.append(f"    output {path}: {(old or 'absent')[:12]} -> {(new or 'absent')[:12]}")
        return out


def _num(value: float | None) -> str:
    return "absent" if value is None else f"{value:.8g}"


def _data_line(data: dict[str, Any]) -> str:
    if not data.get("checked"):
        return f"not checked ({data.get('reason', 'no data versions recorded')})"
    if not data.get("versions"):
        return "no data versions recorded as read (dl.log_input)"
    if data.get("changed"):
        return "CHANGED: " + ", ".join(data["changed"][:10])
    return f"{len(data.get('versions', []))} version(s) verified by hash"


def _env_line(env: dict[str, Any]) -> str:
    if env.get("error"):
        return f"not compared ({env['error']})"
    old, new = env.get("python") or (None, None)
    counts = f"{len(env['added'])} added, {len(env['removed'])} removed, {len(env['changed'])} changed packages"
    python = f"; Python {old} -> {new}" if old and old != new else ""
    return ("same packages" if not (env["added"] or env["removed"] or env["changed"]) else counts) + python
