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

# Paths that are never data: the interpreter, its packages, the kernel's own plumbing, system
# files (time zones, fonts, certificates) and tool caches (matplotlib's font list, IPython's
# and Jupyter's own files). Dataset caches such as ~/.cache/huggingface stay visible.
_IGNORED_PREFIXES = ("/proc/", "/sys/", "/dev/", "/etc/", "/usr/", "/lib/", "/lib64/")
_IGNORED_HOME = (".ipython", ".jupyter", ".config", ".cache/matplotlib", ".local/share/jupyter",
                 ".local/lib", ".pyenv")
_IGNORED_SUFFIXES = (".py", ".pyc", ".pyi", ".so", ".pth")
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
    if full.startswith(_IGNORED_PREFIXES) or full.endswith(_IGNORED_SUFFIXES):
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
    """Never report files under these folders (the store, the interpreter's prefixes)."""
    base = {os.path.join(os.path.abspath(r), "") for r in roots if r}
    base.update(os.path.join(p, "") for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    home = os.path.expanduser("~")
    base.update(os.path.join(home, name, "") for name in _IGNORED_HOME)
    _watch.ignored_roots = tuple(sorted(base))


def start() -> None:
    """Begin recording opens (for one tracked cell)."""
    _watch.opened = {}
    _watch.active = True


def stop() -> dict[str, str]:
    """Stop recording; the regular files opened since :func:`start` and how."""
    _watch.active = False
    opened, _watch.opened = _watch.opened, {}
    return {path: how for path, how in opened.items() if _is_regular(path)}


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
