"""The nbconvert exporter gives the same script; the fast path never loads nbconvert/IPython."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from convert_helpers import copy_corpus

from jupyter_dlops.convert import export_notebook

JUPYTER = Path(sys.executable).parent / "jupyter"


def test_entry_point_is_registered() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="nbconvert.exporters")}
    assert found.get("dlops_script") == "jupyter_dlops.convert.exporter:DlopsScriptExporter"


@pytest.mark.slow
def test_nbconvert_to_dlops_script_matches_dlops_export(tmp_path) -> None:
    pytest.importorskip("nbconvert")
    path = copy_corpus(tmp_path, "runnable")
    done = subprocess.run([str(JUPYTER), "nbconvert", "--to", "dlops_script", str(path),
                           "--output", "via_nbconvert"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = export_notebook(path).script
    assert (tmp_path / "via_nbconvert.py").read_text() == expected


def test_exporter_in_process(tmp_path) -> None:
    pytest.importorskip("nbconvert")
    import nbformat

    from jupyter_dlops.convert.exporter import DlopsScriptExporter

    path = copy_corpus(tmp_path, "parameters_types")
    node = nbformat.reads(path.read_text(), as_version=4)
    body, resources = DlopsScriptExporter(standalone=True).from_notebook_node(
        node, {"metadata": {"name": "parameters_types"}})
    assert body == export_notebook(path, standalone=True).script
    assert resources["output_extension"] == ".py"
    assert resources["dlops"]["report"]["parameters"][0]["name"] == "lr"


def test_export_path_imports_neither_nbconvert_nor_ipython(tmp_path) -> None:
    path = copy_corpus(tmp_path, "magics_line")
    code = (
        "import sys\nfrom jupyter_dlops.cli import main\n"
        f"assert main(['export', {str(path)!r}, '--json']) == 0\n"
        "heavy = sorted(m for m in ('nbconvert', 'IPython', 'nbformat', 'papermill', 'jupyter_client',"
        " 'jupytext', 'ipykernel') if m in sys.modules)\n"
        "sys.stderr.write(repr(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stderr == "[]"
    report = json.loads(done.stdout)
    assert report["cells_exported"] == 8 and "requirements" in report


def test_exporter_traits_remove_magics_and_strict_shell() -> None:
    pytest.importorskip("nbconvert")
    import nbformat
    from convert_helpers import cell, notebook
    from traitlets.config import Config

    from jupyter_dlops.convert.exporter import DlopsScriptExporter

    config = Config()
    config.DlopsScriptExporter.removed_magics = {"comet": "Comet display"}
    config.DlopsScriptExporter.strict_shell = True
    made = notebook(cell("%comet show\n!false"))
    made["nbformat_minor"] = 4  # cells without ids, as nbformat 4.4 has them
    node = nbformat.from_dict(made)
    body, _ = DlopsScriptExporter(config=config).from_notebook_node(node, {"metadata": {"name": "nb"}})
    assert body.rstrip().endswith("# [dlops] removed '%comet show': Comet display\n_dlops_sh('false', check=True)")
