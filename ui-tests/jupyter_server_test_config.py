"""Server configuration for the UI tests ONLY.

Never use it for anything else: it turns off the token and exposes the app in the browser.
"""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)

# CI runs as root; JupyterLab refuses root unless told.
c.ServerApp.allow_root = True  # noqa: F821
c.ServerApp.open_browser = False  # noqa: F821
