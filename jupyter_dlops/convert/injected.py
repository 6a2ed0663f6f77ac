"""A notebook's saved ``injected-parameters`` cell, as papermill treats it.

A notebook papermill has executed keeps the cell it injected. Run again with no parameters,
papermill injects nothing and runs that cell as it is (its values win over the ``parameters``
cell's, which runs before it); run with any parameter, papermill replaces the whole cell
(``papermill/parameterize.py``: ``parameterize_notebook``), so the values it held are gone and
the parameters cell's apply again to every name not passed.

The script keeps the cell, tagged, where papermill expects it (read back by jupytext, papermill
does the same to it), and its flags follow papermill: their defaults are the saved cell's values,
and any parameter flag given starts again from the parameters cell's values (``cell_values``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .parameters import Parameter, ParametersCell, assign_flags


@dataclass
class MergedParameters:
    """The script's flags, and the parameters cell's values for a run given any flag."""

    parameters: list[Parameter]
    cell_values: dict[str, str] = field(default_factory=dict)  # name -> Python source
    warnings: list[str] = field(default_factory=list)


def merge_injected(parameters: ParametersCell | None, injected: ParametersCell,
                   cell: int) -> MergedParameters:
    """The flags of a notebook that has a saved injected-parameters cell.

    Parameters
    ----------
    parameters : ParametersCell or None
        The ``parameters`` cell's parameters, if the notebook has that cell.
    injected : ParametersCell
        The assignments found in the saved ``injected-parameters`` cell.
    cell : int
        The injected cell's number, for the report.

    Returns
    -------
    MergedParameters
        Every parameters-cell parameter with the saved value as its default (the type of the
        parameters cell kept), then the names only the injected cell sets; the parameters
        cell's values as source text; the report's warnings.
    """
    own = {p.name: p for p in (parameters.parameters if parameters else [])}
    saved = {p.name: p for p in injected.parameters}
    merged = [replace(p, default=saved[p.name].default, kind=_kind(p, saved[p.name]))
              if p.name in saved else p for p in own.values()]
    merged += [replace(p, help=p.help or "set by the saved injected-parameters cell")
               for name, p in saved.items() if name not in own]
    assign_flags(merged)
    values = ", ".join(f"{name}={p.default!r}" for name, p in saved.items())
    notes = [f"cell {cell}: the saved injected-parameters cell ({values[:80]}) sets the flags' "
             "defaults; any parameter flag given replaces it, as papermill replaces it when "
             "given parameters"] if saved else []
    notes += [f"{why.split(';')[0]}; it runs whatever the flags (papermill would drop it when given "
              "parameters)" for _, why in injected.kept if "kept as code" in why]
    return MergedParameters(merged, {n: p.source for n, p in own.items() if n in saved}, notes)


def _kind(own: Parameter, saved: Parameter) -> str:
    """The flag's type: the parameters cell's, unless it says nothing (None) or an int meets a
    float (papermill's ``-p lr 1`` injects an int where the cell had a float)."""
    if own.kind == "none":
        return saved.kind
    if {own.kind, saved.kind} == {"int", "float"}:
        return "float"
    return own.kind
