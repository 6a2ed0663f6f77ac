"""``dl.autolog()`` inside runs that a Dask worker starts (issue 18): a Lightning script swept
over two learning rates on a LocalCluster records each run's hyperparameters, per-step
metrics and checkpoints, as it does in-process."""

from __future__ import annotations

import pytest
from dl_readback import artifacts, params, steps

pytest.importorskip("torch", reason="needs torch (pip install '.[dl]')")
pytest.importorskip("lightning", reason="needs lightning (pip install '.[dl]')")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

SCRIPT = '''# %% tags=["parameters"]
lr = 0.05

# %%
import lightning as L
import torch

import jupyter_dlops as dl

dl.autolog(["lightning"])


class Tiny(L.LightningModule):
    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Linear(2, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


torch.manual_seed(0)
x = torch.randn(8, 2)
data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, x.sum(dim=1, keepdim=True)), batch_size=4)
checkpoint = L.pytorch.callbacks.ModelCheckpoint(dirpath=f"ckpt-{lr}", save_top_k=-1, filename="{epoch}")
trainer = L.Trainer(max_epochs=2, accelerator="cpu", devices=1, log_every_n_steps=1, enable_progress_bar=False,
                    enable_model_summary=False, callbacks=[checkpoint])
trainer.fit(Tiny(lr), data)
'''


def test_autolog_records_lightning_runs_started_by_dask_workers(tmp_path, store, monkeypatch):
    from jupyter_dlops.sweeps.api import sweep

    script = tmp_path / "fit.py"
    script.write_text(SCRIPT)
    monkeypatch.chdir(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        result = sweep(script, {"lr": [0.05, 0.1]}, executor="dask", scheduler=cluster.scheduler_address,
                       workers=2, engine="script")
    assert [r.status for r in result] == ["finished"] * 2, [r.error for r in result]
    by_lr = {params(store, r.run_id)["lr"]: r.run_id for r in result}
    assert sorted(by_lr) == [0.05, 0.1]
    for run_id in by_lr.values():
        assert params(store, run_id)["model/parameters"] == 3
        assert steps(store, run_id, "train_loss") == [0, 1, 2, 3]
        assert artifacts(store, run_id, "checkpoint") == [
            "checkpoints/lightning/epoch=0.ckpt", "checkpoints/lightning/epoch=1.ckpt"]
