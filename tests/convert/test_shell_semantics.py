"""Shell escapes keep IPython's meaning in the exported script (issue 16).

Each test exports a small notebook and runs the script with plain ``python`` (``--standalone``,
so the helpers must not need jupyter_dlops), comparing with what IPython prints for the cell.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from convert_helpers import cell, notebook, run_python

from jupyter_dlops.convert import export_notebook
from jupyter_dlops.convert.shell_runtime import _dlops_expand, _dlops_sh, _dlops_SList


def run_cells(tmp_path, *sources: str, shell: str = "/bin/sh", **options: bool) -> str:
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(*(cell(s) for s in sources))))
    script = export_notebook(tmp_path / "nb.ipynb", standalone=True, **options).script_path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # cannot import jupyter_dlops
    env["SHELL"] = shell
    return run_python(script, env=env).stdout


def test_failing_command_goes_on_and_sets_exit_code(tmp_path) -> None:
    out = run_cells(tmp_path, "!ls /nonexistent-dlops-dir", "print('after', _exit_code)")
    assert out.splitlines()[-1] == "after 2"


def test_dollar_and_brace_fields_expand_from_globals(tmp_path) -> None:
    out = run_cells(
        tmp_path,
        "import types\nname = 'world'\nobj = types.SimpleNamespace(attr='A')\nn = 3",
        "!echo hello $name $obj.attr {n * 2} $$HOME_X '$name'",
        "!echo $UNDEFINED_DLOPS {n}",  # one field fails: the command runs as written
        "def f(local='L'):\n    !echo in $local\nf()",
    )
    # $$HOME_X reaches the shell as $HOME_X (unset: empty); '$name' is quoted, so left alone.
    assert out.splitlines() == ["hello world A 6 $name", "{n}", "in L"]


def test_captured_output_is_an_slist(tmp_path) -> None:
    out = run_cells(
        tmp_path,
        "files = !printf 'b.txt 2\\na.py 1\\n'",
        "print(repr(files.s), repr(files.n), files.l == files, files.grep('py'), files.fields(1))",
    )
    assert out.splitlines()[-1] == "'b.txt 2 a.py 1' 'b.txt 2\\na.py 1' True ['a.py 1'] ['2', '1']"


def test_print_and_shell_output_interleave(tmp_path) -> None:
    out = run_cells(tmp_path, "print('one')\n!echo two\nprint('three')\n!echo four")
    assert out.splitlines() == ["one", "two", "three", "four"]  # stdout is a pipe: block-buffered


def test_helper_names_are_no_hidden_state(tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    nb = notebook(cell("!ls /nonexistent-dlops-dir"), cell("print(_exit_code)"), cell("d = 'sub'"),
                  cell("%cd $d"), cell("import os\nprint(os.path.basename(os.getcwd()))"))
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    result = export_notebook(tmp_path / "nb.ipynb", standalone=True)
    assert result.report.hidden_state == []
    assert run_python(result.script_path).stdout.splitlines() == ["2", "sub"]


def test_capture_hides_shell_output_too(tmp_path) -> None:
    out = run_cells(tmp_path, "%%capture cap\n!echo hidden\nprint('also hidden')",
                    "print(repr(cap.stdout))")
    assert out.splitlines() == ["'hidden\\nalso hidden\\n'"]


def test_script_without_shell_has_no_helpers(tmp_path) -> None:
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cell("x = 1"))))
    assert "def _dlops_sh(" not in export_notebook(tmp_path / "nb.ipynb").script


def test_helpers_are_defined_once(tmp_path) -> None:
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cell("!echo a"), cell("!echo b"))))
    script = export_notebook(tmp_path / "nb.ipynb").script
    assert script.count("def _dlops_sh(") == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("echo $a", "echo 1"), ("echo $$a", "echo $a"), ("{a + 1}", "2"), ("$b.real", "2"),
    ("'$a'", "'$a'"), ("{{a}}", "{a}"), ("$nope {a}", "$nope {a}"), ("$a{a}", "11"),
])
def test_expansion_matches_ipython(text: str, expected: str) -> None:
    a, b = 1, 2  # noqa: F841 - read by the expansion through the frame
    assert _dlops_expand(text) == expected
    from IPython.utils.text import DollarFormatter  # the reference, in tests only

    try:  # InteractiveShell.var_expand: a failing field leaves the text as written
        theirs = DollarFormatter().vformat(text, [], {"a": 1, "b": 2})
    except NameError:
        theirs = text
    assert theirs == expected


def test_slist_matches_ipython() -> None:
    from IPython.utils.text import SList

    lines = ["-rw 1 ville ChangeLog", "drw 6 ville IPython", "short"]
    ours, theirs = _dlops_SList(lines), SList(lines)
    assert (ours.s, ours.n, ours.l, ours.p) == (theirs.s, theirs.n, theirs.l, theirs.p)
    for args in [("chan",), ("ch", True), ("^I", False, -1), (lambda s: s.startswith("d"),)]:
        assert ours.grep(*args) == theirs.grep(*args)
    for fields in [(), (0,), (1, 0), (-1,), (3,)]:
        assert ours.fields(*fields) == theirs.fields(*fields)


def test_sh_helper_in_process(capfd) -> None:
    lines = _dlops_sh(f"{sys.executable} -c \"print('x'); import sys; sys.exit(4)\"", capture=True)
    assert lines == ["x"] and globals()["_exit_code"] == 4


def test_names_in_brace_fields_count_for_hidden_state() -> None:
    from jupyter_dlops.convert import convert_notebook

    nb = notebook(cell("epochs = 3", "skip"), cell("x = 1\n!echo {epochs + x} $HOME"),
                  cell("%cd {epochs}"), cell("!mkdir -p d/{a,b}"))
    _, report = convert_notebook(nb)
    assert [finding.message.split(":")[0] for finding in report.hidden_state] == ["cell 2, line 2",
                                                                                   "cell 3, line 1"]
    assert all("'epochs'" in finding.message for finding in report.hidden_state)


def test_shell_brace_expansion_is_left_to_the_shell(tmp_path) -> None:
    if not os.path.exists("/bin/bash"):
        pytest.skip("needs bash")
    out = run_cells(tmp_path, "!mkdir -p d/{a,b}\n!echo $$0", shell="/bin/bash")  # IPython uses $SHELL
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["a", "b"]
    assert out.splitlines() == ["/bin/bash"]


def test_timeit_side_effects_happen_once(tmp_path) -> None:
    out = run_cells(tmp_path, "L = []", "%timeit -n1 -r1 L.append(1)",
                    "%%timeit -n1 -r1 L.append(2)\nL.append(3)", "print(L)")
    assert out.splitlines() == ["[1, 2, 3]"]  # as many times as the notebook ran them


def test_tracked_script_keeps_order_and_logs_shell_output(tmp_path) -> None:
    from convert_helpers import store_env

    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(
        cell("print('one')\n!echo two; echo err >&2\nprint('three')"),
        cell("%%bash\necho four\necho bash-err >&2"))))
    script = export_notebook(tmp_path / "nb.ipynb").script_path
    done = run_python(script, env=store_env(tmp_path))  # sys.stdout is the run's log tee here
    assert done.stdout.splitlines()[-5:] == ["one", "two", "err", "three", "four"]
    assert "bash-err" in done.stderr
