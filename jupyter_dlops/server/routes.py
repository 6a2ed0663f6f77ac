"""The route table: every route the extension serves, in one list (the tests iterate it)."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from .compare import CompareHandler
from .export import ExportHandler
from .runs import (
    DataVersionsHandler,
    MetricsHandler,
    NotebookRunHandler,
    OutputsHandler,
    RunGroupsHandler,
    RunHandler,
    RunsHandler,
    StoreHandler,
    SweepsHandler,
)
from .settings import settings_for

NAMESPACE = "jupyter-dlops"
RUN_REF = r"(?P<ref>[^/]+)"

#: (pattern under /jupyter-dlops/, handler)
ROUTES: list[tuple[str, type]] = [
    ("runs", RunsHandler),
    ("run-groups", RunGroupsHandler),
    (f"runs/{RUN_REF}", RunHandler),
    (f"runs/{RUN_REF}/metrics", MetricsHandler),
    (f"runs/{RUN_REF}/outputs", OutputsHandler),
    ("notebook-run", NotebookRunHandler),
    ("sweeps", SweepsHandler),
    ("data-versions", DataVersionsHandler),
    ("export", ExportHandler),
    ("store", StoreHandler),
    ("compare", CompareHandler),
]


def setup_routes(server_app: Any) -> None:
    web_app = server_app.web_app
    web_app.settings["jupyter_dlops"] = settings_for(server_app)
    base_url = web_app.settings["base_url"]
    handlers = [(url_path_join(base_url, NAMESPACE, pattern), handler) for pattern, handler in ROUTES]
    web_app.add_handlers(".*$", handlers)
