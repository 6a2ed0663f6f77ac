"""Read and check a notebook for export, with ``json`` only (no nbformat on the fast path).

The exporter needs very little of a notebook: each cell's type, source, tags and execution
count, and the kernel's language. nbformat 4 (any minor) is read directly; nbformat 2 and 3 are
upgraded through nbformat, imported only then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConvertError, NotFoundError

CELL_TYPES = ("code", "markdown", "raw")


@dataclass
class Cell:
    """One notebook cell as the exporter sees it; ``number`` is 1-based, as users count."""

    number: int
    cell_type: str
    source: str
    tags: tuple[str, ...] = ()
    execution_count: int | None = None


@dataclass
class Notebook:
    """The parts of a notebook the exporter reads."""

    cells: list[Cell]
    kernelspec: dict[str, Any] = field(default_factory=dict)
    language: str = "python"
    warnings: list[str] = field(default_factory=list)


def read_notebook(path: str | Path) -> dict[str, Any]:
    """Load a notebook file as a plain dict.

    Raises
    ------
    NotFoundError
        The file does not exist.
    ConvertError
        The file is not JSON, or not a JSON object.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"notebook {path} does not exist") from None
    except IsADirectoryError:
        raise ConvertError(f"{path} is a folder, not a notebook") from None
    except UnicodeDecodeError as error:
        raise ConvertError(f"{path} is not UTF-8 text ({error.reason}); is it a notebook?") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConvertError(
            f"{path} is not a notebook: invalid JSON at line {error.lineno}, column {error.colno} "
            f"({error.msg})"
        ) from None
    if not isinstance(data, dict):
        raise ConvertError(f"{path} is not a notebook: the JSON is not an object")
    return data


def parse_notebook(data: dict[str, Any]) -> Notebook:
    """Check a notebook dict and return its cells and kernel language.

    Raises
    ------
    ConvertError
        Unsupported nbformat, malformed cells, or a kernel that is not Python.
    """
    warnings: list[str] = []
    data = _upgrade(data, warnings)
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ConvertError("the notebook's metadata is not a JSON object")
    kernelspec = metadata.get("kernelspec") or {}
    language = _language(metadata, kernelspec)
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list):
        raise ConvertError("the notebook has no 'cells' list; is it a Jupyter notebook?")
    cells = [_cell(raw, number) for number, raw in enumerate(raw_cells, start=1)]
    return Notebook(cells, kernelspec if isinstance(kernelspec, dict) else {}, language, warnings)


def _upgrade(data: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    major = data.get("nbformat")
    if major == 4:
        return data
    if major in (2, 3):
        import nbformat  # only for old notebooks: keeps the common path fast

        try:  # reads() also joins v3's list sources and upgrades v2 (nbformat.convert does not)
            upgraded = nbformat.reads(json.dumps(data), as_version=4)
        except Exception as error:  # nbformat raises many kinds on malformed old notebooks
            raise ConvertError(f"cannot upgrade this nbformat {major} notebook to 4 ({error})") from None
        warnings.append(f"nbformat {major} notebook upgraded to nbformat 4 before export")
        return json.loads(json.dumps(upgraded))
    if major is None:
        raise ConvertError("not a Jupyter notebook: no 'nbformat' field")
    raise ConvertError(f"nbformat {major!r} is not supported; save the notebook as nbformat 4")


def _language(metadata: dict[str, Any], kernelspec: Any) -> str:
    language = ""
    if isinstance(kernelspec, dict):
        language = str(kernelspec.get("language") or "")
    info = metadata.get("language_info")
    if not language and isinstance(info, dict):
        language = str(info.get("name") or "")
    language = language.lower() or "python"
    if language != "python":
        name = kernelspec.get("display_name") if isinstance(kernelspec, dict) else None
        raise ConvertError(
            f"the notebook's kernel is {name or language!s} ({language}); only Python notebooks "
            "can be exported to a Python script"
        )
    return language


def _cell(raw: Any, number: int) -> Cell:
    if not isinstance(raw, dict) or raw.get("cell_type") not in CELL_TYPES:
        kind = raw.get("cell_type") if isinstance(raw, dict) else type(raw).__name__
        raise ConvertError(f"cell {number}: unknown cell type {kind!r}; expected code, markdown or raw")
    source = raw.get("source", "")
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    if not isinstance(source, str):
        raise ConvertError(f"cell {number}: its source is neither text nor a list of lines")
    metadata = raw.get("metadata") or {}
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    tags = tuple(str(tag) for tag in tags) if isinstance(tags, list) else ()
    count = raw.get("execution_count")
    return Cell(
        number, raw["cell_type"], source.replace("\r\n", "\n"), tags,
        count if isinstance(count, int) else None,
    )
