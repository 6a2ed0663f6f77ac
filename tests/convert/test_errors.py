"""Bad input: each a clear one-line error naming what to fix, and a distinct exit status."""

from __future__ import annotations

import pytest
from convert_helpers import cell, copy_corpus, notebook

from jupyter_dlops.cli import main
from jupyter_dlops.convert import convert_notebook, export_notebook
from jupyter_dlops.errors import ConvertError, NotFoundError, UsageError

BAD_CORPUS = [
    ("not_json", "invalid JSON at line 1"),
    ("two_parameters", "cells 1 and 2 are both tagged 'parameters'"),
    ("r_kernel", "only Python notebooks can be exported"),
    ("syntax_error", "cell 2, line 2: '(' was never closed"),
    ("unknown_magic", "cell 2, line 2: cannot export '%store x'"),
]


@pytest.mark.parametrize(("name", "message"), BAD_CORPUS, ids=[n for n, _ in BAD_CORPUS])
def test_bad_notebook_is_refused_with_one_line(tmp_path, name: str, message: str) -> None:
    path = copy_corpus(tmp_path, name)
    with pytest.raises(ConvertError) as caught:
        export_notebook(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not path.with_suffix(".py").exists(), "nothing may be written on failure"


@pytest.mark.parametrize(("name", "message"), BAD_CORPUS, ids=[n for n, _ in BAD_CORPUS])
def test_cli_prints_one_line_and_exits_7(tmp_path, capsys, name: str, message: str) -> None:
    assert main(["export", str(copy_corpus(tmp_path, name))]) == 7
    err = capsys.readouterr().err
    assert err.startswith("dlops: error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["no_code_cells", "raw_only"])
def test_notebook_without_code_exports_a_script_that_says_so(tmp_path, capsys, name: str) -> None:
    path = copy_corpus(tmp_path, name)
    assert main(["export", str(path)]) == 0  # issue 16: not a refusal
    script = path.with_suffix(".py").read_text()
    assert script.rstrip().endswith("# [dlops] the notebook has no code cells: the script only has "
                                    "its text as comments; running it does nothing.")
    assert "warning: the notebook has no code cells" in capsys.readouterr().out
    from convert_helpers import run_python

    assert run_python(path.with_suffix(".py")).returncode == 0


def test_every_code_cell_skipped_is_still_refused() -> None:
    with pytest.raises(ConvertError, match="every code cell is left out"):
        convert_notebook(notebook(cell("x = 1", "skip")))


def test_cli_export_strict_shell_and_remove_magic(tmp_path, capsys) -> None:
    path = tmp_path / "nb.ipynb"
    import json

    path.write_text(json.dumps(notebook(cell("%comet show\n!false"))))
    assert main(["export", str(path)]) == 7
    assert "cannot export '%comet show'" in capsys.readouterr().err
    assert main(["export", str(path), "--strict-shell", "--remove-magic", "comet=Comet display"]) == 0
    assert path.with_suffix(".py").read_text().rstrip().endswith(
        "# [dlops] removed '%comet show': Comet display\n_dlops_sh('false', check=True)")
    before = path.with_suffix(".py").read_bytes()
    assert main(["export", str(path), "--remove-magic", "no way"]) == UsageError.exit_code
    assert "--remove-magic 'no way': expected a magic name" in capsys.readouterr().err
    assert path.with_suffix(".py").read_bytes() == before


def test_missing_notebook_exits_3(tmp_path, capsys) -> None:
    assert main(["export", str(tmp_path / "absent.ipynb")]) == NotFoundError.exit_code == 3
    assert "does not exist" in capsys.readouterr().err


def test_output_over_the_notebook_is_refused(tmp_path) -> None:
    path = copy_corpus(tmp_path, "no_parameters")
    before = path.read_bytes()
    for output in (path, path.parent / "." / path.name, path.with_name("other.ipynb")):
        with pytest.raises(UsageError, match="refusing to write the script over a notebook"):
            export_notebook(path, output)
    assert path.read_bytes() == before


def test_strict_refuses_hidden_state_and_names_cell(tmp_path, capsys) -> None:
    path = copy_corpus(tmp_path, "hidden_state")
    with pytest.raises(ConvertError, match=r"cell 3, line 1: 'secret' is used but defined only in skipped cell 2.*and \d+ more"):
        export_notebook(path, strict=True)
    assert main(["export", str(path), "--strict"]) == 7
    assert export_notebook(copy_corpus(tmp_path, "no_parameters"), strict=True).report.hidden_state == []


def test_newer_and_missing_nbformat_are_refused() -> None:
    with pytest.raises(ConvertError, match="nbformat 5 is not supported"):
        convert_notebook({"nbformat": 5, "cells": []})
    with pytest.raises(ConvertError, match="no 'nbformat' field"):
        convert_notebook({"cells": []})


def test_unknown_cell_type_and_bad_source() -> None:
    with pytest.raises(ConvertError, match="cell 1: unknown cell type 'heading'"):
        convert_notebook(notebook({"cell_type": "heading", "source": "x"}))
    with pytest.raises(ConvertError, match="cell 1: its source is neither text"):
        convert_notebook(notebook({"cell_type": "code", "source": 3}))


def test_every_code_cell_skipped_is_nothing_to_export() -> None:
    with pytest.raises(ConvertError, match="every code cell is left out"):
        convert_notebook(notebook(cell("x = 1", "skip")))


def test_syntax_error_in_a_skipped_cell_is_fine() -> None:
    script, report = convert_notebook(notebook(cell("x = (", "skip"), cell("y = 1")))
    assert "x = (" not in script and report.to_dict()["cells_skipped"] == 1


def test_syntax_error_in_capture_body_names_its_line() -> None:
    with pytest.raises(ConvertError, match="cell 1, line 3: .*syntax error"):
        convert_notebook(notebook(cell("%%capture\nx = 1\ny = (")))


def test_long_lines_and_unicode_identifiers_survive(tmp_path) -> None:
    long_value = "é" * 5000
    nb = notebook(cell(f"größe = {long_value!r}  # Größe", "parameters"),
                  cell("print(len(größe))"))
    script, report = convert_notebook(nb)
    assert long_value in script and report.parameters[0].flags[0] == "--größe"


@pytest.mark.parametrize(("source", "message"), [
    ("return 5", "cell 1, line 1: 'return' outside function"),
    ("x = 1\nbreak", "cell 1, line 2: 'break' outside loop"),
    ("def f():\n    continue", "cell 1, line 2: 'continue' outside loop"),
    ("class C:\n    return 1", "cell 1, line 2: 'return' outside function"),
    ("nonlocal x", "cell 1, line 1: nonlocal declaration not allowed at module level"),
    ("x = (yield)", "cell 1, line 1: 'yield' outside function"),
    ("def g():\n    await f()", "cell 1, line 2: 'await' outside async function"),
    ("from __future__ import annotations", "cell 1, line 1: a 'from __future__' import cannot be exported"),
])
def test_errors_python_finds_only_when_compiling(source: str, message: str) -> None:
    with pytest.raises(ConvertError) as caught:
        convert_notebook(notebook(cell(source)))
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("source", [
    "for i in range(2):\n    if i:\n        break\n    continue", "def f():\n    return (yield 1)",
    "async def g():\n    await f()", "await f()", "g = lambda: (yield)", "while True:\n    break\nelse:\n    pass",
    "try:\n    pass\nexcept Exception:\n    pass\nfinally:\n    x = 1",
])
def test_valid_control_flow_is_exported_and_compiles(source: str) -> None:
    script, _ = convert_notebook(notebook(cell(source)))
    compile(script, "script.py", "exec")
