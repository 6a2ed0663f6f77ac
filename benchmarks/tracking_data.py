"""The synthetic runs both stores are filled with for the ``--where`` benchmark (stdlib only:
imported by our child and by MLflow's, in different venvs).

Run ``i`` has 10 params ``p0..p9`` and 5 metrics ``m0..m4``, all drawn from a generator seeded
by ``i``, so the two stores hold exactly the same data whatever order they are filled in.
Params are floats rounded to 4 decimals in [0, 1): stored typed by us and as the strings
``str(value)`` by MLflow, whose representation of a value below 0.1 always starts ``0.0``.
"""

from __future__ import annotations

import random

N_PARAMS = 10
N_METRICS = 5

# The same question in each tool's language. MLflow compares params only with =, !=, LIKE,
# ILIKE and IN (they are strings), so "p0 < 0.1" is asked as a prefix match; with 4-decimal
# values in [0, 1) both select exactly the same runs (the benchmark checks the counts agree).
OURS_WHERE = "metrics.m0 > 0.5 and params.p0 < 0.1"
MLFLOW_FILTER = "metrics.m0 > 0.5 and params.p0 LIKE '0.0%'"


def run_data(i: int) -> tuple[dict[str, float], dict[str, float]]:
    """``(params, metrics)`` of synthetic run ``i``."""
    rng = random.Random(1_000_003 * 7 + i)
    params = {f"p{k}": round(rng.random(), 4) for k in range(N_PARAMS)}
    metrics = {f"m{k}": rng.random() for k in range(N_METRICS)}
    return params, metrics


def expected_matches(n: int) -> int:
    """How many of runs ``0..n-1`` the filter selects (computed in Python, the ground truth)."""
    count = 0
    for i in range(n):
        params, metrics = run_data(i)
        count += metrics["m0"] > 0.5 and params["p0"] < 0.1
    return count
