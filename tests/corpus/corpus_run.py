"""Run a corpus notebook both ways, papermill and ``python`` on its exported script, and compare.

Each side runs in its own temporary folder holding a copy of the notebook (nothing is left
behind), with its own throw-away store, ``PYTHONHASHSEED=0`` and a time limit. What is compared
is what the user saw printed: the notebook's stdout streams, cell after cell, against the script's
stdout (addresses such as ``0x7f...`` and the time of day masked, ``%time``'s measurements
left out). A script whose two runs differ from each other is
reported as nondeterministic rather than as a difference.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent
TIMEOUT = 300  # seconds for each side; the examples are small, the machine may be busy
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
# What %time and %timeit print: measurements, never the same twice, and not the program's output
TIMING = re.compile(r"^(CPU times: .*|Wall time: .*|.* per loop \(mean ± std\. dev\. of .*)$")
# The clock, as statsmodels' summaries print it ("Date: Sat, 28 Nov 2026", "Time: 01:28:24")
CLOCK = re.compile(r"\b\d\d:\d\d:\d\d\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4}\b")


class Failed(Exception):
    """One side did not finish: the message says how (error, exit status or time-out)."""


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLOPS_")}
    env.update(DLOPS_STORE=str(folder / ".store"), PYTHONHASHSEED="0", **extra)
    return env


def _copy(notebook: Path, parent: Path, name: str) -> Path:
    folder = parent / name
    folder.mkdir()
    return Path(shutil.copy(notebook, folder / notebook.name))


def _cell_error(executed: Path) -> str:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    for number, cell in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"code cell {number}: {output['ename']}: {output['evalue']}"[:300]
    return ""


def notebook_stdout(executed: Path) -> str:
    """The stdout streams of an executed notebook, in cell order."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    return "".join("".join(output["text"]) for cell in nb["cells"] for output in cell.get("outputs", [])
                   if output.get("output_type") == "stream" and output.get("name") == "stdout")


def _call(argv: list[str], folder: Path, timeout: float, env: dict[str, str]):
    try:
        return subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise Failed(f"timeout: over {timeout:.0f} s") from exc


def _as_version_4(source: Path) -> None:
    """Upgrade an nbformat 3 copy in place, as Jupyter does on opening it: papermill reads
    version 3 but fails on its cells ("'dict' object has no attribute 'papermill'")."""
    import nbformat

    if json.loads(source.read_text(encoding="utf-8")).get("nbformat", 4) < 4:
        nbformat.write(nbformat.read(str(source), as_version=4), str(source))


def run_notebook(notebook: Path, parent: Path, timeout: float = TIMEOUT) -> str:
    """Execute a copy of the notebook with papermill (kernel python3); its stdout streams."""
    source = _copy(notebook, parent, "notebook")
    _as_version_4(source)
    executed = source.with_name("executed.ipynb")
    argv = [sys.executable, "-m", "papermill", source.name, executed.name, "-k", "python3",
            "--no-progress-bar", "--execution-timeout", str(int(timeout))]
    result = _call(argv, source.parent, timeout + 60, _env(source.parent))
    if result.returncode != 0:
        if executed.exists() and _cell_error(executed):
            raise Failed(_cell_error(executed))
        raise Failed(f"papermill exit {result.returncode}: {result.stderr.strip()[-300:]}")
    return notebook_stdout(executed)


def export_options() -> list[str]:
    """``--no-outputs`` where the converter has it, so that the script prints only its streams."""
    helptext = subprocess.run([str(BIN / "dlops"), "export", "--help"], capture_output=True,
                              text=True, check=False).stdout
    return ["--no-outputs"] if "--no-outputs" in helptext else []


def run_script(notebook: Path, parent: Path, timeout: float = TIMEOUT, name: str = "script") -> str:
    """Export a copy of the notebook with ``dlops export`` and run the script; its stdout."""
    source = _copy(notebook, parent, name)
    env = _env(source.parent, MPLBACKEND="Agg")
    exported = _call([str(BIN / "dlops"), "export", source.name, "-o", "script.py", *export_options()],
                     source.parent, timeout, env)
    if exported.returncode != 0:
        raise Failed(f"export exit {exported.returncode}: {exported.stderr.strip()}")
    result = _call([sys.executable, "script.py"], source.parent, timeout, env)
    if result.returncode != 0:
        raise Failed(f"exit {result.returncode}: {result.stderr.strip().splitlines()[-1:]}")
    return result.stdout


def normalised(text: str) -> list[str]:
    """Lines with addresses and the clock masked, without %time's measurements and trailing
    empty lines."""
    masked = CLOCK.sub("<clock>", ADDRESS.sub("0x...", text))
    lines = [line for line in masked.splitlines() if not TIMING.match(line)]
    return "\n".join(lines).rstrip().splitlines() if "".join(lines).strip() else []


def first_difference(notebook: list[str], script: list[str]) -> str:
    """Where two outputs part, for a one-line report."""
    for number, (left, right) in enumerate(zip(notebook, script, strict=False), 1):
        if left.rstrip() != right.rstrip():
            return f"stdout line {number}: notebook {left[:80]!r}, script {right[:80]!r}"
    shorter = "script" if len(script) < len(notebook) else "notebook"
    return f"the {shorter} printed fewer lines ({len(notebook)} vs {len(script)})"


def both_ways(notebook: Path, timeout: float = TIMEOUT) -> str:
    """``same``, ``differs: ...``, ``script fails: ...``, ``notebook fails: ...`` or
    ``nondeterministic: ...``: the outcome of running the notebook both ways."""
    with tempfile.TemporaryDirectory(prefix="dlops-corpus-") as tmp:
        parent = Path(tmp)
        try:
            seen = normalised(run_notebook(notebook, parent, timeout))
        except Failed as exc:
            return f"notebook fails: {exc}"
        try:
            printed = normalised(run_script(notebook, parent, timeout))
        except Failed as exc:
            return f"script fails: {exc}"
        if [line.rstrip() for line in seen] == [line.rstrip() for line in printed]:
            return "same"
        try:
            again = normalised(run_script(notebook, parent, timeout, name="script-again"))
        except Failed as exc:
            return f"nondeterministic: the script's second run failed ({exc})"
        if again != printed:
            return f"nondeterministic: the script's two runs differ ({first_difference(printed, again)})"
        return f"differs: {first_difference(seen, printed)}"


def run_all(notebooks: Iterable[Path], jobs: int = 2, timeout: float = TIMEOUT) -> Iterator[tuple[str, str]]:
    """``(folder/stem, outcome)`` for each notebook, ``jobs`` at a time, as they finish."""
    def one(path: Path) -> tuple[str, str]:
        return f"{path.parent.name}/{path.stem}", both_ways(path, timeout)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield from pool.map(one, notebooks)
