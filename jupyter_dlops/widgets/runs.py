"""``Runs``: this notebook's runs as a sortable table with a metric plot, refreshing."""

from __future__ import annotations

import html
import os
import threading
import time
from typing import Any

import ipywidgets as w

from .plot import svg_plot

BASE_COLUMNS = ("start_time", "name", "status", "duration")


class Runs(w.VBox):
    """The runs of a notebook (default: the one this kernel runs), newest first.

    Sort by any column, pick a metric to plot (the first ``max_curves`` runs in table order),
    and the widget re-reads the store every ``refresh`` seconds (0: only on ``refresh()``).
    A relative ``notebook`` is relative to the kernel's working folder.
    """

    #: the live widget of each cell (or notebook): a new one stops the one it replaces
    _live: dict[str, Runs] = {}

    def __init__(self, notebook: str | None = None, *, metric: str | None = None,
                 refresh: float = 2.0, limit: int = 100, max_curves: int = 8,
                 store: Any = None) -> None:
        from ..store import open_store
        from ..tracking import session

        self.store = store if store is not None and not isinstance(store, str) else open_store(store)
        # a relative path means relative to the kernel's folder, as runs record it (absolute)
        self.notebook = os.path.abspath(notebook) if notebook else session.notebook_path(_user_namespace())
        self.limit, self.max_curves = limit, max_curves
        self.runs: list[Any] = []
        self.sort = w.Dropdown(options=list(BASE_COLUMNS), value="start_time", description="sort by")
        self.descending = w.Checkbox(value=True, description="descending", indent=False)
        self.metric = w.Dropdown(options=[], description="metric")
        self.table, self.plot = w.HTML(), w.HTML()
        super().__init__(children=[w.HBox([self.sort, self.descending, self.metric]),
                                   self.table, self.plot])
        for control in (self.sort, self.descending, self.metric):
            control.observe(lambda _change: self.render(), "value")
        self._wanted_metric = metric
        # None, not (): an empty result must still render the empty state once
        self._signature: tuple | None = None
        self._stop = threading.Event()
        self._replace_previous()
        self.refresh()
        self._thread = None
        if refresh > 0:
            self._thread = threading.Thread(target=self._poll, args=(refresh,), daemon=True,
                                            name="dlops-runs-widget")
            self._thread.start()

    # -- data -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the runs; re-render only if something changed."""
        from ..tracking import session

        self.runs = session.notebook_runs(self.store, self.notebook, self.limit)
        signature = tuple((r.run_id, r.status, tuple((k, m.count) for k, m in r.metrics.items()))
                          for r in self.runs)
        if signature == self._signature:
            return
        self._signature = signature
        self._update_options()
        self.render()

    def _update_options(self) -> None:
        params = sorted({k for r in self.runs for k in r.params})
        metrics = sorted({k for r in self.runs for k in r.metrics if not k.startswith("sys/")})
        options = [*BASE_COLUMNS, *(f"params.{k}" for k in params), *(f"metrics.{k}" for k in metrics)]
        if list(self.sort.options) != options:
            current = self.sort.value
            self.sort.options = options
            self.sort.value = current if current in options else "start_time"
        if list(self.metric.options) != metrics:
            current = self.metric.value or self._wanted_metric
            self.metric.options = metrics
            self.metric.value = current if current in metrics else (metrics[0] if metrics else None)

    def sorted_runs(self) -> list[Any]:
        """The runs in the table's order (missing values last)."""
        key = self.sort.value
        present = [r for r in self.runs if _value(r, key) is not None]
        missing = [r for r in self.runs if _value(r, key) is None]
        present.sort(key=lambda r: _sortable(_value(r, key)), reverse=self.descending.value)
        return present + missing

    # -- drawing ----------------------------------------------------------------------------
    def render(self) -> None:
        ordered = self.sorted_runs()
        self.table.value = table_html(ordered, self.sort.options)
        key = self.metric.value
        if not key:
            self.plot.value = "<small>no metrics logged yet</small>"
            return
        curves = []
        for run in ordered[: self.max_curves]:
            points = [(step, value) for step, value, _ in
                      self.store.metric_series(run.run_id, key).get(key, []) if value is not None]
            if points:
                curves.append((f"{run.name} {run.run_id[:6]}", points))
        self.plot.value = svg_plot(curves, title=key)

    def _poll(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.refresh()
            except Exception:  # a store hiccup must not kill the widget; next tick retries
                continue

    def _replace_previous(self) -> None:
        """Re-running a cell makes a new widget: stop the one it replaces, so there is one
        refresh loop per cell, not one more per run of it."""
        key = _cell_key() or f"notebook:{self.notebook}"
        previous = Runs._live.get(key)
        if previous is not None and previous is not self:
            previous.close()
        Runs._live[key] = self
        self._key = key

    def close(self) -> None:
        self._stop.set()
        if Runs._live.get(getattr(self, "_key", None)) is self:
            del Runs._live[self._key]
        super().close()


def _value(run: Any, key: str) -> Any:
    if key.startswith("params."):
        return run.params.get(key[7:])
    if key.startswith("metrics."):
        summary = run.metrics.get(key[8:])
        return summary.last if summary else None
    return run.duration if key == "duration" else getattr(run, key)


def _sortable(value: Any) -> tuple:
    # Mixed types in one column (an int here, a str there) still sort, numbers first.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


# The theme's own variables, so the table reads in light and dark themes alike; one line a
# run (no wrapped dates or names), scrolling sideways inside the output area.
TABLE_STYLE = (
    "<style>.dlops-runs-box{overflow-x:auto;max-width:100%}"
    ".dlops-runs{border-collapse:collapse;font-size:var(--jp-ui-font-size1,12px);"
    "color:var(--jp-ui-font-color1,inherit)}"
    ".dlops-runs th,.dlops-runs td{padding:3px 8px;white-space:nowrap;text-align:left;"
    "border-bottom:1px solid var(--jp-border-color2,#ddd)}"
    ".dlops-runs th{background:var(--jp-layout-color2,#eee)}</style>"
)


def table_html(runs: list[Any], columns: Any) -> str:
    """The runs as an HTML table (every value escaped)."""
    header = "".join(f"<th>{html.escape(c)}</th>" for c in ("run", *columns))
    body = []
    for run in runs:
        cells = [run.run_id[:8], *(_show(c, _value(run, c)) for c in columns)]
        body.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells) + "</tr>")
    if not runs:
        body.append(f"<tr><td colspan='{len(columns) + 1}'>no runs for this notebook yet: "
                    "run it with %load_ext jupyter_dlops, or dlops sweep</td></tr>")
    return (f"{TABLE_STYLE}<div class='dlops-runs-box'><table class='dlops-runs'>"
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def format_duration(seconds: float) -> str:
    """170.3 -> '2 min 50 s': what a reader expects, not bare seconds."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min {round(seconds % 60)} s"
    return f"{minutes // 60} h {minutes % 60} min"


def _show(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "start_time":
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))
    if column == "duration":
        return format_duration(float(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _cell_key() -> str | None:
    """The id of the cell being run (JupyterLab sends it with each execute request)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        cell_id = shell.parent_header.get("metadata", {}).get("cellId") if shell is not None else None
    except (ImportError, AttributeError):
        return None
    return f"cell:{cell_id}" if cell_id else None


def _user_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        return {}
    return shell.user_ns if shell is not None else {}
