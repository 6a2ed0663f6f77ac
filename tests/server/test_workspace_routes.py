"""The routes the lab's workspace needs to stay quiet (issue 17): the store's state without a
404, its creation by POST, ETag change detection on /runs, and the notebook's run this session."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError


async def fetch_json(jp_fetch: Any, *parts: str, **kwargs: Any) -> Any:
    response = await jp_fetch("jupyter-dlops", *parts, **kwargs)
    assert response.code == 200
    return json.loads(response.body)


async def test_store_state_is_200_without_a_store_and_post_creates_it(jp_fetch, store_dir):
    state = await fetch_json(jp_fetch, "store")
    assert state == {"exists": False, "uri": str(store_dir)}
    assert not store_dir.exists()
    created = await fetch_json(jp_fetch, "store", method="POST", body="{}")
    assert created["exists"] is True and created["location"] == str(store_dir)
    assert store_dir.is_dir()
    assert (await fetch_json(jp_fetch, "store"))["exists"] is True
    assert (await fetch_json(jp_fetch, "runs"))["total"] == 0
    from jupyter_dlops.store import close_all

    close_all()


async def test_store_post_refuses_a_body_that_is_not_json(jp_fetch, store_dir):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-dlops", "store", method="POST", body="not json")
    assert info.value.code == 400
    assert not store_dir.exists()


async def test_runs_etag_answers_304_until_the_store_changes(jp_fetch, store, three_runs, make_run):
    first = await jp_fetch("jupyter-dlops", "runs", params={"limit": 10})
    etag = first.headers["Etag"]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-dlops", "runs", params={"limit": 10}, headers={"If-None-Match": etag})
    assert info.value.code == 304
    # another query is another page, another tag
    other = await jp_fetch("jupyter-dlops", "runs", params={"limit": 5}, headers={"If-None-Match": etag})
    assert other.code == 200 and other.headers["Etag"] != etag
    store.insert_metrics([(three_runs[0], "acc", 0.99, 7, time.time())])
    changed = await jp_fetch("jupyter-dlops", "runs", params={"limit": 10}, headers={"If-None-Match": etag})
    assert changed.code == 200 and changed.headers["Etag"] != etag
    assert json.loads(changed.body)["total"] == 3


async def test_runs_reports_the_params_that_vary(jp_fetch, three_runs):
    data = await fetch_json(jp_fetch, "runs")
    assert data["param_keys"] == ["epochs", "lr"]
    assert data["varying_param_keys"] == ["lr"]


async def test_notebook_run_within_leaves_out_older_runs(jp_fetch, store, make_run):
    make_run(store, "sweep-run", {}, [], entry_point="train.ipynb", start=time.time() - 3600)
    params = {"path": "train.ipynb", "within": "60"}
    assert (await fetch_json(jp_fetch, "notebook-run", params=params))["run"] is None
    fresh = make_run(store, "this-session", {}, [], entry_point="train.ipynb")
    assert (await fetch_json(jp_fetch, "notebook-run", params=params))["run"]["run_id"] == fresh
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-dlops", "notebook-run", params={"path": "a", "within": "soon"})
    assert info.value.code == 400


async def test_bad_filter_inline_is_200_with_the_position(jp_fetch, three_runs):
    data = await fetch_json(jp_fetch, "runs", params={"where": "metrics.acc >", "errors": "inline"})
    assert data["runs"] == [] and data["total"] == 0
    assert data["error"]["position"] == 13 and "position 14" in data["error"]["message"]
