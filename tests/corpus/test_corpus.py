"""`dlops export` on notebooks from other projects' test suites (see README.md beside this file).

Each one either exports to a script that compiles, or fails with one of the project's own
one-line errors and a documented exit code; nothing is written to the store either way.
``expected.json`` pins each notebook's outcome, so a notebook that stops exporting (or starts)
is noticed: after a deliberate change, rewrite it with ``python tests/corpus/corpus_verdicts.py``
(which also says why each refusal is legitimate or wrong; see its docstring).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NOTEBOOKS = sorted((HERE / "notebooks").glob("*/*.ipynb"))
EXPECTED_FILE = HERE / "expected.json"
# The exit codes documented for bad input (README: exit codes): usage, not found, data, export refused.
DOCUMENTED = {2, 3, 5, 7}
BIN = Path(sys.executable).parent


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _expected() -> dict[str, dict]:
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8")) if EXPECTED_FILE.exists() else {}


@contextlib.contextmanager
def shell_warnings():
    """Warning filters as in a user's shell, not this suite's "error": the third-party code's
    "invalid escape sequence" (a DeprecationWarning, a SyntaxWarning from 3.12) is no error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        yield


def export(notebook: Path, out: Path, capsys) -> tuple[int, str]:
    from jupyter_dlops.cli import main

    capsys.readouterr()
    with shell_warnings():
        code = main(["export", str(notebook), "-o", str(out)])
    return code, capsys.readouterr().err


@pytest.fixture
def no_store(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "store"
    monkeypatch.setenv("DLOPS_STORE", str(folder))
    monkeypatch.delenv("DLOPS_RUN_ID", raising=False)
    return folder


def test_corpus_is_broad():
    sources = {p.parent.name for p in NOTEBOOKS}
    assert len(NOTEBOOKS) >= 300 and sources == {
        "papermill", "jupytext", "nbconvert", "sklearn", "statsmodels", "skimage", "nbsphinx",
        "sympy", "lmfit", "notebook", "qutip", "astropy", "nibabel", "tables"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_id)
def test_export_compiles_or_fails_clearly(notebook: Path, tmp_path: Path, no_store: Path, capsys):
    out = tmp_path / "script.py"
    code, err = export(notebook, out, capsys)
    if code == 0:
        source = out.read_text(encoding="utf-8")
        with shell_warnings():
            compile(source, str(out), "exec")  # a SyntaxError here fails the test
        outcome = "ok"
    else:
        lines = err.strip().splitlines()
        assert code in DOCUMENTED, f"exit {code} is not a documented bad-input code: {err}"
        assert len(lines) == 1 and lines[0].startswith("dlops: error: "), err
        assert "Traceback" not in err
        assert not out.exists(), "a refused export must not leave a script behind"
        outcome = f"exit {code}"
    assert not no_store.exists(), "dlops export must not touch the store"
    _check_outcome(_id(notebook), outcome)


def _check_outcome(key: str, outcome: str) -> None:
    want = _expected().get(key, {}).get("export")
    assert want == outcome, (f"{key}: expected {want}, got {outcome}; if the change is meant, "
                             "run PYTHONPATH=$PWD python tests/corpus/corpus_verdicts.py")


@pytest.mark.parametrize("name, code", [("papermill/simple_execute", 0),
                                        ("jupytext/ir_notebook", 7)])
def test_the_command_line_agrees(name: str, code: int, tmp_path: Path, no_store: Path):
    """The same outcome through the installed ``dlops`` console script, in a real process."""
    notebook = HERE / "notebooks" / f"{name}.ipynb"
    result = subprocess.run([str(BIN / "dlops"), "export", str(notebook), "-o",
                             str(tmp_path / "out.py")], capture_output=True, text=True, check=False)
    assert result.returncode == code, result.stderr
    assert len(result.stderr.strip().splitlines()) == (0 if code == 0 else 1), result.stderr
