"""Hugging Face ``transformers``: ``DlopsCallback``, a ``TrainerCallback``, and the autolog patch
that adds it to every ``Trainer``. (The Trainer's ``report_to`` registry is a closed table in
``transformers.integrations``; a callback is its documented way in for others.)

Recorded: ``TrainingArguments`` as parameters (secret-named ones such as ``hub_token`` redacted
by the store's redaction), the parameter count, every ``logs`` dict as metrics at the trainer's
global step (``epoch`` included), and every ``checkpoint-N`` folder the Trainer saves.
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import Any

from . import hooks
from .common import current_run, log_checkpoint, numeric_metrics, parameter_count, storable_params

_classes: dict[str, type] = {}


def callback_class() -> type:
    """The ``DlopsCallback`` class (imports transformers)."""
    if "transformers" not in _classes:
        base = importlib.import_module("transformers").TrainerCallback
        _classes["transformers"] = _make_class(base)
    return _classes["transformers"]


def DlopsCallback(run: Any = None) -> Any:  # noqa: N802 (reads as a class)
    """A Trainer callback recording to ``run`` (default: the active run, or a new one)."""
    return callback_class()(run)


def _make_class(base: type) -> type:
    class _DlopsCallback(base):  # type: ignore[misc, valid-type]
        def __init__(self, run: Any = None) -> None:
            self._run = run

        @property
        def run(self) -> Any:
            if self._run is None:
                self._run = current_run()
            return self._run

        def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            if not state.is_world_process_zero:
                return
            params = storable_params(args.to_dict())
            if model is not None:
                total, trainable = parameter_count(model)
                params.update({"model/class": type(model).__name__, "model/parameters": total,
                               "model/trainable_parameters": trainable})
            self.run.log_params(params)

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                self.run.log_metrics(numeric_metrics(logs), step=state.global_step)

        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                folder = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
                log_checkpoint(self.run, folder, "transformers")

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.run.flush()

    _DlopsCallback.__name__ = _DlopsCallback.__qualname__ = "DlopsCallback"
    return _DlopsCallback


def patch() -> None:
    """Wrap ``transformers.Trainer.__init__`` so every Trainer carries a ``DlopsCallback`` (once)."""
    trainer = importlib.import_module("transformers").Trainer
    if getattr(trainer.__init__, "_dlops", False):
        return
    original = trainer.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if hooks.is_enabled("transformers"):
            cls = callback_class()
            if not any(isinstance(c, cls) for c in self.callback_handler.callbacks):
                self.add_callback(cls())

    __init__._dlops = True  # type: ignore[attr-defined]
    trainer.__init__ = __init__  # type: ignore[method-assign]
