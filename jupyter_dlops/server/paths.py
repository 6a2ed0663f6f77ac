"""Resolve a notebook path sent by the browser inside the server root, and nowhere else."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..errors import NotFoundError, UsageError


def resolve_in_root(root: Path, relative: str) -> Path:
    """The real path of ``relative`` under ``root``.

    Refused: an empty path, an absolute path, any ``..`` part, and anything (a symlink
    included) whose real location is outside the root. A missing file is a 404.
    """
    text = (relative or "").strip()
    if not text:
        raise UsageError("no notebook path given; send {\"path\": \"folder/notebook.ipynb\"}")
    pure = PurePosixPath(text.replace("\\", "/"))
    if pure.is_absolute() or text.startswith("~") or ":" in pure.parts[0]:
        raise UsageError(f"'{text}' is absolute; give a path relative to the server root")
    if ".." in pure.parts:
        raise UsageError(f"'{text}' leaves the server root; '..' is not allowed")
    candidate = root.joinpath(*pure.parts)
    real = candidate.resolve()
    if real != root and root not in real.parents:
        raise UsageError(f"'{text}' points outside the server root")
    if not real.is_file():
        raise NotFoundError(f"no notebook at '{text}'; save the notebook first")
    return real


def relative_to_root(root: Path, path: Path) -> str:
    """``path`` as the browser names it: POSIX, relative to the server root."""
    return PurePosixPath(*Path(path).resolve().relative_to(root).parts).as_posix()
