"""The code of a run: git commit, branch and uncommitted diff, and the entry file's content.

The entry file is the script, or the notebook a kernel runs. A kernel's ``sys.argv[0]`` is
``ipykernel_launcher.py`` inside the virtual environment, whose folder may sit in a git
checkout of its own (issue 15): the notebook comes from ``JPY_SESSION_NAME`` (jupyter_server),
the shell's ``__session__``, papermill's ``PAPERMILL_INPUT_PATH`` (``--inject-paths``), and
without any of them the repository is the one of the current folder (papermill's ``--cwd``).
"""

from __future__ import annotations

import os
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


def _git_ok(args: list[str], cwd: Path) -> bool | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.returncode == 0


def _entry_status(root: Path, entry: Path) -> dict[str, bool]:
    """Whether the entry file is committed: an untracked or ignored one is not in the
    commit, so the run is dirty and only the stored snapshot holds its content."""
    tracked = _git_ok(["ls-files", "--error-unmatch", "--", str(entry)], root)
    if tracked is None or tracked:
        return {}
    return {"entry_untracked": True, "entry_ignored": bool(_git_ok(["check-ignore", "-q", "--", str(entry)], root))}


def git_state(folder: Path, objects, entry: Path | None = None) -> dict[str, Any] | None:
    """Commit, branch, dirty flag and the uncommitted diff (stored as a text object, so
    redacted; ``redactions`` says how many secrets that took out of it); an untracked or
    ignored ``entry`` file makes the state dirty too."""
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
    if entry is not None:
        state.update(_entry_status(root_path, entry))
        state["dirty"] = state["dirty"] or bool(state.get("entry_untracked"))
    if diff:
        state["diff_object"], state["redactions"] = objects.put_text(diff)
    return state


KERNEL_LAUNCHERS = ("ipykernel_launcher.py", "__main__.py", "colab_kernel_launcher.py")


def kernel_notebook() -> str | None:
    """The notebook this kernel runs, when anything says so (see the module's docstring)."""
    namespace: dict[str, Any] = {}
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        namespace = getattr(shell, "user_ns", None) or {}
    for candidate in (os.environ.get("JPY_SESSION_NAME"), namespace.get("__session__"),
                      namespace.get("PAPERMILL_INPUT_PATH")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None


def _in_kernel(argv0: str) -> bool:
    return "ipykernel" in sys.modules and os.path.basename(argv0) in KERNEL_LAUNCHERS


def entry_file(entry_point: str | None) -> Path | None:
    candidate = entry_point or (sys.argv[0] if sys.argv and sys.argv[0] else None)
    if candidate and _in_kernel(candidate):
        candidate = kernel_notebook()
    if not candidate or candidate in ("-c", "-m"):
        return None
    path = Path(candidate)
    if not path.is_file() and not path.is_absolute():
        # jupyter_server's API path is relative to its root, the kernel runs in the notebook's folder
        path = Path(path.name)
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
    git = git_state(folder, objects, entry)
    section: dict[str, Any] = {
        "entry_point": str(entry) if entry else entry_point,
        "entry_object": entry_object,
        "argv": redact_argv(list(sys.argv), known),
        "cwd": str(Path.cwd()),
        "git": git,
        "redactions": removed + (git or {}).get("redactions", 0),
    }
    return section
