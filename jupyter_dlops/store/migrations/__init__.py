"""Schema migrations, one module per version: ``mNNN_<what>.py`` with ``VERSION`` and
``statements(dialect) -> list[str]``.

Migrations are discovered by file name and applied in order inside one transaction, so a
store written by an older jupyter-dlops opens in a newer one. SQL here is the subset SQLite
and PostgreSQL share (TEXT, BIGINT, DOUBLE PRECISION); where they differ, ``dialect`` says
which one is being written (``"sqlite"`` or ``"postgresql"``).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def all_migrations() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("m"))
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    versions = [m.VERSION for m in modules]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return modules


def latest_version() -> int:
    return len(all_migrations())
