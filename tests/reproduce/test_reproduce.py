"""``dlops reproduce``: rebuilt from the record, re-run, compared, with a verdict."""

from __future__ import annotations

import json

import pytest

from jupyter_dlops.reproduce import reproduce
from jupyter_dlops.sweeps.api import run_notebook

pytestmark = pytest.mark.slow


def test_reproduced_with_uncommitted_diff_applied(repo):
    notebook = json.loads((repo / "train.ipynb").read_text())
    source = "".join(notebook["cells"][2]["source"])
    notebook["cells"][2]["source"] = source.replace("0.01", "0.02")
    (repo / "train.ipynb").write_text(json.dumps(notebook))  # uncommitted change: lives in the diff
    run = run_notebook(repo / "train.ipynb", {"lr": 0.2})
    assert run.sections["code"]["git"]["diff_object"]
    report = reproduce(run.run_id)
    assert report.verdict == "reproduced", report.render()
    assert "recorded uncommitted diff applied" in report.code_notes
    assert report.exit_code() == 0 and report.new_run_id != run.run_id
    assert "verdict: reproduced" in report.render()


def test_differs_with_table_and_tolerance(repo):
    from jupyter_dlops.store import open_store

    run = run_notebook(repo / "train.ipynb", {"lr": 0.2})
    # the record says acc was different: the re-run cannot match it
    open_store().insert_metrics([(run.run_id, "acc", 0.5, 1, 0.0)])
    report = reproduce(run.run_id, rtol=1e-3)
    assert report.verdict == "differs" and report.exit_code() == 8
    text = report.render()
    assert "differences (rtol=0.001" in text and "acc" in text and "0.754" in text
    loose = reproduce(run.run_id, atol=1.0)
    assert loose.verdict == "reproduced"


def test_commit_not_in_repository_could_not_run(repo):
    from jupyter_dlops.store import open_store

    run = run_notebook(repo / "train.ipynb")
    code = dict(run.sections["code"])
    code["git"] = {**code["git"], "commit": "0123456789abcdef0123456789abcdef01234567"}
    open_store().put_section(run.run_id, "code", code)
    report = reproduce(run.run_id)
    assert report.verdict == "could not run" and report.exit_code() == 8
    assert "commit 0123456789ab is not in the repository" in report.reason


def test_check_only_lists_environment_changes(repo):
    from jupyter_dlops.store import open_store

    run = run_notebook(repo / "train_script.py", engine="script")
    store = open_store()
    env = dict(run.sections["environment"])
    packages = json.loads(store.objects.read_bytes(env["packages_object"]))
    fake = [p for p in packages if not p.lower().startswith("pyyaml==")] + ["gone-package==1.0"]
    fake = [("numpy==0.0.1" if p.lower().startswith("numpy==") else p) for p in fake]
    env["packages_object"] = store.objects.put_bytes(json.dumps(fake).encode())
    store.put_section(run.run_id, "environment", env)
    report = reproduce(run.run_id, check_only=True)
    assert report.verdict == "checked" and report.new_run_id is None
    diff = report.environment
    assert "gone-package==1.0" in diff["removed"]
    assert any(p.lower().startswith("pyyaml==") for p in diff["added"])
    assert [c[:2] for c in diff["changed"]] == [("numpy", "0.0.1")]
    assert "changed  numpy 0.0.1 ->" in report.render()


def test_cli_reproduce_json(repo, capsys):
    from jupyter_dlops.cli import main

    run = run_notebook(repo / "train_script.py", {"epochs": 2}, engine="script")
    assert main(["reproduce", run.run_id[:10], "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "reproduced" and data["metrics"][0]["key"] == "loss"
    assert main(["reproduce", "no-such-run"]) == 3


def test_changed_data_is_named_and_stops_unless_allowed(repo):
    import nbformat
    import nbformat.v4 as v4

    data = repo / "data"
    data.mkdir()
    (data / "train.csv").write_text("x,y\n1,2\n")
    cells = [v4.new_code_cell("data_dir = 'data'"),
             v4.new_code_cell("import jupyter_dlops as dl\ndl.log_input(data_dir)\n"
                              "dl.log_metric('rows', len(open(data_dir + '/train.csv').read().splitlines()))")]
    cells[0].metadata["tags"] = ["parameters"]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, repo / "uses_data.ipynb")
    run = run_notebook(repo / "uses_data.ipynb")
    assert run.status == "finished", run.error
    (data / "train.csv").write_text("x,y\n1,2\n3,4\n")
    report = reproduce(run.run_id)
    assert report.verdict == "could not run" and report.exit_code() == 6
    assert "train.csv (changed" in report.reason and "--allow-data-change" in report.reason
    allowed = reproduce(run.run_id, allow_data_change=True)
    assert allowed.verdict == "differs"  # rows went from 2 to 3
    assert [m.key for m in allowed.metrics if not m.ok] == ["rows"]


@pytest.mark.parametrize("which", ["entry", "packages"])
def test_a_tampered_object_is_never_used(repo, which):
    """A stored object whose bytes no longer hash to its id: the verdict says so, nothing runs."""
    import os

    from jupyter_dlops.store import open_store

    run = run_notebook(repo / "train_script.py", {"epochs": 2}, engine="script")
    store = open_store()
    object_id = (run.sections["code"]["entry_object"] if which == "entry"
                 else run.sections["environment"]["packages_object"])
    path = store.objects.path(object_id)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes().replace(b"epochs", b"epochz") + b"\nimport os  # tampered\n")
    before = {r.run_id for r in store.search_runs()}
    report = reproduce(run.run_id)
    assert report.verdict == "could not run" and report.exit_code() == 9, report.render()
    label = "train_script.py" if which == "entry" else "the recorded list of installed packages"
    assert report.reason.startswith(f"the store's copy of {label} (object {object_id[:12]}) was altered")
    assert report.new_run_id is None and {r.run_id for r in store.search_runs()} == before


def test_values_a_script_showed_do_not_make_its_reproduction_differ(repo):
    # An object's repr holds its address, different every run: shown values are kept like logs.
    import subprocess
    import sys

    from jupyter_dlops.convert import convert_notebook
    from jupyter_dlops.store import open_store

    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": "class Thing:\n    pass\n\n\nThing()"}]
    script, _ = convert_notebook({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells},
                                 name="shows", script_name="shows.py")
    (repo / "shows.py").write_text(script)
    for args in (["add", "shows.py"], ["commit", "-qm", "shows"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    subprocess.run([sys.executable, "shows.py"], cwd=repo, check=True, capture_output=True, timeout=120)
    (run,) = open_store().search_runs(full=True)
    assert [a.path for a in run.artifacts if a.kind == "output"] == ["outputs/cell-1/1.txt"]
    report = reproduce(run.run_id)
    assert report.verdict == "reproduced", report.render()


def test_code_with_redactions_is_not_run_silently(repo):
    """A hard-coded token in the script: the stored entry snapshot and diff are redacted, the
    run records how many secrets that removed, and reproduce says so instead of running the
    changed code (issue 14)."""
    from jupyter_dlops.store import open_store

    token = "hf_" + "Q7" * 17
    script = repo / "train_script.py"
    script.write_text(f'HF_TOKEN = "{token}"\napi_key = "plain-but-named"\n' + script.read_text())
    run = run_notebook(script, engine="script")
    assert run.status == "finished", run.error
    code = run.sections["code"]
    store = open_store()
    entry = store.objects.read_bytes(code["entry_object"]).decode()
    diff = store.objects.read_bytes(code["git"]["diff_object"]).decode()
    assert token not in entry + diff and "plain-but-named" not in entry + diff
    assert 'HF_TOKEN = "***redacted***"\napi_key = "***redacted***"\n' in entry
    assert code["git"]["redactions"] == 2 and code["redactions"] == 4
    runs_before = len(store.search_run_ids())
    report = reproduce(run.run_id)
    assert report.verdict == "could not run" and report.exit_code() == 8
    assert report.reason.startswith("the recorded code had 4 secrets removed; provide them through the environment")
    assert report.new_run_id is None and len(store.search_run_ids()) == runs_before
