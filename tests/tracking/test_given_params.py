"""A run attached through ``DLOPS_RUN_ID`` keeps the values its launcher injected
(``DLOPS_GIVEN_PARAMS``) whatever the notebook records later (issue 15); no kernel needed."""

from __future__ import annotations

import pytest

import jupyter_dlops as dl
from jupyter_dlops.tracking.client import DlopsClient


@pytest.fixture
def launched(store, monkeypatch):
    client = DlopsClient(store)
    run_id = client.create_run("launched", {"lr": 0.01, "epochs": 3}, kind="papermill")
    monkeypatch.setenv("DLOPS_RUN_ID", run_id)
    return run_id


@pytest.mark.parametrize("given,expected", [
    ('["lr", "epochs"]', {"lr": 0.01, "epochs": 3, "batch": 8}),  # injected values win
    ('["lr"]', {"lr": 0.01, "epochs": 20, "batch": 8}),
    ("not json", {"lr": 0.003, "epochs": 20, "batch": 8}),  # unreadable: nothing is protected
], ids=["both-given", "lr-given", "malformed"])
def test_attached_run_keeps_the_injected_values(store, launched, monkeypatch, given, expected):
    monkeypatch.setenv("DLOPS_GIVEN_PARAMS", given)
    with dl.start_run(params={"lr": 0.003}) as run:  # what the parameters cell's defaults say
        run.log_params({"epochs": 20, "batch": 8})
    assert store.get_run(launched).params == expected


def test_names_given_for_another_run_protect_nothing(store, launched, monkeypatch):
    monkeypatch.setenv("DLOPS_GIVEN_PARAMS", '["lr"]')
    other = DlopsClient(store).create_run("other", {"lr": 1.0})
    with dl.start_run(run_id=other) as run:
        run.log_param("lr", 2.0)
    assert store.get_run(other).params == {"lr": 2.0}
