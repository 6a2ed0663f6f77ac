"""``POST /jupyter-dlops/export``: a notebook under the server root to a script beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tornado import web

from ..errors import UsageError
from .base import DlopsHandler
from .paths import relative_to_root, resolve_in_root


def export(root: Path, relative: str, strict: bool) -> dict[str, Any]:
    """Export the notebook at ``relative`` (inside ``root``); the script's path comes back
    relative to the root, with the converter's report."""
    notebook = resolve_in_root(root, relative)
    if notebook.suffix != ".ipynb":
        raise UsageError(f"'{relative[:60]}' is not a notebook; export takes an .ipynb file")
    try:
        from ..convert import export_notebook
    except ImportError as error:
        raise web.HTTPError(501, f"the converter is not available in this build ({error})") from None
    result = export_notebook(notebook, output=None, strict=strict)
    script = Path(result.script_path)
    try:
        shown = relative_to_root(root, script)
    except ValueError:
        shown = str(script)
    report = result.report.to_dict()
    # the browser names files relative to the server root; so does the report it shows
    report.update({key: value for key, value in (("notebook", relative), ("script", shown)) if key in report})
    return {"notebook": relative, "script_path": shown, "report": report}


class ExportHandler(DlopsHandler):
    @web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        path = body.get("path")
        if not isinstance(path, str):
            raise web.HTTPError(400, "'path' must be a string: the notebook relative to the server root")
        strict = bool(body.get("strict", False))
        self.reply(await self.call(export, self.dlops.root_dir, path, strict))
