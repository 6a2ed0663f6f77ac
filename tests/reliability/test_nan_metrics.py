"""NaN and infinite metrics are values: stored, read back and shown as NaN/inf, never as
missing, on both stores; ``--where`` treats them one way everywhere (issue 14)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

NAN, INF = float("nan"), float("inf")


@pytest.fixture
def runs(any_store_uri):
    import jupyter_dlops as dl
    from jupyter_dlops.store import open_store

    last = {"finite": 0.5, "nan": NAN, "inf": INF, "-inf": -INF}
    for name, value in last.items():
        with dl.start_run(name=name, capture=False, store=any_store_uri) as run:
            run.log_metric("loss", 1.0, step=0)
            run.log_metric("loss", value, step=1)
    return open_store(any_store_uri)


def test_values_are_stored_and_read_back(runs):
    by_name = {r.name: r for r in runs.search_runs()}
    nan = by_name["nan"].metrics["loss"]
    assert math.isnan(nan.last) and (nan.min, nan.max, nan.count) == (1.0, 1.0, 2)  # min/max skip NaN
    assert by_name["inf"].metrics["loss"].last == INF and by_name["inf"].metrics["loss"].max == INF
    assert by_name["-inf"].metrics["loss"].min == -INF
    series = runs.metric_series(by_name["nan"].run_id)["loss"]
    assert series[0][1] == 1.0 and math.isnan(series[1][1])


@pytest.mark.parametrize(("where", "names"), [
    ("metrics.loss > 0", {"finite", "inf"}),
    ("metrics.loss < 1", {"finite", "-inf"}),
    ("metrics.loss > 1e308", {"inf"}),
    ("metrics.loss != 0.5", {"inf", "-inf"}),  # NaN satisfies no comparison, as in IEEE
    ("not metrics.loss > 0", {"nan", "-inf"}),
    ("metrics.loss in (0.5, 2)", {"finite"}),
    ("metrics.loss is not null", {"finite", "nan", "inf", "-inf"}),  # NaN is a value, not missing
])
def test_where_treats_nan_and_infinities_one_way(runs, where, names):
    assert {r.name for r in runs.search_runs(where)} == names


def test_sort_puts_nan_with_the_missing_values_last(runs):
    assert [r.name for r in runs.search_runs(sort="-metrics.loss")] == ["inf", "finite", "-inf", "nan"]
    assert [r.name for r in runs.search_runs(sort="metrics.loss")] == ["-inf", "finite", "inf", "nan"]


def test_the_cli_shows_nan_and_inf(runs, any_store_uri):
    dlops = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]
    env = {**os.environ, "DLOPS_STORE": any_store_uri}
    done = subprocess.run([*dlops, "runs", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    shown = {r["name"]: r["metrics"]["loss"]["last"] for r in json.loads(done.stdout)}
    assert shown == {"finite": 0.5, "nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
    table = subprocess.run([*dlops, "runs"], env=env, capture_output=True, text=True, timeout=120)
    assert table.returncode == 0 and " nan " in f" {table.stdout} " and "-inf" in table.stdout
