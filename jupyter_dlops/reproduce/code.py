"""Rebuilding a run's code from its record: a detached git worktree at the recorded commit
with the recorded diff applied, and the exact notebook/script content that ran (stored
content-addressed) written over the entry file, so what runs is what ran."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GIT_TIMEOUT = 60


class CannotRebuild(Exception):
    """The code cannot be rebuilt; the message says why and what to do."""


@dataclass
class RebuiltCode:
    folder: Path
    entry: Path
    notes: list[str] = field(default_factory=list)
    worktree_of: Path | None = None

    def cleanup(self) -> None:
        if self.worktree_of is not None:
            _git(["worktree", "remove", "--force", str(self.folder)], self.worktree_of, check=False)
        shutil.rmtree(self.folder.parent, ignore_errors=True)


def _git(args: list[str], cwd: Path, *, check: bool = True, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=GIT_TIMEOUT)
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CannotRebuild(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done


def rebuild(code: dict[str, Any] | None, objects: Any) -> RebuiltCode:
    """Rebuild the code section ``code`` into a temporary folder (caller calls ``cleanup``)."""
    if not code or code.get("error"):
        raise CannotRebuild("the run's record has no code section; it cannot be rebuilt")
    entry = code.get("entry_point")
    content = _entry_content(code, objects)
    if not entry:
        raise CannotRebuild("the run's record names no notebook or script")
    git = code.get("git") or {}
    if git.get("commit"):
        rebuilt = _from_git(git, Path(entry), objects)
    else:
        folder = Path(tempfile.mkdtemp(prefix="dlops-repro-")) / "code"
        folder.mkdir()
        rebuilt = RebuiltCode(folder, folder / Path(entry).name, ["no git commit recorded: using the stored content only"])
    _write_entry(rebuilt, content)
    return rebuilt


def _entry_content(code: dict[str, Any], objects: Any) -> bytes | None:
    object_id = code.get("entry_object")
    if not object_id:
        return None
    if not objects.exists(object_id):
        raise CannotRebuild(f"the stored content of {code.get('entry_point')} (object {object_id[:12]}) is missing from the store")
    return objects.read_bytes(object_id)


def _from_git(git: dict[str, Any], entry: Path, objects: Any) -> RebuiltCode:
    root, commit = Path(git.get("root") or "."), git["commit"]
    if not (root / ".git").exists():
        raise CannotRebuild(f"the repository {root} recorded for this run is not there any more")
    if _git(["cat-file", "-e", f"{commit}^{{commit}}"], root, check=False).returncode != 0:
        raise CannotRebuild(
            f"commit {commit[:12]} is not in the repository at {root}; fetch it (git fetch --all) "
            "or restore the branch it was on"
        )
    folder = Path(tempfile.mkdtemp(prefix="dlops-repro-")) / "code"
    _git(["worktree", "add", "--detach", str(folder), commit], root)
    rebuilt = RebuiltCode(folder, folder / _relative(entry, root), [f"git worktree at {commit[:12]}"], root)
    diff_object = git.get("diff_object")
    if diff_object:
        try:
            _git(["apply", "--binary", "--whitespace=nowarn", "-"], folder, stdin=objects.read_bytes(diff_object))
        except CannotRebuild as error:
            rebuilt.cleanup()
            raise CannotRebuild(f"the recorded uncommitted diff does not apply on {commit[:12]} ({error})") from None
        rebuilt.notes.append("recorded uncommitted diff applied")
    return rebuilt


def _relative(entry: Path, root: Path) -> Path:
    try:
        return entry.resolve().relative_to(root.resolve())
    except ValueError:
        return Path(entry.name)


def _write_entry(rebuilt: RebuiltCode, content: bytes | None) -> None:
    if content is None:
        if not rebuilt.entry.is_file():
            rebuilt.cleanup()
            raise CannotRebuild(f"{rebuilt.entry.name} is neither stored nor in the recorded commit")
        rebuilt.notes.append("entry file taken from the commit (no stored content)")
        return
    if rebuilt.entry.is_file() and rebuilt.entry.read_bytes() == content:
        rebuilt.notes.append("entry file matches the stored content")
        return
    if rebuilt.entry.is_file():
        rebuilt.notes.append("entry file in commit+diff differs from what ran: using the stored content")
    else:
        rebuilt.notes.append("entry file was not committed: using the stored content")
    rebuilt.entry.parent.mkdir(parents=True, exist_ok=True)
    rebuilt.entry.write_bytes(content)
