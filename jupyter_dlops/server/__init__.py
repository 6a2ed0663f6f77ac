"""The Jupyter server extension: REST routes under ``/jupyter-dlops/`` for the lab extension.

Only this subpackage imports tornado and jupyter_server; ``import jupyter_dlops`` stays light.
Enabled by ``etc/jupyter/jupyter_server_config.d/jupyter_dlops.json``, which ``pip install``
ships (see pyproject.toml).
"""

from __future__ import annotations

from typing import Any

from .routes import setup_routes


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_dlops.server"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Register the routes on the running server."""
    setup_routes(server_app)
    server_app.log.info("jupyter-dlops server extension loaded (store: %s)",
                        server_app.web_app.settings["jupyter_dlops"].store_uri)


# jupyter_server < 2 looked for this name
load_jupyter_server_extension = _load_jupyter_server_extension
