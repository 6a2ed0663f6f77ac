"""``dlops sweep -p api_key A B``: every value of a secret-named parameter is secret, in the
stored argv, tags, combo keys, progress output and executed notebooks; and resuming still
recognises the finished secret combinations (issue 14)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow
DLOPS = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]


def notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("api_key = ''\nlr = 0.1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import jupyter_dlops as dl\nprint('calling with', api_key)\n"
                                          "dl.log_metric('acc', lr)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def stored_bytes(folder: Path) -> bytes:
    return b"".join(f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file())


@pytest.mark.parametrize("engine", ["papermill", "script"])
def test_every_value_of_a_secret_parameter_stays_out(engine, store_uri, tmp_path):
    values = [f"val-{secrets.token_hex(8)}", f"val-{secrets.token_hex(8)}"]  # no token shape
    command = [*DLOPS, "sweep", str(notebook(tmp_path / "nb.ipynb")), "-p", "api_key", *values,
               "-p", "lr", "0.1", "--workers", "2", "--engine", engine, "--name", "secret-sweep"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "api_key=***redacted***" in first.stdout + first.stderr  # the progress lines
    again = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "2 runs, 0 failed, 2 skipped" in again.stdout  # resumed: the secret combos are known
    printed = (first.stdout + first.stderr + again.stdout + again.stderr).encode()
    everything = stored_bytes(Path(store_uri))
    for value in values:
        assert value.encode() not in printed and value.encode() not in everything

    from jupyter_dlops.store import open_store

    store = open_store(store_uri)
    runs = store.search_runs(full=True)
    assert len(runs) == 2 and {r.params["api_key"] for r in runs} == {"***redacted***"}
    assert all(r.tags["sweep.combo"].startswith("blake2:") for r in runs)
    argv = runs[0].sections["code"]["argv"]
    assert argv[argv.index("api_key") + 1:argv.index("api_key") + 3] == ["***redacted***"] * 2
    if engine == "papermill":
        outputs = [a for r in runs for a in r.artifacts if a.kind == "notebook"]
        assert len(outputs) == 2
        assert all(b"***redacted***" in store.objects.read_bytes(a.object_id) for a in outputs)
