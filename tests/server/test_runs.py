"""The runs, metrics, sweeps and data-version routes against a real server and store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError


async def get_json(jp_fetch: Any, *parts: str, **params: Any) -> Any:
    response = await jp_fetch("jupyter-dlops", *parts, params=params)
    assert response.code == 200
    return json.loads(response.body)


async def expect_error(jp_fetch: Any, status: int, *parts: str, **kwargs: Any) -> str:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-dlops", *parts, **kwargs)
    assert info.value.code == status
    message = json.loads(info.value.response.body)["message"]
    assert "\n" not in message
    return message


async def test_list_runs_newest_first(jp_fetch, three_runs):
    data = await get_json(jp_fetch, "runs")
    assert [run["run_id"] for run in data["runs"]] == three_runs[::-1]
    assert data["total"] == 3 and data["live"] is False
    assert data["param_keys"] == ["epochs", "lr"] and data["metric_keys"] == ["acc"]
    assert data["runs"][0]["metrics"]["acc"]["last"] == 0.95


async def test_where_sort_limit_offset(jp_fetch, three_runs):
    data = await get_json(jp_fetch, "runs", where="params.lr < 0.05", sort="metrics.acc")
    assert [run["params"]["lr"] for run in data["runs"]] == [0.01, 0.001]
    page = await get_json(jp_fetch, "runs", sort="-params.lr", limit=1, offset=1)
    assert page["total"] == 3 and [run["params"]["lr"] for run in page["runs"]] == [0.01]


async def test_bad_where_is_400_with_one_line(jp_fetch, three_runs):
    message = await expect_error(jp_fetch, 400, "runs", params={"where": "metrics.acc >"})
    assert "position" in message or "end" in message


@pytest.mark.parametrize("where", [
    "(" * 400 + "status = 'x'" + ")" * 400,
    " or ".join(f"params.lr = {i}" for i in range(999)),
], ids=["400-nested-parentheses", "999-ors"])
async def test_hostile_where_is_400_with_one_line(jp_fetch, three_runs, where):
    message = await expect_error(jp_fetch, 400, "runs", params={"where": where})
    assert "nested more than 32 levels" in message or "more than 256 conditions" in message


async def test_bad_limit_is_400(jp_fetch, three_runs):
    await expect_error(jp_fetch, 400, "runs", params={"limit": "many"})
    await expect_error(jp_fetch, 400, "runs", params={"limit": "100000"})


async def test_one_run_and_prefix(jp_fetch, three_runs):
    run = await get_json(jp_fetch, "runs", three_runs[1][:10])
    assert run["run_id"] == three_runs[1] and run["params"] == {"epochs": 5, "lr": 0.01}
    assert "sections" in run and run["duration"] == 3.0


async def test_unknown_run_is_404(jp_fetch, three_runs):
    message = await expect_error(jp_fetch, 404, "runs", "nosuchrun")
    assert "nosuchrun" in message


async def test_metric_series(jp_fetch, three_runs):
    data = await get_json(jp_fetch, "runs", three_runs[0], "metrics")
    assert [point[:2] for point in data["series"]["acc"]] == [[0, 0.5], [1, 0.7]]
    only = await get_json(jp_fetch, "runs", three_runs[0], "metrics", key="nope")
    assert only["series"] == {}


async def test_live_flag_and_notebook_run(jp_fetch, store, jp_root_dir, make_run):
    make_run(store, "old", {}, [], entry_point="train.ipynb", start=1.0)
    live = make_run(store, "live", {"lr": 0.1}, [0.1], status="running",
                    entry_point=str(jp_root_dir / "train.ipynb"))
    data = await get_json(jp_fetch, "runs")
    assert data["live"] is True
    found = await get_json(jp_fetch, "notebook-run", path="train.ipynb")
    assert found["run"]["run_id"] == live
    assert (await get_json(jp_fetch, "notebook-run", path="other.ipynb"))["run"] is None
    tagged = make_run(store, "tagged", {}, [], entry_point=None)
    store.set_tags(tagged, {"notebook": "nb/a.ipynb"})
    assert (await get_json(jp_fetch, "notebook-run", path="nb/a.ipynb"))["run"]["run_id"] == tagged


async def test_ten_thousand_runs_page(jp_fetch, store):
    from jupyter_dlops.models import Run

    for i in range(10_000):
        store.create_run(Run(run_id=f"r{i:05d}", name=f"n{i}", experiment="e", kind="script",
                             status="finished", start_time=float(i), end_time=float(i) + 1))
    data = await get_json(jp_fetch, "runs", limit=100, offset=9950)
    assert data["total"] == 10_000 and len(data["runs"]) == 50
    assert data["runs"][0]["run_id"] == "r00049"


async def test_missing_store_is_404_then_recovers(jp_fetch, store_dir, make_run):
    message = await expect_error(jp_fetch, 404, "runs")
    assert "dlops init" in message
    from jupyter_dlops.store import close_all, open_store

    make_run(open_store(str(store_dir)), "first", {}, [])
    assert (await get_json(jp_fetch, "runs"))["total"] == 1
    close_all()


async def test_sweeps_lists_recorded_sweeps(jp_fetch, store, three_runs):
    from jupyter_dlops.sweeps.records import open_sweep

    sweep, _ = open_sweep(store, "lr-grid", "train.ipynb", {"lr": [0.1, 0.01]})
    listed = (await get_json(jp_fetch, "sweeps"))["sweeps"]
    assert [(s["sweep_id"], s["name"]) for s in listed] == [(sweep.sweep_id, "lr-grid")]


async def test_data_versions_and_a_runs_data(jp_fetch, store, three_runs, tmp_path):
    from jupyter_dlops.data import add
    from jupyter_dlops.data.runs import link_run

    folder = tmp_path / "dataset"
    folder.mkdir()
    (folder / "a.csv").write_text("x\n1\n")
    version = add(folder, name="train-set", store=store)
    link_run(store, three_runs[0], version["id"], "read")
    listed = (await get_json(jp_fetch, "data-versions"))["versions"]
    assert [v["id"] for v in listed] == [version["id"]] and listed[0]["file_count"] == 1
    assert (await get_json(jp_fetch, "data-versions", name="nope"))["versions"] == []
    run = await get_json(jp_fetch, "runs", three_runs[0])
    assert [(d["id"], d["direction"]) for d in run["data"]] == [(version["id"], "read")]


async def test_a_runs_shown_values_are_listed_and_served(jp_fetch, store, three_runs):
    import base64

    from jupyter_dlops.tracking.fluent import client_for

    run_id, client = three_runs[0], client_for(store)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
    for path, data in (("outputs/cell-12/1.txt", b"[0, 1, 2]"), ("outputs/cell-3/fig-1.png", png),
                       ("outputs/cell-3/2.txt", b"'second'"), ("outputs/cell-3/1.txt", b"42")):
        client.log_bytes(run_id, data, path, kind="output")
    record = await get_json(jp_fetch, "runs", run_id)
    assert [(o["cell"], o["kind"], o["index"], o["size"]) for o in record["outputs"]] == [
        (3, "text", 1, 2), (3, "text", 2, 8), (3, "figure", 1, len(png)), (12, "text", 1, 9)]
    assert "text" not in record["outputs"][0]  # the detail stays small: content is one route away
    served = (await get_json(jp_fetch, "runs", run_id, "outputs"))["outputs"]
    assert [o.get("text") for o in served] == ["42", "'second'", None, "[0, 1, 2]"]
    assert base64.b64decode(served[2]["png"]) == png
    only = (await get_json(jp_fetch, "runs", run_id, "outputs", cell="12"))["outputs"]
    assert [o["path"] for o in only] == ["outputs/cell-12/1.txt"]
    assert (await get_json(jp_fetch, "runs", three_runs[1], "outputs"))["outputs"] == []
    await expect_error(jp_fetch, 400, "runs", run_id, "outputs", params={"cell": "first"})
