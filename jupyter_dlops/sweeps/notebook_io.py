"""Reading what ``dlops run``/``sweep`` execute: a ``.ipynb`` notebook, or a percent-format
``.py`` script read as a notebook (through jupytext when it is installed, else the small
reader below, which understands ``# %%`` cells, ``[markdown]`` and ``tags=[...]``)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, UsageError

CELL_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
TAGS = re.compile(r"tags\s*=\s*(\[[^\]]*\])")


def load_notebook(path: str | Path) -> Any:
    """The notebook at ``path`` as an ``nbformat`` node (``.ipynb`` or percent ``.py``)."""
    import nbformat

    source = Path(path)
    if not source.is_file():
        raise NotFoundError(f"{source} does not exist; give the path of a notebook or script")
    if source.suffix == ".py":
        return _read_percent(source)
    if source.suffix != ".ipynb":
        raise UsageError(f"{source} is neither a .ipynb notebook nor a .py script")
    try:
        nb = nbformat.read(source, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as error:
        raise UsageError(f"{source} is not a valid notebook ({_first_line(error)}); open and save it in Jupyter") from None
    except Exception as error:  # nbformat raises several unrelated types for broken files
        raise UsageError(f"{source} is not a valid notebook ({_first_line(error)})") from None
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    return nb


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:160]


def _read_percent(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        import jupytext
    except ImportError:
        nb = read_percent_text(text)
    else:
        nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def read_percent_text(text: str) -> Any:
    """A percent-format script as a notebook, without jupytext (why: it is optional)."""
    import nbformat.v4 as v4

    cells: list[Any] = []
    kind, tags, lines = "code", [], []  # type: ignore[var-annotated]

    def close() -> None:
        body = "\n".join(lines).strip("\n")
        if not body and not cells and kind == "code":
            return
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.splitlines())
            cell = v4.new_markdown_cell(body)
        else:
            cell = v4.new_code_cell(body)
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)

    for line in text.splitlines():
        match = CELL_MARKER.match(line)
        if match is None:
            lines.append(line)
            continue
        close()
        rest = match.group("rest")
        kind = "markdown" if "[markdown]" in rest or "[md]" in rest else "code"
        found = TAGS.search(rest)
        tags = list(ast.literal_eval(found.group(1))) if found else []
        lines = []
    close()
    return v4.new_notebook(cells=cells)


def kernel_name(nb: Any) -> str:
    """The kernel the notebook asks for (``python3`` when it names none)."""
    return str(nb.metadata.get("kernelspec", {}).get("name") or "python3")


def parameters_cell(nb: Any) -> Any | None:
    """The first code cell tagged ``parameters`` (papermill's rule), or None."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


class Unknown:
    """A default that is not a literal (``lr = 1 / 3``): values for it are parsed as literals."""

    def __repr__(self) -> str:
        return "<not a literal>"


UNKNOWN = Unknown()


def declared_parameters(nb: Any) -> dict[str, Any]:
    """``{name: default}`` from the parameters cell's assignments (defaults read with ``ast``)."""
    cell = parameters_cell(nb)
    if cell is None:
        return {}
    source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise UsageError(f"the notebook's parameters cell does not parse (line {error.lineno}: {error.msg})") from None
    found: dict[str, Any] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = _literal(value)
    return found


def literal_defaults(declared: dict[str, Any]) -> dict[str, Any]:
    """The defaults that are plain literals (the others are computed by the cell)."""
    return {k: v for k, v in declared.items() if v is not UNKNOWN}


def _literal(node: ast.AST | None) -> Any:
    if node is None:
        return UNKNOWN
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN


def write_notebook(nb: Any, path: Path) -> Path:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
