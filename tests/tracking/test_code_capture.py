"""The code section: the repository of the notebook or script, never the interpreter's, and
an entry file outside the commit makes the run dirty (issue 15)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from jupyter_dlops.capture.code import capture_code


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=cwd, capture_output=True, check=True)


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "tracked.py").write_text("print('committed')\n")
    (root / ".gitignore").write_text("scratch.py\n")
    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "init", cwd=root)
    return root


@pytest.mark.parametrize("name, untracked, ignored", [
    ("tracked.py", False, False), ("new.py", True, False), ("scratch.py", True, True)])
def test_an_untracked_or_ignored_entry_file_makes_the_run_dirty(project, store, name, untracked,
                                                                 ignored):
    entry = project / name
    if not entry.exists():
        entry.write_text(f"print('{name}')\n")
    section = capture_code(str(entry), store.objects)
    state = section["git"]
    assert state["root"] == str(project.resolve())
    assert (state["dirty"], state.get("entry_untracked", False), state.get("entry_ignored", False)) == (
        untracked, untracked, ignored)
    assert store.objects.read_bytes(section["entry_object"]) == entry.read_bytes()


NOTEBOOK_CELLS = ["PAPERMILL_INPUT_PATH = None",
                  "import jupyter_dlops as dl\nwith dl.start_run(name='under-papermill'):\n"
                  "    dl.log_metric('x', 1)"]


def _notebook(path: Path) -> None:
    import nbformat
    import nbformat.v4 as v4

    cells = [v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    cells[0].metadata["tags"] = ["parameters"]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["cwd", "input-path"])
def test_a_papermill_kernel_records_the_notebooks_repository(project, store, tmp_path, how):
    """papermill (no ``dlops run``): the kernel's argv[0] is ipykernel_launcher.py in the
    virtual environment; the record must name the notebook's checkout instead."""
    import papermill

    notebook = project / "explore.ipynb"  # untracked: the run is dirty, the snapshot is it
    _notebook(notebook)
    by_path = how == "input-path"
    papermill.execute_notebook(
        str(notebook), str(tmp_path / "out.ipynb"), progress_bar=False, kernel_name="python3",
        parameters={"PAPERMILL_INPUT_PATH": str(notebook)} if by_path else None,
        cwd=str(tmp_path if by_path else project))
    (run_id,), = store.read("SELECT run_id FROM run WHERE name = 'under-papermill'")
    section = store.get_run(run_id).sections["code"]
    assert section["git"]["root"] == str(project.resolve())
    if by_path:
        assert section["entry_point"] == str(notebook.resolve())
        assert section["git"]["dirty"] and section["git"]["entry_untracked"]
        assert store.objects.read_bytes(section["entry_object"]) == notebook.read_bytes()
    else:
        assert section["entry_point"] is None and section["git"]["untracked"] == ["explore.ipynb"]


def test_show_says_why_a_run_is_dirty():
    from jupyter_dlops.cli.show import _git_state

    assert _git_state({"dirty": False}) == "clean"
    assert _git_state({"dirty": True, "diff_object": "ab"}) == "dirty (diff stored)"
    assert _git_state({"dirty": True, "entry_untracked": True, "entry_ignored": True}) == (
        "dirty (entry file ignored, its snapshot stored)")


def test_a_server_relative_session_name_finds_the_notebook(project, store, monkeypatch):
    """``JPY_SESSION_NAME`` may be the API path (``sub/explore.ipynb``, relative to the
    server's root) while the kernel runs in the notebook's own folder."""
    folder = project / "sub"
    folder.mkdir()
    (folder / "explore.ipynb").write_text("{}")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("JPY_SESSION_NAME", "sub/explore.ipynb")
    launcher = Path(pytest.importorskip("ipykernel").__file__).parent.parent / "ipykernel_launcher.py"
    monkeypatch.setattr("sys.argv", [str(launcher), "-f", "kernel-1.json"])  # as in a kernel
    section = capture_code(None, store.objects)
    assert section["entry_point"] == str((folder / "explore.ipynb").resolve())
    assert section["git"]["entry_untracked"]
