"""PyTorch Lightning: ``DlopsLogger``, a Lightning ``Logger``, and the autolog patch that adds it
to every ``Trainer``. Works with both distributions, ``lightning`` and ``pytorch_lightning``.

Recorded: hyperparameters (``save_hyperparameters``), every logged metric with its step (the
trainer's global step) and ``epoch``, the parameter count, and every checkpoint that a
``ModelCheckpoint`` writes (``checkpoint`` artifacts, content-addressed).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from . import hooks
from .common import current_run, log_checkpoint, numeric_metrics, parameter_count, storable_params

_classes: dict[str, type] = {}


def logger_class(package: str = "lightning") -> type:
    """The ``DlopsLogger`` class for ``lightning`` or ``pytorch_lightning`` (imported here)."""
    if package not in _classes:
        base_module = "lightning.pytorch" if package == "lightning" else "pytorch_lightning"
        loggers = importlib.import_module(f"{base_module}.loggers")
        utilities = importlib.import_module(f"{base_module}.utilities")
        _classes[package] = _make_class(loggers.Logger, utilities.rank_zero_only, package)
    return _classes[package]


def DlopsLogger(run: Any = None, package: str = "lightning") -> Any:  # noqa: N802 (reads as a class)
    """A Lightning logger recording to ``run`` (default: the active run, or a new one)."""
    return logger_class(package)(run)


def _make_class(base: type, rank_zero_only: Any, package: str) -> type:
    class _DlopsLogger(base):  # type: ignore[misc, valid-type]
        def __init__(self, run: Any = None) -> None:
            super().__init__()
            self._run = run
            self._saved: set[str] = set()

        @property
        def run(self) -> Any:
            if self._run is None:
                self._run = current_run()
            return self._run

        @property
        def name(self) -> str:
            return "dlops"

        @property
        def version(self) -> str:
            return str(self.run.run_id)[:12]

        @rank_zero_only
        def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
            params = params if isinstance(params, dict) else vars(params)
            if params:
                self.run.log_params(storable_params(dict(params)))

        @rank_zero_only
        def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
            self.run.log_metrics(numeric_metrics(metrics), step=step)

        @rank_zero_only
        def log_graph(self, model: Any, input_array: Any = None) -> None:
            total, trainable = parameter_count(model)
            self.run.log_params({"model/class": type(model).__name__, "model/parameters": total,
                                 "model/trainable_parameters": trainable})

        @rank_zero_only
        def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
            path = getattr(checkpoint_callback, "_last_checkpoint_saved", "") or \
                getattr(checkpoint_callback, "last_model_path", "")
            if path:
                log_checkpoint(self.run, path, package)

        @rank_zero_only
        def finalize(self, status: str) -> None:
            self.run.flush()

    _DlopsLogger.__name__ = _DlopsLogger.__qualname__ = "DlopsLogger"
    return _DlopsLogger


def patch_lightning() -> None:
    _patch_trainer("lightning", importlib.import_module("lightning.pytorch").Trainer)


def patch_pytorch_lightning() -> None:
    _patch_trainer("pytorch_lightning", importlib.import_module("pytorch_lightning").Trainer)


def _patch_trainer(package: str, trainer: type) -> None:
    """Wrap ``Trainer.__init__`` so the trainer's loggers include ours (once)."""
    if getattr(trainer.__init__, "_dlops", False):
        return
    original = trainer.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if hooks.is_enabled(package):
            kwargs["logger"] = _with_ours(kwargs.get("logger", True), logger_class(package))
        original(self, *args, **kwargs)

    __init__._dlops = True  # type: ignore[attr-defined]
    trainer.__init__ = __init__  # type: ignore[method-assign]


def _with_ours(logger: Any, cls: type) -> Any:
    """The user's logger setting with a ``DlopsLogger`` added; ``logger=False`` is respected."""
    if logger is False:
        return False
    if logger is True or logger is None:
        return [cls()]  # ours replaces the default TensorBoard/CSV logger
    loggers = list(logger) if isinstance(logger, (list, tuple)) else [logger]
    if any(isinstance(item, cls) for item in loggers):
        return loggers
    return [*loggers, cls()]
