"""Write the script in jupytext's percent format.

A jupytext header carries the kernelspec, so ``jupytext --to notebook`` (and papermill on the
result) gets a runnable notebook back; each exported cell becomes one ``# %%`` cell with the
same tags papermill looks for; markdown and raw cells become commented cells.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .asynccell import AWAIT_HELPER
from .magic_base import IPYTHON_HELPER, IPYTHON_HELPER_CODE, SHELL_HELPER

PANDAS_HELPER = "_dlops_pandas"
DOC_HELPER = "_dlops_doc"
RUNTIME_HELPERS = frozenset({SHELL_HELPER, AWAIT_HELPER, PANDAS_HELPER, DOC_HELPER})
# What a notebook's ``__doc__`` is: the docstring of the module IPython runs cells in
IPYTHON_MAIN_DOC = "Automatically created module for IPython interactive environment"

_MARKER_LIKE = re.compile(r"^\s*#\s*%%", re.MULTILINE)


@dataclass
class ScriptCell:
    """One cell of the script: its kind, source, tags and the modules its code needs."""

    kind: str  # code | markdown | raw
    source: str
    tags: tuple[str, ...] = ()
    imports: frozenset[str] = frozenset()


def header(kernelspec: dict[str, Any]) -> str:
    """The shebang and the jupytext YAML header (kernelspec defaults to python3)."""
    spec = {
        "display_name": str(kernelspec.get("display_name") or "Python 3"),
        "language": "python",
        "name": str(kernelspec.get("name") or "python3"),
    }
    lines = [
        "#!/usr/bin/env python3",
        "# ---",
        "# jupyter:",
        "#   jupytext:",
        "#     text_representation:",
        "#       extension: .py",
        "#       format_name: percent",
        "#   kernelspec:",
        *(f"#     {key}: {json.dumps(value, ensure_ascii=False)}" for key, value in spec.items()),
        "# ---",
    ]
    return "\n".join(lines)


def render_cell(cell: ScriptCell, runtime: frozenset[str] = frozenset()) -> str:
    """One ``# %%`` cell, without a trailing newline; ``runtime``: the helpers it defines."""
    marker = "# %%"
    if cell.kind in ("markdown", "raw"):
        marker += f" [{cell.kind}]"
    if cell.tags:
        marker += " tags=" + json.dumps(list(cell.tags))
    if cell.kind != "code":
        body = "\n".join(("# " + line).rstrip() for line in cell.source.strip("\n").split("\n"))
        return f"{marker}\n{body}"
    return f"{marker}\n{_with_imports(cell.source, cell.imports, runtime)}".rstrip()


def _with_imports(code: str, imports: frozenset[str], runtime: frozenset[str] = frozenset()) -> str:
    code = code.strip("\n")
    # Names starting with "_" are the script's own helpers and names, not modules.
    lines = [f"import {module}" for module in sorted(imports) if not module.startswith("_")]
    prelude = "\n".join(lines)
    helpers = [IPYTHON_HELPER_CODE] if IPYTHON_HELPER in imports else []
    helpers += [runtime_sections()[name] for name in sorted(runtime)]
    for helper in helpers:
        prelude = (prelude + "\n\n\n" if prelude else "") + helper.rstrip()
    if not prelude:
        return code
    return f"{prelude}\n\n{code}" if code else prelude


@lru_cache(maxsize=1)
def runtime_sections() -> dict[str, str]:
    """The helpers a script defines once, by name (the sections of shell_runtime.py)."""
    text = (Path(__file__).with_name("shell_runtime.py")).read_text(encoding="utf-8")
    parts = re.split(r"^# --- runtime: (\w+) ---\n", text, flags=re.MULTILINE)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    note = "# jupyter-dlops: {} under plain python, as IPython does (dlops export --help).\n"
    sections[SHELL_HELPER] = note.format("!cmd and $name expansion") + sections[SHELL_HELPER]
    sections[AWAIT_HELPER] = note.format("top-level await") + sections[AWAIT_HELPER]
    sections[PANDAS_HELPER] = (note.format("pandas' display defaults") + sections[PANDAS_HELPER]
                               .rstrip() + "\n\n\n_dlops_pandas()\n")
    sections[DOC_HELPER] = note.format("__doc__") + f"__doc__ = {IPYTHON_MAIN_DOC!r}\n"
    return sections


def render_script(kernelspec: dict[str, Any], cells: list[ScriptCell]) -> str:
    """The whole script text, ending with one newline."""
    parts = [header(kernelspec)]
    defined: frozenset[str] = frozenset()
    for cell in cells:
        runtime = (cell.imports & RUNTIME_HELPERS) - defined  # each defined once, where first needed
        defined |= runtime
        parts.append(render_cell(cell, runtime))
    return "\n\n".join(parts) + "\n"


def imports_third_party(tree: ast.Module) -> bool:
    """Whether a cell imports a module outside the standard library (pandas may come with it)."""
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
        if any(name.split(".")[0] not in sys.stdlib_module_names for name in names):
            return True
    return False


def uses_module_doc(tree: ast.Module) -> bool:
    """Whether a cell reads or sets ``__doc__`` (``print(__doc__)`` in scikit-learn's examples)."""
    return any(isinstance(node, ast.Name) and node.id == "__doc__" for node in ast.walk(tree))


def marker_like_lines(source: str) -> bool:
    """Whether a code cell holds a line jupytext would read as a cell marker."""
    return bool(_MARKER_LIKE.search(source))
