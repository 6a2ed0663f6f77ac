"""The nbconvert exporter ``dlops_script``: ``jupyter nbconvert --to dlops_script NB.ipynb``.

A thin adapter: the converter writes the script; the template in ``converters/dlops_script``
(shipped to ``share/jupyter/nbconvert/templates``) only places it, so a site can wrap it.
This module imports nbconvert, so only nbconvert's entry point loads it, never ``dlops export``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbconvert.exporters import TemplateExporter
from traitlets import Bool, Dict, Unicode, default

from .export import convert_notebook

# A source checkout keeps the template beside the package (editable installs may lack it).
_CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "converters"


class DlopsScriptExporter(TemplateExporter):
    """Export a tagged notebook to jupyter-dlops' parameterised percent-format script."""

    export_from_notebook = "Python script (jupyter-dlops)"
    output_mimetype = "text/x-python"

    strict = Bool(False, help="Refuse to export when hidden state is found.").tag(config=True)
    standalone = Bool(False, help="Add no tracking code (no start_run, no --no-track); imports of "
                      "jupyter_dlops in the notebook's own cells stay and are reported.").tag(config=True)
    keep_unknown_magics = Bool(
        False, help="Keep magics without a translation as IPython calls instead of refusing."
    ).tag(config=True)
    strict_shell = Bool(
        False, help="A failing shell command (!cmd) stops the script; by default it goes on, as "
                    "in IPython, with its exit status in _exit_code.",
    ).tag(config=True)
    removed_magics = Dict(
        value_trait=Unicode(), default_value={},
        help="More display-only magics to remove with a note, name -> why (e.g. {'comet': 'Comet "
             "display'}), added to the built-in table (tensorboard, wandb, tensorflow_version).",
    ).tag(config=True)

    outputs = Bool(
        True, help="Show each cell's last expression, display() and open figures as the notebook "
                   "does, and record them in the run when tracked.",
    ).tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".py"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "dlops_script"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        if (_CHECKOUT_TEMPLATES / "dlops_script").is_dir():
            return [str(_CHECKOUT_TEMPLATES)]
        return []

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                           **kw: Any) -> tuple[Any, dict[str, Any]]:
        """Convert with the converter, then render the template around its script."""
        resources = self._init_resources(resources)
        name = (resources.get("metadata") or {}).get("name") or "notebook"
        script, report = convert_notebook(
            _plain(nb), name=name, script_name=f"{name}.py", strict=self.strict,
            standalone=self.standalone, keep_unknown_magics=self.keep_unknown_magics,
            strict_shell=self.strict_shell, removed_magics=dict(self.removed_magics),
            outputs=self.outputs,
        )
        resources["dlops"] = {"script": script, "report": report.to_dict()}
        for warning in report.to_dict()["warnings"]:
            self.log.warning("dlops_script: %s", warning)
        for finding in report.hidden_state:
            self.log.warning("dlops_script: hidden state: %s", finding.message)
        return super().from_notebook_node(nb, resources, **kw)


def _plain(nb: Any) -> Any:
    """A NotebookNode as plain dicts and lists (the converter reads JSON-shaped data)."""
    if isinstance(nb, dict):
        return {key: _plain(value) for key, value in nb.items()}
    if isinstance(nb, list):
        return [_plain(value) for value in nb]
    return nb
