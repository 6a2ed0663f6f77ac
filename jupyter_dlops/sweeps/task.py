"""What one execution is given (``RunTask``) and how it ended (``Outcome``).

Both are plain, picklable data: a Dask worker receives a ``RunTask`` and sends back an
``Outcome``. Every failure is classified (``FAILURE_KINDS``) because papermill alone reports
a kernel killed mid-run as a success (papermill #511 era behaviour)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from ..config import GIVEN_PARAMS_ENV, RUN_ID_ENV, STORE_ENV

FAILURE_KINDS = {
    "cell_error": "a cell raised an exception",
    "kernel_died": "the kernel (or the script's process) died",
    "timeout": "a cell ran past the timeout",
    "missing_parameter": "the notebook used a parameter that was never defined",
    "bad_notebook": "the notebook or script could not be read or started",
    "interrupted": "the sweep was interrupted (Ctrl-C)",
}


@dataclass
class RunTask:
    """One execution of a notebook (or script) with one combination of parameters."""

    run_id: str
    notebook: str
    params: dict[str, Any]
    #: may hold a password: kept out of the repr, which Dask logs when a task fails
    store_uri: str = field(repr=False)
    name: str
    engine: str = "papermill"
    sweep_id: str | None = None
    combo: str | None = None
    cwd: str | None = None
    timeout: float | None = None
    kernel_name: str | None = None
    experiment: str | None = None
    sections: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    # Set when the notebook travels as an object to workers with no shared disk (issue 19).
    notebook_object: str | None = None
    artifacts: str | None = None
    origin: str | None = None  # the submitter's path, recorded as the entry point
    #: a search trial under a pruner: its kernel or script is killed once the run is marked pruned
    prunable: bool = False

    def recorded_params(self) -> dict[str, Any]:
        """Every parameter the run sees: the cell's literal defaults, then the given values."""
        return {**self.defaults, **self.params}

    def env(self) -> dict[str, str]:
        """The child's environment: ours plus the store and the run to attach to."""
        env = dict(os.environ)
        env[STORE_ENV] = self.store_uri
        env[RUN_ID_ENV] = self.run_id
        # Injected values win over what the notebook records for the same names later.
        env[GIVEN_PARAMS_ENV] = json.dumps(sorted(self.params))
        if self.sweep_id:
            env["DLOPS_SWEEP_ID"] = self.sweep_id
        if self.artifacts:
            env["DLOPS_ARTIFACTS"] = self.artifacts
        return env


@dataclass
class Outcome:
    """How a run ended: ``finished``, ``failed`` (with ``kind``), ``killed`` or ``pruned``."""

    run_id: str
    status: str
    kind: str | None = None
    error: str | None = None
    error_cell: str | None = None
    duration: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "finished"
