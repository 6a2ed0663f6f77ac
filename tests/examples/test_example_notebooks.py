"""The example notebooks, exported with ``dlops export`` and run as plain scripts.

Slow (real processes, scikit-learn and PyTorch imports). The iris example needs the
``examples`` extra; the digits example also needs PyTorch (the ``digits`` extra, CPU build).
``make test`` installs both (the ``test`` extra); elsewhere those tests skip with the reason.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def needs(*modules: str) -> pytest.MarkDecorator:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)} "
                              "(pip install '.[examples]', or '.[digits]' for torch)")


def export_and_run(example: str, tmp_path: Path, *flags: str) -> Path:
    """Copy an example into a folder whose path has a space, export it, run the script."""
    project = tmp_path / f"my {example}"
    shutil.copytree(EXAMPLES / example, project, ignore=shutil.ignore_patterns("data", "*.py[co]"))
    exported = subprocess.run([str(BIN / "dlops"), "export", "train.ipynb"], cwd=project,
                              capture_output=True, text=True, check=False)
    assert exported.returncode == 0, exported.stderr
    assert "hidden state" not in exported.stdout, exported.stdout
    helped = subprocess.run([sys.executable, "train.py", "--help"], cwd=project,
                            capture_output=True, text=True, check=False)
    assert helped.returncode == 0 and "--epochs" in helped.stdout, helped.stderr
    ran = subprocess.run([sys.executable, "train.py", *flags], cwd=project,
                         capture_output=True, text=True, check=False, timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    return project


def check_record(store, *, epochs: int, data_name: str, artifact: str, params: dict) -> None:
    (run_id, status), = store.read("SELECT run_id, status FROM runs")
    assert status == "finished"
    stored = dict(store.read("SELECT key, value FROM params WHERE run_id = ?", (run_id,)))
    assert {k: stored.get(k) for k in params} == params
    steps = [s for (s,) in store.read("SELECT step FROM metrics WHERE run_id = ? AND "
                                      "key = 'val_accuracy' ORDER BY step", (run_id,))]
    assert steps == list(range(epochs))
    (accuracy,), = store.read("SELECT last FROM metric_summaries WHERE run_id = ? AND "
                              "key = 'val_accuracy'", (run_id,))
    assert 0.0 <= accuracy <= 1.0
    names = [n for (n,) in store.read("SELECT v.name FROM data_run_link l JOIN data_version v "
                                      "ON v.version_id = l.version_id WHERE l.run_id = ?", (run_id,))]
    assert data_name in names
    paths = [p for (p,) in store.read("SELECT path FROM artifacts WHERE run_id = ?", (run_id,))]
    assert artifact in paths


@needs("sklearn", "pandas")
def test_iris_notebook_exports_and_runs_as_a_script(tmp_path, store):
    export_and_run("iris_sklearn", tmp_path, "--epochs", "3", "--learning-rate", "0.1")
    check_record(store, epochs=3, data_name="iris", artifact="model.pkl",
                 params={"epochs": 3, "learning_rate": 0.1, "alpha": 0.0001})


@needs("sklearn", "torch")
def test_digits_notebook_exports_and_runs_as_a_script(tmp_path, store):
    export_and_run("digits", tmp_path, "--epochs", "2", "--hidden", "16")
    check_record(store, epochs=2, data_name="digits", artifact="digits-mlp.pt",
                 params={"epochs": 2, "hidden": 16, "lr": 0.003})


@needs("sklearn", "pandas")
def test_iris_data_version_is_the_same_everywhere(tmp_path, store):
    """The exported split is deterministic: two folders give one data version id."""
    from jupyter_dlops import data

    sys.path.insert(0, str(EXAMPLES / "iris_sklearn"))
    try:
        from iris_data import export_splits
    finally:
        sys.path.remove(str(EXAMPLES / "iris_sklearn"))
    first = data.add(export_splits(tmp_path / "a"), store=store)["id"]
    second = data.add(export_splits(tmp_path / "b"), store=store)["id"]
    assert first == second


def _train_digits(project, script: str, store) -> str:
    """Run ``examples/digits/SCRIPT`` for 2 epochs in a folder of its own: the id of its one,
    finished run."""
    project.mkdir()
    shutil.copy(EXAMPLES / "digits" / script, project)
    ran = subprocess.run([sys.executable, script, "--epochs", "2", "--hidden", "16"],
                         cwd=project, capture_output=True, text=True, check=False, timeout=600)
    assert ran.returncode == 0, ran.stderr[-2000:]
    (run_id, status), = store.read("SELECT run_id, status FROM runs")
    assert status == "finished"
    return run_id


@needs("sklearn", "lightning")
def test_digits_with_lightning_is_recorded_by_autolog(tmp_path, store):
    run_id = _train_digits(tmp_path / "digits lightning", "train_lightning.py", store)
    stored = dict(store.read("SELECT key, value FROM params WHERE run_id = ?", (run_id,)))
    assert {k: stored[k] for k in ("epochs", "lr", "hidden", "dropout", "model/parameters")} == \
        {"epochs": 2, "lr": 0.003, "hidden": 16, "dropout": 0.1, "model/parameters": 64 * 16 + 16 + 16 * 10 + 10}
    # 1,347 training images in batches of 64: 22 steps an epoch; validation ends each epoch
    steps = [s for (s,) in store.read("SELECT step FROM metrics WHERE run_id = ? AND "
                                      "key = 'val_accuracy' ORDER BY step", (run_id,))]
    assert steps == [21, 43]
    paths = sorted(p for (p,) in store.read("SELECT path FROM artifacts WHERE run_id = ? AND "
                                            "kind = 'checkpoint'", (run_id,)))
    assert paths == ["checkpoints/lightning/epoch=0.ckpt", "checkpoints/lightning/epoch=1.ckpt"]


@needs("sklearn", "keras", "torch")
def test_digits_with_keras_is_recorded_by_autolog(tmp_path, store):
    run_id = _train_digits(tmp_path / "digits keras", "train_keras.py", store)
    stored = dict(store.read("SELECT key, value FROM params WHERE run_id = ?", (run_id,)))
    assert {k: stored[k] for k in ("hidden", "fit/epochs", "fit/batch_size", "optimizer",
                                   "loss", "model/parameters")} == {
        "hidden": 16, "fit/epochs": 2, "fit/batch_size": 64, "optimizer": "Adam",
        "loss": "SparseCategoricalCrossentropy", "model/parameters": 64 * 16 + 16 + 16 * 10 + 10}
    steps = [s for (s,) in store.read("SELECT step FROM metrics WHERE run_id = ? AND "
                                      "key = 'val_accuracy' ORDER BY step", (run_id,))]
    assert steps == [0, 1]
    # 1,347 images in batches of 64: 22 batches an epoch, 44 in all; sampled every 10th
    batch_steps = [s for (s,) in store.read("SELECT step FROM metrics WHERE run_id = ? AND "
                                            "key = 'batch/loss' ORDER BY step", (run_id,))]
    assert batch_steps == [10, 20, 30, 40]
    paths = sorted(p for (p,) in store.read("SELECT path FROM artifacts WHERE run_id = ? AND "
                                            "kind = 'checkpoint'", (run_id,)))
    assert paths == ["checkpoints/keras/digits-1.keras", "checkpoints/keras/digits-2.keras"]
