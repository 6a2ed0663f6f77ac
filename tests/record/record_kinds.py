"""One small training project, and every way a run of it can start (issue 15's matrix).

Each kind runs the same work: read ``data/train.csv``, log ``loss`` for ``epochs`` steps,
write ``out/model.txt``, log it as an artifact, print ``done LR EPOCHS``. The kinds that are
given parameters are given ``lr=0.01, epochs=3`` (the notebook's defaults are 0.003 and 20);
the interactive kinds run the defaults, which are then the effective values.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

INJECTED = {"lr": 0.01, "epochs": 3}
DEFAULTS = {"lr": 0.003, "epochs": 20}
ROWS = 4  # lines of data/train.csv (csv.reader rows, header included)

WORK = """\
import csv, os, time
import jupyter_dlops as dl
rows = list(csv.reader(open("data/train.csv")))
for e in range(epochs):
    dl.log_metric("loss", lr / (e + 1), step=e)
os.makedirs("out", exist_ok=True)
with open("out/model.txt", "w") as f:
    f.write(f"{lr} {epochs} {len(rows)}")
dl.log_artifact("out/model.txt")
time.sleep(0.6)  # long enough for the usage sampler's first samples
print("done", lr, epochs)"""

# The explicit-lineage variant, for code that runs outside a %%track cell.
LOGGED_WORK = WORK.replace('dl.log_artifact("out/model.txt")',
                           'dl.log_artifact("out/model.txt")\n'
                           'dl.log_input("data/train.csv")\ndl.log_output("out/model.txt")')

SCRIPT = f"""\
import argparse
import jupyter_dlops as dl
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default={DEFAULTS['lr']})
parser.add_argument("--epochs", type=int, default={DEFAULTS['epochs']})
args = parser.parse_args()
lr, epochs = args.lr, args.epochs
with dl.start_run(params={{"lr": lr, "epochs": epochs}}):
""" + "".join(f"    {line}\n" for line in LOGGED_WORK.splitlines())


def _notebook(path: Path, work_cell: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext jupyter_dlops"),
        nbformat.v4.new_code_cell(f"lr = {DEFAULTS['lr']}\nepochs = {DEFAULTS['epochs']}",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(work_cell),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(project: Path, path: str, message: str) -> None:
    """Add ``path`` (``-A`` for everything) and commit it."""
    who = ("-c", "user.name=t", "-c", "user.email=t@t")
    git(project, *who, "add", path)
    git(project, *who, "commit", "-qm", message)


def make_project(project: Path) -> None:
    """A git repository with data, a tracked notebook, a plain notebook and a script, committed."""
    (project / "data").mkdir(parents=True)
    (project / "data" / "train.csv").write_text("x,y\n1,2\n3,4\n5,6\n")
    (project / ".gitignore").write_text(".dlops/\nout/\n*.out.ipynb\n__pycache__/\n")
    _notebook(project / "train.ipynb", "%%track --name train\n" + WORK)
    _notebook(project / "plain.ipynb", LOGGED_WORK)
    (project / "train_script.py").write_text(SCRIPT)
    git(project, "init", "-q")
    commit(project, "-A", "project")


@dataclass
class Started:
    """What a kind did: the run it made, its effective parameters and its entry file."""

    run_id: str
    params: dict
    entry: str  # relative to the project
    logs: str  # "script" (stdout/stderr logs), "notebook" (executed notebook) or "none"
    extra: dict = field(default_factory=dict)


def child_env(store_uri: str, artifacts: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLOPS_", "JPY_"))}
    env.update(DLOPS_STORE=store_uri, DLOPS_SAMPLE_INTERVAL="0.1", PYTHONUNBUFFERED="1")
    if artifacts:
        env["DLOPS_ARTIFACTS"] = artifacts
    return env


def dlops(project: Path, env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", "import sys; from jupyter_dlops.cli import run; sys.exit(run())",
                           *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"dlops {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


def newest_run(store, before: set[str]) -> str:
    new = [r for r in store.search_run_ids(None, "-start_time") if r not in before]
    assert len(new) == 1, f"expected exactly one new run, got {len(new)}"
    return new[0]


def flags() -> list[str]:
    return ["--lr", str(INJECTED["lr"]), "--epochs", str(INJECTED["epochs"])]


def params_p() -> list[str]:
    return ["-p", "lr", str(INJECTED["lr"]), "-p", "epochs", str(INJECTED["epochs"])]


def kind_script(project, env, store, dask_address):
    before = set(store.search_run_ids())
    done = subprocess.run([sys.executable, "train_script.py", *flags()], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return Started(newest_run(store, before), INJECTED, "train_script.py", "script")


LAUNCHER = """\
import os, subprocess, sys
import jupyter_dlops as dl
# An orchestrator: it owns the run, and hands it to the worker through DLOPS_RUN_ID.
with dl.start_run(name="attach") as run:
    os.environ["DLOPS_RUN_ID"] = run.run_id
    subprocess.run([sys.executable, "train_script.py", *sys.argv[1:]], check=True)
"""


def kind_attach(project, env, store, dask_address):
    (project / "launcher.py").write_text(LAUNCHER)
    commit(project, "launcher.py", "launcher")
    before = set(store.search_run_ids())
    done = subprocess.run([sys.executable, "launcher.py", *flags()], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return Started(newest_run(store, before), INJECTED, "launcher.py", "script")


def kind_dlops_run_notebook(project, env, store, dask_address):
    before = set(store.search_run_ids())
    dlops(project, env, "run", "train.ipynb", *params_p())
    return Started(newest_run(store, before), INJECTED, "train.ipynb", "notebook")


def kind_dlops_run_script(project, env, store, dask_address):
    before = set(store.search_run_ids())
    dlops(project, env, "run", "train.ipynb", "--engine", "script", *params_p())
    return Started(newest_run(store, before), INJECTED, "train.ipynb", "script")


def _sweep(project, env, store, *extra):
    before = set(store.search_run_ids())
    dlops(project, env, "sweep", "train.ipynb", *params_p(), "--name", "m-" + uuid.uuid4().hex[:6], *extra)
    return newest_run(store, before)


def kind_sweep_papermill(project, env, store, dask_address):
    return Started(_sweep(project, env, store), INJECTED, "train.ipynb", "notebook")


def kind_sweep_script(project, env, store, dask_address):
    return Started(_sweep(project, env, store, "--engine", "script"), INJECTED, "train.ipynb", "script")


def kind_sweep_dask(project, env, store, dask_address):
    run_id = _sweep(project, env, store, "--executor", "dask", "--scheduler", dask_address)
    return Started(run_id, INJECTED, "train.ipynb", "notebook")


def _run_cells_interactively(project: Path, env: dict, notebook: str) -> None:
    """Execute every cell in a fresh kernel the way JupyterLab does: the notebook's path in
    ``JPY_SESSION_NAME``, each cell's id in the execute request's metadata."""
    from jupyter_client.manager import start_new_kernel

    nb = nbformat.read(project / notebook, as_version=4)
    kernel_env = {**env, "JPY_SESSION_NAME": str(project / notebook)}
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(project), env=kernel_env)
    try:
        for cell in [*nb.cells, nbformat.v4.new_code_cell("%dlops end")]:
            content = {"code": cell.source, "silent": False, "store_history": True,
                       "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
            msg = kc.session.msg("execute_request", content, metadata={"cellId": cell.get("id", "")})
            kc.shell_channel.send(msg)
            reply = kc.get_shell_msg(timeout=120)
            while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                reply = kc.get_shell_msg(timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def kind_interactive(project, env, store, dask_address):
    before = set(store.search_run_ids())
    _run_cells_interactively(project, env, "plain.ipynb")
    return Started(newest_run(store, before), DEFAULTS, "plain.ipynb", "none")


def kind_track_kernel(project, env, store, dask_address):
    before = set(store.search_run_ids())
    _run_cells_interactively(project, env, "train.ipynb")
    return Started(newest_run(store, before), DEFAULTS, "train.ipynb", "none")


def kind_exported_script(project, env, store, dask_address):
    dlops(project, env, "export", "train.ipynb", "-o", "train_export.py")
    commit(project, "train_export.py", "exported")
    before = set(store.search_run_ids())
    done = subprocess.run([sys.executable, "train_export.py", *flags()], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return Started(newest_run(store, before), INJECTED, "train_export.py", "script")


KINDS = {
    "script": kind_script,
    "attach": kind_attach,
    "dlops-run-notebook": kind_dlops_run_notebook,
    "dlops-run-script": kind_dlops_run_script,
    "sweep-papermill": kind_sweep_papermill,
    "sweep-script": kind_sweep_script,
    "sweep-dask": kind_sweep_dask,
    "interactive": kind_interactive,
    "track-kernel": kind_track_kernel,
    "exported-script": kind_exported_script,
}
