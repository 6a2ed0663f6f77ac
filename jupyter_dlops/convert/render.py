"""Write the script in jupytext's percent format.

A jupytext header carries the kernelspec, so ``jupytext --to notebook`` (and papermill on the
result) gets a runnable notebook back; each exported cell becomes one ``# %%`` cell with the
same tags papermill looks for; markdown and raw cells become commented cells.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .magic_base import IPYTHON_HELPER, IPYTHON_HELPER_CODE, SHELL_HELPER

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


def render_cell(cell: ScriptCell, runtime: bool = False) -> str:
    """One ``# %%`` cell, without a trailing newline; ``runtime``: define the shell helpers."""
    marker = "# %%"
    if cell.kind in ("markdown", "raw"):
        marker += f" [{cell.kind}]"
    if cell.tags:
        marker += " tags=" + json.dumps(list(cell.tags))
    if cell.kind != "code":
        body = "\n".join(("# " + line).rstrip() for line in cell.source.strip("\n").split("\n"))
        return f"{marker}\n{body}"
    return f"{marker}\n{_with_imports(cell.source, cell.imports, runtime)}".rstrip()


def _with_imports(code: str, imports: frozenset[str], runtime: bool = False) -> str:
    code = code.strip("\n")
    # Names starting with "_" are the script's own helpers and names, not modules.
    lines = [f"import {module}" for module in sorted(imports) if not module.startswith("_")]
    prelude = "\n".join(lines)
    for helper, wanted in ((IPYTHON_HELPER_CODE, IPYTHON_HELPER in imports), (runtime_code(), runtime)):
        if wanted:
            prelude = (prelude + "\n\n\n" if prelude else "") + helper.rstrip()
    if not prelude:
        return code
    return f"{prelude}\n\n{code}" if code else prelude


@lru_cache(maxsize=1)
def runtime_code() -> str:
    """The shell helpers a script defines once (shell_runtime.py below its marker)."""
    text = (Path(__file__).with_name("shell_runtime.py")).read_text(encoding="utf-8")
    body = text.split("# --- begin runtime ---\n", 1)[1]
    return "# jupyter-dlops: IPython's meaning of !cmd under plain python (see dlops export --help).\n" + body


def render_script(kernelspec: dict[str, Any], cells: list[ScriptCell]) -> str:
    """The whole script text, ending with one newline."""
    parts = [header(kernelspec)]
    defined = False
    for cell in cells:
        runtime = SHELL_HELPER in cell.imports and not defined
        defined = defined or runtime
        parts.append(render_cell(cell, runtime))
    return "\n\n".join(parts) + "\n"


def marker_like_lines(source: str) -> bool:
    """Whether a code cell holds a line jupytext would read as a cell marker."""
    return bool(_MARKER_LIKE.search(source))
