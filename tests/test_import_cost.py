"""`import jupyter_dlops` and `dlops --help` stay cheap: they must not load the heavy
libraries the adapters use (checked in a fresh interpreter, through ``sys.modules``).

This is a correctness test, not a timing test: timings are in benchmarks/bench_startup.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

# Heavy or adapter-only libraries: each is loaded only inside the feature that needs it.
# sqlite3 is cheap but only the store needs it; typing (with re, enum, functools) was most
# of the package's import time, so the package's __init__ keeps it for type checkers only.
HEAVY = [
    "IPython", "ipykernel", "ipywidgets", "anywidget", "jupyter_server", "tornado", "nbconvert", "nbformat",
    "papermill", "jupyter_client", "zmq", "dask", "distributed", "pandas", "numpy", "pyarrow",
    "matplotlib", "psutil", "pynvml", "blake3", "yaml", "traitlets", "psycopg", "sqlite3",
    "jupyter_dlops.store", "jupyter_dlops.tracking",
]
IMPORT_ONLY = ["typing", "json", "argparse", "jupyter_dlops.cli"]

PROBE = """
import sys
{code}
print("\\n".join(sorted(sys.modules)))
"""


def loaded_modules(code: str, cwd) -> set[str]:
    """Modules a fresh interpreter holds after running ``code`` (from a neutral folder, so
    the installed package is what gets imported)."""
    proc = subprocess.run([sys.executable, "-c", PROBE.format(code=code)], capture_output=True,
                          text=True, cwd=cwd, check=True)
    return set(proc.stdout.split())


def offenders(modules: set[str], names: list[str]) -> list[str]:
    return sorted(n for n in names if n in modules or any(m.startswith(n + ".") for m in modules))


def test_import_loads_nothing_heavy(tmp_path):
    modules = loaded_modules("import jupyter_dlops", tmp_path)
    assert "jupyter_dlops" in modules
    bad = offenders(modules, HEAVY + IMPORT_ONLY)
    assert not bad, f"`import jupyter_dlops` loads {bad}; import them inside the functions that use them"


def test_dlops_help_loads_nothing_heavy(tmp_path):
    code = (
        "from jupyter_dlops.cli import main\n"
        "import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    modules = loaded_modules(code, tmp_path)
    # argparse needs re, enum, functools...; these it does not, and each costs milliseconds
    # of every `dlops` start (shutil drags in bz2 and lzma, pathlib urllib and ipaddress)
    bad = offenders(modules, HEAVY + ["shutil", "typing", "json", "pathlib"])
    assert not bad, f"`dlops --help` loads {bad}; import them inside the command handlers"


@pytest.mark.parametrize("name", ["start_run", "log_metric", "DlopsClient", "open_store"])
def test_lazy_names_still_resolve(name, tmp_path):
    code = f"import jupyter_dlops\nassert callable(jupyter_dlops.{name})"
    assert "jupyter_dlops.tracking" in loaded_modules(code, tmp_path) or name == "open_store"
