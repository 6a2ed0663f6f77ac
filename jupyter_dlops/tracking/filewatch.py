"""The files a tracked cell opens, seen through the ``open`` audit event (PEP 578).

``sys.addaudithook`` sees every ``open()``, ``io.open``, ``os.open`` and ``io.open_code``
call in the process, whichever library makes it: ``pandas.read_csv`` (its C parser reads from
a Python file handle), ``np.load``/``np.save``, ``pickle``, ``json``, ``PIL.Image.open`` and
``torch.load`` are all seen without patching anything. Not seen: files a C or C++ extension
opens itself (``pyarrow.parquet`` through Arrow's own filesystem, ``h5py``/HDF5, SQLite
databases, ``cv2.imread``, memory maps of an already-open descriptor) and files opened by
subprocesses.

Audit hooks cannot be removed, so exactly one is installed per process and it is a single
attribute test while no tracked cell runs.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
from dataclasses import dataclass, field

from .datapaths import CODE_SUFFIXES, ENVIRONMENT, SYSTEM_PREFIXES, is_data

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


@dataclass
class FileWatch:
    """The files opened while one tracked cell ran: ``{absolute path: "r" | "w" | "rw"}``."""

    active: bool = False
    opened: dict[str, str] = field(default_factory=dict)
    ignored_roots: tuple[str, ...] = ()


_watch = FileWatch()
_installed = False
_lock = threading.Lock()


def _hook(event: str, args: tuple) -> None:
    # The whole cost while inactive: one string comparison and one attribute read.
    if event != "open" or not _watch.active:
        return
    path, mode, flags = args
    if isinstance(path, int):
        return  # re-opening a descriptor: the path was seen when it was first opened
    try:  # noqa: SIM105 (contextlib.suppress costs a context manager on every open)
        _note(path, mode, flags)
    except Exception:  # an audit hook that raises would break the user's open()
        pass


def _note(path, mode, flags) -> None:
    path = os.fsdecode(path)
    full = os.path.abspath(path)
    # A cheap first cut while a library imports (thousands of opens); stop() decides.
    if full.startswith(SYSTEM_PREFIXES) or full.endswith(CODE_SUFFIXES):
        return
    if full.startswith(_watch.ignored_roots):
        return
    if mode is not None:
        writes = any(c in mode for c in "wax+")
        reads = "r" in mode or "+" in mode
    else:
        writes = bool(flags & _WRITE_FLAGS)
        reads = not (flags & os.O_WRONLY)
    new = ("r" if reads else "") + ("w" if writes else "")
    old = _watch.opened.get(full, "")
    _watch.opened[full] = "".join(c for c in "rw" if c in old + new)


def install() -> None:
    """Install the process's single audit hook (idempotent)."""
    global _installed
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


def ignore_roots(*roots: str) -> None:
    """Never report files under these folders (the store) nor the environment's files
    (:mod:`.datapaths`: interpreter, site and ``sys.path`` folders, packages, caches)."""
    ENVIRONMENT.ignore(*roots)
    _watch.ignored_roots = ENVIRONMENT.refresh()


def ignore_store(store) -> None:
    """Never report the store's own files: its folder and its objects (the objects of a team
    store live elsewhere, and the gc lock there is opened by every write)."""
    objects = getattr(store, "objects", None)
    ignore_roots(str(getattr(store, "folder", "") or ""), str(getattr(objects, "root", "") or ""))


def start() -> None:
    """Begin recording opens (for one tracked cell)."""
    _watch.opened = {}
    _watch.ignored_roots = ENVIRONMENT.roots or ENVIRONMENT.refresh()
    _watch.active = True


def stop() -> dict[str, str]:
    """Stop recording; the regular data files opened since :func:`start` and how."""
    _watch.active = False
    opened, _watch.opened = _watch.opened, {}
    if not opened:
        return {}
    # Decided now, with the roots as they are after the cell: an import in the cell adds
    # packages, sys.path entries and tool folders (matplotlib's cache) that the hook missed.
    roots = ENVIRONMENT.refresh()

    return {path: how for path, how in opened.items() if is_data(path, roots) and _is_regular(path)}


@contextlib.contextmanager
def paused():
    """dlops's own reads of the user's files (hashing an artifact, versioning a data file) are
    not the user's data: they are not recorded while this block runs."""
    was, _watch.active = _watch.active, False
    try:
        yield
    finally:
        _watch.active = was


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # opened then removed (a temporary file): nothing to version
