"""From what the user asked for to the list of combinations to run, checked before anything
touches the store: names against the parameters cell, values against their types, the size
of the grid against ``--yes``/``--limit``."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .notebook_io import UNKNOWN, declared_parameters, load_notebook
from .params import check_names, coerce
from .space import CONFIRM_ABOVE, Range, Space, check_nonempty, load_spec, parse_cli_values


def build_space(params: dict[str, Any] | None, *, random: int | None, spec: str | None,
                seed: int = 0, from_cli: bool = False) -> Space:
    """The sweep's space: a spec file (if any) with ``params`` added on top."""
    space = load_spec(spec) if spec else Space({}, "random" if random else "grid", random or 0, seed)
    if random:
        space.method, space.samples = "random", random
    for name, values in (params or {}).items():
        if from_cli:
            space.values[name] = parse_cli_values(name, values, random=space.method == "random")
        elif isinstance(values, (list, tuple, Range)):
            space.values[name] = values if isinstance(values, Range) else list(values)
        else:
            space.fixed[name] = values
    return space


def typed_space(space: Space, notebook: str) -> tuple[Space, dict[str, Any]]:
    """Check every name and listed value against the notebook's parameters cell."""
    declared = declared_parameters(load_notebook(notebook))
    check_names([*space.values, *space.fixed], declared, Path(notebook).name)
    check_nonempty(space)
    for name, values in space.values.items():
        if isinstance(values, list):
            space.values[name] = [coerce(name, v, declared[name]) for v in values]
        elif isinstance(declared[name], int) and not isinstance(declared[name], bool):
            values.integer = True
    space.fixed = {name: coerce(name, v, declared[name]) for name, v in space.fixed.items()}
    return space, declared


def combinations(space: Space, declared: dict[str, Any], *, limit: int | None, yes: bool,
                 confirm: Callable[[int], bool | None] | None = None) -> list[dict[str, Any]]:
    """The combinations to run, at most ``limit``; a big grid needs ``yes`` or ``confirm``."""
    count = space.count()
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    if count > CONFIRM_ABOVE and not yes and limit is None:
        asked = confirm(count) if confirm is not None else None
        if asked is None:
            raise UsageError(
                f"this sweep has {count:,} combinations (more than {CONFIRM_ABOVE:,}); pass "
                "--yes to run them all or --limit N to run the first N"
            )
        if not asked:
            raise UsageError(f"not running {count:,} combinations; narrow the grid or pass --limit N")
    chosen = itertools.islice(space.combinations(), limit)
    return [{k: _typed_draw(k, v, declared.get(k, UNKNOWN)) for k, v in combo.items()} for combo in chosen]


def _typed_draw(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, float):
        return round(value)
    return coerce(name, value, default)


def terminal_confirm(count: int) -> bool | None:
    """Ask on a terminal; ``None`` (refuse with a clear message) when nobody can answer."""
    if not sys.stdin.isatty():
        return None
    answer = input(f"This sweep has {count:,} combinations. Run them all? [y/N] ")
    return answer.strip().lower() in ("y", "yes")
