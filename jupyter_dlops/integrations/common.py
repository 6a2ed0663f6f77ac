"""What every integration shares: the run to log to, parameters made storable, checkpoints."""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import Any

SIMPLE = (bool, int, float, str, type(None))


def current_run() -> Any:
    """The active run, or a new one (attached under ``DLOPS_RUN_ID``, as ``dl.log_metric`` does).

    A run started here is finished by the exit hook, or by the notebook session's end."""
    from ..tracking.fluent import active_run, start_run

    return active_run() or start_run()


def storable(value: Any, depth: int = 0) -> Any:
    """A parameter value the store accepts: plain values as they are, enums by value, other
    objects (a loss function, a device) by their name, so a framework's arguments never refuse."""
    if isinstance(value, SIMPLE):
        return value
    if isinstance(value, enum.Enum):
        return storable(value.value, depth)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if depth < 3 and isinstance(value, (list, tuple)):
        return [storable(v, depth + 1) for v in value]
    if depth < 3 and isinstance(value, dict):
        return {str(k): storable(v, depth + 1) for k, v in value.items()}
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ in ("numpy", "torch"):
        try:
            return storable(item(), depth)
        except (TypeError, ValueError, RuntimeError):
            pass
    name = getattr(value, "__name__", None) or type(value).__name__
    return str(name)


def storable_params(params: dict[str, Any]) -> dict[str, Any]:
    return {str(k): storable(v) for k, v in params.items() if str(k)}


def numeric_metrics(logs: dict[str, Any] | None) -> dict[str, float]:
    """The numbers in a framework's log dict (tensors and NumPy scalars included)."""
    metrics: dict[str, float] = {}
    for key, value in (logs or {}).items():
        if type(value) is not float:  # the common case (Lightning hands over floats) stays cheap
            value = storable(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            metrics[str(key)] = float(value)
    return metrics


def log_checkpoint(run: Any, path: str | os.PathLike[str], framework: str) -> list:
    """Store a checkpoint file or folder as ``checkpoint`` artifacts of ``run`` (content-addressed:
    an unchanged file is one object however often it is saved)."""
    source = Path(path)
    if not str(path) or not source.exists():
        return []
    name = f"checkpoints/{framework}/{source.name}"
    stored = run.log_artifact(source, name=name, kind="checkpoint")
    if getattr(run, "client", None) is not None:  # versions of the run's one checkpoint model
        from ..registry import register

        register(run, source, checkpoint_model_name(run.run_id), framework)
    return stored


def checkpoint_model_name(run_id: str) -> str:
    """The model a run's checkpoints are versions of (``dlops models show`` gives the run)."""
    return f"checkpoints-{run_id[:12]}"


def log_text(run: Any, text: str, name: str) -> None:
    """Store ``text`` as an artifact of ``run`` (nothing under ``DLOPS_NO_TRACK``)."""
    client = getattr(run, "client", None)
    if client is not None:
        client.log_bytes(run.run_id, text.encode(), name)


def parameter_count(module: Any) -> tuple[int, int]:
    """(all, trainable) parameters of a torch module."""
    total = trainable = 0
    for parameter in module.parameters():
        count = parameter.numel()
        total += count
        trainable += count if parameter.requires_grad else 0
    return total, trainable
