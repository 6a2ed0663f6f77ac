"""``dlops reproduce RUN``: rebuild a run from its record, re-run it, and give a verdict.

The code comes back from a git worktree at the recorded commit with the recorded diff applied
(the exact stored notebook or script written over the entry file); the parameters are the
recorded ones; data versions are verified by hash when the data feature is installed; the
environment is compared with the recorded one. Then the run is executed again and its
metrics and output hashes compared: ``reproduced``, ``differs`` or ``could not run``.
"""

from __future__ import annotations

from typing import Any

from .report import ReproReport

__all__ = ["reproduce", "ReproReport"]


def reproduce(run: str, *, check_only: bool = False, allow_data_change: bool = False,
              rtol: float = 1e-6, atol: float = 1e-9, store: str | None = None) -> ReproReport:
    """Rebuild ``run`` (an id, id prefix or name) from its record and compare a new run with it.

    Parameters
    ----------
    run
        The run to reproduce.
    check_only
        Rebuild the code and check data and environment, but do not run.
    allow_data_change
        Go on when a data file changed since the run (the report still names it).
    rtol, atol
        Tolerances for metrics (``math.isclose``).

    Returns
    -------
    ReproReport
        With ``verdict`` one of ``reproduced``, ``differs``, ``could not run`` (or ``checked``).
    """
    from .runner import run_reproduction

    return run_reproduction(run, check_only=check_only, allow_data_change=allow_data_change,
                            rtol=rtol, atol=atol, store=store)


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'jupyter_dlops.reproduce' has no attribute {name!r}")
