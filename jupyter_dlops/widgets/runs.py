"""``Runs``: a notebook's runs (or the store's) as a sortable table with a metric chart,
refreshing while it is shown."""

from __future__ import annotations

import os
import threading
from typing import Any

import ipywidgets as w

from .chart import Chart, curve
from .table import BASE_COLUMNS, EMPTY, sortable, table_html, value_of

THIS_NOTEBOOK, ALL_RUNS = "this notebook", "all runs"


class Runs(w.VBox):
    """Runs of a notebook (default: the one this kernel runs), newest first.

    Sort by any column, pick a metric to chart (the first ``max_curves`` runs in table order),
    and the widget re-reads the store every ``refresh`` seconds (0: only on ``refresh()``).
    A relative ``notebook`` is relative to the kernel's working folder. Without ``notebook``,
    where the kernel's notebook has no run yet (a new one), the widget opens on all the store's
    runs; a toggle switches between the two.
    ``where``: the runs matching a ``dlops runs --where`` expression instead.
    """

    #: the live widget of each cell (or notebook): a new one stops the one it replaces
    _live: dict[str, Runs] = {}

    def __init__(self, notebook: str | None = None, *, where: str | None = None,
                 metric: str | None = None, refresh: float = 2.0, limit: int = 100,
                 max_curves: int = 8, store: Any = None) -> None:
        from ..store import open_store
        from ..tracking import session

        self._stop = threading.Event()  # first: close() runs even if construction fails
        self.store = store if store is not None and not isinstance(store, str) else open_store(store)
        if where is not None:
            self.store.search_run_ids(where, limit=1)  # a bad expression fails here, in one line
        # a relative path means relative to the kernel's folder, as runs record it (absolute)
        self.notebook = os.path.abspath(notebook) if notebook else session.notebook_path(_user_namespace())
        self.where, self.limit, self.max_curves = where, limit, max_curves
        self.runs: list[Any] = []
        self._build_controls(metric, asked=notebook is not None)
        controls = w.HBox([self.scope, self.sort, self.descending, self.metric],
                          layout=w.Layout(flex_flow="row wrap"))
        # no width of 100%: with the widgets' margin it would overflow the output area by 2px
        super().__init__(children=[controls, self.table, self.plot], layout=w.Layout(min_width="0"))
        # None, not (): an empty result must still render the empty state once
        self._signature: tuple | None = None
        self._replace_previous()
        self.refresh()
        self._thread = None
        if refresh > 0:
            self._thread = threading.Thread(target=self._poll, args=(refresh,), daemon=True,
                                            name="dlops-runs-widget")
            self._thread.start()

    def _build_controls(self, metric: str | None, asked: bool) -> None:
        from ..tracking import session

        # a notebook asked for by name is what is shown, runs or not; the kernel's own notebook
        # only once it has a run (a new notebook opens on the store's runs, not on nothing)
        mine = self.where is None and (asked or bool(session.notebook_runs(self.store, self.notebook, 1)))
        self.scope = w.ToggleButtons(options=[THIS_NOTEBOOK, ALL_RUNS],
                                     value=THIS_NOTEBOOK if mine else ALL_RUNS,
                                     style={"button_width": "auto"})
        if self.where is not None:
            self.scope.layout.display = "none"
        self.sort = w.Dropdown(options=list(BASE_COLUMNS), value="start_time", description="sort by",
                               style={"description_width": "initial"})
        self.descending = w.Checkbox(value=True, description="descending", indent=False,
                                     layout=w.Layout(width="auto"))
        self.metric = w.Dropdown(options=[], description="metric",
                                 style={"description_width": "initial"})
        # the table scrolls sideways inside the output area instead of overflowing it
        self.table = w.HTML(layout=w.Layout(min_width="0"))
        self.table.add_class("dlops-runs-html")
        self.plot = Chart()
        self._wanted_metric = metric
        self.scope.observe(lambda _change: self._rescope(), "value")
        for control in (self.sort, self.descending, self.metric):
            control.observe(lambda _change: self.render(), "value")

    # -- data -------------------------------------------------------------------------------
    def _load(self) -> list[Any]:
        from ..tracking import session

        if self.where is not None or self.scope.value == ALL_RUNS:
            return self.store.search_runs(self.where, limit=self.limit)
        return session.notebook_runs(self.store, self.notebook, self.limit)

    def refresh(self) -> None:
        """Re-read the runs; re-render only if something changed."""
        self.runs = self._load()
        signature = tuple((r.run_id, r.status, tuple((k, m.count) for k, m in r.metrics.items()))
                          for r in self.runs)
        if signature == self._signature:
            return
        self._signature = signature
        self._update_options()
        self.render()

    def _rescope(self) -> None:
        self._signature = None
        self.refresh()

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
        present = [r for r in self.runs if value_of(r, key) is not None]
        missing = [r for r in self.runs if value_of(r, key) is None]
        present.sort(key=lambda r: sortable(value_of(r, key)), reverse=self.descending.value)
        return present + missing

    # -- drawing ----------------------------------------------------------------------------
    def render(self) -> None:
        """Draw the table and the chart from the runs last read."""
        ordered = self.sorted_runs()
        self.table.value = table_html(ordered, self.sort.options, self._empty_text())
        key = self.metric.value
        curves = []
        for run in ordered[: self.max_curves] if key else []:
            series = self.store.metric_series(run.run_id, key, max_points=1000).get(key, [])
            curves.append(curve(_label(run), run.run_id, series))
        with self.plot.hold_sync():
            self.plot.metric = key or ""
            self.plot.curves = [c for c in curves if c["points"]]

    def _empty_text(self) -> str:
        if self.where is not None:
            return f"no run matches {self.where}"
        return EMPTY["all"] if self.scope.value == ALL_RUNS else EMPTY["notebook"]

    # -- the refresh loop -----------------------------------------------------------------------
    def _poll(self, interval: float) -> None:
        # a widget closed by any path (close(), Widget.close_all(), the kernel's comm closing)
        # has no comm: its loop ends too, so none outlives what it drew
        while not self._stop.wait(interval) and self.comm is not None:
            try:
                self.refresh()
            except Exception:  # a store hiccup must not kill the widget; next tick retries
                continue

    def _replace_previous(self) -> None:
        """Re-running a cell makes a new widget: stop the one it replaces, so there is one
        refresh loop per cell, not one more per run of it."""
        key = _cell_key() or f"notebook:{self.notebook}:{self.where}"
        previous = Runs._live.get(key)
        if previous is not None and previous is not self:
            previous.close()
        Runs._live[key] = self
        self._key = key

    def close(self) -> None:
        """Stop the refresh loop and close the widget and its parts."""
        self._stop.set()
        key = getattr(self, "_key", "")
        if Runs._live.get(key) is self:
            del Runs._live[key]
        for name in ("scope", "sort", "descending", "metric", "table", "plot"):
            part = self.__dict__.get(name)
            if part is not None:
                part.close()
        super().close()


def _label(run: Any) -> str:
    """A run as the chart names it: its name, with the start of its id unless the name has it
    (a notebook's runs are named ``train-3f9a1c`` already)."""
    short = run.run_id[:6]
    return run.name if run.name and short in run.name else f"{run.name or ''} {short}".strip()


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
