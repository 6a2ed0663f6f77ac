"""The script reads back as a notebook: jupytext gets the same cells, papermill runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from convert_helpers import CORPUS, copy_corpus

from jupyter_dlops.convert import export_notebook
from jupyter_dlops.convert.reader import read_notebook

jupytext = pytest.importorskip("jupytext")


def _as_written(source: str) -> str:
    """A script cell's source without what shows results as the notebook does: the cell marker
    first, and ``_dlops_show(...)`` around a displayed last expression (convert/outputs.py)."""
    source = re.sub(r"^_dlops_cell\(\d+\)\n", "", source)
    return re.sub(r"^_dlops_show\((.*)\)$", r"\1", source, flags=re.MULTILINE | re.DOTALL)


def _exported_cells(name: str) -> list[dict]:
    cells = read_notebook(CORPUS / f"{name}.ipynb")["cells"]
    left_out = {"skip"}  # a saved injected-parameters cell is kept, tagged (convert/injected.py)
    return [c for c in cells if not left_out & set(c["metadata"].get("tags", []))
            and "".join(c["source"]).strip()]


@pytest.mark.parametrize("name", ["parameters_types", "skip_and_markdown", "runnable", "magics_line",
                                  "magics_cell", "no_parameters"])
def test_jupytext_reads_back_the_same_cells(tmp_path, name: str) -> None:
    script = export_notebook(copy_corpus(tmp_path, name)).script
    back = jupytext.reads(script, fmt="py:percent")
    generated = [c for c in back.cells if "dlops-cli" in c.metadata.get("tags", [])]
    cells = [c for c in back.cells if c not in generated]
    original = _exported_cells(name)
    assert len(generated) == 2  # the outputs cell, then the flags and tracking cell
    assert [c.cell_type for c in cells] == [c["cell_type"] for c in original]
    for ours, theirs in zip(cells, original, strict=True):
        source = "".join(theirs["source"]).strip()
        papermills = ("parameters", "injected-parameters")
        assert ours.metadata.get("tags", []) == [t for t in theirs["metadata"].get("tags", []) if t in papermills]
        if not any(line.lstrip()[:1] in ("%", "!") or line.rstrip().endswith("?") for line in source.splitlines()):
            assert _as_written(ours.source) == source  # cells without magics come back verbatim
    assert back.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_papermill_runs_the_script_notebook_and_injected_parameters_win(tmp_path) -> None:
    script = export_notebook(copy_corpus(tmp_path, "runnable")).script
    notebook = tmp_path / "from_script.ipynb"
    jupytext.write(jupytext.reads(script, fmt="py:percent"), notebook)
    executed = tmp_path / "executed.ipynb"
    env = {**os.environ, "DLOPS_STORE": str(tmp_path / "store")}
    env.pop("DLOPS_RUN_ID", None)
    done = subprocess.run(
        [sys.executable, "-m", "papermill", str(notebook), str(executed), "-p", "lr", "0.3",
         "-p", "epochs", "3", "-y", "flags: [b, c]", "-k", "python3", "--cwd", str(tmp_path),
         "--no-progress-bar"],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["lr"] == 0.3 and result["epochs"] == 3 and result["flags"] == ["b", "c"]
    assert result["losses"] == pytest.approx([0.3, 0.15, 0.1])
    tags = [c["metadata"].get("tags", []) for c in json.loads(executed.read_text())["cells"]]
    assert tags.index(["injected-parameters"]) == tags.index(["parameters"]) + 1
    from jupyter_dlops.store import open_store

    (run,) = open_store(env["DLOPS_STORE"]).search_runs(full=True)
    assert run.params == {"lr": 0.3, "epochs": 3, "flags": ["b", "c"], "verbose": False,
                          "out": "result.json"}
