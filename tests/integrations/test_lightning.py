"""PyTorch Lightning through ``dl.autolog()``: a tiny model trained 2 epochs of 4 batches."""

from __future__ import annotations

import pytest
from dl_readback import artifacts, only_run, params, steps, values

torch = pytest.importorskip("torch", reason="needs torch (pip install '.[dl]')")
L = pytest.importorskip("lightning", reason="needs lightning (pip install '.[dl]')")

pytestmark = [
    pytest.mark.slow,
    # Lightning's advice for real jobs (DataLoader workers, small logging interval) is not ours
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),  # lightning on torch 2.13: its pytree use
]


class Tiny(L.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 3) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Linear(hidden, 1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def loader():
    torch.manual_seed(0)
    x = torch.randn(16, 2)
    data = torch.utils.data.TensorDataset(x, x.sum(dim=1, keepdim=True))
    return torch.utils.data.DataLoader(data, batch_size=4)


def train(tmp_path, **trainer_args):
    checkpoint = L.pytorch.callbacks.ModelCheckpoint(dirpath=tmp_path / "ckpt", save_top_k=-1,
                                                     filename="{epoch}")
    trainer = L.Trainer(max_epochs=2, accelerator="cpu", devices=1, log_every_n_steps=1,
                        enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tmp_path, callbacks=[checkpoint], **trainer_args)
    trainer.fit(Tiny(), loader(), loader())
    return trainer


def test_autolog_records_hyperparameters_metrics_and_checkpoints(tmp_path, store):
    import jupyter_dlops as dl

    assert "lightning" in dl.autolog(["lightning"])
    with dl.start_run(name="lit", capture=False):
        trainer = train(tmp_path)
    assert [type(x).__name__ for x in trainer.loggers] == ["DlopsLogger"]
    run_id = only_run(store)
    recorded = params(store, run_id)
    assert {k: recorded[k] for k in ("lr", "hidden", "model/class", "model/parameters")} == \
        {"lr": 0.05, "hidden": 3, "model/class": "Tiny", "model/parameters": 2 * 3 + 3 + 3 + 1}
    assert steps(store, run_id, "train_loss") == list(range(8))
    assert steps(store, run_id, "val_loss") == [3, 7]
    assert values(store, run_id, "epoch")[:4] == [0.0, 0.0, 0.0, 0.0]
    assert artifacts(store, run_id, "checkpoint") == [
        "checkpoints/lightning/epoch=0.ckpt", "checkpoints/lightning/epoch=1.ckpt"]


def test_an_explicit_logger_list_gets_ours_added_and_false_is_respected(tmp_path, store):
    import jupyter_dlops as dl
    from jupyter_dlops.integrations.lightning import DlopsLogger

    dl.autolog(["lightning"])
    csv = L.pytorch.loggers.CSVLogger(tmp_path / "csv")
    with dl.start_run(name="two", capture=False) as run:
        trainer = L.Trainer(logger=[csv], max_epochs=1, enable_progress_bar=False)
        assert [type(x).__name__ for x in trainer.loggers] == ["CSVLogger", "DlopsLogger"]
        assert L.Trainer(logger=False).loggers == []
        explicit = DlopsLogger(run)
        assert L.Trainer(logger=explicit).loggers == [explicit]
