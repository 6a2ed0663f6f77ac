"""The combinations a sweep runs: a grid, random samples, or a YAML spec.

Random sampling is seeded (seed 0 unless told), so running the same sweep again draws the
same combinations and resuming skips the ones already finished. Learning rates (``lr``,
``*_rate``, ``learning_rate``...) are sampled log-uniformly unless the spec says otherwise.
"""

from __future__ import annotations

import itertools
import math
import random as _random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .params import read_yaml

CONFIRM_ABOVE = 1000
RANGE = re.compile(r"^\s*(-?[\d.eE+-]+)\s*\.\.\s*(-?[\d.eE+-]+)\s*$")
RATE_NAME = re.compile(r"(^|_)(lr|rate|learning_rate)$")


@dataclass
class Range:
    """A numeric range to sample from (random sweeps)."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    def sample(self, rng: _random.Random) -> float | int:
        if self.integer:
            return rng.randint(int(self.low), int(self.high))
        if self.log:
            return math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        return rng.uniform(self.low, self.high)


@dataclass
class Space:
    """Values per parameter (a list to choose from, or a Range) and how to combine them."""

    values: dict[str, Any]
    method: str = "grid"
    samples: int = 0
    seed: int = 0
    fixed: dict[str, Any] = field(default_factory=dict)

    def count(self) -> int:
        if self.method == "random":
            return self.samples
        return math.prod(len(v) for v in self.values.values()) if self.values else 0

    def combinations(self) -> Iterator[dict[str, Any]]:
        if self.method == "random":
            rng = _random.Random(self.seed)
            for _ in range(self.samples):
                yield {**self.fixed, **{k: _draw(v, rng) for k, v in self.values.items()}}
            return
        names = list(self.values)
        for combo in itertools.product(*(self.values[n] for n in names)):
            yield {**self.fixed, **dict(zip(names, combo, strict=True))}

    def describe(self) -> dict[str, Any]:
        """A JSON-able description, stored with the sweep record."""
        values = {k: (v.__dict__ if isinstance(v, Range) else v) for k, v in self.values.items()}
        return {"method": self.method, "samples": self.samples, "seed": self.seed,
                "values": values, "fixed": self.fixed}


def _draw(choice: Any, rng: _random.Random) -> Any:
    return choice.sample(rng) if isinstance(choice, Range) else rng.choice(choice)


def is_rate(name: str) -> bool:
    return bool(RATE_NAME.search(name.lower()))


def check_nonempty(space: Space) -> None:
    if not space.values and not (space.method == "random" and space.fixed):
        raise UsageError("empty grid: give at least one parameter with values, e.g. -p lr 0.1 0.01")
    for name, values in space.values.items():
        if isinstance(values, list) and not values:
            raise UsageError(f"empty grid: parameter '{name}' has no values; give at least one")
    if space.method == "random" and space.samples <= 0:
        raise UsageError("--random needs a number of samples of at least 1")


def parse_cli_values(name: str, raw: list[str], *, random: bool) -> Any:
    """``-p lr 0.1 0.01`` (a list) or, for ``--random``, ``-p lr 1e-4..1e-1`` (a range)."""
    if random and len(raw) == 1 and RANGE.match(raw[0]):
        low, high = (float(x) for x in RANGE.match(raw[0]).groups())  # type: ignore[union-attr]
        return make_range(name, low, high, log=None, integer="." not in raw[0] and "e" not in raw[0].lower())
    return list(raw)


def make_range(name: str, low: float, high: float, *, log: bool | None, integer: bool = False) -> Range:
    if not high > low:
        raise UsageError(f"range of '{name}' must have its low end below its high end, got {low}..{high}")
    log = is_rate(name) if log is None else log
    if log and low <= 0:
        raise UsageError(f"log-uniform range of '{name}' must be above zero, got {low}..{high}")
    return Range(low, high, log=log and not integer, integer=integer)


def load_spec(path: str | Path) -> Space:
    """A YAML spec: ``method: grid|random``, ``samples``, ``seed``, ``parameters: {name: ...}``
    where each parameter is a value, a list of values, ``{values: [...]}`` or
    ``{min: .., max: .., distribution: uniform|log_uniform|int}``."""
    file = Path(path)
    data = read_yaml(file, "sweep spec")
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise UsageError(f"sweep spec {file} must be a YAML mapping with a 'parameters' mapping")
    method = str(data.get("method", "random" if data.get("samples") else "grid"))
    if method not in ("grid", "random"):
        raise UsageError(f"sweep spec {file}: method must be grid or random, got {method!r}")
    space = Space({}, method, int(data.get("samples") or 0), int(data.get("seed") or 0))
    for name, entry in data["parameters"].items():
        _add_spec_entry(space, str(name), entry, file)
    return space


def _add_spec_entry(space: Space, name: str, entry: Any, file: Path) -> None:
    if isinstance(entry, dict) and "values" in entry:
        space.values[name] = list(entry["values"])
    elif isinstance(entry, dict) and {"min", "max"} <= set(entry):
        if space.method != "random":
            raise UsageError(f"sweep spec {file}: '{name}' is a range; ranges need method: random")
        kind = str(entry.get("distribution", "")).lower()
        space.values[name] = make_range(
            name, float(entry["min"]), float(entry["max"]),
            log=True if kind in ("log_uniform", "loguniform", "log") else False if kind == "uniform" else None,
            integer=kind in ("int", "integer", "randint"),
        )
    elif isinstance(entry, dict):
        raise UsageError(f"sweep spec {file}: '{name}' needs 'values' or 'min' and 'max'")
    elif isinstance(entry, list):
        space.values[name] = entry
    else:
        space.fixed[name] = entry
