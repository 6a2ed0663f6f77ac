"""Where the store is, and the few settings child processes inherit through the environment.

Papermill kernels and exported scripts read no Jupyter configuration, so everything a child
needs travels in environment variables: ``DLOPS_STORE`` (the store URI) and ``DLOPS_RUN_ID``
(the run to attach to). Jupyter-loaded components expose the same settings as traitlets
(see :mod:`jupyter_dlops.settings`).
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "DLOPS_STORE"
RUN_ID_ENV = "DLOPS_RUN_ID"
# The parameter names a launcher (``dlops run``/``sweep``) injected, as a JSON list: the run
# attached to ``DLOPS_RUN_ID`` keeps those values whatever the notebook records later (issue 15).
GIVEN_PARAMS_ENV = "DLOPS_GIVEN_PARAMS"
# Set by an exported script's ``--no-track``: every ``jupyter_dlops`` logging call is a no-op.
NO_TRACK_ENV = "DLOPS_NO_TRACK"
STORE_DIRNAME = ".dlops"


def project_root(start: Path | None = None) -> Path:
    """The git root above ``start`` (default: the current folder), else ``start`` itself."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def default_store_uri(start: Path | None = None) -> str:
    """``DLOPS_STORE`` if set, else the ``.dlops/`` folder at the project root."""
    explicit = os.environ.get(STORE_ENV, "").strip()
    if explicit:
        return explicit
    return str(project_root(start) / STORE_DIRNAME)


def env_float(name: str, default: float) -> float:
    """A float from the environment; a malformed value falls back to ``default``."""
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default
