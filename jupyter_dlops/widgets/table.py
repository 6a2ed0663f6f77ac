"""The runs table of ``widgets.Runs`` as HTML: one line a run, values formatted for a reader."""

from __future__ import annotations

import html
import time
from typing import Any

BASE_COLUMNS = ("start_time", "name", "status", "duration")

# The theme's own variables, so the table reads in light and dark themes alike. One line a run
# (no wrapped dates or names: long values end in an ellipsis, the full value in the cell's
# title); a wide table scrolls sideways inside the output area instead of overflowing it.
TABLE_STYLE = (
    # the ipywidgets HTML box around the table is a flex item: min-width 0 lets it be narrower
    # than the table, so the table's own box scrolls instead of the page
    "<style>.dlops-runs-html,.dlops-runs-html>.widget-html-content{min-width:0;max-width:100%}"
    ".dlops-runs-html>.widget-html-content{line-height:normal}"
    ".dlops-runs-box{overflow-x:auto;max-width:100%;min-width:0}"
    ".dlops-runs{border-collapse:collapse;line-height:normal;"
    "font-family:var(--jp-ui-font-family);font-size:var(--jp-ui-font-size1,13px);"
    "color:var(--jp-ui-font-color1,inherit);background:var(--jp-layout-color1,transparent)}"
    ".dlops-runs th,.dlops-runs td{padding:4px 10px;white-space:nowrap;text-align:left;"
    "max-width:22em;overflow:hidden;text-overflow:ellipsis;"
    "border-bottom:1px solid var(--jp-border-color2,#ddd)}"
    ".dlops-runs td.dlops-num{text-align:right;font-variant-numeric:tabular-nums}"
    ".dlops-runs th{background:var(--jp-layout-color2,#eee);font-weight:600}"
    ".dlops-runs tbody tr:hover{background:var(--jp-layout-color2)}"
    ".dlops-runs-empty{color:var(--jp-ui-font-color2);white-space:normal}</style>"
)

EMPTY = {
    "notebook": "no runs for this notebook yet: run it with %load_ext jupyter_dlops, or dlops sweep",
    "all": "no runs in the store yet: %load_ext jupyter_dlops tracks this notebook, dlops sweep "
           "runs it with parameters",
}


def value_of(run: Any, key: str) -> Any:
    """A column's value for one run (``params.lr``, ``metrics.loss``: the last value)."""
    if key.startswith("params."):
        return run.params.get(key[7:])
    if key.startswith("metrics."):
        summary = run.metrics.get(key[8:])
        return summary.last if summary else None
    return run.duration if key == "duration" else getattr(run, key)


def sortable(value: Any) -> tuple:
    """A sort key under which mixed types in one column (an int here, a str there) still
    sort, numbers first."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


def table_html(runs: list[Any], columns: Any, empty: str = EMPTY["notebook"]) -> str:
    """The runs as an HTML table (every value escaped); ``empty`` is said when there is none."""
    header = "".join(f"<th title='{html.escape(c)}'>{html.escape(c)}</th>" for c in ("run", *columns))
    body = []
    for run in runs:
        cells = [(run.run_id[:8], run.run_id, False)]
        cells += [(show(c, value_of(run, c)), *_title_num(c, value_of(run, c))) for c in columns]
        body.append("<tr>" + "".join(_cell(*cell) for cell in cells) + "</tr>")
    if not runs:
        body.append(f"<tr><td class='dlops-runs-empty' colspan='{len(columns) + 1}'>"
                    f"{html.escape(empty)}</td></tr>")
    return (f"{TABLE_STYLE}<div class='dlops-runs-box'><table class='dlops-runs'>"
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _title_num(column: str, value: Any) -> tuple[str, bool]:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool) and column != "start_time"
    return ("" if value is None else str(value)), numeric


def _cell(text: str, title: str, numeric: bool) -> str:
    klass = " class='dlops-num'" if numeric else ""
    return f"<td{klass} title='{html.escape(title)}'>{html.escape(text)}</td>"


def format_duration(seconds: float) -> str:
    """170.3 -> '2 min 50 s': what a reader expects, not bare seconds."""
    if seconds < 59.95:  # what would print as "60.0 s" is a minute
        return f"{seconds:.1f} s"
    # whole seconds first: 119.6 s is "2 min 0 s", never "1 min 60 s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    return f"{minutes // 60} h {minutes % 60} min"


def show(column: str, value: Any) -> str:
    """How one value reads in the table."""
    if value is None:
        return ""
    if column == "start_time":
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))
    if column == "duration":
        return format_duration(float(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
