"""What two or more runs differ in beyond their params and metrics: the installed packages and
the code they ran (their stored entry files and uncommitted diffs, unified-diffed here).

Everything read here is text as the store keeps it: entry files and diffs entered the store
through ``ObjectStore.put_text``, so they are already redacted (issue 14); nothing is read
from the user's disk.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ..errors import DlopsError

#: Past this many characters an entry text is cut (a notebook with embedded images can
#: weigh megabytes; the diff of its code is what a reader wants).
MAX_TEXT = 200_000


def run_packages(store: Any, run: Any) -> dict[str, str]:
    """``{distribution: version}`` recorded in the run's environment (empty if none)."""
    env = run.sections.get("environment") or {}
    object_id = env.get("packages_object")
    if not object_id:
        return {}
    try:
        entries = json.loads(store.objects.read_bytes(object_id))
    except (DlopsError, ValueError):
        return {}
    return dict(e.split("==", 1) for e in entries if isinstance(e, str) and "==" in e)


def packages_diff(store: Any, runs: list[Any]) -> list[dict[str, Any]]:
    """One row per package whose version differs between the runs, or that some lack
    (``None`` where a run does not have it), sorted by name."""
    found = [run_packages(store, run) for run in runs]
    names = sorted({name for packages in found for name in packages}, key=str.lower)
    rows = []
    for name in names:
        versions = [packages.get(name) for packages in found]
        if len(set(versions)) > 1:
            rows.append({"key": name, "values": versions})
    return rows


def notebook_code(text: str) -> str | None:
    """A notebook's code cells as a script, one ``# %% [cell N]`` header a cell (the JSON of a
    notebook diffs badly: outputs, ids and escaped newlines); None if ``text`` is no notebook."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None
    parts = []
    for number, cell in enumerate(notebook["cells"]):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            parts.append(f"# %% [cell {number}]\n{source.rstrip()}\n")
    return "\n".join(parts)


def _object_text(store: Any, object_id: str | None) -> str | None:
    if not object_id:
        return None
    try:
        data = store.objects.read_bytes(object_id)
    except DlopsError:
        return None
    text = data.decode("utf-8", "replace")
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "\n… (cut)\n"


def entry_text(store: Any, run: Any) -> str | None:
    """The code the run ran, as stored: a notebook's code cells, or the script's text."""
    code = run.sections.get("code") or {}
    text = _object_text(store, code.get("entry_object"))
    if text is None:
        return None
    code_cells = notebook_code(text)
    return text if code_cells is None else code_cells


def unified(before: str | None, after: str | None, names: tuple[str, str]) -> str:
    """The unified diff of two texts (empty when they are equal)."""
    lines = difflib.unified_diff((before or "").splitlines(keepends=True),
                                 (after or "").splitlines(keepends=True), *names, n=3)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def code_comparison(store: Any, runs: list[Any]) -> dict[str, Any]:
    """Each run's entry text and stored git diff, and the unified diff of every run's entry
    text against the first run's (``diffs[0]`` is empty)."""
    texts = [entry_text(store, run) for run in runs]
    git_diffs = [_object_text(store, ((run.sections.get("code") or {}).get("git") or {}).get("diff_object"))
                 for run in runs]
    first = runs[0].name or runs[0].run_id[:8]
    diffs = [unified(texts[0], text, (first, run.name or run.run_id[:8])) for run, text in zip(runs, texts, strict=True)]
    return {"entries": texts, "git_diffs": git_diffs, "diffs": diffs}


def compare_details(store: Any, refs: list[str]) -> dict[str, Any]:
    """The packages diff and the code comparison of the runs ``refs`` (ids or prefixes).

    Raises
    ------
    NotFoundError
        A ref names no run.
    """
    runs = [store.get_run(ref) for ref in refs]
    return {
        "runs": [{"run_id": run.run_id, "name": run.name} for run in runs],
        "packages": packages_diff(store, runs),
        "code": code_comparison(store, runs),
    }
