"""Metric values keyed by an integer series id (migration 7, issue 20): a store written by
version 6 is converted with its values, and series read whole, streamed, as arrays and
downsampled."""

import math

import pytest
from helpers import add_run

from jupyter_dlops.errors import UsageError
from jupyter_dlops.store import close_all, open_store
from jupyter_dlops.store.migrations import all_migrations

OLD_ROWS = [  # (run_id, key, value, step, timestamp) as version 6 stored them
    ("r1", "loss", 0.9, 0, 10.0), ("r1", "loss", 0.5, 1, 11.0), ("r1", "loss", 0.4, 1, 12.0),
    ("r1", "loss", "NaN", 2, 13.0), ("r1", "acc", 0.7, 0, 10.5), ("r2", "loss", -math.inf, 5, 20.0),
]


def write_version_6_store(uri, monkeypatch):
    """A store as jupyter-dlops wrote it before migration 7, values in the ``metric`` table."""
    import jupyter_dlops.store.base as base
    import jupyter_dlops.store.postgres as postgres

    with monkeypatch.context() as patch:
        for module in (base, postgres):
            patch.setattr(module, "all_migrations", lambda: all_migrations()[:6])
        store = open_store(uri)
        assert store.schema_version() == 6
        rows = [r if r[2] != "NaN" or store.dialect == "sqlite" else (*r[:2], math.nan, *r[3:])
                for r in OLD_ROWS]
        with store.write() as cursor:
            for run_id in ("r1", "r2"):
                cursor.execute("INSERT INTO run (run_id, name, status, start_time) VALUES (?, ?, 'finished', 1.0)",
                               (run_id, run_id))
            cursor.executemany("INSERT INTO metric (run_id, key, value, step, timestamp) "
                               "VALUES (?, ?, ?, ?, ?)", rows)
        close_all()


def view_rows(store):
    rows = store.read("SELECT run_id, key, value, step, timestamp FROM metrics ORDER BY run_id, key, step, timestamp")
    return [(r, k, "NaN" if v != v or v == "NaN" else v, s, t) for r, k, v, s, t in rows]


def test_a_version_6_store_is_converted_with_every_value(any_store_uri, monkeypatch):
    write_version_6_store(any_store_uri, monkeypatch)
    store = open_store(any_store_uri)
    assert store.schema_version() == len(all_migrations()) >= 7
    expected = sorted(OLD_ROWS, key=lambda r: (r[0], r[1], r[3], r[4]))
    assert view_rows(store) == [(r, k, v, s, t) for r, k, v, s, t in expected]
    assert store.metric_series("r2") == {"loss": [(5, -math.inf, 20.0)]}
    loss = store.metric_series("r1", "loss")["loss"]
    assert [(s, v, t) for s, v, t in loss[:3]] == [(0, 0.9, 10.0), (1, 0.5, 11.0), (1, 0.4, 12.0)]
    assert loss[3][0] == 2 and math.isnan(loss[3][1])
    assert not store._has_table("metric")
    store.insert_metrics([("r1", "loss", 0.1, 3, 14.0), ("r1", "new", 1.0, 0, 14.0)])
    assert [s for s, _, _ in store.metric_series("r1", "loss")["loss"]] == [0, 1, 1, 2, 3]
    assert store.metric_series("r1", "new") == {"new": [(0, 1.0, 14.0)]}


def test_a_value_costs_one_integer_series_id_not_the_run_id(tmp_path):
    store = open_store(str(tmp_path / "s"))
    add_run(store, "a" * 32, metrics={"loss": 1.0})
    store.insert_metrics([("a" * 32, "loss", 1.0 / (s + 1), s, 1.7e9 + s) for s in range(20_000)])
    store.read("PRAGMA wal_checkpoint(TRUNCATE)")
    used = store.read("SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                      "('metric_value', 'metric_value_series_step')")[0][0]
    assert used / 20_001 <= 60  # 125 bytes a value before migration 7


@pytest.fixture
def long_run(store):
    add_run(store, "r", start=1)
    values = [(s * 3, math.sin(s / 100) if s % 997 else math.nan, 100.0 + s) for s in range(10_000)]
    store.insert_metrics([("r", "wave", v, s, t) for s, v, t in values])
    return store, values


def test_series_read_streamed_and_as_arrays_give_every_value_in_order(long_run):
    store, values = long_run
    chunks = list(store.iter_metric_series("r", "wave", size=4096))
    assert [len(c) for c in chunks] == [4096, 4096, 1808]
    flat = [row for chunk in chunks for row in chunk]
    arrays = store.metric_arrays("r", "wave")
    assert list(arrays["step"]) == [s for s, _, _ in values] == [s for s, _, _ in flat]
    assert list(arrays["timestamp"]) == [t for _, _, t in values]
    same = [a == b or (a != a and b != b) for a, (_, b, _) in zip(arrays["value"], values, strict=True)]
    assert all(same) and math.isnan(arrays["value"][0])


def test_a_downsampled_read_keeps_first_last_and_evenly_spaced_steps(long_run):
    store, values = long_run
    points = store.metric_series("r", "wave", max_points=100)["wave"]
    steps = [s for s, _, _ in points]
    assert len(points) == 100 and steps[0] == 0 and steps[-1] == 29_997
    assert steps == sorted(steps)
    gaps = {b - a for a, b in zip(steps, steps[1:], strict=False)}
    assert max(gaps) - min(gaps) <= 3  # evenly spaced, to one logged step
    by_step = {s: (v, t) for s, v, t in values}
    assert all(by_step[s][1] == t for s, _, t in points)
    short = store.metric_series("r", "wave", max_points=20_000)["wave"]
    assert len(short) == 10_000  # fewer values than asked: all of them


@pytest.mark.parametrize("bad", [0, 1, -5, True])
def test_max_points_below_two_is_refused(long_run, bad):
    with pytest.raises(UsageError, match="max_points must be 2 or more"):
        long_run[0].metric_series("r", "wave", max_points=bad)
