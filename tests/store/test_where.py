import pytest
from helpers import add_run

from jupyter_dlops.errors import QuerySyntaxError
from jupyter_dlops.store.where import compile_sort, compile_where


@pytest.fixture
def runs(store):
    add_run(store, "a1", {"lr": 0.01, "opt": "adam", "deep": True, "layers": [64, 32]}, {"acc": 0.95}, {"stage": "prod"}, start=1)
    add_run(store, "b2", {"lr": 0.1, "opt": "sgd", "deep": False}, {"acc": 0.80}, {"stage": "dev"}, start=2)
    add_run(store, "c3", {"lr": 0.001, "opt": "adam"}, {"acc": 0.91, "val.loss": 0.2}, status="failed", start=3)
    add_run(store, "d4", {"lr": "auto"}, {}, start=4)
    return store


@pytest.mark.parametrize("where, expected", [
    ("metrics.acc > 0.9", {"a1", "c3"}),
    ("metrics.acc > 0.9 and params.lr < 0.1", {"a1", "c3"}),
    ('metrics.acc > 0.9 and params.lr < 0.1 and tags.stage = "prod"', {"a1"}),
    ("params.opt = 'adam' or status = 'failed'", {"a1", "c3"}),
    ("params.lr = 'auto'", {"d4"}),
    ("params.lr >= 0.01", {"a1", "b2"}),
    ("params.deep = true", {"a1"}),
    ("params.deep = false", {"b2"}),
    ("status in ('failed', 'killed')", {"c3"}),
    ("status not in ('failed')", {"a1", "b2", "d4"}),
    # d4 has no opt: unknown, and not unknown is unknown (three-valued, as != is)
    ("not (params.opt = 'adam')", {"b2"}),
    ("params.opt != 'adam'", {"b2"}),
    ("not (params.opt = 'adam') or params.opt is null", {"b2", "d4"}),
    ("metrics.acc is null", {"d4"}),
    ("metrics.`val.loss` is not null", {"c3"}),
    ("metrics.val.loss < 0.5", {"c3"}),
    ("name like 'a%'", {"a1"}),
    ("params.lr in (0.1, 0.001)", {"b2", "c3"}),
    ("(metrics.acc > 0.9 or params.lr = 0.1) and not status = 'failed'", {"a1", "b2"}),
    ("duration >= 1", {"a1", "b2", "c3", "d4"}),
    ("METRICS.acc > 0.9 AND PARAMS.lr < 0.1", {"a1", "c3"}),
])
def test_where_selects_the_right_runs(runs, where, expected):
    assert set(runs.search_run_ids(where)) == expected


@pytest.mark.parametrize("where, message, position", [
    ("metrics.acc >", "expected a value", 13),
    ("metrics.acc > 0.9 and", "expected a field", 21),
    ("metrics.acc 0.9", "expected a comparison", 12),
    ("bogus > 1", "unknown field 'bogus'", 0),
    ("metrics.acc > 0.9 params.lr < 1", "unexpected", 18),
    ("metrics.acc > 0.9; DROP TABLE run", "unexpected character ';'", 17),
    ("(metrics.acc > 0.9", "expected '\\)'", 18),
    ("params. > 1", "unexpected character '.'", 6),
    ("metrics.acc = null", "is null", 14),
    ("metrics.acc > 'high'", "metrics are numbers", 14),
    ("", "empty expression", 0),
])
def test_malformed_where_points_at_the_position(where, message, position):
    with pytest.raises(QuerySyntaxError, match=message) as info:
        compile_where(where)
    assert info.value.position == position
    assert f"position {position + 1}" in str(info.value)


def test_values_never_reach_the_sql_text():
    sql, params = compile_where("params.opt = 'x'' OR 1=1 --' and tags.t = \"a\"")
    assert "OR 1=1" not in sql
    assert "x' OR 1=1 --" in params


def test_sort_by_metric_puts_missing_values_last(runs):
    assert runs.search_run_ids(sort="-metrics.acc") == ["a1", "c3", "b2", "d4"]
    assert runs.search_run_ids(sort="metrics.acc asc") == ["b2", "c3", "a1", "d4"]
    assert runs.search_run_ids() == ["d4", "c3", "b2", "a1"]


def test_sort_takes_one_field():
    with pytest.raises(QuerySyntaxError, match="one field"):
        compile_sort("metrics.acc, params.lr")
