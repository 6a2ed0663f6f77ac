"""Content-addressed object stores: BLAKE3 ids, sharded keys, atomic writes, deduplication.

:class:`ObjectStore` is the interface; :func:`open_objects` picks the implementation from
the artifacts location: a folder (:class:`LocalObjectStore`) or ``s3://bucket/prefix``
(:class:`~jupyter_dlops.store.s3objects.S3ObjectStore`, issue 19).

On disk an object lives at ``objects/<id[:2]>/<id[2:]>``. Writers copy into ``objects/tmp/``
and ``os.replace`` into place, so a reader never sees a half-written object: a crash leaves
at most a stray temporary file, which ``dlops gc`` removes.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import blake3

from ..errors import NotFoundError, StoreError

CHUNK = 1 << 20
MMAP_THRESHOLD = 4 << 20
GC_LOCK = ".gc-lock"


class ContentChangedError(StoreError):
    """A file no longer holds the content it was hashed with."""


def hash_bytes(data: bytes) -> str:
    return blake3.blake3(data).hexdigest()


def hash_file(path: str | os.PathLike[str]) -> str:
    """BLAKE3 of a file; large files are memory-mapped and hashed on all cores."""
    path = os.fspath(path)
    if os.path.getsize(path) >= MMAP_THRESHOLD:
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        hasher.update_mmap(path)
        return hasher.hexdigest()
    hasher = blake3.blake3()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def is_object_id(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def open_objects(location: str | os.PathLike[str]) -> ObjectStore:
    """The object store at ``location``: ``s3://bucket/prefix`` or a folder.

    Parameters
    ----------
    location : str or path
        Where objects live; an ``s3://`` URL is reached with the standard AWS credentials
        (environment, profiles, instance roles) and ``AWS_ENDPOINT_URL_S3`` if set.
    """
    text = os.fspath(location)
    if text.lower().startswith("s3://"):
        from .s3objects import S3ObjectStore

        return S3ObjectStore(text)
    return LocalObjectStore(Path(text).expanduser())


class ObjectStore:
    """Immutable blobs addressed by the BLAKE3 hash of their content (the interface).

    Writes are idempotent: storing content that is already there only refreshes its age, so
    that a concurrent ``dlops gc`` (which spares young objects) cannot remove it before the
    row that references it is written.
    """

    #: Where the objects are, for messages.
    location: str
    #: Whether other machines can reach these objects (a bucket, or a path named explicitly).
    shared: bool = True

    def put_bytes(self, data: bytes) -> str:
        raise NotImplementedError

    def put_file(self, source: str | os.PathLike[str], *, link: bool = False,
                 expected: str | None = None) -> str:
        """Store a file's content and return its id; ``expected`` refuses other content."""
        raise NotImplementedError

    def put_text(self, text: str | bytes) -> tuple[str, int]:
        """Store a text we record (notebook JSON, script, diff, log, executed notebook) with
        every secret redacted first: ``(object id, number of secrets removed)``. The one place
        text objects enter the store (issue 14); files a run logs as artifacts keep their exact
        bytes (:meth:`put_file`), so models and data stay byte-identical.
        """
        from ..capture.redact import redact_counted

        if isinstance(text, bytes):  # bytes that are not UTF-8 survive the round trip unchanged
            clean, removed = redact_counted(text.decode("utf-8", "surrogateescape"))
            data = clean.encode("utf-8", "surrogateescape")
        else:
            clean, removed = redact_counted(text)
            data = clean.encode("utf-8", "surrogatepass")
        return self.put_bytes(data), removed

    @contextlib.contextmanager
    def pinned(self, *, exclusive: bool = False) -> Iterator[None]:
        """The lock that keeps ``dlops gc`` from racing writers (issue 14); a store with no
        such lock (a bucket) relies on gc sparing objects younger than its grace period."""
        yield

    def read_bytes(self, object_id: str) -> bytes:
        raise NotImplementedError

    def exists(self, object_id: str) -> bool:
        raise NotImplementedError

    def path(self, object_id: str) -> Path:
        """A local file holding the object (which may not exist if the object is missing)."""
        raise NotImplementedError

    def iter_ids(self) -> Iterator[str]:
        return (object_id for object_id, _size, _mtime in self.iter_stats())

    def iter_stats(self) -> Iterator[tuple[str, int, float]]:
        """``(id, size, modification time)`` of every object."""
        raise NotImplementedError

    def remove(self, object_id: str) -> None:
        raise NotImplementedError

    def remove_temporaries(self, cutoff: float, *, dry_run: bool = False) -> int:
        """Remove unfinished writes started before ``cutoff``; returns how many."""
        raise NotImplementedError

    def problem(self, object_id: str) -> str | None:
        """``"missing"``, ``"modified"`` (content no longer hashes to the id), or None."""
        raise NotImplementedError


class LocalObjectStore(ObjectStore):
    """Objects in a folder: sharded files, read-only, installed atomically."""

    def __init__(self, root: str | os.PathLike[str], *, shared: bool = True,
                 refusal: str | None = None) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.location = str(self.root)
        self.shared = shared
        #: Why writes are refused (a team store's objects that no other member could read).
        self.refusal = refusal

    def _writable(self) -> None:
        if self.refusal:
            raise StoreError(self.refusal)

    def path(self, object_id: str) -> Path:
        if not is_object_id(object_id):
            raise NotFoundError(f"'{object_id}' is not an object id (64 hex characters expected)")
        return self.root / object_id[:2] / object_id[2:]

    def exists(self, object_id: str) -> bool:
        return self.path(object_id).exists()

    def _reuse(self, object_id: str) -> bool:
        """True if the object is already stored; its mtime is refreshed so that a concurrent
        ``dlops gc`` (which spares objects younger than its grace period) cannot remove it
        before the row that references it is written."""
        try:
            os.utime(self.path(object_id))
        except FileNotFoundError:
            return False
        except OSError:  # a read-only store: the object is there, just not touchable
            return self.exists(object_id)
        return True

    @contextlib.contextmanager
    def pinned(self, *, exclusive: bool = False) -> Iterator[None]:
        """The lock that keeps ``dlops gc`` from racing writers (issue 14).

        Writers hold it shared while they store or reuse an object (and, outside a run, until
        the row that references it is committed); gc holds it exclusively while it reads the
        references and removes objects, so it never sees an object between its write and its
        reference, nor removes one a writer just reused."""
        try:
            fd = os.open(self.root / GC_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:  # no objects yet, or a read-only store: nothing for gc to remove
            fd = None
        try:
            if fd is not None:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            if fd is not None:
                os.close(fd)

    def put_bytes(self, data: bytes) -> str:
        self._writable()
        object_id = hash_bytes(data)
        with self.pinned():
            if not self._reuse(object_id):
                self._install(object_id, lambda handle: handle.write(data))
        return object_id

    def put_file(self, source: str | os.PathLike[str], *, link: bool = False,
                 expected: str | None = None) -> str:
        """Store a file's content; ``link`` tries a hard link before copying."""
        self._writable()
        object_id = hash_file(source)
        if expected is not None and object_id != expected:
            raise ContentChangedError(f"{source} changed after it was hashed; add it again")
        with self.pinned():
            return self._put_file(source, object_id, link)

    def _put_file(self, source: str | os.PathLike[str], object_id: str, link: bool) -> str:
        if self._reuse(object_id):
            return object_id
        if link and self._try_link(source, object_id):
            return object_id

        def copy(handle):
            import shutil  # here: with bz2 and lzma it is ~3 ms of every start

            with open(source, "rb") as src:
                shutil.copyfileobj(src, handle, CHUNK)

        self._install(object_id, copy)
        if hash_file(self.path(object_id)) != object_id:
            # The file changed while we copied it: never keep a blob under a wrong id.
            self.path(object_id).unlink(missing_ok=True)
            raise StoreError(f"{source} changed while it was being stored; try again")
        return object_id

    def read_bytes(self, object_id: str) -> bytes:
        try:
            return self.path(object_id).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"object {object_id[:12]} is missing from {self.root}") from None

    def iter_ids(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for shard in self.root.iterdir():
            if len(shard.name) != 2 or not shard.is_dir():
                continue
            for entry in shard.iterdir():
                if is_object_id(shard.name + entry.name):
                    yield shard.name + entry.name

    def iter_stats(self) -> Iterator[tuple[str, int, float]]:
        for object_id in list(self.iter_ids()):
            try:
                info = self.path(object_id).stat()
            except FileNotFoundError:  # removed by another gc meanwhile
                continue
            yield object_id, info.st_size, info.st_mtime

    def remove(self, object_id: str) -> None:
        self.path(object_id).unlink(missing_ok=True)

    def problem(self, object_id: str) -> str | None:
        path = self.path(object_id)
        if not path.exists():
            return "missing"
        return None if hash_file(path) == object_id else "modified"

    def iter_temporary(self) -> Iterator[Path]:
        if self.tmp.is_dir():
            yield from self.tmp.iterdir()

    def remove_temporaries(self, cutoff: float, *, dry_run: bool = False) -> int:
        removed = 0
        for tmp in self.iter_temporary():
            try:
                young = tmp.stat().st_mtime > cutoff
            except FileNotFoundError:  # renamed into place by a writer, or removed by another gc
                continue
            if not young:
                removed += 1
                if not dry_run:
                    tmp.unlink(missing_ok=True)
        return removed

    def _try_link(self, source, object_id: str) -> bool:
        target = self.path(object_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            return True
        except OSError:
            return False
        os.chmod(target, 0o444)
        return True

    def _install(self, object_id: str, write) -> None:
        import tempfile  # here, as shutil above: most commands never write an object

        target = self.path(object_id)
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=object_id[:8] + ".")
        except OSError as error:
            raise _store_error(error, self.root) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, target)
        except OSError as error:
            Path(tmp_name).unlink(missing_ok=True)
            raise _store_error(error, self.root) from None
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise


def _store_error(error: OSError, root: Path) -> StoreError:
    if error.errno == errno.ENOSPC:
        return StoreError(f"no space left on the device holding {root}; free some space and retry")
    if error.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return StoreError(f"the object store {root} is not writable; check its permissions")
    return StoreError(f"cannot write to the object store {root}: {error.strerror}")
