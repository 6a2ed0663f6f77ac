"""ipywidgets for the notebook: a parameter panel recorded as the run's parameters, and a
runs table with a metric plot for the current notebook.

>>> from jupyter_dlops.widgets import Params, Runs
>>> p = Params(lr=(0.001, 0.1), epochs=10, optimizer=["adam", "sgd"])   # doctest: +SKIP
>>> p.lr                                                                 # doctest: +SKIP
>>> Runs(metric="loss")                                                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["Params", "Runs"]


def __getattr__(name: str) -> Any:
    # ipywidgets loads only when a widget is asked for.
    if name == "Params":
        from .params import Params

        return Params
    if name == "Runs":
        from .runs import Runs

        return Runs
    raise AttributeError(f"module 'jupyter_dlops.widgets' has no attribute {name!r}")
