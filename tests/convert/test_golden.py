"""Golden files: every corpus notebook's script and report, byte for byte.

Regenerate after an intended change with ``DLOPS_REGEN_GOLDEN=1 pytest tests/convert`` and
review the diff of tests/golden/.
"""

from __future__ import annotations

import json

import pytest
from convert_helpers import CORPUS, GOLDEN, REGEN_GOLDEN

from jupyter_dlops.convert import convert_notebook
from jupyter_dlops.convert.reader import read_notebook

# case name -> (notebook, options)
CASES = {
    "parameters_types": ("parameters_types", {}),
    "parameters_types-standalone": ("parameters_types", {"standalone": True}),
    "no_parameters": ("no_parameters", {}),
    "no_parameters-standalone": ("no_parameters", {"standalone": True}),
    "skip_and_markdown": ("skip_and_markdown", {}),
    "magics_line": ("magics_line", {}),
    "magics_cell": ("magics_cell", {}),
    "hidden_state": ("hidden_state", {}),
    "unknown_magic-keep": ("unknown_magic", {"keep_unknown_magics": True}),
    "runnable": ("runnable", {}),
    "train_metrics": ("train_metrics", {}),
    "verify_mismatch": ("verify_mismatch", {}),
    "nbformat3": ("nbformat3", {}),
    "nbformat40": ("nbformat40", {}),
}


def _check(path, text: str) -> None:
    if REGEN_GOLDEN:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}; run DLOPS_REGEN_GOLDEN=1 pytest tests/convert"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from the export"


@pytest.mark.parametrize("case", sorted(CASES))
def test_script_matches_golden(case: str) -> None:
    name, options = CASES[case]
    script, report = convert_notebook(read_notebook(CORPUS / f"{name}.ipynb"), name=name,
                                      script_name=f"{name}.py", **options)
    _check(GOLDEN / f"{case}.py", script)
    _check(GOLDEN / f"{case}.report.json",
           json.dumps(report.to_dict(), indent=1, ensure_ascii=False, default=repr) + "\n")


def test_every_golden_file_has_a_case() -> None:
    known = {f"{case}{suffix}" for case in CASES for suffix in (".py", ".report.json")}
    assert {path.name for path in GOLDEN.glob("*.py")} | {p.name for p in GOLDEN.glob("*.json")} <= known
