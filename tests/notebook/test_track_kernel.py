"""The extension in real kernels: papermill (attached to the launcher's run through
``DLOPS_RUN_ID``) and a kernel driven like JupyterLab drives it (cell ids in the metadata,
the notebook path in ``JPY_SESSION_NAME``)."""

from __future__ import annotations

import queue

import pytest
from nbtrack_helpers import cells, rows

pytestmark = pytest.mark.slow


def _notebook(path, sources):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s, id=f"cell-{i}") for i, s in enumerate(sources)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, path)


def test_papermill_kernel_records_cells_into_the_launchers_run(nb_store, tmp_path, monkeypatch):
    import papermill

    from jupyter_dlops.tracking.client import DlopsClient

    client = DlopsClient(str(nb_store))
    launcher = client.create_run("pm-run", kind="papermill")
    monkeypatch.setenv("DLOPS_RUN_ID", launcher)
    source = tmp_path / "train.ipynb"
    (tmp_path / "in.txt").write_text("hello")
    _notebook(source, [
        "%load_ext jupyter_dlops",
        "%%track --params\nlr = 0.1\nepochs = 2",
        "%%track --name train\nimport jupyter_dlops as dl\ntext = open('in.txt').read()\n"
        "for e in range(epochs):\n    dl.log_metric('acc', 0.5 + e * lr)\nresult = len(text)",
        "%dlops flush",
    ])
    papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), cwd=str(tmp_path),
                               kernel_name="python3", progress_bar=False)
    recorded = cells(nb_store)
    assert [c["run_id"] for c in recorded] == [launcher, launcher]
    assert recorded[0]["params"] == {"lr": 0.1, "epochs": 2}
    assert recorded[1]["cell_name"] == "train" and recorded[1]["reads"] == ["epochs", "lr"]
    assert recorded[1]["metrics"] == {"acc": [0, 1]}
    assert [f["path"].rsplit("/", 1)[-1] for f in recorded[1]["files"]] == ["in.txt"]
    # nbclient (papermill's executor) sends no cellId with its requests, unlike JupyterLab.
    assert [c["cell_id"] for c in recorded] == [None, None]
    assert rows(nb_store, "SELECT COUNT(*) FROM run") == [(1,)]
    assert dict(rows(nb_store, "SELECT key, json FROM param")) == {"lr": "0.1", "epochs": "2"}


class Kernel:
    """A kernel spoken to as JupyterLab does: execute requests carry the cell id."""

    def __init__(self, env, cwd):
        from jupyter_client.manager import start_new_kernel

        self.manager, self.client = start_new_kernel(kernel_name="python3", env=env, cwd=cwd)

    def execute(self, code: str, cell_id: str) -> dict:
        content = {"code": code, "silent": False, "store_history": True,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}
        msg = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id})
        self.client.shell_channel.send(msg)
        reply = self.client.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            reply = self.client.get_shell_msg(timeout=60)  # a late kernel_info reply
        stdout = []
        while True:
            try:
                out = self.client.get_iopub_msg(timeout=5)
            except queue.Empty:
                break
            if out["msg_type"] == "stream" and out["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                stdout.append(out["content"]["text"])
            if out["msg_type"] == "status" and out["content"]["execution_state"] == "idle" \
                    and out["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                break
        return {"status": reply["content"]["status"], "stdout": "".join(stdout)}

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)


def test_jupyterlab_style_kernel_names_the_run_and_flags_stale_reads(nb_store, tmp_path):
    import os

    notebook = tmp_path / "explore.ipynb"
    env = {**os.environ, "JPY_SESSION_NAME": str(notebook), "DLOPS_STORE": str(nb_store)}
    kernel = Kernel(env, str(tmp_path))
    try:
        assert "tracking into run" in kernel.execute("%load_ext jupyter_dlops", "c0")["stdout"]
        kernel.execute("%%track\ndata = [1, 2, 3]", "c1")
        assert kernel.execute("%%track\n1 / 0", "c2")["status"] == "error"
        kernel.execute("%%track\nrows = [4]", "c1")  # c1 edited: it no longer defines data
        out = kernel.execute("%%track\ntotal = sum(data)", "c3")["stdout"]
        assert "stale: 'data'" in out
        state = kernel.execute("%dlops state", "c4")["stdout"]
        assert any(line.split()[0] == "data" and line.endswith("edited") for line in state.splitlines()[1:])
        kernel.execute("%dlops flush", "c5")
    finally:
        kernel.close()
    (run_id,), = rows(nb_store, "SELECT run_id FROM run")
    assert rows(nb_store, "SELECT name, kind, entry_point FROM run") == [
        (f"explore-{run_id[:6]}", "notebook", str(notebook))]
    recorded = cells(nb_store)
    assert [c["cell_id"] for c in recorded] == ["c1", "c2", "c1", "c3"]
    assert [c["execution_count"] for c in recorded] == [2, 3, 4, 5]
    assert "ZeroDivisionError" in recorded[1]["error"]
    assert recorded[3]["stale"][0]["name"] == "data"
    assert rows(nb_store, "SELECT value FROM tags WHERE key = 'dlops.notebook'") == [(str(notebook),)]


def test_a_restarted_kernel_resumes_the_notebooks_run(nb_store, tmp_path):
    import os

    notebook = tmp_path / "resume.ipynb"
    env = {**os.environ, "JPY_SESSION_NAME": str(notebook), "DLOPS_STORE": str(nb_store)}
    kernel = Kernel(env, str(tmp_path))
    try:
        kernel.execute("%load_ext jupyter_dlops", "c0")
        kernel.execute("%%track\na = 1", "c1")
        kernel.manager.restart_kernel(now=False)
        kernel.client.wait_for_ready(timeout=60)
        kernel.execute("%load_ext jupyter_dlops", "c0")
        kernel.execute("%%track\nb = 2", "c2")
        kernel.execute("%dlops flush", "c3")
    finally:
        kernel.close()
    assert rows(nb_store, "SELECT COUNT(*) FROM run") == [(1,)]
    recorded = cells(nb_store)
    assert [(c["exec_order"], c["writes"]) for c in recorded] == [(1, ["a"]), (2, ["b"])]
    assert len({c["run_id"] for c in recorded}) == 1
