"""What each side of ``--verify`` showed, cell by cell, and how the two differ (issue 16).

The notebook's side is read from papermill's executed notebook: each cell's ``stream`` outputs,
the ``text/plain`` of its results and displays, and its ``image/png`` figures. The script's side
is its stdout and stderr, cut at the offsets its outputs cell wrote at each cell's start
(``DLOPS_OUTPUTS_EVENTS``), with the values and figures its run recorded (``outputs/cell-N/``).
Text is compared as a user reads it: object addresses and line wrapping (IPython's pretty
printer wraps long lists where ``repr`` does not) are not differences.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

STREAMS = ("stdout", "stderr")
_ADDRESS = re.compile(r"<([\w.]+)(?: object)? at 0x[0-9a-fA-F]+>")
_CLASS = re.compile(r"<class '([\w.]+)'>")  # IPython's pretty printer shows a class by its name
_SPACE = re.compile(r"\s+")


@dataclass
class CellOutputs:
    """What one side showed: per cell number, its streams, displayed texts and figures (PNG)."""

    streams: dict[int, dict[str, str]] = field(default_factory=dict)
    texts: dict[int, list[str]] = field(default_factory=dict)
    figures: dict[int, list[bytes]] = field(default_factory=dict)
    # In order, what a terminal would show: (cell, stream, text), shown values included.
    transcript: list[tuple[int, str, str]] = field(default_factory=list)
    split: bool = True  # False: a script that marked no cells (--standalone): one stream

    def only(self, cells: set[int]) -> CellOutputs:
        """These outputs restricted to ``cells`` (and what came before the first cell)."""
        keep = cells | {0}
        return CellOutputs({n: v for n, v in self.streams.items() if n in keep},
                           {n: v for n, v in self.texts.items() if n in keep},
                           {n: v for n, v in self.figures.items() if n in keep},
                           [piece for piece in self.transcript if piece[0] in keep], self.split)

    def counts(self) -> tuple[int, int, int]:
        """Cells with stream output, displayed values, figures."""
        streams = sum(1 for by_name in self.streams.values() if any(by_name.values()))
        return streams, sum(map(len, self.texts.values())), sum(map(len, self.figures.values()))


def notebook_outputs(executed: Path, original_cells: int) -> CellOutputs:
    """The outputs of papermill's executed notebook, numbered as the original notebook's cells.

    Parameters
    ----------
    executed : Path
        The executed notebook papermill wrote.
    original_cells : int
        How many cells the original has: one more means papermill inserted an
        ``injected-parameters`` cell, which the numbering skips.

    Returns
    -------
    CellOutputs
    """
    cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    if len(cells) == original_cells + 1:
        injected = next((i for i, c in enumerate(cells)
                         if "injected-parameters" in c.get("metadata", {}).get("tags", [])), None)
        cells = [c for i, c in enumerate(cells) if i != injected]
    found = CellOutputs()
    for number, cell in enumerate(cells, start=1):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            _add_output(found, number, output)
    return found


def _add_output(found: CellOutputs, number: int, output: dict[str, Any]) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        name, text = output.get("name", "stdout"), _text(output.get("text"))
        streams = found.streams.setdefault(number, dict.fromkeys(STREAMS, ""))
        streams[name] = streams.get(name, "") + text
        found.transcript.append((number, name, text))
    elif kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        if "text/plain" in data:
            found.transcript.append((number, "stdout", shorten(_text(data["text/plain"])) + "\n"))
        if "image/png" in data:
            import base64

            found.figures.setdefault(number, []).append(base64.b64decode(_text(data["image/png"])))
        elif "text/plain" in data:
            found.texts.setdefault(number, []).append(_text(data["text/plain"]))


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def script_outputs(stdout: Path, stderr: Path, events: Path, store: Any) -> CellOutputs:
    """The script's streams cut at each cell's start, and the outputs its run recorded.

    Parameters
    ----------
    stdout, stderr : Path
        Files that received the script's whole stdout and stderr.
    events : Path
        The JSON lines its outputs cell wrote: ``{"cell", "stdout", "stderr"}`` offsets.
    store : Store or None
        The side's store (None when the script recorded nothing).

    Returns
    -------
    CellOutputs
    """
    found = CellOutputs()
    marks = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()
             if line.strip()] if events.exists() else []
    for name, path in (("stdout", stdout), ("stderr", stderr)):
        data = path.read_bytes() if path.exists() else b""
        starts = [(0, 0)] + [(mark["cell"], mark[name]) for mark in marks]
        for (number, start), (_, end) in zip(starts, starts[1:] + [(0, len(data))], strict=True):
            text = data[start:end].decode("utf-8", "replace")
            if text:
                found.streams.setdefault(number, dict.fromkeys(STREAMS, ""))[name] += text
    found.split = bool(marks)
    if store is not None:
        _recorded(found, store)
    return found


def _recorded(found: CellOutputs, store: Any) -> None:
    from ..tracking.outputs import run_outputs

    for run in store.search_runs():
        for entry in run_outputs(store, store.get_run(run.run_id), inline=False):
            data = store.objects.read_bytes(entry["object_id"])
            if entry["kind"] == "figure":
                found.figures.setdefault(entry["cell"], []).append(data)
            else:
                found.texts.setdefault(entry["cell"], []).append(data.decode("utf-8", "replace"))


def compare_outputs(notebook: CellOutputs, script: CellOutputs) -> list[str]:
    """Differences in streams, then displayed values, then figures, each naming its cell."""
    if not script.split:
        return [difference for name in STREAMS
                for difference in _compare_transcript(notebook, script, name)]
    found: list[str] = []
    for number in sorted(set(notebook.streams) | set(script.streams)):
        for name in STREAMS:
            left = notebook.streams.get(number, {}).get(name, "")
            right = script.streams.get(number, {}).get(name, "")
            if left != right:
                found.append(f"{_where(number)}: {name} differs: {_first_difference(left, right)}")
    for number in sorted(set(notebook.texts) | set(script.texts)):
        found += _compare_texts(number, notebook.texts.get(number, []), script.texts.get(number, []))
    for number in sorted(set(notebook.figures) | set(script.figures)):
        found += _compare_figures(number, notebook.figures.get(number, []), script.figures.get(number, []))
    return found


def shorten(text: str, lines: int = 40, width: int = 4000) -> str:
    """A shown value as the script prints it (the generated outputs cell's ``shorten``)."""
    if len(text) <= width and len(text.splitlines()) <= lines:
        return text
    kept = "\n".join(text[:width].splitlines()[:lines])
    return f"{kept}\n... (shortened: {len(text.splitlines())} lines, {len(text)} characters)"


def _compare_transcript(notebook: CellOutputs, script: CellOutputs, name: str) -> list[str]:
    """A script that marked no cells printed its shown values among its streams: compare all it
    printed with what the notebook showed, in order, and name the cell of the first difference."""
    pieces = [(number, normalized(text)) for number, stream, text in notebook.transcript
              if stream == name and text.strip()]
    left = " ".join(text for _, text in pieces)
    right = normalized("".join(streams.get(name, "") for _, streams in sorted(script.streams.items())))
    if left == right:
        return []
    at = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), min(len(left), len(right)))
    ends = list(accumulate(len(text) + 1 for _, text in pieces))  # where each cell's text ends
    number = pieces[min(bisect_right(ends, at), len(pieces) - 1)][0] if pieces else 0
    return [f"{_where(number)}: {name} differs (the script marks no cells: compared as one "
            f"stream): notebook {_clip(left[max(0, at - 20):at + 40])} vs script "
            f"{_clip(right[max(0, at - 20):at + 40])}"]


def _where(number: int) -> str:
    return f"cell {number}" if number else "before the first cell"


def _first_difference(left: str, right: str) -> str:
    a, b = left.splitlines(), right.splitlines()
    for line, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return f"line {line}: notebook {_clip(x)} vs script {_clip(y)}"
    if len(a) != len(b):
        more, side = (a, "notebook") if len(a) > len(b) else (b, "script")
        return f"only the {side} printed {_clip(more[min(len(a), len(b))])} (line {min(len(a), len(b)) + 1})"
    return "notebook and script differ in whitespace"


def _clip(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[:width] + "...")


def normalized(text: str) -> str:
    """Text as compared: object addresses, whitespace runs and how a class is written do not count."""
    text = _CLASS.sub(r"\1", _ADDRESS.sub(r"<\1 at 0x...>", text))
    return _SPACE.sub(" ", text).strip()


def _compare_texts(number: int, left: list[str], right: list[str]) -> list[str]:
    if len(left) != len(right):
        return [f"cell {number}: the notebook showed {len(left)} value(s), the script {len(right)}"
                f" (notebook {[_clip(t, 40) for t in left]} vs script {[_clip(t, 40) for t in right]})"]
    return [f"cell {number}: displayed value {index} differs: notebook {_clip(x)} vs script {_clip(y)}"
            for index, (x, y) in enumerate(zip(left, right, strict=True), start=1)
            if normalized(x) != normalized(y)]


def _compare_figures(number: int, left: list[bytes], right: list[bytes]) -> list[str]:
    if len(left) != len(right):
        return [f"cell {number}: the notebook showed {len(left)} figure(s), the script {len(right)}"]
    found = []
    for index, (x, y) in enumerate(zip(left, right, strict=True), start=1):
        if x == y:
            continue
        size_x, size_y = png_size(x), png_size(y)
        if size_x != size_y:
            found.append(f"cell {number}: figure {index} differs in size: notebook "
                         f"{size_x[0]}x{size_x[1]} vs script {size_y[0]}x{size_y[1]} pixels")
        else:
            share = _pixels_differ(x, y)
            if share is None or share > 0:
                what = "in content" if share is None else f"in {share:.1%} of its pixels"
                found.append(f"cell {number}: figure {index} differs {what}")
    return found


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk ((0, 0) for anything else)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return (0, 0)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _pixels_differ(left: bytes, right: bytes) -> float | None:
    """The share of pixels that differ; None where Pillow is not there to decode them."""
    try:
        from io import BytesIO

        from PIL import Image, ImageChops
    except ImportError:
        return None
    a = Image.open(BytesIO(left)).convert("RGBA")
    b = Image.open(BytesIO(right)).convert("RGBA")
    difference = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v else 0)
    histogram = difference.histogram()
    return histogram[255] / max(1, a.width * a.height)
