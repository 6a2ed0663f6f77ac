"""The digits example with Keras 3 on PyTorch, recorded by one line: ``dl.autolog()``.

    python train_keras.py --epochs 5 --lr 0.003 --hidden 64

Needs the ``dl`` extra (``pip install "jupyter-dlops[dl]"``); the data ships with scikit-learn.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # read once, when keras is imported

import jupyter_dlops as dl  # noqa: E402

dl.autolog()  # before Keras is imported: it is hooked the moment it is

import keras  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)
    digits = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(digits.data / 16.0, digits.target, test_size=0.25,
                                              random_state=args.seed, stratify=digits.target)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(args.hidden, activation="relu"),
                              keras.layers.Dropout(0.1), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(args.lr), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with dl.start_run(name="digits-keras", params={"hidden": args.hidden, "seed": args.seed}):
        os.makedirs("checkpoints", exist_ok=True)
        model.fit(x_tr, y_tr, epochs=args.epochs, batch_size=args.batch_size, verbose=0,
                  validation_data=(x_te, y_te),
                  callbacks=[keras.callbacks.ModelCheckpoint("checkpoints/digits-{epoch}.keras")])


if __name__ == "__main__":
    main()
