"""The steps of a reproduction, in order: rebuild, check, run, compare."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from .checks import compare_artifacts, compare_metrics, data_check, environment_diff
from .code import CannotRebuild, RebuiltCode, rebuild
from .integrity import altered_object
from .report import ReproReport


def run_reproduction(ref: str, *, check_only: bool, allow_data_change: bool, rtol: float,
                     atol: float, store: str | None) -> ReproReport:
    from ..store import open_store

    db = open_store(store, create=False)
    old = db.get_run(ref)
    report = ReproReport(old.run_id, rtol=rtol, atol=atol)
    altered = altered_object(old.sections, db.objects)
    if altered:
        report.altered = True
        return _cannot(report, altered)
    report.environment = environment_diff(old.sections.get("environment"), db.objects)
    if old.status == "running":
        return _cannot(report, "the run is still running; reproduce it once it has ended")
    removed = (old.sections.get("code") or {}).get("redactions") or 0
    if removed:  # the stored code is not what ran: never run it silently (issue 14)
        return _cannot(report, f"the recorded code had {removed} secret{'s' if removed > 1 else ''} removed; "
                               "provide them through the environment (os.environ) instead of the code, "
                               "run it again, and reproduce that run")
    try:
        code = rebuild(old.sections.get("code"), db.objects)
    except CannotRebuild as error:
        return _cannot(report, str(error))
    try:
        report.code_notes = code.notes
        report.data = data_check(old, db)
        if report.data.get("changed") and not allow_data_change:
            report.data_changed = True
            return _cannot(report, "data changed since the run: " + ", ".join(report.data["changed"][:10])
                           + "; pass --allow-data-change to run anyway")
        if check_only:
            return report
        new = _rerun(old, code, db)
    finally:
        code.cleanup()
    return _verdict(report, old, new)


def _cannot(report: ReproReport, reason: str) -> ReproReport:
    report.verdict, report.reason = "could not run", reason
    return report


def _verdict(report: ReproReport, old: Any, new: Any) -> ReproReport:
    report.new_run_id = new.run_id
    if new.status != "finished" and old.status == "finished":
        where = f" in {new.error_cell}" if new.error_cell else ""
        return _cannot(report, f"the re-run {new.status}{where}: {new.error}")
    report.metrics = compare_metrics(old, new, report.rtol, report.atol)
    report.artifacts = compare_artifacts(old, new)
    same = all(m.ok for m in report.metrics) and not report.artifacts and old.status == new.status
    report.verdict = "reproduced" if same else "differs"
    return report


def _original_folder(old: Any, code: RebuiltCode) -> str:
    """Run where the original ran (its data files are there), else in the rebuilt code."""
    entry = Path(old.entry_point or "")
    return str(entry.parent) if entry.parent.is_dir() and str(entry) else str(code.entry.parent)


def _rerun(old: Any, code: RebuiltCode, db: Any) -> Any:
    from ..sweeps.api import run_notebook

    engine = old.tags.get("engine")
    if code.entry.suffix == ".ipynb" or old.kind == "papermill" or engine:
        new = run_notebook(code.entry, old.params, engine=engine or "papermill", store=db.uri_for_children,
                           name=f"{old.name}-repro", cwd=_original_folder(old, code))
    else:
        new = _rerun_script(old, code, db)
    db.set_tags(new.run_id, {"reproduces": old.run_id})
    return db.get_run(new.run_id)


def _rerun_script(old: Any, code: RebuiltCode, db: Any) -> Any:
    """A plain script: the recorded command line again, attached to a new run."""
    from ..sweeps.runlife import capture_sections
    from ..sweeps.task import RunTask
    from ..tracking.client import DlopsClient

    client = DlopsClient(db)
    argv = (old.sections.get("code") or {}).get("argv") or [str(code.entry)]
    run_id = client.create_run(f"{old.name}-repro", old.params, kind="script", entry_point=str(code.entry))
    for section, body in capture_sections(str(code.entry), db).items():
        db.put_section(run_id, section, body)
    # the whole store configuration (password, artifacts) travels in the environment only
    env = RunTask(run_id, str(code.entry), {}, db.uri_for_children, "").env()
    done = subprocess.run([sys.executable, str(code.entry), *argv[1:]], env=env,
                          cwd=_original_folder(old, code), capture_output=True)
    error = None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        error = lines[-1] if lines else f"exit status {done.returncode}"
    client.set_terminated(run_id, "finished" if done.returncode == 0 else "failed", error=error)
    return db.get_run(run_id)
