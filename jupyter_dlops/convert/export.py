"""The converter's library entry points: ``convert_notebook`` (no I/O) and ``export_notebook``.

Pipeline: parse the notebook dict, give each cell its role from its tags, translate magics,
parse each exported cell (syntax errors name cell and line), analyse names for hidden state,
turn the parameters cell into flags, and render the percent-format script.
"""

from __future__ import annotations

import ast
import os
import tempfile
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConvertError, OverwriteError, UsageError
from .asynccell import AWAIT_HELPER, has_top_level_await, wrap_async
from .cells import GENERATED, INJECTED, NO_CODE, PARAMETERS, PlannedCell, plan_cells
from .checks import compile_error
from .cli_code import render_cli_cell
from .hidden import AnalysedCell, find_hidden_state
from .injected import merge_injected
from .magic_base import MagicNote
from .magics import Translation, translate_cell
from .names import CellNames, cell_names
from .outputs import DISPLAY_ONLY, outputs_cell, with_outputs
from .parameters import ParametersCell, parse_parameters
from .reader import parse_notebook, read_notebook
from .render import (
    DOC_HELPER,
    PANDAS_HELPER,
    ScriptCell,
    imports_third_party,
    marker_like_lines,
    render_script,
    uses_module_doc,
)
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
    strict_shell: bool = False
    removed_magics: dict[str, str] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)  # names earlier code cells define (automagic)
    outputs: bool = True
    uses_display: bool = False
    script_cells: list[ScriptCell] = field(default_factory=list)
    analysed: list[AnalysedCell] = field(default_factory=list)
    parameters: ParametersCell | None = None
    parameters_index: int = -1
    injected: ParametersCell | None = None  # the saved injected-parameters cell's values
    injected_index: int = -1
    injected_cell: int = 0
    dlops_imports: list[str] = field(default_factory=list)


def convert_notebook(
    nb: dict[str, Any], *, name: str = "notebook", script_name: str = "notebook.py",
    strict: bool = False, standalone: bool = False, keep_unknown_magics: bool = False,
    track: bool = True, strict_shell: bool = False, removed_magics: dict[str, str] | None = None,
    outputs: bool = True,
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
        Add no tracking code; a cell's own ``import jupyter_dlops`` stays, with a warning.
    keep_unknown_magics : bool
        Keep untranslatable magics as IPython calls instead of refusing them.
    track : bool
        Emit the ``start_run`` call and ``--no-track`` (ignored when ``standalone``).
    strict_shell : bool
        A failing shell command stops the script (IPython, and the default, go on and set
        ``_exit_code``).
    removed_magics : dict, optional
        More third-party display-only magics to remove with a note, name -> why.
    outputs : bool
        Show each cell's last expression, ``display(...)`` and open figures as the notebook
        does, recorded in the run when tracked (false: ``display`` only prints).

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
    state = _State(ExportReport(warnings=list(notebook.warnings)), keep_unknown_magics,
                   strict_shell, dict(removed_magics or {}), outputs=outputs)
    for planned in plan_cells(notebook.cells, state.report.warnings):
        _add_cell(planned, state)
    # the script defines display() (convert/outputs.py): using it is no hidden state
    state.report.hidden_state = find_hidden_state(state.analysed, provided=frozenset({"display"}))
    if strict and state.report.hidden_state:
        first, more = state.report.hidden_state[0], len(state.report.hidden_state) - 1
        also = f" (and {more} more)" if more else ""
        raise ConvertError(f"hidden state: {first.message}{also}; fix the notebook or export without --strict")
    if NO_CODE in state.report.warnings:
        state.script_cells.append(ScriptCell("code", f"# [dlops] {NO_CODE}; running it does nothing."))
    else:
        _insert_cli_cell(state, name, script_name, track and not standalone)
        _insert_outputs_cell(state, record=not standalone)
    if standalone:
        state.report.warnings += state.dlops_imports
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
            names = _names_if_possible(cell.source)
            state.analysed.append(AnalysedCell(cell.number, False, names))
            state.defined |= names.defined if names is not None else set()
        return
    translation = translate_cell(cell.source, cell.number, keep_unknown=state.keep_unknown,
                                 strict_shell=state.strict_shell, removed_magics=state.removed_magics,
                                 defined=state.defined)
    tree = _syntax(translation.code, cell.number)
    state.dlops_imports += _dlops_imports(tree, cell.number)
    if imports_third_party(tree):  # pandas shows frames as in a kernel (shell_runtime.py)
        translation.imports.add(PANDAS_HELPER)
    if uses_module_doc(tree):  # IPython's meaning of __doc__, set before the first cell using it
        translation.imports.add(DOC_HELPER)
    code = _awaited(translation, tree, cell.number, report)
    report.magics += translation.notes
    report.requirements += translation.requirements
    report.cells_exported += 1
    if marker_like_lines(translation.code):
        report.warnings.append(f"cell {cell.number}: a line starting with '# %%' splits the cell when jupytext reads the script")
    names = _translated_names(tree, translation, state.defined)
    state.analysed.append(AnalysedCell(cell.number, True, names, cell.execution_count,
                                       bool(translation.opaque)))
    state.defined |= names.defined
    tags: tuple[str, ...] = ()
    if planned.role == "parameters":
        state.parameters = parse_parameters(tree, translation.code, cell.number)
        state.parameters_index = len(state.script_cells)
        report.parameters = state.parameters.parameters
        report.warnings += [reason for _, reason in state.parameters.kept]
        tags = (PARAMETERS,)
    elif planned.role == "injected":
        state.injected = parse_parameters(tree, translation.code, cell.number)
        state.injected_index, state.injected_cell = len(state.script_cells), cell.number
        tags = (INJECTED,)
    state.uses_display = state.uses_display or "display" in names.used | names.deferred
    # A parameters cell's last expression stays quiet, as papermill's values; a cell with
    # top-level await runs as a coroutine (asynccell.py), whose value is not shown.
    if state.outputs and code == translation.code:
        code = with_outputs(code, tree, cell.source, cell.number, show=planned.role == "code")
    state.script_cells.append(ScriptCell("code", code, tags, frozenset(translation.imports)))


def _translated_names(tree: ast.Module, translation: Translation, earlier: set[str]) -> CellNames:
    """The cell's names, with what its translations import (its own) and read at run time.

    A ``{field}`` of a shell command counts only when an earlier cell (skipped ones included)
    defines its names: ``!mkdir d/{a,b}`` is the shell's brace expansion, which IPython leaves
    to the shell when the field does not evaluate.
    """
    names = cell_names(tree)
    if translation.imports or translation.reads:
        reads = {name: line for name, line in translation.reads.items()
                 if name not in names.defined and name in earlier}
        names = replace(names, used=(names.used | set(reads)) - translation.imports,
                        defined=names.defined | translation.imports, lines={**reads, **names.lines})
    return names


def _awaited(translation: Translation, tree: ast.Module, number: int, report: ExportReport) -> str:
    """The cell's code, run as IPython runs top-level ``await`` when it has any (asynccell.py)."""
    if not has_top_level_await(tree, translation.code):
        _compile_check(tree, translation.code, number)
        return translation.code
    code = wrap_async(translation.code, tree, cell_names(tree).defined, number)
    _compile_check(_syntax(code, number), code, number)
    translation.imports.add(AWAIT_HELPER)
    report.magics.append(MagicNote(number, 1, "top-level await",
                                   "cell run as an async function in the script's event loop"))
    return code


def _syntax(code: str, number: int) -> ast.Module:
    try:
        # A warning is no refusal: '\s' in a string warns, under warnings-as-errors too.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except SyntaxError as error:
        text = (error.text or "").strip()
        near = f" near {text[:40]!r}" if text else ""
        raise ConvertError(
            f"cell {number}, line {error.lineno}: {error.msg}{near}; fix the cell or tag it 'skip'"
        ) from None
    return tree


def _compile_check(tree: ast.Module, code: str, number: int) -> None:
    found = compile_error(tree, code)
    if found is not None:
        raise ConvertError(f"cell {number}, line {found[0]}: {found[1]}; fix the cell or tag it 'skip'")


def _names_if_possible(source: str) -> Any:
    try:
        return cell_names(translate_cell(source, 0, keep_unknown=True).code)
    except (SyntaxError, ConvertError, ValueError):
        return None


def _dlops_imports(tree: ast.Module, number: int) -> list[str]:
    """``--standalone`` adds no tracking code, but cannot take out a cell's own ``import
    jupyter_dlops``: where the standalone script still needs it (issue 15)."""
    found = []
    for node in ast.walk(tree):
        modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                   else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(m.split(".")[0] == "jupyter_dlops" for m in modules):
            found.append(f"cell {number}, line {node.lineno}: imports jupyter_dlops, so the "
                         "standalone script still needs it; remove those calls or export "
                         "without --standalone")
    return found


def _insert_cli_cell(state: _State, name: str, script_name: str, track: bool) -> None:
    parameters = state.parameters.parameters if state.parameters else []
    cell_values = None
    if state.injected is not None:
        merged = merge_injected(state.parameters, state.injected, state.injected_cell)
        parameters = state.report.parameters = merged.parameters
        state.report.warnings += merged.warnings
        cell_values = merged.cell_values if state.injected.parameters else None
    if not parameters and not track:
        return
    code = render_cli_cell(parameters, name=name, script_name=script_name, track=track,
                           cell_values=cell_values)
    cell = ScriptCell("code", code, (GENERATED,))
    after = max(state.parameters_index, state.injected_index)  # both set their values first
    if after >= 0:
        state.script_cells.insert(after + 1, cell)
    else:
        first_code = next(i for i, c in enumerate(state.script_cells) if c.kind == "code")
        state.script_cells.insert(first_code, cell)


def _insert_outputs_cell(state: _State, *, record: bool) -> None:
    # Before the first code cell: any cell may show a value, also those above the parameters.
    if state.outputs:
        code = outputs_cell(record=record)
    elif state.uses_display:
        code = DISPLAY_ONLY
    else:
        return
    first_code = next((i for i, c in enumerate(state.script_cells) if c.kind == "code"), None)
    if first_code is not None:  # no code cell: nothing is shown
        state.script_cells.insert(first_code, ScriptCell("code", code, (GENERATED,)))


def export_notebook(
    path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None, *,
    strict: bool = False, standalone: bool = False, keep_unknown_magics: bool = False,
    track: bool = True, strict_shell: bool = False, removed_magics: dict[str, str] | None = None,
    outputs: bool = True, force: bool = False,
) -> ExportResult:
    """Export a notebook file to a script beside it (or at ``output``).

    Parameters
    ----------
    path : path-like
        The notebook.
    output : path-like, optional
        The script to write; defaults to the notebook's path with ``.py``.
    strict, standalone, keep_unknown_magics, track, strict_shell, outputs : bool
        As for :func:`convert_notebook`.
    removed_magics : dict, optional
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
        strict_shell=strict_shell, removed_magics=removed_magics, outputs=outputs,
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
