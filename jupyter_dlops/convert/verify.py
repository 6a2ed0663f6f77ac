"""``dlops export --verify``: does the script reproduce the notebook?

The notebook runs under papermill and the script under plain ``python``, with the same
parameters, each with a temporary store of its own (``DLOPS_STORE``), both in the notebook's
folder. Then what they recorded is compared: every
metric series, the content hashes of their artifacts, and the BLAKE3 hashes of the files each
wrote in that folder. papermill loads only here.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ExecutionError
from .filescan import changed_files, snapshot

SYSTEM_PREFIX = "sys/"


@dataclass
class RunRecord:
    """What one side recorded: metric series, artifact hashes and written files' hashes."""

    run_id: str
    metrics: dict[str, list[tuple[Any, float]]] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    error: str | None = None


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
        compared = (f"{len(self.notebook.metrics)} metrics, {len(self.notebook.files)} files, "
                    f"{len(self.notebook.artifacts)} artifacts")
        head = "verify: equivalent" if self.equivalent else "verify: MISMATCH"
        lines = [f"{head} ({compared} compared)"]
        for side, record in (("notebook", self.notebook), ("script", self.script)):
            if record.error:
                lines.append(f"  {side} failed: {record.error}")
        lines += [f"  {mismatch}" for mismatch in self.mismatches]
        return "\n".join(lines)


def _record_dict(record: RunRecord) -> dict[str, Any]:
    return {"run_id": record.run_id, "error": record.error, "artifacts": record.artifacts,
            "files": record.files,
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
    with tempfile.TemporaryDirectory(prefix="dlops-verify-") as temp:
        folder = notebook.resolve().parent
        records = []
        for side, runner in (("notebook", _run_notebook), ("script", _run_script)):
            # One fresh store per side: whatever runs the side records land there, and
            # nothing else does (DLOPS_RUN_ID is dropped so neither attaches elsewhere).
            store_uri = str(Path(temp) / f"{side}-store")
            env = {k: v for k, v in os.environ.items() if k != "DLOPS_RUN_ID"}
            env["DLOPS_STORE"] = store_uri
            before = snapshot(folder)
            error = runner(notebook, script, parameters, env, timeout, kernel_name, Path(temp))
            records.append(_collect(store_uri, changed_files(folder, before), error))
    return Verification(records[0], records[1], compare(records[0], records[1]))


def _run_notebook(notebook: Path, script: Path, parameters: dict[str, Any], env: dict[str, str],
                  timeout: float, kernel_name: str | None, temp: Path) -> str | None:
    # papermill starts the kernel with this process's environment: hand it the store and run.
    code = (
        "import json, sys, papermill\n"
        "args = json.loads(sys.argv[1])\n"
        "papermill.execute_notebook(args['input'], args['output'], parameters=args['parameters'],"
        " cwd=args['cwd'], kernel_name=args['kernel'], execution_timeout=args['timeout'],"
        " progress_bar=False, log_output=False)\n"
    )
    args = {"input": str(notebook), "output": str(temp / "executed.ipynb"), "cwd": str(notebook.resolve().parent),
            "parameters": parameters, "kernel": kernel_name, "timeout": int(timeout)}
    return _run([sys.executable, "-c", code, json.dumps(args)], env, timeout * 10, notebook.parent)


def _run_script(notebook: Path, script: Path, parameters: dict[str, Any], env: dict[str, str],
                timeout: float, kernel_name: str | None, temp: Path) -> str | None:
    flags = script_flags(parameters)
    return _run([sys.executable, str(script.resolve()), *flags], env, timeout, notebook.parent)


def _run(command: list[str], env: dict[str, str], timeout: float, cwd: Path) -> str | None:
    try:
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no error output"])[-1]
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
    found = []
    for key in sorted(set(notebook.metrics) | set(script.metrics)):
        left, right = notebook.metrics.get(key), script.metrics.get(key)
        if left is None or right is None:
            found.append(f"metric {key!r} recorded only by the {'script' if left is None else 'notebook'}")
        elif not _same_series(left, right):
            found.append(f"metric {key!r} differs: notebook {_short(left)} vs script {_short(right)}")
    for kind, ours, theirs in (("artifact", notebook.artifacts, script.artifacts),
                               ("file", notebook.files, script.files)):
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
