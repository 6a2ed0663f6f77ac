"""Runs record the data versions they read and wrote; ``dlops show RUN`` lists them."""

from __future__ import annotations

import json

import pytest

import jupyter_dlops
from jupyter_dlops import data
from jupyter_dlops.errors import NotFoundError, UsageError


@pytest.fixture
def run(store):
    active = jupyter_dlops.start_run("train", capture=False, store=store)
    yield active
    jupyter_dlops.end_run()


def test_log_input_and_output_link_versions_to_the_active_run(store, run, dataset, tmp_path):
    read = jupyter_dlops.log_input(dataset, name="train-set")
    out = tmp_path / "model"
    out.mkdir()
    (out / "weights.bin").write_bytes(b"w" * 100)
    written = jupyter_dlops.log_output(out, name="model")
    assert jupyter_dlops.log_input("train-set") == read  # a reference, not a path
    linked = data.versions_for_run(store, run.run_id)
    assert [(v["id"], v["direction"], v["name"]) for v in linked] == [
        (read, "read", "train-set"), (written, "written", "model")]
    assert linked[0]["files"] == 4 and linked[1]["bytes"] == 100
    assert data.show("model", store=store)["runs"] == [{"run_id": run.run_id, "direction": "written"}]


def test_link_run_checks_its_arguments(store, run, dataset):
    version = data.add(dataset, store=store)["id"]
    with pytest.raises(UsageError, match="direction must be 'read' or 'written'"):
        data.link_run(store, run.run_id, version, "eaten")
    with pytest.raises(NotFoundError, match="no run"):
        data.link_run(store, "no-such-run", version, "read")
    with pytest.raises(NotFoundError, match="no data version"):
        data.link_run(store, run.run_id, "f" * 64, "read")
    data.link_run(store, run.run_id, version, "read")
    data.link_run(store, run.run_id, version, "read")  # idempotent
    assert len(data.versions_for_run(store, run.run_id)) == 1


def test_dlops_show_lists_the_runs_data(cli, store, run, dataset):
    version = jupyter_dlops.log_input(dataset, name="train-set")
    code, out, _ = cli("show", run.run_id, "--json")
    assert code == 0
    assert json.loads(out)["data"][0]["id"] == version
    code, out, _ = cli("show", run.run_id)
    assert version[:12] in out and "train-set" in out


def test_log_input_of_something_that_is_neither_path_nor_version(run):
    with pytest.raises(NotFoundError, match="neither a file or folder nor a data version"):
        jupyter_dlops.log_input("no/such/thing")
