"""The converter: a tagged notebook to a parameterised, linear, percent-format script.

``export_notebook(path)`` writes the script and returns it with a report;
``convert_notebook(nb_dict)`` does the same without any I/O. Neither imports IPython,
nbconvert or nbformat (nbformat only for nbformat 3 notebooks). See DESIGN.md, "Notebook tags".
"""

from __future__ import annotations

from .export import ExportResult, convert_notebook, export_notebook
from .names import CellNames, cell_names
from .report import ExportReport

__all__ = [
    "CellNames", "ExportReport", "ExportResult", "cell_names", "convert_notebook", "export_notebook",
]
