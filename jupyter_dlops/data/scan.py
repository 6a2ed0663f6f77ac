"""Walking a data folder: every regular file under it, with its relative path and stat.

Symbolic links are followed (a link to a file versions the file's content), but a link back
to a folder already on the way down is a loop and is refused, naming the link. Unreadable
folders, dangling links and file names that are not valid UTF-8 are refused with the path
in the message, because a version that silently skips files would verify as "unchanged"
while describing less than the user asked for.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ..errors import DataError, NotFoundError


class Entry(NamedTuple):
    """A file found under the root: ``rel`` uses ``/`` separators on every platform."""

    rel: str
    path: str
    size: int
    mtime_ns: int
    inode: int


def scan(root: str | os.PathLike[str], *, skip: tuple[str, ...] = (),
         found: Callable[[list[Entry]], None] | None = None, stat_files: bool = True) -> list[Entry]:
    """All regular files under ``root`` (or ``root`` itself when it is a file), sorted.

    Parameters
    ----------
    root
        A folder or a single file.
    skip
        Absolute folder paths never descended into (the store's own folder).
    found
        Called with each folder's files as soon as they are listed (before its sub-folders),
        so that hashing can start while the listing goes on.
    stat_files
        False: regular files (as the directory entry says, no system call) get ``-1`` for
        size, mtime and inode, for a caller whose hashing stats each file anyway.

    Raises
    ------
    NotFoundError
        ``root`` does not exist.
    DataError
        A symlink loop, a dangling link, an unreadable folder, or a name that is not UTF-8.
    """
    root = os.path.abspath(os.fspath(root))
    try:
        info = os.stat(root)
    except FileNotFoundError:
        raise NotFoundError(f"no such file or folder: {root}; check the path") from None
    except OSError as error:
        raise _os_error(error, root) from None
    if stat.S_ISREG(info.st_mode):
        entries = [_entry(os.path.basename(root), root, info)]
        if found is not None:
            found(entries)
        return entries
    if not stat.S_ISDIR(info.st_mode):
        raise DataError(f"{root} is neither a file nor a folder; give a data folder or file")
    entries = []
    _walk(root, "", {(info.st_dev, info.st_ino)}, set(skip), entries, found or _ignore, stat_files)
    entries.sort()  # by ``rel``, the first field, unique: the other fields are never compared
    return entries


def _ignore(files: list[Entry]) -> None:
    pass


def _walk(folder: str, prefix: str, ancestors: set, skip: set, out: list[Entry],
          found: Callable[[list[Entry]], None], stat_files: bool) -> None:
    try:
        with os.scandir(folder) as it:
            children = list(it)
    except OSError as error:
        raise _os_error(error, folder) from None
    files: list[Entry] = []
    folders: list[tuple[str, str, tuple[int, int]]] = []
    for child in children:
        rel = f"{prefix}{_check_name(child.name, child.path)}"
        if not stat_files and child.is_file(follow_symlinks=False):  # d_type: no stat
            files.append(Entry(rel, child.path, -1, -1, -1))
            continue
        try:
            # The directory entry's type is free; only links need a stat that follows them.
            info = os.stat(child.path) if child.is_symlink() else child.stat(follow_symlinks=False)
        except OSError as error:
            if child.is_symlink() and error.errno in (errno.ENOENT, errno.ELOOP):
                raise DataError(
                    f"{child.path} is a broken or looping symbolic link; remove it or fix its target"
                ) from None
            raise _os_error(error, child.path) from None
        if stat.S_ISREG(info.st_mode):
            files.append(Entry(rel, child.path, info.st_size, info.st_mtime_ns, info.st_ino))
        elif stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                raise DataError(
                    f"symbolic link loop: {child.path} leads back to a folder above it; remove the link"
                )
            if os.path.abspath(child.path) not in skip:
                folders.append((child.path, rel + "/", key))
    out.extend(files)
    found(files)
    for path, rel, key in folders:
        _walk(path, rel, ancestors | {key}, skip, out, found, stat_files)


def _entry(rel: str, path: str, info: os.stat_result) -> Entry:
    return Entry(rel, path, info.st_size, info.st_mtime_ns, info.st_ino)


def _check_name(name: str, path: str) -> str:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise DataError(f"the file name {shown} is not valid UTF-8; rename it") from None
    return name


def _os_error(error: OSError, path: str) -> DataError:
    if error.errno in (errno.EACCES, errno.EPERM):
        return DataError(f"permission denied reading {path}; make it readable or leave it out")
    if error.errno == errno.ELOOP:
        return DataError(f"symbolic link loop at {path}; remove the link")
    return DataError(f"cannot read {path}: {error.strerror}")


def is_within(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (both made absolute)."""
    path, folder = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    return path == folder or folder in path.parents


def store_folder(store) -> tuple[str, ...]:
    """The store's own folder, to leave out when it lies inside the data."""
    folder = getattr(store, "folder", None)
    return (os.path.abspath(folder),) if folder else ()
