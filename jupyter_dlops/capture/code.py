"""The code of a run: git commit, branch and uncommitted diff, and the entry file's content."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from .redact import known_secrets, redact_argv

GIT_TIMEOUT = 10


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def git_state(folder: Path, objects) -> dict[str, Any] | None:
    """Commit, branch, dirty flag and the uncommitted diff (stored as a text object, so
    redacted; ``redactions`` says how many secrets that took out of it)."""
    root = _git(["rev-parse", "--show-toplevel"], folder)
    if root is None:
        return None
    root_path = Path(root.strip())
    commit = (_git(["rev-parse", "HEAD"], root_path) or "").strip() or None
    branch = (_git(["rev-parse", "--abbrev-ref", "HEAD"], root_path) or "").strip() or None
    diff = _git(["diff", "HEAD", "--binary"], root_path) if commit else None
    untracked = (_git(["ls-files", "--others", "--exclude-standard"], root_path) or "").split("\n")
    state: dict[str, Any] = {
        "root": str(root_path),
        "commit": commit,
        "branch": branch,
        "dirty": bool(diff),
        "untracked": [u for u in untracked if u][:200],
        "diff_object": None,
        "redactions": 0,
    }
    if diff:
        state["diff_object"], state["redactions"] = objects.put_text(diff)
    return state


def entry_file(entry_point: str | None) -> Path | None:
    candidate = entry_point or (sys.argv[0] if sys.argv and sys.argv[0] else None)
    if not candidate or candidate in ("-c", "-m"):
        return None
    path = Path(candidate)
    return path.resolve() if path.is_file() else None


def capture_code(entry_point: str | None, objects) -> dict[str, Any]:
    """The code section of the record; ``objects`` (an ObjectStore) stores the entry file and
    the diff as redacted text objects. ``redactions`` counts the secrets redaction took
    out of the code (entry file and diff): ``dlops reproduce`` refuses to run such code
    silently (issue 14)."""
    known = known_secrets()
    entry = entry_file(entry_point)
    folder = entry.parent if entry else Path.cwd()
    entry_object, removed = objects.put_text(entry.read_bytes()) if entry else (None, 0)
    git = git_state(folder, objects)
    section: dict[str, Any] = {
        "entry_point": str(entry) if entry else entry_point,
        "entry_object": entry_object,
        "argv": redact_argv(list(sys.argv), known),
        "cwd": str(Path.cwd()),
        "git": git,
        "redactions": removed + (git or {}).get("redactions", 0),
    }
    return section
