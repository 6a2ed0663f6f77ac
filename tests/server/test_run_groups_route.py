"""The runs table's "Group by" (issue 17): groups counted in SQL, each with the ``where`` that
selects exactly its runs, and the best value of the sort metric."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError


async def groups(jp_fetch: Any, **params: str) -> dict[str, Any]:
    response = await jp_fetch("jupyter-dlops", "run-groups", params=params)
    assert response.code == 200
    return json.loads(response.body)


async def runs_of(jp_fetch: Any, where: str) -> list[str]:
    response = await jp_fetch("jupyter-dlops", "runs", params={"where": where, "limit": 100})
    return sorted(run["name"] for run in json.loads(response.body)["runs"])


@pytest.fixture
def mixed_runs(store: Any, make_run: Any) -> None:
    base = time.time() - 100
    specs = [("a1", {"lr": 0.1, "opt": "adam", "deep": True}, 0.7),
             ("a2", {"lr": 0.1, "opt": 'say "hi"', "deep": False}, 0.8),
             ("b1", {"lr": 0.01, "opt": "adam"}, 0.9),
             ("b2", {"lr": 3, "opt": "sgd", "layers": [1, 2]}, 0.95),
             ("c1", {}, 0.5)]
    for i, (name, params, acc) in enumerate(specs):
        make_run(store, name, params, [0.1, acc], start=base + i)


async def test_group_by_a_param_counts_each_value_and_its_where_selects_its_runs(jp_fetch, mixed_runs):
    data = await groups(jp_fetch, group="params.lr", sort="-metrics.acc")
    assert data["truncated"] is False
    got = [(g["label"], g["count"], g["best"]) for g in data["groups"]]
    # numbers in numeric order, the runs without lr last; best = max acc for a descending sort
    assert got == [("0.01", 1, 0.9), ("0.1", 2, 0.8), ("3", 1, 0.95), ("(none)", 1, 0.5)]
    members = [await runs_of(jp_fetch, g["where"]) for g in data["groups"]]
    assert members == [["b1"], ["a1", "a2"], ["b2"], ["c1"]]


async def test_group_by_text_bool_and_list_params_and_the_where_round_trips(jp_fetch, mixed_runs):
    for key, expected in [("opt", [["a1", "b1"], ["a2"], ["b2"], ["c1"]]),
                          ("deep", [["a2"], ["a1"], ["b1", "b2", "c1"]]),
                          ("layers", [["b2"], ["a1", "a2", "b1", "c1"]])]:
        data = await groups(jp_fetch, group=f"params.{key}")
        assert [await runs_of(jp_fetch, g["where"]) for g in data["groups"]] == expected, key
        assert all(g["best"] is None for g in data["groups"])  # no metric sort, no best


async def test_group_by_experiment_within_a_filter_and_ascending_best(jp_fetch, mixed_runs):
    data = await groups(jp_fetch, group="experiment", where="metrics.acc > 0.75", sort="metrics.acc")
    assert [(g["label"], g["count"], g["best"], g["where"]) for g in data["groups"]] == [
        ("default", 3, 0.8, 'experiment = "default"')]


async def test_group_by_sweep_puts_runs_outside_a_sweep_in_one_group(jp_fetch, mixed_runs):
    data = await groups(jp_fetch, group="sweep")
    assert [(g["label"], g["count"], g["where"]) for g in data["groups"]] == [("(none)", 5, "sweep_id is null")]


async def test_group_by_an_unknown_field_is_a_400_saying_what_to_use(jp_fetch, mixed_runs):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-dlops", "run-groups", params={"group": "status"})
    assert info.value.code == 400
    assert "group by experiment, sweep or params.NAME" in info.value.response.body.decode()


async def test_a_later_block_of_runs_can_leave_out_the_keys(jp_fetch, mixed_runs):
    response = await jp_fetch("jupyter-dlops", "runs", params={"limit": 2, "offset": 2, "keys": "0"})
    data = json.loads(response.body)
    assert [run["name"] for run in data["runs"]] == ["b1", "a2"]
    assert data["total"] == 5 and "param_keys" not in data and "metric_keys" not in data
    full = json.loads((await jp_fetch("jupyter-dlops", "runs", params={"limit": 2})).body)
    assert full["param_keys"] == ["deep", "layers", "lr", "opt"]
