"""The notebook's ``parameters`` cell, seen from inside the kernel (issue 15).

A kernel is not told a cell's tags: JupyterLab sends only the cell's id (``cellId`` in the
execute request's metadata, which IPython hands on as ``ExecutionInfo.cell_id``), and
jupyter_server names the notebook in ``JPY_SESSION_NAME``. So the tags are read from the
notebook file itself, by cell id. The file is parsed again only when its size or mtime
changed: a cell costs one ``os.stat``. A tag added in the browser counts once the notebook
was saved (JupyterLab saves every two minutes by default, and on Ctrl-S).
"""

from __future__ import annotations

import json
import os
from typing import Any

PARAMETERS_TAG = "parameters"
_MAGIC_LINE = "%%"

_cache: dict[str, tuple[tuple[int, int], dict[str, frozenset[str]]]] = {}


def cell_tags(notebook: str | None, cell_id: str | None) -> frozenset[str]:
    """The tags of cell ``cell_id`` in the notebook file (empty when anything is unknown)."""
    if not notebook or not cell_id:
        return frozenset()
    try:
        stat = os.stat(notebook)
    except OSError:
        return frozenset()
    key = (stat.st_size, stat.st_mtime_ns)
    cached = _cache.get(notebook)
    if cached is None or cached[0] != key:
        cached = (key, _read_tags(notebook))
        _cache[notebook] = cached
    return cached[1].get(cell_id, frozenset())


def _read_tags(notebook: str) -> dict[str, frozenset[str]]:
    try:
        with open(notebook, encoding="utf-8") as handle:
            cells = json.load(handle).get("cells") or []
    except (OSError, ValueError, AttributeError):
        return {}
    found: dict[str, frozenset[str]] = {}
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("id"), str):
            continue
        tags = (cell.get("metadata") or {}).get("tags") or []
        found[cell["id"]] = frozenset(t for t in tags if isinstance(t, str))
    return found


def is_parameters_cell(notebook: str | None, cell_id: str | None) -> bool:
    """Whether the cell is tagged ``parameters`` (papermill's tag) in the saved notebook."""
    return PARAMETERS_TAG in cell_tags(notebook, cell_id)


def cell_parameters(source: str, transform: Any) -> dict[str, Any]:
    """The literal assignments of a parameters cell, typed; a leading cell magic line
    (``%%track --params``) is dropped first, other IPython syntax goes through ``transform``.

    Returns an empty dict for a cell that does not parse.
    """
    import ast

    from .names import literal_params

    body = source
    if body.lstrip().startswith(_MAGIC_LINE):
        body = body.lstrip().partition("\n")[2]
    try:
        tree = ast.parse(transform(body))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    return literal_params(tree)
