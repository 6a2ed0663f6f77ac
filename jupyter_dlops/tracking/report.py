"""Plain-text reports for ``%dlops status`` and ``%dlops state``."""

from __future__ import annotations

from typing import Any


def status_text(tracker: Any, *, track_all: bool = False) -> str:
    """The run, the store, how many cells were recorded, and whether tracking is paused."""
    run = tracker.run
    info = run.info
    lines = [
        f"run     {run.run_id[:12]}  {info.name}  ({info.kind}, {info.status}"
        f"{'' if run.owned else ', attached'})",
        f"store   {run.store.location}",
        f"cells   {tracker.order} recorded in this run, {tracker.writer.written} written"
        + (f", {tracker.writer.dropped} dropped" if tracker.writer.dropped else ""),
        f"mode    {'every cell (track-all)' if track_all else '%%track cells only'}",
    ]
    if tracker.lineage.saved.path:
        lines.append(f"notebook {tracker.lineage.saved.path}")
    if tracker.writer.paused:
        lines.append(f"PAUSED  {tracker.writer.paused}; records are kept and retried")
    return "\n".join(lines)


def state_text(rows: list[dict[str, Any]]) -> str:
    """One line per live variable: the cell execution that defined it and what changed."""
    if not rows:
        return "no tracked variables yet: %%track a cell (or %dlops track-all)"
    width = max(8, *(len(r["name"]) for r in rows))
    cell_width = max(10, *(len(r["defined_by"]) for r in rows))
    lines = [f"{'variable':<{width}}  {'defined by':<{cell_width}}  status"]
    for row in rows:
        status = ", ".join(row["flags"]) or "ok"
        lines.append(f"{row['name']:<{width}}  {row['defined_by']:<{cell_width}}  {status}")
    return "\n".join(lines)
