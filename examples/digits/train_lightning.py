"""The digits example with PyTorch Lightning, recorded by one line: ``dl.autolog()``.

    python train_lightning.py --epochs 5 --lr 0.003 --hidden 64

Needs the ``dl`` extra (``pip install "jupyter-dlops[dl]"``); the data ships with scikit-learn.
"""

from __future__ import annotations

import argparse
import warnings

import jupyter_dlops as dl

dl.autolog()  # before Lightning is imported: it is hooked the moment it is

import lightning as L  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from torch import nn  # noqa: E402


class DigitsMLP(L.LightningModule):
    def __init__(self, lr: float = 0.003, hidden: int = 64, dropout: float = 0.1) -> None:
        super().__init__()
        self.save_hyperparameters()  # recorded as the run's parameters
        self.net = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 10))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_accuracy", (logits.argmax(dim=1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def loaders(batch_size: int, seed: int):
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    data = torch.utils.data
    return (data.DataLoader(data.TensorDataset(x_tr, y_tr), batch_size=batch_size, shuffle=True),
            data.DataLoader(data.TensorDataset(x_te, y_te), batch_size=512))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    L.seed_everything(args.seed, verbose=False)
    train, test = loaders(args.batch_size, args.seed)
    with dl.start_run(name="digits-lightning", params={"epochs": args.epochs, "batch_size": args.batch_size}):
        checkpoint = L.pytorch.callbacks.ModelCheckpoint(dirpath="checkpoints", monitor="val_accuracy",
                                                         mode="max", save_top_k=-1, filename="{epoch}")
        trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, callbacks=[checkpoint],
                            enable_progress_bar=False, enable_model_summary=False)
        trainer.fit(DigitsMLP(args.lr, args.hidden), train, test)


if __name__ == "__main__":
    main()
