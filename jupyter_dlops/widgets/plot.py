"""A dependency-free SVG line plot for metric curves (no matplotlib in the kernel)."""

from __future__ import annotations

import html

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
WIDTH, HEIGHT, PAD = 560, 240, 40


def svg_plot(curves: list[tuple[str, list[tuple[float, float]]]], *, title: str = "") -> str:
    """``curves``: ``[(label, [(step, value), ...]), ...]`` drawn on shared axes."""
    points = [p for _, series in curves for p in series]
    if not points:
        return f"<small>no values for {html.escape(title)} yet</small>"
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)

    def scale(step: float, value: float) -> str:
        x = PAD + (step - x0) / (x1 - x0) * (WIDTH - 2 * PAD)
        y = HEIGHT - PAD - (value - y0) / (y1 - y0) * (HEIGHT - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT + 20 * len(curves)}'>",
             f"<text x='{PAD}' y='16' font-size='13'>{html.escape(title)}</text>",
             f"<rect x='{PAD}' y='{PAD}' width='{WIDTH - 2 * PAD}' height='{HEIGHT - 2 * PAD}' "
             "fill='none' stroke='#ccc'/>",
             f"<text x='2' y='{PAD + 4}' font-size='10'>{y1:.4g}</text>",
             f"<text x='2' y='{HEIGHT - PAD}' font-size='10'>{y0:.4g}</text>",
             f"<text x='{PAD}' y='{HEIGHT - PAD + 14}' font-size='10'>{x0:g}</text>",
             f"<text x='{WIDTH - PAD}' y='{HEIGHT - PAD + 14}' font-size='10'>{x1:g}</text>"]
    for index, (label, series) in enumerate(curves):
        color = COLORS[index % len(COLORS)]
        path = " ".join(scale(s, v) for s, v in sorted(series))
        parts.append(f"<polyline fill='none' stroke='{color}' stroke-width='1.5' points='{path}'/>")
        parts.append(f"<text x='{PAD}' y='{HEIGHT + 14 + 20 * index}' font-size='11' "
                     f"fill='{color}'>{html.escape(label)}</text>")
    parts.append("</svg>")
    return "".join(parts)
