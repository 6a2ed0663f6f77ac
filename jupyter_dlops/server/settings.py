"""What the handlers share: where the store is, the server root, the request size limit."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import STORE_ENV, default_store_uri

#: Largest request body accepted (the export route takes a path and a flag, nothing more).
MAX_BODY_BYTES = 64 * 1024


@dataclass
class DlopsSettings:
    """Settings for the handlers, kept in ``web_app.settings["jupyter_dlops"]``."""

    root_dir: Path
    store_uri: str
    max_body_bytes: int = MAX_BODY_BYTES


def settings_for(server_app: Any) -> DlopsSettings:
    """Read the store URI from ``c.JupyterDlops.store_uri``, ``DLOPS_STORE``, or the project
    root of the server's root folder (its git root, else the folder itself)."""
    root = Path(os.path.expanduser(server_app.root_dir)).resolve()
    configured = server_app.config.get("JupyterDlops", {}).get("store_uri", "")
    uri = configured or os.environ.get(STORE_ENV, "").strip() or default_store_uri(root)
    return DlopsSettings(root_dir=root, store_uri=str(uri))
