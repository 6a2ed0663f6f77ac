"""Hugging Face ``Trainer`` through ``dl.autolog()``: a tiny BERT built from a config (no
download), 4 steps of 2 examples, a log every step and a checkpoint every 2 steps."""

from __future__ import annotations

import pytest
from dl_readback import artifacts, only_run, params, steps

torch = pytest.importorskip("torch", reason="needs torch (pip install '.[dl]')")
transformers = pytest.importorskip("transformers", reason="needs transformers (pip install '.[dl]')")

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::FutureWarning")]

SECRET = "hf_PlantedSecret0123456789abcdef"


def tiny_bert():
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=16, hidden_size=8, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=8,
                                     max_position_embeddings=8, num_labels=2)
    return transformers.BertForSequenceClassification(config)


def examples(n: int = 8) -> list[dict]:
    return [{"input_ids": torch.tensor([1, 2 + i % 5, 3]), "labels": torch.tensor(i % 2)}
            for i in range(n)]


def test_autolog_records_arguments_logs_and_checkpoints(tmp_path, store):
    import jupyter_dlops as dl

    assert "transformers" in dl.autolog(["transformers"])
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), max_steps=4, per_device_train_batch_size=2,
        learning_rate=0.01, logging_steps=1, save_steps=2, report_to="none", use_cpu=True,
        hub_token=SECRET, disable_tqdm=True, seed=3)
    with dl.start_run(name="hf", capture=False):
        trainer = transformers.Trainer(model=tiny_bert(), args=args, train_dataset=examples())
        trainer.train()
    assert sum(type(c).__name__ == "DlopsCallback" for c in trainer.callback_handler.callbacks) == 1
    run_id = only_run(store)
    recorded = params(store, run_id)
    assert {k: recorded[k] for k in ("learning_rate", "max_steps", "per_device_train_batch_size",
                                     "seed", "model/class")} == {
        "learning_rate": 0.01, "max_steps": 4, "per_device_train_batch_size": 2, "seed": 3,
        "model/class": "BertForSequenceClassification"}
    assert recorded["model/parameters"] == sum(p.numel() for p in trainer.model.parameters())
    assert not [k for k, v in recorded.items() if SECRET in str(v)]
    assert steps(store, run_id, "loss") == [1, 2, 3, 4]
    assert steps(store, run_id, "epoch") == [1, 2, 3, 4, 4]  # the final summary log repeats step 4
    assert steps(store, run_id, "train_runtime") == [4]
    saved = artifacts(store, run_id, "checkpoint")
    assert sorted({p.split("/")[2] for p in saved}) == ["checkpoint-2", "checkpoint-4"]
    assert "checkpoints/transformers/checkpoint-4/model.safetensors" in saved
