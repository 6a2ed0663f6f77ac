"""`pip install .` installs and enables both halves of the extension, and importing the
package stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each `jupyter ... list` takes seconds

JUPYTER = str(Path(sys.executable).with_name("jupyter"))


def jupyter(*args: str) -> str:
    done = subprocess.run([JUPYTER, *args], capture_output=True, text=True, check=True, timeout=120)
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


def test_labextension_is_installed_and_ok():
    listing = jupyter("labextension", "list")
    assert re.search(r"jupyter-dlops v\S+ enabled\s+OK", listing), listing


def test_server_extension_is_enabled_and_ok():
    listing = jupyter("server", "extension", "list")
    assert re.search(r"jupyter_dlops enabled", listing), listing
    assert re.search(r"jupyter_dlops \S+ OK", listing), listing


def test_import_does_not_load_the_server_stack():
    code = (
        "import sys, jupyter_dlops; "
        "heavy = [m for m in ('tornado', 'jupyter_server') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
