"""Runs and sweeps: ``dlops run`` / ``dlops sweep`` and :func:`sweep` / :func:`run_notebook`.

One module per concern: ``notebook_io`` (reading notebooks and percent scripts),
``params`` (typing values against the parameters cell), ``space`` and ``plan`` (grid,
random, YAML spec), ``records`` (the sweep table), ``kernels`` (IPC kernels, pre-warming),
``engine_papermill`` / ``engine_script`` (one stored run per execution), ``executors`` and
``dask_executor`` (where runs execute), ``progress`` (the progress bar), ``api``.
Heavy imports (papermill, nbclient, dask) happen inside the functions that need them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["sweep", "run_notebook", "SweepResult"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'jupyter_dlops.sweeps' has no attribute {name!r}")
