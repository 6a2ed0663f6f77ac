"""The values an exported script shows, kept in its run (issue 16, "Displayed results are kept").

The script's generated outputs cell prints each cell's last expression, every ``display(...)``
and the figures a cell leaves open; :class:`OutputRecorder` stores them in the active run as
artifacts of kind ``output``: ``outputs/cell-N/K.txt`` (the text repr, redacted) and
``outputs/cell-N/fig-K.png`` (rendered as Jupyter's inline backend renders it). Values shown
before the run starts (cells above the parameters cell) wait until it does. A cell keeps at most
``PER_CELL`` values and as many figures (each costs a store write, some ms: a loop that displays
every step would otherwise slow the script down); the terminal still shows them all.
:func:`run_outputs` lists them back for the CLI, the REST API and the Experiments panel.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from typing import Any

OUTPUT_KIND = "output"
# Set by `dlops export --verify`: a JSON-lines file where each cell's start offsets in stdout and
# stderr are written, so the streams can be compared cell by cell; the values are then only
# recorded, not printed (they would mix with the streams the notebook keeps apart).
EVENTS_ENV = "DLOPS_OUTPUTS_EVENTS"
OUTPUT_PATH = re.compile(r"^outputs/cell-(\d+)/(fig-)?(\d+)\.(txt|png)$")
PER_CELL = 100
TEXT_LIMIT = 20_000
IMAGE_LIMIT = 1_000_000


class OutputRecorder:
    """Records shown values in the active run; the generated script cell calls it."""

    def __init__(self) -> None:
        self.number = 0
        self.texts = self.figures = 0
        self.pending: list[tuple[str, bytes]] = []
        self.events = os.environ.get(EVENTS_ENV) or None

    def cell(self, number: int) -> None:
        """A new cell starts: number what it shows from 1 again."""
        self.number, self.texts, self.figures = number, 0, 0
        if self.events:
            self._mark(number, self.events)
        self._flush()

    def record(self, value: Any, text: str) -> bool:
        """Keep one shown value; return whether the script should also print it."""
        prefix = f"outputs/cell-{self.number}"
        drawn = is_matplotlib_figure(value) and _has_content(value)  # else shown as its text
        if drawn and self.figures < PER_CELL:
            self.figures += 1
            self.pending.append((f"{prefix}/fig-{self.figures}.png", figure_png(value) or b""))
        elif not drawn and self.texts < PER_CELL:
            from ..capture.redact import redact_text

            self.texts += 1
            self.pending.append((f"{prefix}/{self.texts}.txt", redact_text(text).encode("utf-8")))
        self._flush()
        return self.events is None

    def _flush(self) -> None:
        from .fluent import active_run

        run = active_run()
        if run is None or not self.pending:
            return  # not tracked (yet): kept until the run starts, dropped if it never does
        pending, self.pending = self.pending, []
        for name, data in pending:
            try:
                run.client.log_bytes(run.run_id, data, name, kind=OUTPUT_KIND)
            except Exception as error:  # keeping an output must never stop the user's script
                print(f"jupyter-dlops: could not record {name}: {error}", file=sys.stderr)

    def _mark(self, number: int, events: str) -> None:
        offsets = {"cell": number}
        for name, stream in (("stdout", sys.stdout), ("stderr", sys.stderr)):
            try:
                stream.flush()
                offsets[name] = os.lseek(getattr(sys, f"__{name}__").fileno(), 0, os.SEEK_CUR)
            except (OSError, ValueError, AttributeError):
                return  # not a regular file: the streams cannot be split by cell
        with open(events, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(offsets) + "\n")


def is_matplotlib_figure(value: Any) -> bool:
    return type(value).__module__.startswith("matplotlib.") and hasattr(value, "savefig")


def _has_content(figure: Any) -> bool:
    return bool(figure.axes or getattr(figure, "lines", None))


def figure_png(value: Any) -> bytes | None:
    """A matplotlib figure as Jupyter's inline backend renders it, or None (empty figure too)."""
    if not is_matplotlib_figure(value) or not _has_content(value):
        return None  # IPython shows only the text of an empty figure
    from io import BytesIO

    buffer = BytesIO()
    # The arguments of IPython.core.pylabtools.print_figure, so the pixels match the notebook's.
    value.savefig(buffer, format="png", facecolor=value.get_facecolor(),
                  edgecolor=value.get_edgecolor(), dpi=value.dpi, bbox_inches="tight")
    return buffer.getvalue()


def run_outputs(store: Any, run: Any, *, inline: bool = True) -> list[dict[str, Any]]:
    """The outputs a run recorded, in cell order: one dict per shown value.

    Parameters
    ----------
    store : Store
        The store holding the run.
    run : Run
        The run (``store.get_run``).
    inline : bool
        Include the content: ``text`` for text outputs (cut at 20,000 characters) and ``png``
        (base64) for figures up to 1 MB; without it only the paths and sizes.

    Returns
    -------
    list of dict
        ``{"cell", "index", "kind" ("text" | "figure"), "path", "object_id", "size"}`` and the
        content when ``inline``.
    """
    found = []
    for artifact in run.artifacts:
        match = OUTPUT_PATH.match(artifact.path)
        if artifact.kind != OUTPUT_KIND or match is None:
            continue
        entry = {"cell": int(match[1]), "index": int(match[3]),
                 "kind": "figure" if match[2] else "text", "path": artifact.path,
                 "object_id": artifact.object_id, "size": artifact.size}
        if inline:
            entry.update(_content(store, entry))
        found.append(entry)
    return sorted(found, key=lambda e: (e["cell"], e["kind"] == "figure", e["index"]))


def _content(store: Any, entry: dict[str, Any]) -> dict[str, Any]:
    if entry["kind"] == "figure" and entry["size"] > IMAGE_LIMIT:
        return {"png": None}
    from ..errors import DlopsError

    try:
        data = store.objects.read_bytes(entry["object_id"])
    except (OSError, DlopsError):  # an object gc'd or a store on a share that went away
        return {"text": None} if entry["kind"] == "text" else {"png": None}
    if entry["kind"] == "figure":
        return {"png": base64.b64encode(data).decode("ascii")}
    text = data.decode("utf-8", "replace")
    return {"text": text[:TEXT_LIMIT], "truncated": len(text) > TEXT_LIMIT}
