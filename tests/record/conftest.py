"""Fixtures for the record matrix: the PostgreSQL server of tests/pg_server.py."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:  # tests/ is not a package: make pg_server importable
    sys.path.insert(0, str(TESTS))

from pg_server import postgres_server  # noqa: E402, F401
