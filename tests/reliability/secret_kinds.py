"""Every kind of run, each handling the planted secrets (a plain module: tests/ is not a
package). ``Project`` holds what they share: the secrets, the child environment, and a git
repository with an uncommitted diff holding one of them."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from reliability_helpers import run_python

DLOPS = [sys.executable, "-c", "import sys; from jupyter_dlops.cli import main; sys.exit(main())"]

# What every run does with the secrets at run time: log them as params and tags, print them,
# pass them through errors. The child reads them from $PLANTED (popped at once).
USE_SECRETS = r'''
import ast, os, sys
import jupyter_dlops as dl
s = ast.literal_eval(os.environ.pop("PLANTED", None) or os.environ.get("PLANTED_COPY"))

def use(run):
    run.log_params({"api_key": s["param api_key"], "lr": 0.1,
                    "db_url": f"mysql://root:{s['password in a URL param']}@localhost/db",
                    "config": {"auth": {"token": s["nested param auth.token"]}, "layers": 3},
                    "credentials": [s["param credentials list"]]})
    run.set_tag("deploy_token", s["tag deploy_token"])
    run.set_tag("auth", s["tag auth"])
    run.log_metric("loss", 0.5)
    print("env secret:", os.environ["AWS_SECRET_ACCESS_KEY"], os.environ["DB_PASSWORD"])
    print("token:", s["printed GitHub token"], "jwt:", s["printed JWT"], "slack", s["printed Slack token"])
    print(f"export API_SECRET={s['printed shell-style API_SECRET=']}")
    print("stripe", s["printed Stripe key"], "aws", s["printed AWS key id"], file=sys.stderr)
    print(f"connecting to redis://:{s['printed URL password']}@cache:6379", file=sys.stderr)
    open("model.txt", "w").write("weights 1 2 3")
    run.log_artifact("model.txt")
'''

FAIL = r'''
    raise RuntimeError(f"login failed with password {os.environ['DB_PASSWORD']} and token={s['error token=']}")
'''


def code_literals(s: dict[str, str]) -> str:
    """Secrets hard-coded in the code itself: stored only through the entry snapshot."""
    return (f'openai_api_key = "{s["code: OpenAI key literal"]}"\n'
            f'HF = "{s["code: HF token literal"]}"\n'
            f'API_SECRET = "{s["code: API_SECRET = literal"]}"\n'
            f'settings = {{"password": "{s["code: password in a dict"]}"}}\n'
            f'PEM = """-----BEGIN RSA PRIVATE KEY-----\n{s["code: PEM private key body"]}\n'
            '-----END RSA PRIVATE KEY-----"""\n')


@dataclass
class Project:
    folder: Path
    env: dict[str, str]
    s: dict[str, str]

    def dlops(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([*DLOPS, *args], env=env or self.env, cwd=self.folder,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def notebook(self, name: str, *, session: bool = False) -> Path:
        """A parameterised notebook with secret literals, a saved output holding a token, and
        (``session``) ``%%track`` cells, one of them with ``--params``."""
        literals = nbformat.v4.new_code_cell(code_literals(self.s))
        literals.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text=f"saved {self.s['saved output: GitHub token']}\n")]
        cells = [nbformat.v4.new_code_cell("lr = 0.1\napi_key = ''", metadata={"tags": ["parameters"]}),
                 literals, nbformat.v4.new_code_cell(USE_SECRETS + "\nprint('key', api_key)")]
        if session:
            cells = [nbformat.v4.new_code_cell("%load_ext jupyter_dlops"), *cells,
                     nbformat.v4.new_code_cell(f"%%track --params\nsession_token = '{self.s['%%track --params value']}'"),
                     nbformat.v4.new_code_cell("%%track\nrun = dl.active_run() or dl.start_run()\nuse(run)")]
        else:
            cells.append(nbformat.v4.new_code_cell("use(dl.active_run() or dl.start_run())"))
        nb = nbformat.v4.new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, self.folder / name)
        return self.folder / name


def argv(s: dict[str, str]) -> list[str]:
    return [f"--password={s['argv --password=']}", "--token", s["argv --token VALUE"], "--lr", "0.1"]


def kind_script(p: Project) -> str:
    done = run_python(code_literals(p.s) + USE_SECRETS + "\nwith dl.start_run(name='secret-script') as run:\n"
                      "    use(run)" + FAIL, p.env, p.folder, *argv(p.s), check=False)
    assert done.returncode == 1 and "login failed" in done.stderr, done.stderr
    return "secret-script"


def kind_attach(p: Project) -> str:
    from jupyter_dlops.store import close_all, open_store
    from jupyter_dlops.tracking.client import DlopsClient

    run_id = DlopsClient(open_store(p.env["DLOPS_STORE"])).create_run(
        "secret-attach", params={"api_key": p.s["param api_key"]})
    close_all()
    done = run_python(code_literals(p.s) + USE_SECRETS + "\nwith dl.start_run() as run:\n    use(run)" + FAIL,
                      {**p.env, "DLOPS_RUN_ID": run_id}, p.folder, *argv(p.s), check=False)
    assert done.returncode == 1, done.stderr
    return "secret-attach"


def kind_papermill(p: Project) -> str:
    p.notebook("secret-pm.ipynb")
    run_python("import os, papermill as pm, jupyter_dlops as dl\n"
               "with dl.start_run(name='secret-papermill', kind='papermill') as run:\n"
               "    os.environ['DLOPS_RUN_ID'] = run.run_id\n"
               "    print('launcher sees', os.environ['GITHUB_TOKEN'])\n"
               "    pm.execute_notebook('secret-pm.ipynb', 'out.ipynb', kernel_name='python3', progress_bar=False)\n",
               p.env, p.folder, *argv(p.s), timeout=300)
    return "secret-papermill"


def kind_dlops_run(p: Project) -> None:
    p.dlops("run", str(p.notebook("secret-run.ipynb")), "-p", "api_key", p.s["dlops run -p api_key"])


def kind_sweep_papermill(p: Project) -> None:
    p.dlops("sweep", str(p.notebook("secret-sweep.ipynb")), "-p", "api_key", p.s["sweep api_key value 1"],
            p.s["sweep api_key value 2"], "-p", "lr", "0.1", "--workers", "2")


def kind_sweep_script(p: Project) -> None:
    p.dlops("sweep", str(p.notebook("secret-sweep-script.ipynb")), "--engine", "script", "-p", "api_key",
            p.s["script-engine sweep api_key 1"], p.s["script-engine sweep api_key 2"], "--workers", "2")


def kind_dask(p: Project) -> None:
    nb = p.notebook("secret-dask.ipynb")
    run_python("import distributed\nfrom jupyter_dlops.sweeps.api import sweep\n"
               "with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,\n"
               "                              dashboard_address=':0') as cluster:\n"
               f"    result = sweep({str(nb)!r}, {{'api_key': [{p.s['dask sweep api_key']!r}], 'lr': [0.1, 0.2]}},\n"
               "                   executor='dask', scheduler=cluster.scheduler_address, workers=2)\n"
               "assert all(r.status == 'finished' for r in result), [r.error for r in result]\n",
               p.env, p.folder, timeout=300)


def kind_notebook_session(p: Project) -> None:
    """``%%track`` in a kernel whose notebook path is known (JPY_SESSION_NAME, as
    jupyter_server sets it): the notebook itself is stored as the entry snapshot."""
    import papermill as pm

    nb = p.notebook("session.ipynb", session=True)
    old = dict(os.environ)
    os.environ.update({**p.env, "JPY_SESSION_NAME": str(nb), "PLANTED_COPY": p.env["PLANTED"]})
    try:
        pm.execute_notebook(str(nb), str(p.folder / "session-out.ipynb"), kernel_name="python3",
                            progress_bar=False, cwd=str(p.folder))
    finally:
        os.environ.clear()
        os.environ.update(old)


def kind_exported_script(p: Project) -> None:
    """``dlops export`` then ``python NB.py --api-key SECRET``: a secret flag of an exported script."""
    p.dlops("export", str(p.notebook("secret-export.ipynb")))
    done = subprocess.run([sys.executable, "secret-export.py", "--api-key", p.s["exported script --api-key"]],
                          env=p.env, cwd=p.folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


KINDS = [kind_script, kind_attach, kind_papermill, kind_dlops_run, kind_sweep_papermill,
         kind_sweep_script, kind_dask, kind_notebook_session, kind_exported_script]
