"""The script engine: the exported script runs as a plain ``python`` process (no kernel, no
ZMQ), attached to its run through ``DLOPS_RUN_ID``; stdout and stderr become log artifacts."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from .runlife import begin_run, client_for, finish_run, sampled
from .task import Outcome, RunTask

TRACE_LINE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_live: set[subprocess.Popen] = set()
_lock = threading.Lock()


def run_script(task: RunTask, cancel: threading.Event | None = None, **_: Any) -> Outcome:
    """Export ``task.notebook`` with this run's values and run it as a process."""
    client = client_for(task.store_uri)
    started = begin_run(client, task, kind="script")
    workdir = Path(tempfile.mkdtemp(prefix="dlops-run-"))
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    try:
        outcome = _execute(task, workdir, out, err, client, cancel)
    except Exception as error:  # export refused, or the process could not start
        outcome = Outcome(task.run_id, "failed", "bad_notebook", f"{type(error).__name__}: {error}"[:500])
    if cancel is not None and cancel.is_set() and not outcome.ok:
        outcome = Outcome(task.run_id, "killed", "interrupted", "interrupted (Ctrl-C)")
    outputs = {"logs/stdout.txt": (out, "log"), "logs/stderr.txt": (err, "log")}
    try:
        return finish_run(client, task, outcome, started, outputs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _execute(task: RunTask, workdir: Path, out: Path, err: Path, client: Any,
             cancel: threading.Event | None) -> Outcome:
    from .script_export import bootstrap, export_for_run

    script, argv = export_for_run(task.notebook, task.params, workdir)
    boot = bootstrap(script, workdir)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, str(boot), *argv], env=task.env(), cwd=task.cwd,
                                stdout=stdout, stderr=stderr, start_new_session=True)
        with _lock:
            _live.add(proc)
        if cancel is not None and cancel.is_set():  # Ctrl-C came while it started: kill_all missed it
            _kill(proc)
        try:
            with sampled(client, task.run_id, proc.pid, prunable=task.prunable):
                code = proc.wait(timeout=task.timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return Outcome(task.run_id, "failed", "timeout", f"timeout: the script ran longer than {task.timeout} s")
        finally:
            with _lock:
                _live.discard(proc)
    return _classify(task, code, err, script)


def _classify(task: RunTask, code: int, err: Path, script: Path) -> Outcome:
    if code == 0:
        return Outcome(task.run_id, "finished")
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        return Outcome(task.run_id, "failed", "kernel_died", f"the script's process died ({name})")
    lines = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if not any(line.startswith("Traceback") for line in lines):
        return Outcome(task.run_id, "failed", "kernel_died", f"the script's process exited with status {code} without a traceback")
    error = lines[-1]
    where = [m for m in TRACE_LINE.finditer("\n".join(lines)) if m.group("file") == str(script)]
    cell = f"line {where[-1].group('line')} of the exported script" if where else None
    kind = "missing_parameter" if error.startswith("NameError") else "cell_error"
    return Outcome(task.run_id, "failed", kind, error[:500], cell)


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def kill_all() -> None:
    """Ctrl-C: kill every script process this process started."""
    with _lock:
        procs = list(_live)
    for proc in procs:
        _kill(proc)
