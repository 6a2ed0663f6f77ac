"""``Params``: controls whose current values are the run's parameters."""

from __future__ import annotations

import html
import math
import weakref
from typing import Any

import ipywidgets as w

from ..errors import DlopsError, UsageError


def control_for(name: str, spec: Any) -> w.ValueWidget:
    """The widget for one parameter specification (its label is the panel's, not its own).

    ``(low, high)`` or ``(low, high, default)``: a slider (integer if both bounds are ints,
    logarithmic for positive float ranges spanning 100× or more); a list: a drop-down whose
    first item is the default; a bool, int, float or str: a checkbox or a text box.
    """
    common = {"continuous_update": False, "tooltip": name}
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        return _slider(name, spec, common)
    if isinstance(spec, list) and spec:
        return w.Dropdown(options=spec, value=spec[0], tooltip=name)
    if isinstance(spec, bool):
        return w.Checkbox(value=spec, indent=False, tooltip=name)
    if isinstance(spec, int):
        return w.IntText(value=spec, **common)
    if isinstance(spec, float):
        return w.FloatText(value=spec, **common)
    if isinstance(spec, str):
        return w.Text(value=spec, **common)
    raise UsageError(
        f"Params: '{name}' = {spec!r} is not a parameter specification; give (low, high), "
        "(low, high, default), a list of choices, or a bool, int, float or str default")


# a name longer than the label column ends in an ellipsis; the whole name shows on hover
NAME_STYLE = "display:block;max-width:16em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap"


def grid(controls: dict[str, w.ValueWidget]) -> w.GridBox:
    """Names and controls in one two-column grid: every label as wide as the widest (up to
    16em), so the controls line up whatever their kind (a description per control sized
    itself, issue 17)."""
    cells: list[w.Widget] = []
    for name, control in controls.items():
        text = html.escape(name, quote=True)
        label = w.HTML(f"<span class='dlops-param-name' title='{text}' style='{NAME_STYLE}'>{text}</span>")
        label.add_class("dlops-param-label")
        control.add_class("dlops-param-control")
        cells += [label, control]
    return w.GridBox(cells, layout=w.Layout(grid_template_columns="max-content minmax(0, 1fr)",
                                            grid_gap="2px 12px", align_items="center"))


def _slider(name: str, spec: tuple, common: dict) -> w.ValueWidget:
    low, high = spec[0], spec[1]
    default = spec[2] if len(spec) == 3 else low
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high, default))
    if not numbers or not low < high or not low <= default <= high:
        raise UsageError(f"Params: '{name}' = {spec!r} needs numbers with low < high and the "
                         "default between them")
    if all(isinstance(v, int) for v in (low, high, default)):
        return w.IntSlider(min=low, max=high, value=default, **common)
    if low > 0 and high / low >= 100:
        return w.FloatLogSlider(min=math.log10(low), max=math.log10(high), value=default,
                                base=10, readout_format=".3g", **common)
    return w.FloatSlider(min=low, max=high, value=default, step=(high - low) / 100,
                         readout_format=".3g", **common)


_newest: dict[tuple[str, ...], weakref.ref] = {}


class Params(w.VBox):
    """A parameter panel: ``Params(lr=(0.001, 0.1), epochs=10, optimizer=["adam", "sgd"])``.

    The current values are the run's parameters: all of them are logged when the panel is
    created, and a changed one (on release, not while a slider is dragged) is logged too. A run's
    parameters must describe what it ran (issue 15), so a change after the notebook's run logged
    metrics starts a new run (as ``%dlops new-run`` does) that records every value shown; the
    status line says so. ``%dlops new-run`` likewise records the panel's values in the new run.
    Read the values as attributes (``p.lr``) or all at once (``p.values``).
    """

    def __init__(self, run: Any = None, **specs: Any) -> None:
        from ..tracking import session

        if not specs:
            raise UsageError("Params needs at least one parameter, e.g. Params(lr=(0.001, 0.1))")
        self._controls = {name: control_for(name, spec) for name, spec in specs.items()}
        self._run = run
        self.status = w.HTML()
        super().__init__(children=[grid(self._controls), self.status])
        for name, control in self._controls.items():
            control.observe(lambda change, key=name: self._changed(key), "value")
        self._guarded(lambda: self._record(self._target(), self.values))
        # ipywidgets keeps every panel alive: of the panels with these names (a cell run again)
        # only the newest follows new runs, so stale values never reach them.
        _newest[tuple(sorted(specs))] = weakref.ref(self)
        session.follow_new_runs(self._follow)

    @property
    def values(self) -> dict[str, Any]:
        """Every parameter's current value, typed as the run stores it."""
        return {name: control.value for name, control in self._controls.items()}

    def __getattr__(self, name: str) -> Any:
        controls = self.__dict__.get("_controls") or {}
        if name in controls:
            return controls[name].value
        raise AttributeError(name)

    def __getitem__(self, name: str) -> Any:
        return self._controls[name].value

    def _target(self) -> Any:
        from ..tracking import fluent, session

        # With no run yet, the notebook's: named after it, resumable, attached under papermill.
        return self._run or fluent.active_run() or session.start_notebook_run()

    def _changed(self, key: str) -> None:
        from ..tracking import session

        def change() -> None:
            run = self._target()
            if self._run is None and run.owned and session.has_metrics(run):
                old = run.run_id[:12]
                new = session.new_notebook_run()  # followers, this panel too, record all values
                self._say(new, f"changed after run {old} logged metrics, so a new run: ")
            else:
                self._record(run, {key: self._controls[key].value})

        self._guarded(change)

    def _follow(self, run: Any) -> None:
        """A new notebook run started: it records every value the panel shows."""
        newest = _newest.get(tuple(sorted(self._controls)))
        if self._run is None and self.comm is not None and newest is not None and newest() is self:
            self._guarded(lambda: self._record(run, self.values))

    def _record(self, run: Any, params: dict[str, Any]) -> None:
        run.log_params(params)
        self._say(run)

    def _say(self, run: Any, prefix: str = "") -> None:
        name = run.info.name
        self.status.value = (f"<small>{prefix}recorded in run {run.run_id[:12]}"
                             f"{f' ({name})' if name else ''}</small>")

    def _guarded(self, action: Any) -> None:
        try:
            action()
        except DlopsError as error:  # the panel keeps working without a store
            self.status.value = f"<small>not recorded: {error.message}</small>"
