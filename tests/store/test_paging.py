"""Paging, counting and change detection in SQL, for the lab's runs table (issue 17)."""

from helpers import add_run


def test_offset_and_count_are_done_in_sql(store):
    for i in range(12):
        add_run(store, f"r{i:02d}", {"lr": i / 100}, start=1000.0 + i)
    assert store.search_run_ids(None, "start_time", 3, offset=4) == ["r04", "r05", "r06"]
    assert store.search_run_ids(None, "start_time", None, offset=10) == ["r10", "r11"]
    assert store.search_run_ids(None, None, 5, offset=100) == []
    assert store.count_runs() == 12
    assert store.count_runs("params.lr >= 0.1") == 2


def test_varying_param_keys_leave_out_constants(store):
    add_run(store, "a", {"lr": 0.1, "epochs": 5, "seed": 1})
    add_run(store, "b", {"lr": 0.01, "epochs": 5})
    assert store.varying_param_keys() == ["lr", "seed"]


def test_change_token_moves_with_runs_metrics_and_tags(store):
    empty = store.change_token()
    add_run(store, "a", {"lr": 0.1})
    one = store.change_token()
    assert one != empty and store.change_token() == one
    store.insert_metrics([("a", "acc", 0.5, 0, 2000.0)])
    logged = store.change_token()
    assert logged != one
    store.set_tags("a", {"stage": "best"})
    assert store.change_token() != logged
