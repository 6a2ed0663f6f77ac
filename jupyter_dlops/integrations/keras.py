"""Keras 3: ``DlopsCallback``, a ``keras.callbacks.Callback``, and the autolog patch that adds it
to every ``Model.fit``.

Recorded: the ``fit`` arguments (epochs, batch_size...) and the compile settings (optimizer,
learning rate, loss) as parameters, the parameter count, the model summary (``model_summary.txt``),
per-epoch metrics (step = epoch), per-batch metrics sampled every ``batch_every`` batches under
``batch/`` (step = batches seen), and every file a ``ModelCheckpoint`` writes.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
from typing import Any

from . import hooks
from .common import (
    current_run,
    log_checkpoint,
    log_text,
    numeric_metrics,
    storable,
    storable_params,
)

FIT_ARGS = ("epochs", "batch_size", "validation_split", "shuffle", "initial_epoch",
            "steps_per_epoch", "validation_steps", "validation_freq", "class_weight")
_classes: dict[str, type] = {}


def callback_class() -> type:
    """The ``DlopsCallback`` class (imports keras)."""
    if "keras" not in _classes:
        keras = importlib.import_module("keras")
        _classes["keras"] = _make_class(keras.callbacks.Callback)
    return _classes["keras"]


def DlopsCallback(run: Any = None, *, batch_every: int = 10, fit_args: dict | None = None) -> Any:  # noqa: N802
    """A Keras callback recording to ``run`` (default: the active run, or a new one)."""
    return callback_class()(run, batch_every=batch_every, fit_args=fit_args)


def _make_class(base: type) -> type:
    class _DlopsCallback(base):  # type: ignore[misc, valid-type]
        def __init__(self, run: Any = None, *, batch_every: int = 10, fit_args: dict | None = None) -> None:
            super().__init__()
            self._run, self.batch_every, self.fit_args = run, max(1, int(batch_every)), fit_args or {}
            self.checkpoints: list[Any] = []
            self._seen: dict[str, tuple[int, int]] = {}
            self._batches = 0

        @property
        def run(self) -> Any:
            if self._run is None:
                self._run = current_run()
            return self._run

        def on_train_begin(self, logs: Any = None) -> None:
            self.run.log_params(_model_params(self.model, self.fit_args))
            log_text(self.run, _summary(self.model), "model_summary.txt")

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self._batches += 1
            if self._batches % self.batch_every == 0:
                metrics = {f"batch/{k}": v for k, v in numeric_metrics(logs).items()}
                self.run.log_metrics(metrics, step=self._batches)

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.run.log_metrics(numeric_metrics(logs), step=epoch)
            for checkpoint in self.checkpoints:
                self._log_checkpoint(checkpoint, epoch, logs or {})

        def on_train_end(self, logs: Any = None) -> None:
            self.run.flush()

        def _log_checkpoint(self, checkpoint: Any, epoch: int, logs: dict) -> None:
            try:
                path = checkpoint._get_file_path(epoch, None, logs)
            except (KeyError, AttributeError):
                return
            if not os.path.exists(path):
                return
            stat = os.stat(path)
            if self._seen.get(path) == (stat.st_mtime_ns, stat.st_size):
                return  # save_best_only and no better: nothing new was written
            self._seen[path] = (stat.st_mtime_ns, stat.st_size)
            log_checkpoint(self.run, path, "keras")

    _DlopsCallback.__name__ = _DlopsCallback.__qualname__ = "DlopsCallback"
    return _DlopsCallback


def _model_params(model: Any, fit_args: dict) -> dict[str, Any]:
    params: dict[str, Any] = {f"fit/{k}": v for k, v in fit_args.items() if k in FIT_ARGS}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        params["optimizer"] = type(optimizer).__name__
        rate = getattr(optimizer, "learning_rate", None)
        try:
            params["learning_rate"] = float(rate)  # a variable; a schedule keeps its name
        except (TypeError, ValueError):
            params["learning_rate"] = storable(rate)
    loss = getattr(model, "loss", None)
    if loss is not None:
        params["loss"] = storable(loss)
    params["model/class"] = type(model).__name__
    params["model/parameters"] = int(model.count_params())
    return storable_params(params)


def _summary(model: Any) -> str:
    lines: list[str] = []
    try:
        model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    except Exception as error:  # an unbuilt subclassed model has no summary yet
        return f"(no summary: {error})"
    return "\n".join(lines) + "\n"


def patch() -> None:
    """Wrap ``keras.Model.fit`` so every fit carries a ``DlopsCallback`` (once)."""
    keras = importlib.import_module("keras")
    model = keras.Model
    if getattr(model.fit, "_dlops", False):
        return
    original = model.fit
    signature = inspect.signature(original)

    @functools.wraps(original)
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if hooks.is_enabled("keras"):
            _add_callback(keras, signature, self, args, kwargs)
        return original(self, *args, **kwargs)

    fit._dlops = True  # type: ignore[attr-defined]
    model.fit = fit


def _add_callback(keras: Any, signature: Any, model: Any, args: tuple, kwargs: dict) -> None:
    try:
        bound = signature.bind_partial(model, *args, **kwargs).arguments
    except TypeError:
        bound = dict(kwargs)
    callbacks = list(kwargs.get("callbacks") or bound.get("callbacks") or [])
    if any(type(c).__name__ == "DlopsCallback" for c in callbacks):
        return
    fit_args = {k: v for k, v in bound.items() if k in FIT_ARGS}
    defaults = {k: p.default for k, p in signature.parameters.items() if k in FIT_ARGS}
    ours = DlopsCallback(fit_args={**defaults, **fit_args})
    ours.checkpoints = [c for c in callbacks if isinstance(c, keras.callbacks.ModelCheckpoint)]
    if "callbacks" not in kwargs and "callbacks" in bound:
        return  # callbacks passed positionally (after 7 others): leave that rare call alone
    kwargs["callbacks"] = [*callbacks, ours]
