"""Refusals the real-notebook corpus found that were the converter's fault (issue 16)."""

import subprocess
import sys

import pytest

from jupyter_dlops.convert import convert_notebook
from jupyter_dlops.convert.magics import translate_cell


def _nb(*sources: str) -> dict:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s}
             for s in sources]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def test_a_warning_is_no_refusal_even_under_warnings_as_errors(tmp_path):
    """``'\\s'`` warns (invalid escape); with PYTHONWARNINGS=error the export was refused."""
    import json

    (tmp_path / "nb.ipynb").write_text(json.dumps(_nb("x = '\\s'\nprint(len(x))")))
    done = subprocess.run([sys.executable, "-W", "error", "-c",
                           "import sys; from jupyter_dlops.cli import run; sys.exit(run())",
                           "export", str(tmp_path / "nb.ipynb")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    ran = subprocess.run([sys.executable, str(tmp_path / "nb.py"), "--no-track"], capture_output=True,
                         text=True, timeout=120)
    assert ran.stdout.strip() == "2"


@pytest.mark.parametrize(("source", "expected"), [
    (">>> x = 1\n>>> for i in range(2):\n...     x += i\n>>> print(x)", "x = 1\nfor i in range(2):\n    x += i\nprint(x)"),
    ("In [1]: y = 2\n   ...: z = y", "y = 2\nz = y"),
    ("x = 1  # no prompt on the first line: left alone\n>>> y", "x = 1  # no prompt on the first line: left alone\n>>> y"),
])
def test_pasted_prompts_are_stripped_as_ipython_does(source, expected):
    assert translate_cell(source, 1).code == expected


def test_nbformat_3_with_list_sources_is_upgraded():
    nb = {"nbformat": 3, "nbformat_minor": 0, "metadata": {},
          "worksheets": [{"cells": [{"cell_type": "code", "language": "python", "metadata": {},
                                     "outputs": [], "input": ["a = 1\n", "print(a)"]}]}]}
    script, report = convert_notebook(nb)
    assert "a = 1\nprint(a)" in script
    assert "nbformat 3 notebook upgraded to nbformat 4 before export" in report.warnings


def test_nbformat_2_is_upgraded():
    nb = {"nbformat": 2, "metadata": {"name": "old"},
          "worksheets": [{"cells": [{"cell_type": "code", "language": "python", "input": "b = 2",
                                     "outputs": [], "collapsed": False}]}]}
    script, report = convert_notebook(nb)
    assert "b = 2" in script and "nbformat 2 notebook upgraded to nbformat 4 before export" in report.warnings


def test_connect_info_is_removed_with_a_note():
    translation = translate_cell("%connect_info", 1)
    assert translation.code.startswith("# [dlops] removed '%connect_info'")


def test_dunder_doc_is_ipythons_as_in_the_notebook(tmp_path):
    """scikit-learn's examples ``print(__doc__)``: a notebook prints the docstring of the module
    IPython runs cells in; the script printed None (corpus: sklearn/plot_bisect_kmeans)."""
    import json

    ipython = subprocess.run(
        [sys.executable, "-c", "from IPython.core.interactiveshell import InteractiveShell\n"
         "InteractiveShell.instance().run_cell('print(__doc__)')"],
        capture_output=True, text=True, timeout=120, check=True).stdout
    (tmp_path / "nb.ipynb").write_text(json.dumps(_nb("import json", "def f():\n    return __doc__",
                                                      "print(__doc__)\nprint(f())")))
    from jupyter_dlops.convert import export_notebook

    script = export_notebook(tmp_path / "nb.ipynb", outputs=False)
    ran = subprocess.run([sys.executable, str(script.script_path), "--no-track"],
                         capture_output=True, text=True, timeout=120, check=True)
    assert ipython.strip() == "Automatically created module for IPython interactive environment"
    assert ran.stdout == ipython * 2
    assert script.script.count("__doc__ = ") == 1  # once, before the first cell that uses it
