"""What the handlers share: where the store is, the server root, the request size limit."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets import Bool, Dict, Int, Unicode
from traitlets.config import Configurable

from ..config import STORE_ENV, default_store_uri

#: Largest request body accepted (the export route takes a path and a flag, nothing more).
MAX_BODY_BYTES = 64 * 1024


@dataclass
class DlopsSettings:
    """Settings for the handlers, kept in ``web_app.settings["jupyter_dlops"]``."""

    root_dir: Path
    store_uri: str
    max_body_bytes: int = MAX_BODY_BYTES
    removed_magics: dict[str, str] | None = None  # the export button's extra display-only magics
    strict_shell: bool = False


class JupyterDlops(Configurable):
    """Server-side settings of the jupyter-dlops extension (``c.JupyterDlops.*``)."""

    store_uri = Unicode(
        "", config=True,
        help="Store the panel reads and export records to; default: DLOPS_STORE, else the "
             ".dlops/ folder at the project root (git root) of the server's root folder.",
    )
    artifacts = Unicode(
        "", config=True,
        help="Where objects live: a folder or s3://bucket/prefix (default: DLOPS_ARTIFACTS, "
             "else objects/ beside the database). Exported as DLOPS_ARTIFACTS to kernels.",
    )
    max_body_bytes = Int(
        MAX_BODY_BYTES, config=True, help="Largest request body the extension's routes accept.",
    )
    removed_magics = Dict(
        value_trait=Unicode(), default_value={}, config=True,
        help="Export to script: more display-only magics to remove with a note, name -> why, "
             "added to the built-in table (tensorboard, wandb, tensorflow_version).",
    )
    strict_shell = Bool(
        False, config=True,
        help="Export to script: a failing shell command (!cmd) stops the script instead of "
             "going on with its exit status in _exit_code.",
    )


def settings_for(server_app: Any) -> DlopsSettings:
    """The settings for ``server_app``: its root folder and the store to use."""
    root = Path(os.path.expanduser(server_app.root_dir)).resolve()
    options = JupyterDlops(config=server_app.config)
    if options.artifacts:  # kernels and exports read no Jupyter config: hand it on (issue 19)
        os.environ["DLOPS_ARTIFACTS"] = options.artifacts
    uri = options.store_uri or os.environ.get(STORE_ENV, "").strip() or default_store_uri(root)
    return DlopsSettings(root_dir=root, store_uri=str(uri), max_body_bytes=options.max_body_bytes,
                         removed_magics=dict(options.removed_magics), strict_shell=options.strict_shell)
