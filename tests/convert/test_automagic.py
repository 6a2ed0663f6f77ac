"""Automagic lines (``cd sub`` without ``%``) are read exactly as IPython reads them (issue 16)."""

from __future__ import annotations

import json
import re

import pytest
from convert_helpers import cell, notebook, run_python

from jupyter_dlops.convert import convert_notebook, export_notebook
from jupyter_dlops.convert.automagic import LINE_MAGICS, automagic

CASES = [
    "cd sub", "cd sub\n", "cd sub\n\n", "\ncd sub", "  cd sub", "x = 1\ncd sub", "ls", "ls -l",
    "ls = 5", "ls,b = 1,2", "ls == 5", "pwd()", "print", "pip install x", "time x=1", "history -n",
    "who", "cd.x", "load_ext foo", "timeit f()", "if x: cd sub", "history", "len", "mkdir -p out",
    "x", "lambda", "clear", "less f.txt",
]


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    yield InteractiveShell.instance()  # the reference; ipykernel's magics are added below
    # A singleton: left behind, it stops the notebook tests' TerminalInteractiveShell later in
    # the same pytest process ("an incompatible sibling is already instantiated").
    InteractiveShell.clear_instance()


@pytest.mark.parametrize("source", CASES)
@pytest.mark.parametrize("defined", [set(), {"history", "ls"}], ids=["fresh", "shadowed"])
def test_automagic_matches_ipython(shell, source: str, defined: set[str]) -> None:
    shell.user_ns.update({name: 1 for name in defined})
    try:
        theirs = shell.transform_cell(source)
    finally:
        for name in defined:
            shell.user_ns.pop(name)
    ours = automagic(source, defined)
    kernel_only = source.split()[0] in ("clear", "less")  # ipykernel's KernelMagics
    if theirs.startswith("get_ipython().run_line_magic(") or (kernel_only and ours):
        name, rest = re.match(r"%(\w+)[ \t]*(.*)", ours or "%").groups()  # as magics.py reads it
        assert kernel_only or theirs == f"get_ipython().run_line_magic({name!r}, {rest!r})\n"
    else:
        assert ours is None


def test_magic_table_is_ipythons(shell) -> None:
    assert set(shell.magics_manager.lsmagic()["line"]) <= LINE_MAGICS


def test_automagic_cells_export_and_run(tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.txt").write_text("inside\n")
    nb = notebook(cell("import json"), cell("mkdir -p made"), cell("cd sub"), cell("cat f.txt"),
                  cell("history = [1]"), cell("history"), cell("print(json.dumps(len(history)))"))
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    done = run_python(export_notebook(tmp_path / "nb.ipynb", standalone=True).script_path)
    assert done.stdout.splitlines() == ["inside", "[1]", "1"]  # `history` is shown, as in IPython
    assert (tmp_path / "made").is_dir()


def test_name_defined_only_in_a_skipped_cell_still_shadows() -> None:
    script, _ = convert_notebook(notebook(cell("ls = [1]", "skip"), cell("ls")))
    assert script.rstrip().endswith("\n_dlops_show(ls)")
