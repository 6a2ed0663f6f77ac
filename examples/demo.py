"""The main job end to end, on the light example (scikit-learn only): what `make demo` runs.

    .venv/bin/python examples/demo.py [--workdir build/demo] [--quick]

1. copies ``examples/iris_sklearn`` to a work folder and versions its data (``dlops data add``);
2. sweeps four parameter combinations, two at a time (``dlops sweep --workers 2``);
3. exports the notebook to a script and runs the script once with other parameters;
4. prints the runs, the best run and a comparison, and draws the metric curves into a PNG.

Safe to run again: the work folder and the data are reused, the sweep resumes (its finished runs
are skipped), and the store is whatever ``DLOPS_STORE`` names, else ``.dlops/`` at the repository
root (an older store there is migrated when opened).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "iris_sklearn"
BIN = Path(sys.executable).parent
# The example's runs (sweep notebooks and exported scripts), whatever else the store holds.
MINE = "entry_point like '%/iris_sklearn/train.%'"
FINISHED = f"status = 'finished' and {MINE}"
SWEEP = ["-p", "learning_rate", "0.01", "0.1", "-p", "alpha", "0.0001", "0.01"]


class DemoError(RuntimeError):
    """A step failed; the message says which and what it printed."""


def shown_as(argv: list[str]) -> str:
    """The command as a user would type it (double quotes read better around SQL-ish filters)."""
    return " ".join(f'"{a}"' if "'" in a and '"' not in a and "$" not in a else shlex.quote(a)
                    for a in argv)


def step(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m", flush=True)


def dlops(*args: str, cwd: Path, capture: bool = False) -> str:
    """Run ``dlops ARGS`` (echoed first, as a user would type it) and fail loudly on error."""
    return command([str(BIN / "dlops"), *args], cwd=cwd, capture=capture, shown=["dlops", *args])


def command(argv: list[str], *, cwd: Path, capture: bool = False,
            shown: list[str] | None = None) -> str:
    if not capture:
        print(f"$ {shown_as(shown or argv)}", flush=True)
    result = subprocess.run(argv, cwd=cwd, text=True, capture_output=capture, check=False)
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()[-1:] if capture else []
        raise DemoError(f"`{shown_as(shown or argv)}` exited with {result.returncode}"
                        + (f": {detail[0]}" if detail else ""))
    return result.stdout or ""


def prepare(workdir: Path) -> Path:
    """Copy the example into ``workdir`` (once; later runs keep what is there) and export its data."""
    project = workdir / EXAMPLE.name
    project.mkdir(parents=True, exist_ok=True)
    for name in ("train.ipynb", "iris_data.py"):
        # Refresh the sources (cheap), keep the data and outputs of earlier runs.
        shutil.copy2(EXAMPLE / name, project / name)
    command([sys.executable, "iris_data.py", "data"], cwd=project,
            shown=["python", "iris_data.py", "data"])
    return project


def run_demo(workdir: Path, epochs: int) -> None:
    started = time.monotonic()
    step("1. Version the example data")
    project = prepare(workdir)
    dlops("data", "add", "data", "--name", "iris", cwd=project)
    dlops("data", "verify", "iris", cwd=project)

    step("2. Sweep 4 parameter combinations, 2 at a time (papermill kernels)")
    dlops("sweep", "train.ipynb", *SWEEP, "-p", "epochs", str(epochs), "--workers", "2",
          "--name", "iris-demo", "--sort-metric", "val_accuracy", cwd=project)

    step("3. Export the notebook to a script and run it once with other parameters")
    dlops("export", "train.ipynb", "-o", "train.py", cwd=project)
    command([sys.executable, "train.py", "--learning-rate", "0.05", "--alpha", "0.001",
             "--epochs", str(epochs + 5)], cwd=project,
            shown=["python", "train.py", "--learning-rate", "0.05", "--alpha", "0.001",
                   "--epochs", str(epochs + 5)])

    step("4. Look at the results")
    dlops("runs", "--where", MINE, "--limit", "10", "--columns",
          "params.learning_rate,params.alpha,params.epochs,metrics.val_accuracy,metrics.val_loss",
          cwd=project)
    dlops("best", "--metric", "val_accuracy", "--where", FINISHED, cwd=project)
    best = json.loads(dlops("best", "--metric", "val_accuracy", "--where", FINISHED,
                            "--json", cwd=project, capture=True))["run_id"]
    script = dlops("runs", "--where", f"kind = 'script' and {FINISHED}", "--limit", "1",
                   "--ids", cwd=project, capture=True).split()
    others = [r for r in script if r != best] or _runner_up(project)
    plot = workdir / "metrics.png"
    dlops("compare", best[:12], others[0][:12], "--plot", str(plot),
          "--metric", "val_accuracy", "--metric", "val_loss", cwd=project)
    finish(workdir, project, plot, time.monotonic() - started)


def _runner_up(project: Path) -> list[str]:
    ids = dlops("runs", "--where", FINISHED, "--sort", "-metrics.val_accuracy", "--ids",
                "--limit", "2", cwd=project, capture=True).split()
    return ids[1:] or ids


def finish(workdir: Path, project: Path, plot: Path, seconds: float) -> None:
    step(f"Done in {seconds:.0f} s. Where to look next")
    relative = os.path.relpath(project, Path.cwd())
    print(f"""\
- the metric curves: {plot}
- the exported script: {project / 'train.py'} (python train.py --help)
- every run's record: .venv/bin/dlops show RUN; query it: .venv/bin/dlops sql "SELECT * FROM runs"
- the Experiments panel: .venv/bin/jupyter lab {shlex.quote(relative)}
  then open the Experiments panel in the left sidebar (runs, details, comparisons, curves)
- a real deep-learning example: examples/digits (pip install ".[digits]")""")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "demo",
                        help="where the example is copied and run (default: build/demo)")
    parser.add_argument("--epochs", type=int, default=15, help="epochs per run (default 15)")
    args = parser.parse_args(argv)
    if not os.environ.get("DLOPS_STORE"):
        # Pin the store: the sweep's kernels run in the example folder, and outside a git
        # checkout the default (.dlops/ in the current folder) would differ between processes.
        os.environ["DLOPS_STORE"] = str(ROOT / ".dlops")
    print(f"store: {os.environ['DLOPS_STORE']}")
    try:
        run_demo(args.workdir.resolve(), args.epochs)
    except DemoError as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("demo interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
