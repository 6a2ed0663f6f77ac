"""The converter's library entry points: ``convert_notebook`` (no I/O) and ``export_notebook``.

Pipeline: parse the notebook dict, give each cell its role from its tags, translate magics,
parse each exported cell (syntax errors name cell and line), analyse names for hidden state,
turn the parameters cell into flags, and render the percent-format script.
"""

from __future__ import annotations

import ast
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConvertError, OverwriteError, UsageError
from .cells import GENERATED, PARAMETERS, PlannedCell, plan_cells
from .checks import compile_error
from .cli_code import render_cli_cell
from .hidden import AnalysedCell, find_hidden_state
from .magics import translate_cell
from .names import cell_names
from .parameters import ParametersCell, parse_parameters
from .reader import parse_notebook, read_notebook
from .render import ScriptCell, marker_like_lines, render_script
from .report import ExportReport


@dataclass
class ExportResult:
    """What ``export_notebook`` wrote: the script's path and text, and the report."""

    script_path: Path
    script: str
    report: ExportReport


@dataclass
class _State:
    """What the pipeline gathers while walking the cells."""

    report: ExportReport
    keep_unknown: bool
    script_cells: list[ScriptCell] = field(default_factory=list)
    analysed: list[AnalysedCell] = field(default_factory=list)
    parameters: ParametersCell | None = None
    parameters_index: int = -1


def convert_notebook(
    nb: dict[str, Any], *, name: str = "notebook", script_name: str = "notebook.py",
    strict: bool = False, standalone: bool = False, keep_unknown_magics: bool = False,
    track: bool = True,
) -> tuple[str, ExportReport]:
    """Convert a notebook dict to a percent-format script, without touching any file.

    Parameters
    ----------
    nb : dict
        The notebook as loaded from its JSON (nbformat 4, or 3 which is upgraded).
    name : str
        The run name the script's tracking uses (the notebook's stem).
    script_name : str
        The script's file name, shown in its usage line.
    strict : bool
        Refuse to export when hidden state is found.
    standalone : bool
        Emit a script that never imports jupyter_dlops.
    keep_unknown_magics : bool
        Keep untranslatable magics as IPython calls instead of refusing them.
    track : bool
        Emit the ``start_run`` call and ``--no-track`` (ignored when ``standalone``).

    Returns
    -------
    tuple of (str, ExportReport)
        The script text and the report.

    Raises
    ------
    ConvertError
        Bad notebooks, untranslatable magics, syntax errors, or hidden state with ``strict``.
    """
    notebook = parse_notebook(nb)
    state = _State(ExportReport(warnings=list(notebook.warnings)), keep_unknown_magics)
    for planned in plan_cells(notebook.cells, state.report.warnings):
        _add_cell(planned, state)
    state.report.hidden_state = find_hidden_state(state.analysed)
    if strict and state.report.hidden_state:
        first, more = state.report.hidden_state[0], len(state.report.hidden_state) - 1
        also = f" (and {more} more)" if more else ""
        raise ConvertError(f"hidden state: {first.message}{also}; fix the notebook or export without --strict")
    _insert_cli_cell(state, name, script_name, track and not standalone)
    return render_script(notebook.kernelspec, state.script_cells), state.report


def _add_cell(planned: PlannedCell, state: _State) -> None:
    cell, report = planned.cell, state.report
    if planned.role in ("markdown", "raw"):
        if planned.role == "raw" and cell.source.strip():
            report.warnings.append(f"cell {cell.number}: raw cell kept as a commented [raw] cell")
        if cell.source.strip():
            state.script_cells.append(ScriptCell(planned.role, cell.source))
        return
    if not planned.exported:
        report.skipped.append({"cell": cell.number, "reason": planned.reason})
        if cell.cell_type == "code":
            state.analysed.append(AnalysedCell(cell.number, False, _names_if_possible(cell.source)))
        return
    translation = translate_cell(cell.source, cell.number, keep_unknown=state.keep_unknown)
    tree = _parse(translation.code, cell.number)
    report.magics += translation.notes
    report.requirements += translation.requirements
    report.cells_exported += 1
    if marker_like_lines(translation.code):
        report.warnings.append(f"cell {cell.number}: a line starting with '# %%' splits the cell when jupytext reads the script")
    names = cell_names(tree)
    if translation.imports:  # the script imports what the translations need, in the same cell
        names = replace(names, used=names.used - translation.imports,
                        defined=names.defined | translation.imports)
    state.analysed.append(AnalysedCell(cell.number, True, names, cell.execution_count,
                                       bool(translation.opaque)))
    tags: tuple[str, ...] = ()
    if planned.role == "parameters":
        state.parameters = parse_parameters(tree, translation.code, cell.number)
        state.parameters_index = len(state.script_cells)
        report.parameters = state.parameters.parameters
        report.warnings += [reason for _, reason in state.parameters.kept]
        tags = (PARAMETERS,)
    state.script_cells.append(ScriptCell("code", translation.code, tags, frozenset(translation.imports)))


def _parse(code: str, number: int) -> ast.Module:
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        text = (error.text or "").strip()
        near = f" near {text[:40]!r}" if text else ""
        raise ConvertError(
            f"cell {number}, line {error.lineno}: {error.msg}{near}; fix the cell or tag it 'skip'"
        ) from None
    found = compile_error(tree, code)
    if found is not None:
        raise ConvertError(f"cell {number}, line {found[0]}: {found[1]}; fix the cell or tag it 'skip'")
    return tree


def _names_if_possible(source: str) -> Any:
    try:
        return cell_names(translate_cell(source, 0, keep_unknown=True).code)
    except (SyntaxError, ConvertError, ValueError):
        return None


def _insert_cli_cell(state: _State, name: str, script_name: str, track: bool) -> None:
    parameters = state.parameters.parameters if state.parameters else []
    if not parameters and not track:
        return
    code = render_cli_cell(parameters, name=name, script_name=script_name, track=track)
    cell = ScriptCell("code", code, (GENERATED,))
    if state.parameters_index >= 0:
        state.script_cells.insert(state.parameters_index + 1, cell)
    else:
        first_code = next(i for i, c in enumerate(state.script_cells) if c.kind == "code")
        state.script_cells.insert(first_code, cell)


def export_notebook(
    path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None, *,
    strict: bool = False, standalone: bool = False, keep_unknown_magics: bool = False,
    track: bool = True, force: bool = False,
) -> ExportResult:
    """Export a notebook file to a script beside it (or at ``output``).

    Parameters
    ----------
    path : path-like
        The notebook.
    output : path-like, optional
        The script to write; defaults to the notebook's path with ``.py``.
    strict, standalone, keep_unknown_magics, track : bool
        As for :func:`convert_notebook`.
    force : bool
        Replace the output even where it is a file jupyter-dlops did not write.

    Returns
    -------
    ExportResult
        The script's path and text, and the report.

    Raises
    ------
    NotFoundError
        The notebook does not exist.
    UsageError
        The output path is the notebook itself.
    OverwriteError
        The output exists and jupyter-dlops did not write it (a hand-written or
        jupytext-paired script), and ``force`` is false; nothing is written then.
    ConvertError
        The notebook cannot be exported; nothing is written then.
    """
    source = Path(path)
    target = Path(output) if output is not None else source.with_suffix(".py")
    if target.resolve() == source.resolve() or target.suffix == ".ipynb":
        raise UsageError(f"refusing to write the script over a notebook ({target}); choose a .py output path")
    script, report = convert_notebook(
        read_notebook(source), name=source.stem, script_name=target.name, strict=strict,
        standalone=standalone, keep_unknown_magics=keep_unknown_magics, track=track,
    )
    report.notebook, report.script = str(source), str(target)
    if not force:
        refuse_foreign_file(target, script)
    write_atomically(target, script)
    return ExportResult(target, script, report)


#: Lines only an export writes (the flags' comment, the argparse description): a file holding
#: one in its first few KB was written by jupyter-dlops and may be replaced by a new export.
EXPORT_MARKERS = ("# jupyter-dlops: ", "exported from a notebook by jupyter-dlops")


def refuse_foreign_file(target: Path, script: str) -> None:
    """Raise :class:`OverwriteError` where ``target`` exists and jupyter-dlops did not write
    it: replacing a hand-written or jupytext-paired ``NB.py`` silently loses work (issue 14)."""
    try:
        with open(target, encoding="utf-8", errors="replace") as handle:
            head = handle.read(len(script) + 1)
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise UsageError(f"{target} is a folder; choose a .py output path") from None
    if head == script or any(marker in head[:8192] for marker in EXPORT_MARKERS):
        return
    raise OverwriteError(f"{target} exists and was not written by jupyter-dlops; pass --force to "
                         "replace it, or -o to write the script elsewhere")


def write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file, so no half-written script remains."""

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp, 0o755)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
