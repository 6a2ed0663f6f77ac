"""Keras 3 (torch backend) through ``dl.autolog()``: a tiny model, 2 epochs of 4 batches."""

from __future__ import annotations

import os

import pytest
from dl_readback import artifacts, only_run, params, steps

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported; tensorflow is not installed
pytest.importorskip("torch", reason="needs torch (pip install '.[dl]')")
keras = pytest.importorskip("keras", reason="needs keras (pip install '.[dl]')")
np = pytest.importorskip("numpy")

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def tiny_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    return model


def test_autolog_records_fit_arguments_metrics_summary_and_checkpoints(tmp_path, store):
    import jupyter_dlops as dl
    from jupyter_dlops.integrations.keras import DlopsCallback

    assert "keras" in dl.autolog(["keras"])
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"))
    with dl.start_run(name="keras", capture=False):
        history = tiny_model().fit(x, y, epochs=2, batch_size=4, validation_split=0.25,
                                   callbacks=[checkpoint], verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]
    run_id = only_run(store)
    recorded = params(store, run_id)
    assert {k: recorded[k] for k in ("fit/epochs", "fit/batch_size", "fit/validation_split",
                                     "optimizer", "loss", "model/class", "model/parameters")} == {
        "fit/epochs": 2, "fit/batch_size": 4, "fit/validation_split": 0.25, "optimizer": "SGD",
        "loss": "mse", "model/class": "Sequential", "model/parameters": 2 * 3 + 3 + 3 + 1}
    assert recorded["learning_rate"] == pytest.approx(0.05)
    assert steps(store, run_id, "loss") == [0, 1]
    assert steps(store, run_id, "val_loss") == [0, 1]
    # 12 training rows in batches of 4: 3 batches an epoch, 6 in all; sampled every 10th: none
    assert steps(store, run_id, "batch/loss") == []
    assert artifacts(store, run_id, "checkpoint") == ["checkpoints/keras/m-1.keras",
                                                       "checkpoints/keras/m-2.keras"]
    (summary,), = store.read("SELECT object_id FROM artifacts WHERE run_id = ? AND "
                             "path = 'model_summary.txt'", (run_id,))
    text = store.objects.read_bytes(summary).decode()
    assert "Trainable params: 13 " in text and text.count("Dense") == 2
    assert DlopsCallback().batch_every == 10


def test_batches_are_sampled_every_n(tmp_path, store):
    import jupyter_dlops as dl
    from jupyter_dlops.integrations.keras import DlopsCallback

    dl.autolog(["keras"], disable=True)  # the explicit callback alone
    x = np.ones((16, 2), dtype="float32")
    with dl.start_run(name="sampled", capture=False):
        tiny_model().fit(x, x[:, :1], epochs=2, batch_size=4, verbose=0,
                         callbacks=[DlopsCallback(batch_every=3)])
    run_id = only_run(store)
    assert steps(store, run_id, "batch/loss") == [3, 6]
    assert steps(store, run_id, "loss") == [0, 1]
