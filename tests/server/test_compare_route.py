"""``/jupyter-dlops/compare``: the packages diff and the code diff the lab's compare view shows
(issue 17), computed from the stored (redacted) objects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5, "metadata": {},
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# title"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": ["lr = 0.1\n", "epochs = 2"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2, "source": "train(lr)"},
    ],
}


def record_code(store: Any, run_id: str, notebook: dict[str, Any], packages: list[str], diff: str | None = None) -> None:
    """The code and environment sections as capture writes them: objects through put_text."""
    entry, _ = store.objects.put_text(json.dumps(notebook))
    diff_object = store.objects.put_text(diff)[0] if diff else None
    store.put_section(run_id, "code", {"entry_point": "train.ipynb", "entry_object": entry,
                                       "git": {"commit": "abc", "dirty": bool(diff), "diff_object": diff_object}})
    store.put_section(run_id, "environment", {"python": "3.12", "packages_object": store.objects.put_bytes(
        json.dumps(packages).encode())})


async def test_compare_gives_the_packages_that_differ_and_a_unified_code_diff(jp_fetch, store, three_runs):
    first, second = three_runs[0], three_runs[1]
    changed = json.loads(json.dumps(NOTEBOOK))
    changed["cells"][2]["source"] = "train(lr, momentum=0.9)"
    record_code(store, first, NOTEBOOK, ["numpy==1.26.4", "pandas==2.2.0", "torch==2.3.0"])
    # the token-like line of the diff is stored redacted, like every text the store keeps
    record_code(store, second, changed, ["numpy==1.26.4", "pandas==2.2.1", "scipy==1.13.0"],
                diff="+API_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'\n")
    response = await jp_fetch("jupyter-dlops", "compare", params={"runs": f"{first},{second[:8]}"})
    data = json.loads(response.body)
    assert [r["run_id"] for r in data["runs"]] == [first, second]
    assert data["packages"] == [
        {"key": "pandas", "values": ["2.2.0", "2.2.1"]},
        {"key": "scipy", "values": [None, "1.13.0"]},
        {"key": "torch", "values": ["2.3.0", None]},
    ]
    code = data["code"]
    assert code["entries"][0] == "# %% [cell 1]\nlr = 0.1\nepochs = 2\n\n# %% [cell 2]\ntrain(lr)\n"
    assert code["diffs"][0] == ""
    assert code["diffs"][1].splitlines()[:2] == ["--- lr-0.1", "+++ lr-0.01"]
    assert "-train(lr)" in code["diffs"][1].splitlines()
    assert "+train(lr, momentum=0.9)" in code["diffs"][1].splitlines()
    assert code["git_diffs"][0] is None
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in code["git_diffs"][1]
    assert code["git_diffs"][1].startswith("+API_TOKEN = ")


async def test_compare_of_runs_without_recorded_code_is_empty_not_an_error(jp_fetch, three_runs):
    data = json.loads((await jp_fetch("jupyter-dlops", "compare", params={"runs": ",".join(three_runs)})).body)
    assert data["packages"] == []
    assert data["code"] == {"entries": [None] * 3, "git_diffs": [None] * 3, "diffs": ["", "", ""]}


@pytest.mark.parametrize("runs, message", [
    ("", "'runs' must name 1 to 20 runs, comma-separated (got 0)"),
    (",".join(["x"] * 21), "'runs' must name 1 to 20 runs, comma-separated (got 21)"),
])
async def test_compare_refuses_no_runs_or_too_many(jp_fetch, three_runs, runs, message):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-dlops", "compare", params={"runs": runs})
    assert info.value.code == 400
    assert json.loads(info.value.response.body)["message"] == message


async def test_compare_of_an_unknown_run_is_404(jp_fetch, three_runs):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-dlops", "compare", params={"runs": f"{three_runs[0]},ffffffffffff"})
    assert info.value.code == 404
