"""Printing for the CLI: aligned tables for people, one JSON document for scripts."""

from __future__ import annotations

import math
import sys
import time

# `typing` and `json` load only when used: `dlops --help` imports this module and must stay
# fast (benchmarks/bench_startup.py); annotations are strings, so typing is for checkers only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

BOLD, YELLOW, RESET = "\033[1m", "\033[33m", "\033[0m"


def use_color() -> bool:
    return sys.stdout.isatty()


def print_json(data: Any) -> None:
    import json

    # Indented for a person at a terminal; compact for a pipe, where json's C encoder does the
    # work (with an indent, json falls back to its pure-Python encoder: ~10x slower)
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(data, indent=indent, default=str, ensure_ascii=False, allow_nan=False))
    sys.stdout.write("\n")


def json_safe(value: Any) -> Any:
    """NaN and infinities are not JSON numbers: they become the strings "NaN", "Infinity"
    and "-Infinity" (JavaScript's spelling), so that a NaN metric never reads as missing."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value)
    return str(value).replace("\n", " ")


def fmt_time(timestamp: float | None) -> str:
    if not timestamp:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], highlight: Sequence[bool] = ()) -> str:
    """A plain aligned table; rows flagged in ``highlight`` are emphasised on a terminal."""
    from .terminal import escape_controls

    # escaped before measuring, so that a cell's escapes (\x1b...) keep the columns aligned
    cells = [[escape_controls(fmt(c) if not isinstance(c, str) else c.replace("\n", " ")) for c in row]
             for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
    widths = [min(w, 60) for w in widths]

    def line(row):
        return "  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    color = use_color()
    for index, row in enumerate(cells):
        text = line(row)
        if color and index < len(highlight) and highlight[index]:
            text = f"{YELLOW}{text}{RESET}"
        out.append(text)
    return "\n".join(out)
