"""``dlops export --verify``: does the script reproduce the notebook?

The notebook runs under papermill and the script under plain ``python``, with the same
parameters, each in a temporary copy of the notebook's folder (nothing is left behind in it) and
with a temporary store of its own (``DLOPS_STORE``). Then what the user would see and keep is
compared, in this order: each cell's stdout and stderr, its displayed values, its figures
(:mod:`.verify_outputs`), every metric series, the BLAKE3 hashes of the files each side wrote
in its folder, and the content hashes of their artifacts. papermill loads only here.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ExecutionError
from .filescan import IGNORED_DIRS, changed_files, snapshot
from .verify_outputs import CellOutputs, compare_outputs, notebook_outputs, script_outputs

SYSTEM_PREFIX = "sys/"


@dataclass
class RunRecord:
    """What one side recorded: metric series, artifact hashes and written files' hashes."""

    run_id: str
    metrics: dict[str, list[tuple[Any, float]]] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    outputs: CellOutputs = field(default_factory=CellOutputs)


@dataclass
class Verification:
    """The equivalence report of one verification."""

    notebook: RunRecord
    script: RunRecord
    mismatches: list[str] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return not self.mismatches and not self.notebook.error and not self.script.error

    def to_dict(self) -> dict[str, Any]:
        return {
            "equivalent": self.equivalent,
            "mismatches": list(self.mismatches),
            "notebook": _record_dict(self.notebook),
            "script": _record_dict(self.script),
        }

    def format_text(self) -> str:
        """One summary line, then one line per difference."""
        streams, texts, figures = self.notebook.outputs.counts()
        compared = (f"{streams} cells' streams, {texts} displayed values, {figures} figures, "
                    f"{len(self.notebook.metrics)} metrics, {len(self.notebook.files)} files, "
                    f"{len(self.notebook.artifacts)} artifacts")
        head = "verify: equivalent" if self.equivalent else "verify: MISMATCH"
        lines = [f"{head} ({compared} compared)"]
        for side, record in (("notebook", self.notebook), ("script", self.script)):
            if record.error:
                lines.append(f"  {side} failed: {record.error}")
        lines += [f"  {mismatch}" for mismatch in self.mismatches]
        return "\n".join(lines)


def _record_dict(record: RunRecord) -> dict[str, Any]:
    outputs = record.outputs
    return {"run_id": record.run_id, "error": record.error, "artifacts": record.artifacts,
            "files": record.files,
            "streams": {str(cell): streams for cell, streams in sorted(outputs.streams.items())},
            "displayed": {str(cell): texts for cell, texts in sorted(outputs.texts.items())},
            "figures": {str(cell): len(figures) for cell, figures in sorted(outputs.figures.items())},
            "metrics": {key: [[step, value] for step, value in series]
                        for key, series in record.metrics.items()}}


def verify_export(notebook: Path, script: Path, *, parameters: dict[str, Any] | None = None,
                  timeout: float = 600.0, kernel_name: str | None = None) -> Verification:
    """Run the notebook and its exported script with the same parameters and compare them.

    Parameters
    ----------
    notebook, script : Path
        The notebook and the script exported from it.
    parameters : dict, optional
        Parameter values for both runs (default: the notebook's own).
    timeout : float
        Seconds allowed per notebook cell and for the whole script.
    kernel_name : str, optional
        The kernel papermill starts (default: the notebook's).

    Returns
    -------
    Verification
        ``equivalent`` is false on any difference or failure.
    """
    parameters = dict(parameters or {})
    folder = notebook.resolve().parent
    cell_count, exported = _exported_cells(notebook)
    with tempfile.TemporaryDirectory(prefix="dlops-verify-") as temp_name:
        temp = Path(temp_name)
        records = []
        for side, runner in (("notebook", _run_notebook), ("script", _run_script)):
            work = _copy_folder(folder, temp / side / folder.name)
            # One fresh store per side: whatever runs the side records land there, and
            # nothing else does (DLOPS_RUN_ID is dropped so neither attaches elsewhere).
            store_uri = str(temp / f"{side}-store")
            env = {k: v for k, v in os.environ.items() if k != "DLOPS_RUN_ID"}
            env["DLOPS_STORE"] = store_uri
            before = snapshot(work)
            side_paths = _Side(work / notebook.name, _in_copy(script, folder, work), work, temp / side)
            error = runner(side_paths, parameters, env, timeout, kernel_name)
            record = _collect(store_uri, changed_files(work, before), error)
            # only the cells the script runs: a 'skip' cell's output is exploration, not a result
            record.outputs = _outputs(side, side_paths, store_uri, cell_count).only(exported)
            records.append(record)
    return Verification(records[0], records[1], compare(records[0], records[1]))


@dataclass
class _Side:
    """Where one side runs: its notebook and script in its copy of the folder, and its files."""

    notebook: Path
    script: Path
    cwd: Path
    files: Path


def _copy_folder(folder: Path, target: Path) -> Path:
    """A copy of the notebook's folder (without version control, stores and caches)."""
    shutil.copytree(folder, target, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED_DIRS))
    return target


def _in_copy(script: Path, folder: Path, work: Path) -> Path:
    resolved = script.resolve()
    return work / resolved.relative_to(folder) if resolved.is_relative_to(folder) else resolved


def _exported_cells(notebook: Path) -> tuple[int, set[int]]:
    """How many cells the notebook has, and the numbers of the code cells the script runs."""
    from .cells import plan_cells
    from .reader import parse_notebook, read_notebook

    cells = parse_notebook(read_notebook(notebook)).cells
    planned = plan_cells(cells, [])
    return len(cells), {p.cell.number for p in planned if p.exported and p.cell.cell_type == "code"}


def _outputs(side: str, paths: _Side, store_uri: str, original_cells: int) -> CellOutputs:
    if side == "notebook":
        executed = paths.files / "executed.ipynb"
        return notebook_outputs(executed, original_cells) if executed.exists() else CellOutputs()
    store = None
    if Path(store_uri).exists():
        from ..store import open_store

        store = open_store(store_uri, create=False)
    return script_outputs(paths.files / "stdout.txt", paths.files / "stderr.txt",
                          paths.files / "events.jsonl", store)


def _run_notebook(paths: _Side, parameters: dict[str, Any], env: dict[str, str],
                  timeout: float, kernel_name: str | None) -> str | None:
    # papermill starts the kernel with this process's environment: hand it the store and run.
    code = (
        "import json, sys, papermill\n"
        "args = json.loads(sys.argv[1])\n"
        "papermill.execute_notebook(args['input'], args['output'], parameters=args['parameters'],"
        " cwd=args['cwd'], kernel_name=args['kernel'], execution_timeout=args['timeout'],"
        " progress_bar=False, log_output=False)\n"
    )
    paths.files.mkdir(parents=True, exist_ok=True)
    args = {"input": str(paths.notebook), "output": str(paths.files / "executed.ipynb"),
            "cwd": str(paths.cwd), "parameters": parameters, "kernel": kernel_name,
            "timeout": int(timeout)}
    return _run([sys.executable, "-c", code, json.dumps(args)], env, timeout * 10, paths.cwd,
                paths.files)


def _run_script(paths: _Side, parameters: dict[str, Any], env: dict[str, str],
                timeout: float, kernel_name: str | None) -> str | None:
    from ..tracking.outputs import EVENTS_ENV

    paths.files.mkdir(parents=True, exist_ok=True)
    env = {**env, EVENTS_ENV: str(paths.files / "events.jsonl")}
    flags = script_flags(parameters)
    return _run([sys.executable, str(paths.script), *flags], env, timeout, paths.cwd, paths.files)


def _run(command: list[str], env: dict[str, str], timeout: float, cwd: Path,
         files: Path) -> str | None:
    # Into regular files, not pipes: the script's outputs cell cuts them by cell at their offsets.
    stdout, stderr = files / "stdout.txt", files / "stderr.txt"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        try:
            done = subprocess.run(command, env=env, cwd=cwd, stdout=out, stderr=err,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"timed out after {timeout:.0f} s"
    if done.returncode != 0:
        text = stderr.read_text(encoding="utf-8", errors="replace")
        last = (text.strip().splitlines() or ["no error output"])[-1]
        return f"exit status {done.returncode}: {last}"
    return None


def script_flags(parameters: dict[str, Any]) -> list[str]:
    """Command-line flags that give the exported script these parameter values."""
    flags: list[str] = []
    for name, value in parameters.items():
        flag = "--" + (name if name.startswith("_") else name.replace("_", "-"))
        if isinstance(value, bool):
            flags.append(flag if value else "--no-" + flag[2:])
        elif isinstance(value, str):
            flags += [flag, value]
        else:
            flags += [flag, json.dumps(value)]
    return flags


def _collect(store_uri: str, files: dict[str, str], error: str | None) -> RunRecord:
    from ..store import open_store

    record = RunRecord(run_id="", files=files, error=error)
    if not Path(store_uri).exists():
        return record  # the side tracked nothing
    store = open_store(store_uri, create=False)
    for run in store.search_runs():
        record.run_id = record.run_id or run.run_id
        for key, rows in store.metric_series(run.run_id).items():
            if not key.startswith(SYSTEM_PREFIX):  # CPU and memory samples differ every run
                record.metrics[key] = [(row[0], float(row[1])) for row in rows]  # (step, value)
        full = store.get_run(run.run_id)
        record.artifacts.update({a.path: a.object_id for a in full.artifacts if a.kind == "artifact"})
    return record


def compare(notebook: RunRecord, script: RunRecord) -> list[str]:
    """Every difference between the two records, one sentence each."""
    if notebook.error or script.error:
        return []
    found = compare_outputs(notebook.outputs, script.outputs)
    for key in sorted(set(notebook.metrics) | set(script.metrics)):
        left, right = notebook.metrics.get(key), script.metrics.get(key)
        if left is None or right is None:
            found.append(f"metric {key!r} recorded only by the {'script' if left is None else 'notebook'}")
        elif not _same_series(left, right):
            found.append(f"metric {key!r} differs: notebook {_short(left)} vs script {_short(right)}")
    for kind, ours, theirs in (("file", notebook.files, script.files),
                               ("artifact", notebook.artifacts, script.artifacts)):
        for name in sorted(set(ours) | set(theirs)):
            if ours.get(name) != theirs.get(name):
                what = "only by the script" if name not in ours else (
                    "only by the notebook" if name not in theirs else "with different content")
                found.append(f"{kind} {name!r} written {what}")
    return found


def _same_series(left: list[tuple[Any, float]], right: list[tuple[Any, float]]) -> bool:
    if len(left) != len(right):
        return False
    return all(a_step == b_step and (math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
                                     or (math.isnan(a) and math.isnan(b)))
               for (a_step, a), (b_step, b) in zip(left, right, strict=True))


def _short(series: list[tuple[Any, float]]) -> str:
    values = [round(value, 6) for _, value in series[:4]]
    return f"{values}{'...' if len(series) > 4 else ''} ({len(series)} values)"


def verification_failed(verification: Verification) -> ExecutionError:
    """The error to raise where a caller wants an exception rather than the report."""
    return ExecutionError(verification.format_text().splitlines()[0])
