"""A wide DataFrame prints in the script as it printed in the notebook (issue 16; the corpus's
statsmodels notebooks): in a kernel pandas shows up to 20 columns, wrapped with ``\\``; under
plain python its default elided the middle columns (``...``) to fit a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from convert_helpers import cell, notebook, run_python

from jupyter_dlops.convert import export_notebook

pytest.importorskip("pandas")

FRAME = ("df = pd.DataFrame([[0.5] * 15, [1.5] * 15], columns=[f'column{i}' for i in range(15)])\n"
         "print(df)")


def _notebook(path: Path, *cells: dict) -> Path:
    path.write_text(json.dumps(notebook(*cells)))
    return path


def test_the_script_prints_a_wide_frame_wrapped_not_elided(tmp_path: Path) -> None:
    source = _notebook(tmp_path / "wide.ipynb", cell("import pandas as pd\n" + FRAME))
    printed = run_python(export_notebook(source).script_path, "--no-track").stdout
    assert "..." not in printed
    assert printed.splitlines()[0].split() == [f"column{i}" for i in range(8)] + ["\\"]
    assert printed.count("column") == 15


def test_pandas_imported_by_another_library_or_an_earlier_cell_is_set_too(tmp_path: Path) -> None:
    # statsmodels' datasets hand out frames though the notebook never imports pandas itself
    source = _notebook(tmp_path / "indirect.ipynb", cell("import json"),
                       cell("import importlib\npd = importlib.import_module('pandas')"),
                       cell("import numpy\n" + FRAME))
    printed = run_python(export_notebook(source).script_path, "--no-track").stdout
    assert "..." not in printed and printed.count("column") == 15


def test_a_script_without_third_party_imports_has_no_pandas_helper(tmp_path: Path) -> None:
    source = _notebook(tmp_path / "plain.ipynb", cell("import json\nprint(json.dumps(1))"))
    assert "_dlops_pandas" not in export_notebook(source).script


@pytest.mark.slow
def test_papermill_and_the_script_print_the_same_frame(tmp_path: Path) -> None:
    source = _notebook(tmp_path / "both.ipynb", cell("import pandas as pd\n" + FRAME))
    executed = tmp_path / "executed.ipynb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLOPS_")}
    subprocess.run([sys.executable, "-m", "papermill", str(source), str(executed), "-k", "python3",
                    "--no-progress-bar"], capture_output=True, timeout=300, env=env, check=True)
    outputs = json.loads(executed.read_text())["cells"][0]["outputs"]
    seen = "".join(o["text"] if isinstance(o["text"], str) else "".join(o["text"]) for o in outputs)
    printed = run_python(export_notebook(source, outputs=False).script_path, "--no-track").stdout
    assert printed == seen
