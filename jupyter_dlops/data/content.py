"""Copying file contents into the object store (``--store-content``) and back out
(``checkout``): reflinks where the file system has them, else plain copies (never hard links,
which would let an in-place edit of the source change a committed version), every copied
byte hashed on the way so that a file changed while it was copied is never stored or checked
out under a wrong id.
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
from .scan import Entry

FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
CHUNK = 1 << 20


def _reflink(source: str, target: str) -> bool:
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
    """Put each ``(entry, hash)`` into the object store; returns how many were new."""
    added = 0
    for entry, digest in items:
        if objects.exists(digest):
            continue
        target = objects.path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            objects.tmp.mkdir(parents=True, exist_ok=True)
            # Never a hard link: the object would share the user's inode, and editing the
            # file in place would silently change a committed version (issue 8).
            fd, tmp = tempfile.mkstemp(dir=objects.tmp, prefix=digest[:8] + ".")
            os.close(fd)
            try:
                copy_verified(entry.path, tmp, digest)
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as error:
            raise _store_error(error, objects.root) from None
        added += 1
    return added


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
