"""jupyter-dlops: experiment tracking, notebook export and sweeps for Jupyter.

Importing this package is cheap: the public names below are resolved lazily, and IPython,
jupyter_server, nbconvert, papermill and dask load only inside the features that use them.
"""

from __future__ import annotations

import importlib

from ._version import __version__

# `typing` (with re, enum, functools...) costs ~12 ms, most of this package's import time, and
# is only needed by type checkers here (benchmarks/bench_startup.py)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# public name -> "module:attribute"
_EXPORTS = {
    "start_run": "jupyter_dlops.tracking.fluent:start_run",
    "end_run": "jupyter_dlops.tracking.fluent:end_run",
    "active_run": "jupyter_dlops.tracking.fluent:active_run",
    "log_param": "jupyter_dlops.tracking.fluent:log_param",
    "log_params": "jupyter_dlops.tracking.fluent:log_params",
    "log_metric": "jupyter_dlops.tracking.fluent:log_metric",
    "log_metrics": "jupyter_dlops.tracking.fluent:log_metrics",
    "log_artifact": "jupyter_dlops.tracking.fluent:log_artifact",
    "set_tag": "jupyter_dlops.tracking.fluent:set_tag",
    "set_tags": "jupyter_dlops.tracking.fluent:set_tags",
    "log_input": "jupyter_dlops.data.runs:log_input",
    "log_output": "jupyter_dlops.data.runs:log_output",
    "track_data": "jupyter_dlops.tracking.blockdata:track_data",
    "DlopsClient": "jupyter_dlops.tracking.client:DlopsClient",
    "open_store": "jupyter_dlops.store:open_store",
    "DlopsError": "jupyter_dlops.errors:DlopsError",
    "sweep": "jupyter_dlops.sweeps.api:sweep",
    "run_notebook": "jupyter_dlops.sweeps.api:run_notebook",
    "reproduce": "jupyter_dlops.reproduce:reproduce",
    "autolog": "jupyter_dlops.integrations:autolog",
    "watch": "jupyter_dlops.integrations:watch",
    "log_model": "jupyter_dlops.registry:log_model",
    "load_model": "jupyter_dlops.registry:load_model",
}
_SUBMODULES = {"data", "convert", "sweeps", "reproduce", "widgets", "errors", "store", "tracking",
               "integrations"}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is not None:
        module_name, _, attribute = target.partition(":")
        value = getattr(importlib.import_module(module_name), attribute)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'jupyter_dlops' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_dlops``: register the magics and start the notebook's run."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .magics import unload_ipython_extension as unload

    unload(ipython)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_dlops.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-dlops"}]
