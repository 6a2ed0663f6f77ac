"""A store that stays instant as it grows (issue 20): sorting by a metric reads its index."""

import math

import pytest
from helpers import add_run

from jupyter_dlops.models import RUN_COLUMNS
from jupyter_dlops.store.sqlite import SQLiteStore


def many_runs(store, n: int) -> None:
    runs = [(f"{i:08d}", f"r{i}", "default", "script", "finished", float(i), i + 1.0, None,
             None, None, None, None, None, None, None, None) for i in range(n)]
    with store.write() as cursor:
        cursor.executemany(f"INSERT INTO run ({', '.join(RUN_COLUMNS)}) VALUES "
                           f"({', '.join('?' for _ in RUN_COLUMNS)})", runs)
    store.insert_metrics([(f"{i:08d}", "m1", (i * 7919 % 1009) / 1009, 0, 1.0) for i in range(n)])


def sqlite_steps(store, fn) -> int:
    """SQLite virtual-machine steps (in hundreds) that ``fn`` costs: work, not wall time."""
    count = [0]

    def tick():
        count[0] += 1
        return 0

    store.conn.set_progress_handler(tick, 100)
    try:
        fn()
    finally:
        store.conn.set_progress_handler(None, 100)
    return count[0]


@pytest.mark.parametrize("sort", ["-metrics.m1", "metrics.m1 asc"])
def test_a_page_sorted_by_a_metric_costs_the_same_at_200_and_at_4000_runs(tmp_path, sort):
    small, large = SQLiteStore(str(tmp_path / "small")), SQLiteStore(str(tmp_path / "large"))
    many_runs(small, 200)
    many_runs(large, 4000)
    cost_small = sqlite_steps(small, lambda: small.search_run_ids(None, sort, 20))
    cost_large = sqlite_steps(large, lambda: large.search_run_ids(None, sort, 20))
    # A sort over every run grows with the runs (20x here); a read of the index does not.
    assert cost_large <= 2 * cost_small + 5


@pytest.fixture
def mixed(store):
    add_run(store, "a", metrics={"acc": 0.5}, start=1)
    add_run(store, "b", metrics={"acc": math.nan}, start=2)
    add_run(store, "c", metrics={"acc": 0.9}, start=3)
    add_run(store, "d", metrics={"other": 1.0}, start=4)
    add_run(store, "e", metrics={"acc": 0.5}, start=5)
    add_run(store, "f", metrics={"acc": -math.inf}, start=6)
    return store


@pytest.mark.parametrize("sort, expected", [
    ("-metrics.acc", ["c", "e", "a", "f", "d", "b"]),
    ("metrics.acc", ["f", "e", "a", "c", "d", "b"]),
])
def test_metric_sort_puts_numbers_in_order_ties_newest_first_then_missing_and_nan(mixed, sort, expected):
    assert mixed.search_run_ids(None, sort) == expected
    for limit in range(len(expected) + 2):
        assert mixed.search_run_ids(None, sort, limit) == expected[:limit]


def test_metric_sort_keeps_the_filter_in_both_parts(mixed):
    assert mixed.search_run_ids("name in ('a', 'b', 'c', 'd')", "-metrics.acc") == ["c", "a", "d", "b"]
    assert mixed.search_run_ids("metrics.acc < 0.6", "-metrics.acc", 2) == ["e", "a"]
