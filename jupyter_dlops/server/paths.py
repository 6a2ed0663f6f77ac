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
    _check_text(text, len(str(root).encode()) + 1)
    pure = PurePosixPath(text.replace("\\", "/"))
    if pure.is_absolute() or text.startswith("~") or ":" in pure.parts[0]:
        raise UsageError(f"'{_short(text)}' is absolute; give a path relative to the server root")
    if ".." in pure.parts:
        raise UsageError(f"'{_short(text)}' leaves the server root; '..' is not allowed")
    try:
        real = root.joinpath(*pure.parts).resolve()
        outside = real != root and root not in real.parents
        found = not outside and real.is_file()
    except (OSError, ValueError) as error:  # the OS's message names the absolute path: not sent
        raise UsageError(f"'{_short(text)}' cannot be opened ({type(error).__name__}); "
                         "check the notebook's name") from None
    if outside:
        raise UsageError(f"'{_short(text)}' points outside the server root")
    if not found:
        raise NotFoundError(f"no notebook at '{_short(text)}'; save the notebook first")
    return real


#: Longest path and file name accepted: Linux's PATH_MAX and NAME_MAX (bytes).
MAX_PATH, MAX_NAME = 4096, 255


def _check_text(text: str, prefix: int) -> None:
    """Refuse, without echoing them whole, paths no file system holds: control characters
    (a NUL byte), more than :data:`MAX_PATH` bytes after the root's ``prefix`` bytes, a part
    over :data:`MAX_NAME` bytes."""
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise UsageError(f"'{_short(text)}' contains a control character; give the notebook's path as is")
    encoded = text.encode("utf-8", "surrogatepass")
    if prefix + len(encoded) > MAX_PATH or any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME
                                      for part in text.split("/")):
        raise UsageError(f"'{_short(text)}' is too long for a file path ({len(encoded)} bytes)")


def _short(text: str) -> str:
    """At most 60 characters of ``text``, control characters shown as escapes."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    return shown.encode("unicode_escape").decode("ascii") if not shown.isprintable() else shown


def relative_to_root(root: Path, path: Path) -> str:
    """``path`` as the browser names it: POSIX, relative to the server root."""
    return PurePosixPath(*Path(path).resolve().relative_to(root).parts).as_posix()
