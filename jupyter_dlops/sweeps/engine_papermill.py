"""The papermill engine: one stored run per execution.

The parent creates the run, starts (or takes a pre-warmed) kernel whose environment carries
``DLOPS_RUN_ID`` and ``DLOPS_STORE`` so that ``dl.log_metric`` in the notebook attaches to
that run, executes with papermill, stores the executed notebook (papermill's error cells
included) as an artifact of kind ``notebook``, and ends the run with a classified status.
"""

from __future__ import annotations

import ast
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from .kernels import KernelPool, flush_tracking
from .runlife import begin_run, client_for, finish_run, sampled
from .task import Outcome, RunTask

ENGINE_NAME = "dlops"
NAME_ERROR = re.compile(r"name '(\w+)' is not defined")


def run_papermill(task: RunTask, km: Any = None, pool: KernelPool | None = None,
                  cancel: threading.Event | None = None) -> Outcome:
    """Execute ``task`` with papermill; ``km`` is a kernel already started for it (or None)."""
    client = client_for(task.store_uri)
    started = begin_run(client, task, kind="papermill")
    pool = pool or KernelPool()
    workdir = Path(tempfile.mkdtemp(prefix="dlops-run-"))
    output = workdir / "output.ipynb"
    try:
        outcome = _execute(task, km, pool, workdir, output, client)
    except Exception as error:  # anything unforeseen still ends the run, classified
        outcome = Outcome(task.run_id, "failed", "bad_notebook", _one_line(error))
    if cancel is not None and cancel.is_set() and not outcome.ok:
        outcome = Outcome(task.run_id, "killed", "interrupted", "interrupted (Ctrl-C)")
    try:
        return finish_run(client, task, outcome, started, {"output.ipynb": (output, "notebook")})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _execute(task: RunTask, km: Any, pool: KernelPool, workdir: Path, output: Path,
             client: Any) -> Outcome:
    try:
        source = _input_path(task.notebook, workdir)
        if km is None:
            km = pool.start(task.kernel_name, task.env(), task.cwd)
    except Exception as error:
        if km is not None:
            pool.release(km)
        return Outcome(task.run_id, "failed", "bad_notebook", _one_line(error))
    try:
        with sampled(client, task.run_id, getattr(km.provisioner, "pid", None), prunable=task.prunable):
            return _papermill(task, source, output, km)
    finally:
        pool.release(km)


def _input_path(notebook: str, workdir: Path) -> str:
    """papermill reads ``.ipynb`` files; a percent-format script is converted first."""
    if notebook.endswith(".ipynb"):
        from .notebook_io import load_notebook

        load_notebook(notebook)  # a broken notebook fails here with a clear message
        return notebook
    from .notebook_io import load_notebook, write_notebook

    return str(write_notebook(load_notebook(notebook), workdir / "input.ipynb"))


def _papermill(task: RunTask, source: str, output: Path, km: Any) -> Outcome:
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    _register_engine()
    try:
        papermill.execute_notebook(
            source, str(output), parameters=task.params, km=km, progress_bar=False, engine_name=ENGINE_NAME,
            cwd=task.cwd, execution_timeout=task.timeout, start_timeout=60,
            kernel_name=task.kernel_name,
        )
    except PapermillExecutionError as error:
        return _cell_failure(task, error, output)
    except DeadKernelError as error:
        return Outcome(task.run_id, "failed", "kernel_died", f"kernel died: {_one_line(error)}",
                       _running_cell(output))
    except (CellTimeoutError, TimeoutError) as error:
        return Outcome(task.run_id, "failed", "timeout",
                       f"timeout: a cell ran longer than {task.timeout} s ({_one_line(error)})")
    except Exception as error:  # nbformat/papermill refusing the document itself
        return Outcome(task.run_id, "failed", "bad_notebook", _one_line(error))
    if not km.has_kernel or not _alive(km):
        # papermill can report success for a kernel that died at the very end
        return Outcome(task.run_id, "failed", "kernel_died", "kernel died during the run")
    return Outcome(task.run_id, "finished")


def _running_cell(output: Path) -> str | None:
    """The cell that ran when the kernel died: the last one papermill started. papermill
    marks it completed without an exception; the stored notebook is corrected to say failed."""
    import nbformat

    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:
        return None
    started = [(i, c) for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None
    index, cell = started[-1]
    cell.metadata.papermill.update({"status": "failed", "exception": True})
    if cell.cell_type == "code":
        cell.outputs.append(nbformat.v4.new_output(
            "error", ename="DeadKernelError", evalue="the kernel died while this cell ran", traceback=[]))
    nbformat.write(nb, output)
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index}: {first.strip()[:120]}"


def _register_engine() -> None:
    """papermill's nbclient engine with a kernel we own: after the cells ran, commit the
    kernel's buffered metrics, then stop the client's channels (nbclient leaves them open
    when it does not own the kernel manager)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    if ENGINE_NAME in papermill_engines._engines:
        return

    class DlopsEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            km = kwargs["km"]
            client = PapermillNotebookClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
            )
            ran = False
            # papermill writes the whole notebook at every cell's start and end; it is read only
            # once the run ends, so it is written once, when papermill completes the notebook
            # (in a ``finally``: a dead kernel's notebook is written too).
            full_save, nb_man.save = nb_man.save, lambda **_: None
            try:
                nb = client.execute()
                ran = True  # cells ran; one may have raised (papermill stops there)
                return nb
            finally:
                nb_man.save = full_save
                if ran:
                    flush_tracking(km)
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(ENGINE_NAME, DlopsEngine)


def _alive(km: Any) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return bool(run_sync(km.is_alive)())
    except Exception:
        return False


def _cell_failure(task: RunTask, error: Any, output: Path) -> Outcome:
    first = next((line for line in (error.source or "").splitlines() if line.strip()), "")
    cell = f"cell {error.cell_index} (In [{error.exec_count}]): {first.strip()[:120]}"
    kind = "cell_error"
    missing = NAME_ERROR.search(str(error.evalue))
    if error.ename == "NameError" and missing and not _assigned(output, missing.group(1)):
        kind = "missing_parameter"
    return Outcome(task.run_id, "failed", kind, f"{error.ename}: {error.evalue}", cell)


def _assigned(notebook: Path, name: str) -> bool:
    """Whether any code cell assigns ``name`` (if none does, it was a parameter never given)."""
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:
        return True
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id == name:
                return True
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)) and name in _defined(node):
                return True
    return False


def _defined(node: ast.AST) -> set[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return {getattr(node, "name", "")}


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:500]
