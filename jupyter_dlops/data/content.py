"""Copying file contents into the object store (``--store-content``) and back out
(``checkout``): reflinks where the file system has them, else hard links into the store and
plain copies out of it, every copied byte hashed on the way so that a file changed while it
was copied is never stored or checked out under a wrong id.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import blake3

from ..errors import DataError, StoreError
from ..store.objects import ContentChangedError, LocalObjectStore
from .scan import Entry

FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
CHUNK = 1 << 20


def _reflink(source: str, target: str) -> bool:
    """Clone ``source`` into ``target`` (which it truncates) where the file system can."""
    try:
        with open(source, "rb") as src, open(target, "wb") as dst:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
        return True
    except OSError:
        Path(target).unlink(missing_ok=True)
        return False


def copy_verified(source: str, target: str, expected: str) -> None:
    """Copy ``source`` to ``target`` (reflink if possible), checking its BLAKE3 is ``expected``."""
    if not _reflink(source, target):
        hasher = blake3.blake3()
        with open(source, "rb") as src, open(target, "wb") as dst:
            while chunk := src.read(CHUNK):
                hasher.update(chunk)
                dst.write(chunk)
        digest = hasher.hexdigest()
    else:
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        if os.path.getsize(target):
            hasher.update_mmap(target)
        digest = hasher.hexdigest()
    if digest != expected:
        Path(target).unlink(missing_ok=True)
        raise DataError(f"{source} no longer holds the versioned bytes (it changed after it was "
                        "hashed); add the data again")


def store_files(objects, items: Iterable[tuple[Entry, str]]) -> int:
    """Put each ``(entry, hash)`` into the object store; returns how many were new.

    A reflink (copy-on-write clone) is tried first: the object is then independent of the
    user's file, and it is kept only if the file's stat still matches the one it was hashed
    with. Else a copy, hashed as it is written. Never a hard link: the object would share the
    user's inode, and editing the file in place would silently change a committed version
    (issue 8 takes immutability over the saved disk space).
    """
    if not isinstance(objects, LocalObjectStore):
        return _upload_files(objects, items)
    added, can_clone = 0, True
    for entry, digest in items:
        if objects.exists(digest):
            continue
        target = objects.path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            objects.tmp.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=objects.tmp, prefix=digest[:8] + ".")
            os.close(fd)
            try:
                can_clone = can_clone and _reflink(entry.path, tmp)
                if can_clone and _unchanged(entry, entry.path):
                    _install(tmp, target)
                else:
                    copy_verified(entry.path, tmp, digest)
                    _install(tmp, target)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as error:
            raise _store_error(error, objects.root) from None
        added += 1
    return added


def _upload_files(objects, items: Iterable[tuple[Entry, str]]) -> int:
    """Put each file into a remote object store (issue 19), refusing changed content."""
    added = 0
    for entry, digest in items:
        if objects.exists(digest):
            continue
        try:
            objects.put_file(entry.path, expected=digest)
        except ContentChangedError:
            raise DataError(f"{entry.path} no longer holds the versioned bytes (it changed after "
                            "it was hashed); add the data again") from None
        added += 1
    return added


def _install(tmp: str, target: Path) -> None:
    os.chmod(tmp, 0o444)
    os.replace(tmp, target)


def _unchanged(entry: Entry, path: str | Path) -> bool:
    info = os.stat(path)
    return (info.st_size, info.st_mtime_ns, info.st_ino) == (entry.size, entry.mtime_ns, entry.inode)


def _store_error(error: OSError, root: Path) -> StoreError:
    if error.errno == errno.ENOSPC:
        return StoreError(f"no space left on the device holding {root}; free some space and retry")
    return StoreError(f"cannot write to the object store {root}: {error.strerror}")


def checkout_files(objects, files: list[tuple[str, str]], target: Path) -> None:
    """Write ``(rel path, hash)`` files from the object store into the new folder ``target``.

    The files are written into a temporary sibling folder renamed into place at the end, so
    an interrupted checkout leaves nothing half-written at ``target``.
    """
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.dlops-"))
    try:
        for rel, digest in files:
            source = objects.path(digest)
            if not source.exists():
                raise DataError(f"the stored content of {rel} is missing from {objects.root}; "
                                "add the data again with --store-content")
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            copy_verified(str(source), str(dest), digest)
            os.chmod(dest, 0o644)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except OSError as error:
        raise DataError(f"cannot write the checkout to {target}: {error.strerror}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
