"""``POST /jupyter-dlops/export``: a notebook under the server root to a script beside it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from tornado import web

from ..errors import OverwriteError, UsageError
from .base import DlopsHandler
from .paths import relative_to_root, resolve_in_root


def export(root: Path, relative: str, strict: bool, force: bool = False, *,
           removed_magics: dict[str, str] | None = None, strict_shell: bool = False) -> dict[str, Any]:
    """Export the notebook at ``relative`` (inside ``root``); the script's path comes back
    relative to the root, with the converter's report (options from ``c.JupyterDlops``). A
    script jupyter-dlops did not write is replaced only with ``force`` (else a 409 the JupyterLab
    button answers with a question)."""
    notebook = resolve_in_root(root, relative)
    if notebook.suffix != ".ipynb":
        raise UsageError(f"'{relative[:60]}' is not a notebook; export takes an .ipynb file")
    try:
        from ..convert import export_notebook
    except ImportError as error:
        raise web.HTTPError(501, f"the converter is not available in this build ({error})") from None
    try:
        result = export_notebook(notebook, output=None, strict=strict, force=force,
                                 removed_magics=removed_magics, strict_shell=strict_shell)
    except OverwriteError:  # said again relative to the root: the browser never sees the root
        script = PurePosixPath(relative.replace("\\", "/")).with_suffix(".py")
        raise OverwriteError(f"{script} exists and was not written by jupyter-dlops; "
                             "export again with force to replace it") from None
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
        strict, force = bool(body.get("strict", False)), body.get("force", False) is True
        self.reply(await self.call(export, self.dlops.root_dir, path, strict, force,
                                   removed_magics=self.dlops.removed_magics,
                                   strict_shell=self.dlops.strict_shell))
