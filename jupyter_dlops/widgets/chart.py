"""``Chart``: metric curves drawn in the browser (an anywidget; ``chart.js`` renders it).

The curves travel as data, not as a picture: the browser draws axes with titles and ticks, a
legend and a hover readout of (step, value, run) in the theme's colours (issue 17), and
redraws when the output area's width changes. No plotting library runs in the kernel.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import anywidget
import traitlets

HERE = Path(__file__).parent


class Chart(anywidget.AnyWidget):
    """Curves of one metric on shared axes.

    ``curves``: ``[{"label": str, "run_id": str, "points": [[step, value], ...]}, ...]``.
    """

    _esm = (HERE / "chart.js").read_text(encoding="utf-8")
    _css = (HERE / "chart.css").read_text(encoding="utf-8")
    curves: traitlets.List[dict[str, Any]] = traitlets.List(traitlets.Dict(), []).tag(sync=True)
    metric = traitlets.Unicode("").tag(sync=True)
    x_title = traitlets.Unicode("step").tag(sync=True)


def curve(label: str, run_id: str, series: list[tuple]) -> dict[str, Any]:
    """One run's curve for :class:`Chart`: ``series`` as the store returns it
    (``(step, value, timestamp)``), without missing or non-finite values (JSON has no NaN)."""
    points = [[step, value] for step, value, *_ in series
              if value is not None and math.isfinite(value)]
    return {"label": label, "run_id": run_id, "points": points}
