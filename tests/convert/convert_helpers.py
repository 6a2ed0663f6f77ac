"""Plain helpers for the converter's tests (tests/convert is on sys.path while they run).

There is deliberately no tests/convert/conftest.py: other test folders import names from
``conftest`` by module name, and one more conftest module could shadow theirs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
CORPUS = TESTS / "notebooks"
GOLDEN = TESTS / "golden"
# DLOPS_REGEN_GOLDEN=1 pytest tests/convert rewrites tests/golden/ (then review the diff).
REGEN_GOLDEN = os.environ.get("DLOPS_REGEN_GOLDEN", "") not in ("", "0")


def run_python(script: Path, *args: str, env: dict[str, str] | None = None,
               check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a script with plain python in its own folder."""
    done = subprocess.run([sys.executable, str(script), *args], cwd=script.parent, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{script.name} failed ({done.returncode}):\n{done.stderr}")
    return done


def last_json_line(text: str) -> Any:
    """The last line of output that is a JSON object."""
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise AssertionError(f"no JSON line in output:\n{text}")


def cell(source: str, *tags: str, kind: str = "code", count: int | None = None) -> dict[str, Any]:
    """A notebook cell dict, for tests that build notebooks inline."""
    made: dict[str, Any] = {"cell_type": kind, "metadata": {"tags": list(tags)}, "source": source}
    if kind == "code":
        made.update(outputs=[], execution_count=count)
    return made


def notebook(*cells: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """A minimal nbformat 4 notebook dict."""
    return {"nbformat": 4, "nbformat_minor": 5, "cells": list(cells),
            "metadata": metadata or {"kernelspec": {"name": "python3", "language": "python",
                                                    "display_name": "Python 3"}}}


def copy_corpus(tmp_path: Path, name: str) -> Path:
    """Copy a corpus notebook into the test's folder and return its path."""
    target = tmp_path / f"{name}.ipynb"
    shutil.copy(CORPUS / f"{name}.ipynb", target)
    return target


def store_env(tmp_path: Path) -> dict[str, str]:
    """This environment, with DLOPS_STORE a fresh store in the test's folder."""
    env = {k: v for k, v in os.environ.items() if k != "DLOPS_RUN_ID"}
    env["DLOPS_STORE"] = str(tmp_path / "store")
    return env
