"""What a run read and wrote, as ``show``, ``compare`` and ``reproduce`` present it (issue 15):
by path relative to the project, with its version, and never a file of the environment."""

from __future__ import annotations

import json

import pytest
from helpers import add_run, run_cli
from pg_server import any_store_uri, pg_uri, postgres_server  # noqa: F401

from jupyter_dlops import data
from jupyter_dlops.reproduce.checks import data_check


@pytest.fixture
def store(any_store_uri):  # noqa: F811 (the fixture imported above)
    """A fresh store of each kind (SQLite, PostgreSQL), also the CLI's (``DLOPS_STORE``)."""
    from jupyter_dlops.store import open_store

    return open_store(any_store_uri)


@pytest.fixture
def project(tmp_path, store):
    """Two runs of one project that read ``data/train.csv`` (changed in between) and, as
    records made before issue 15 did, a package's ``entry_points.txt`` as if it were data."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    info = tmp_path / "venv/lib/python3.11/site-packages/shapes-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_text("[x]\na = b\n")
    versions = {}
    for run_id, rows in (("aaaa1111", "x\n1\n"), ("bbbb2222", "x\n1\n2\n")):
        add_run(store, run_id, name=run_id)
        store.put_section(run_id, "code", {"cwd": str(root), "git": None})
        (root / "data" / "train.csv").write_text(rows)
        versions[run_id] = data.add(root / "data" / "train.csv", store=store)["id"]
        data.link_run(store, run_id, versions[run_id], "read")
        legacy = data.add(info / "entry_points.txt", store=store)["id"]
        data.link_run(store, run_id, legacy, "read")
    return root, info, versions


def test_show_lists_each_read_by_project_path_and_version(project):
    _, _, versions = project
    done = run_cli("show", "aaaa1111")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.split("\ndata\n", 1)[1].splitlines()[2:4]]
    assert rows[0][:3] == ["read", "data/train.csv", versions["aaaa1111"][:12]]
    assert "entry_points" not in done.stdout
    record = json.loads(run_cli("show", "aaaa1111", "--json").stdout)
    assert [(d["relative_path"], d["id"]) for d in record["data"]] == [
        ("data/train.csv", versions["aaaa1111"])]


def test_compare_has_one_row_per_path(project):
    _, _, versions = project
    done = run_cli("compare", "aaaa1111", "bbbb2222", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["data"]
    assert [(r["key"], r["values"], r["differs"]) for r in rows] == [
        ("read:data/train.csv", [versions["aaaa1111"], versions["bbbb2222"]], True)]


def test_reproduce_reports_a_package_change_as_environment_not_data(project, store):
    root, info, _ = project
    (info / "entry_points.txt").unlink()  # the package was upgraded
    run = store.get_run("bbbb2222")
    checked = data_check(run, store)
    assert checked["changed"] == []
    assert checked["environment_files"] == [str(info / "entry_points.txt")]
    (root / "data" / "train.csv").write_text("x\n9\n")  # real data still counts
    assert [c.split(" (")[0] for c in data_check(run, store)["changed"]] == ["train.csv"]


def test_compare_puts_the_accelerator_stacks_side_by_side(store):
    stacks = {"aaaa1111": {"torch": {"version": "2.3.0+cpu", "build": "cpu", "cuda": None}},
              "bbbb2222": {"torch": {"version": "2.3.0", "build": "cuda", "cuda": "12.1",
                                     "cudnn": "8.9.2.26"}, "nvidia_driver": "550.54.15"}}
    for run_id, stack in stacks.items():
        add_run(store, run_id, name=run_id)
        store.put_section(run_id, "environment", {"python": "3.11.7", "accelerators": stack})
        store.put_section(run_id, "hardware", {"cpu_model": "AMD EPYC 7R13 Processor", "gpus": []})
    done = run_cli("compare", "aaaa1111", "bbbb2222", "--json")
    rows = {r["key"]: r for r in json.loads(done.stdout)["environment"]}
    assert rows["accelerators"]["values"] == [
        "torch 2.3.0+cpu (cpu)", "torch 2.3.0 (cuda 12.1, cuDNN 8.9.2.26); NVIDIA driver 550.54.15"]
    assert rows["accelerators"]["differs"] and not rows["python"]["differs"]
    assert rows["cpu"]["values"] == ["AMD EPYC 7R13 Processor"] * 2
    text = run_cli("compare", "aaaa1111", "bbbb2222").stdout
    assert text.startswith("environment\n") and "torch 2.3.0+cpu (cpu)" in text


def test_reproduce_names_a_changed_accelerator_stack(store):
    from jupyter_dlops.reproduce.checks import environment_diff
    from jupyter_dlops.reproduce.report import ReproReport

    recorded = {"torch": {"version": "2.3.0", "build": "cuda", "cuda": "12.1"}}
    packages = store.objects.put_bytes(b'["torch==2.3.0"]')
    diff = environment_diff({"packages_object": packages, "python": "3.11.7",
                             "accelerators": recorded}, store.objects)
    assert diff["accelerators"][0] == "torch 2.3.0 (cuda 12.1)"  # none installed here now
    report = ReproReport("r" * 32, environment=diff)
    assert "accelerators torch 2.3.0 (cuda 12.1) -> " in report.render()
