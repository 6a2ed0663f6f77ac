"""The script shows what the notebook showed, and its run keeps it (issue 16, "Displayed results
are kept"): real exports run with plain python, each with its own store."""

from __future__ import annotations

import json

from convert_helpers import cell, copy_corpus, notebook, run_python, store_env

from jupyter_dlops.convert import convert_notebook, export_notebook

# What `python displayed_results.py` prints: each cell's shown value in order, the long text
# shortened, the figure cell 10 leaves open shown (as its repr) before cell 11 runs.
LONG = repr("x" * 5000)
DISPLAYED_STDOUT = (
    "[0, 1, 2]\n3\n'text'\nprinted\n1\ntick ran 1 time(s)\n"
    f"{LONG[:4000]}\n... (shortened: 1 lines, 5002 characters)\n"
    "<Figure size 640x480 with 1 Axes>\n{'a': 1}\n"
)


def _outputs(env, inline=True):
    from jupyter_dlops.store import open_store
    from jupyter_dlops.tracking.outputs import run_outputs

    store = open_store(env["DLOPS_STORE"], create=False)
    (run,) = store.search_runs()
    return run, run_outputs(store, store.get_run(run.run_id), inline=inline)


def _script(source_cells, tmp_path, **options):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook(*source_cells)), encoding="utf-8")
    return export_notebook(path, **options)


def test_tracked_script_prints_and_records_what_each_cell_showed(tmp_path) -> None:
    script = export_notebook(copy_corpus(tmp_path, "displayed_results")).script_path
    env = store_env(tmp_path)
    done = run_python(script, env=env)
    assert done.stdout == DISPLAYED_STDOUT
    assert done.stderr == "warned\n"
    run, outputs = _outputs(env)
    assert run.status == "finished"
    texts = [(o["path"], o["text"]) for o in outputs if o["kind"] == "text"]
    assert texts == [
        ("outputs/cell-3/1.txt", "[0, 1, 2]"), ("outputs/cell-6/1.txt", "3"),
        ("outputs/cell-6/2.txt", "'text'"), ("outputs/cell-7/1.txt", "1"),
        ("outputs/cell-9/1.txt", LONG),  # the run keeps it whole
        ("outputs/cell-11/1.txt", "{'a': 1}"),
    ]
    (figure,) = [o for o in outputs if o["kind"] == "figure"]
    assert figure["path"] == "outputs/cell-10/fig-1.png" and figure["cell"] == 10
    import base64

    from jupyter_dlops.convert.verify_outputs import png_size

    png = base64.b64decode(figure["png"])
    assert len(png) == figure["size"] and png_size(png)[0] > 100 and png_size(png)[1] > 100


def test_last_expression_is_evaluated_once(tmp_path) -> None:
    script = _script([cell("calls = []\ndef tick():\n    calls.append(1)\n    return len(calls)"),
                      cell("tick()"), cell("print(calls)")], tmp_path).script_path
    assert run_python(script, "--no-track").stdout == "1\n[1]\n"


def test_assignments_semicolons_and_prints_show_nothing_more(tmp_path) -> None:
    script = _script([cell("x = 41"), cell("x + 1;"), cell("x += 1  # now 42"),
                      cell("print(x)"), cell("x  # shown, comment kept")], tmp_path).script_path
    assert run_python(script, "--no-track").stdout == "42\n42\n"


def test_translated_magics_show_nothing(tmp_path) -> None:
    # IPython shows neither `!cmd`'s nor a line magic's result; `%time expr` returns expr's value.
    script, _ = convert_notebook(notebook(
        cell("!echo hi"), cell("x = 1\nx\n%matplotlib inline"), cell("%time x * 2"),
    ))
    assert "_dlops_show(subprocess" not in script and "_dlops_show(x)" not in script
    assert "_dlops_show(x * 2)" in script


def test_matplotlib_is_not_imported_unless_the_script_imports_it(tmp_path) -> None:
    script = _script([cell("x = 1\nx"), cell("import sys\nprint('matplotlib' in sys.modules)")],
                     tmp_path).script_path
    assert run_python(script, env=store_env(tmp_path)).stdout == "1\nFalse\n"


def test_standalone_script_prints_but_never_imports_jupyter_dlops(tmp_path) -> None:
    result = export_notebook(copy_corpus(tmp_path, "displayed_results"), standalone=True)
    assert "jupyter_dlops" not in result.script
    env = store_env(tmp_path)
    code = ("import runpy, sys; sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__');"
            " print('imported' if 'jupyter_dlops' in sys.modules else 'never imported')")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code, str(result.script_path)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout == DISPLAYED_STDOUT + "never imported\n"
    assert not (tmp_path / "store").exists()


def test_no_outputs_keeps_display_but_shows_and_records_nothing_else(tmp_path) -> None:
    result = export_notebook(copy_corpus(tmp_path, "displayed_results"), outputs=False)
    assert "_dlops_cell" not in result.script and "_dlops_show" not in result.script
    env = store_env(tmp_path)
    done = run_python(result.script_path, env=env)
    assert done.stdout == "3\n'text'\nprinted\ntick ran 1 time(s)\n"
    assert _outputs(env)[1] == []


def test_display_is_no_hidden_state_and_no_outputs_without_display_adds_nothing(tmp_path) -> None:
    script, report = convert_notebook(notebook(cell("display(1)")))
    assert report.hidden_state == []
    plain, _ = convert_notebook(notebook(cell("x = 1")), outputs=False)
    assert "def display" not in plain and "_dlops_outputs" not in plain and "_dlops_cell" not in plain


def test_displayed_secret_is_redacted_in_the_run(tmp_path) -> None:
    secret = "s3cr3t-value-planted-16"
    script = _script([cell("import os\nos.environ['DLOPS_TEST_API_TOKEN']")], tmp_path).script_path
    env = {**store_env(tmp_path), "DLOPS_TEST_API_TOKEN": secret}
    run_python(script, env=env)
    _, outputs = _outputs(env)
    assert [o["path"] for o in outputs] == ["outputs/cell-1/1.txt"]
    assert secret not in outputs[0]["text"] and "REDACTED" in outputs[0]["text"].upper()


def test_values_shown_before_a_failure_are_kept(tmp_path) -> None:
    script = _script([cell("x = 5\nx"), cell("display('last words')\nraise ValueError('boom')")],
                     tmp_path).script_path
    env = store_env(tmp_path)
    done = run_python(script, env=env, check=False)
    assert done.returncode == 1 and done.stdout == "5\n'last words'\n"
    run, outputs = _outputs(env)
    assert run.status == "failed"
    assert [(o["path"], o["text"]) for o in outputs] == [("outputs/cell-1/1.txt", "5"),
                                                        ("outputs/cell-2/1.txt", "'last words'")]


def test_script_and_verify_shorten_alike() -> None:
    from jupyter_dlops.convert.outputs import outputs_cell
    from jupyter_dlops.convert.verify_outputs import shorten

    namespace = {"__file__": "script.py"}
    exec(outputs_cell(record=False), namespace)
    for text in ("short", "x" * 4001, "\n".join(map(str, range(45))), "a\n" * 40, ""):
        assert namespace["_DlopsOutputs"].shorten(text) == shorten(text)
    assert shorten("\n".join(map(str, range(45)))).endswith("39\n... (shortened: 45 lines, 124 characters)")


def test_ipythons_display_imported_by_the_notebook_shows_as_in_the_notebook(tmp_path) -> None:
    # Outside a kernel IPython's own display() prints str(value) and keeps nothing.
    script = _script([cell("from IPython.display import display\nimport json"),
                      cell("display('text', {'a': 1})")], tmp_path).script_path
    env = store_env(tmp_path)
    assert run_python(script, env=env).stdout == "'text'\n{'a': 1}\n"
    assert [o["text"] for o in _outputs(env)[1]] == ["'text'", "{'a': 1}"]


def test_a_cell_keeps_at_most_100_values_but_shows_them_all(tmp_path) -> None:
    script = _script([cell("for i in range(105):\n    display(i)"), cell("'after'")], tmp_path).script_path
    env = store_env(tmp_path)
    assert run_python(script, env=env).stdout == "".join(f"{i}\n" for i in range(105)) + "'after'\n"
    paths = [o["path"] for o in _outputs(env, inline=False)[1]]
    assert paths == [f"outputs/cell-1/{k}.txt" for k in range(1, 101)] + ["outputs/cell-2/1.txt"]


def test_an_empty_figure_is_kept_as_its_text(tmp_path) -> None:
    script = _script([cell("import matplotlib.pyplot as plt\nfig = plt.figure()"), cell("print('next')")],
                     tmp_path).script_path
    env = store_env(tmp_path)
    assert run_python(script, env=env).stdout == "<Figure size 640x480 with 0 Axes>\nnext\n"
    assert [(o["path"], o["text"]) for o in _outputs(env)[1]] == [
        ("outputs/cell-1/1.txt", "<Figure size 640x480 with 0 Axes>")]


def test_verify_reads_reprs_as_a_user_does() -> None:
    # IPython's pretty printer (the notebook's text/plain) and repr (the script) write the same
    # value differently: line wrapping, "object at", classes by name.
    from jupyter_dlops.convert.verify_outputs import normalized

    pretty = "[<matplotlib.lines.Line2D at 0x7f00aa>,\n <__main__.Thing at 0x7f00bb>,\n int]"
    plain = "[<matplotlib.lines.Line2D object at 0x7f11cc>, <__main__.Thing object at 0x7f11dd>, <class 'int'>]"
    assert normalized(pretty) == normalized(plain)
    assert normalized("[1, 2]") != normalized("[1, 3]")
