"""Export never silently replaces a script jupyter-dlops did not write (issue 14)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_dlops.cli import main
from jupyter_dlops.convert import export_notebook
from jupyter_dlops.errors import OverwriteError

CORPUS = Path(__file__).resolve().parents[1] / "notebooks"
HAND_WRITTEN = "# my own training script, not an export\nprint('precious')\n"
JUPYTEXT_PAIRED = "# ---\n# jupyter:\n#   jupytext:\n#     formats: ipynb,py:percent\n# ---\n\n# %%\nx = 1\n"


@pytest.fixture
def notebook(tmp_path) -> Path:
    return Path(shutil.copy(CORPUS / "parameters_types.ipynb", tmp_path / "train.ipynb"))


@pytest.mark.parametrize("existing", [HAND_WRITTEN, JUPYTEXT_PAIRED], ids=["hand-written", "jupytext-paired"])
def test_cli_refuses_a_foreign_script_in_one_line_and_keeps_it(notebook, existing):
    script = notebook.with_suffix(".py")
    script.write_text(existing)
    done = subprocess.run([str(Path(sys.executable).parent / "dlops"), "export", str(notebook)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"dlops: error: {script} exists and was not written by jupyter-dlops")
    assert "--force" in done.stderr
    assert script.read_text() == existing
    assert [p.name for p in notebook.parent.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_force_replaces_it(notebook):
    script = notebook.with_suffix(".py")
    script.write_text(HAND_WRITTEN)
    assert main(["export", str(notebook), "--force"]) == 0
    assert "exported from a notebook by jupyter-dlops" in script.read_text()


def test_a_previous_export_is_replaced_without_asking(notebook):
    first = export_notebook(notebook).script
    data = json.loads(notebook.read_text())
    data["cells"].append({"cell_type": "code", "metadata": {}, "source": "print('more')", "outputs": [],
                          "execution_count": None})
    notebook.write_text(json.dumps(data))
    second = export_notebook(notebook)
    assert second.script != first and notebook.with_suffix(".py").read_text() == second.script


def test_an_identical_standalone_export_is_ours_too(tmp_path):
    notebook = Path(shutil.copy(CORPUS / "no_parameters.ipynb", tmp_path / "plain.ipynb"))
    text = export_notebook(notebook, standalone=True, outputs=False).script
    assert "jupyter-dlops" not in text  # no marker: recognised by its content
    assert export_notebook(notebook, standalone=True, outputs=False).script == text


def test_library_call_raises_and_writes_nothing(notebook, tmp_path):
    target = tmp_path / "elsewhere.py"
    target.write_text(HAND_WRITTEN)
    with pytest.raises(OverwriteError) as info:
        export_notebook(notebook, target)
    assert info.value.http_status == 409 and target.read_text() == HAND_WRITTEN
