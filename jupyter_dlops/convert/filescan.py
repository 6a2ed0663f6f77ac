"""Which files a run wrote in a folder: a cheap stat snapshot before, BLAKE3 hashes after."""

from __future__ import annotations

import os
from pathlib import Path

from ..store.objects import hash_file

# Never compared: version control, the store, Jupyter's and Python's caches.
IGNORED_DIRS = frozenset({".git", ".dlops", ".ipynb_checkpoints", "__pycache__", ".venv",
                          "node_modules", ".pytest_cache"})

Stat = tuple[int, int, int]


def snapshot(folder: Path) -> dict[str, Stat]:
    """``{relative path: (size, mtime_ns, inode)}`` for every file under ``folder``."""
    found: dict[str, Stat] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if name not in IGNORED_DIRS]
        for name in files:
            path = Path(root) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return found


def changed_files(folder: Path, before: dict[str, Stat]) -> dict[str, str]:
    """``{relative path: BLAKE3 hex}`` of the files created or rewritten since ``before``."""
    after = snapshot(folder)
    return {path: hash_file(folder / path) for path, stat in sorted(after.items())
            if before.get(path) != stat}
