"""Helpers shared by the reliability tests (a plain module: tests/ is not a package)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path


def store_bytes(folder: Path) -> bytes:
    """Every byte of every file under ``folder``."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def run_python(code: str, env: dict[str, str], cwd: Path, *args: str, timeout: float = 120,
               check: bool = True) -> subprocess.CompletedProcess:
    """Run ``code`` as a script file in a child interpreter."""
    script = cwd / f"child_{uuid.uuid4().hex[:8]}.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script), *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"child failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done
