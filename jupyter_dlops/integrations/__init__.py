"""Deep-learning framework integrations: ``dl.autolog()`` and ``dl.watch(model, optimizer)``.

Each integration is a thin module beside this one that imports its framework lazily. ``autolog``
never imports a framework itself: one the user already imported is patched at once, one not yet
imported is patched the moment the user imports it (a post-import hook, ``hooks.py``), so
``import jupyter_dlops`` and ``dl.autolog()`` stay cheap (tests/test_import_cost.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# name -> (top-level module the user imports, integration module, its patch function)
INTEGRATIONS: dict[str, tuple[str, str]] = {
    "lightning": ("lightning", "jupyter_dlops.integrations.lightning:patch_lightning"),
    "pytorch_lightning": ("pytorch_lightning", "jupyter_dlops.integrations.lightning:patch_pytorch_lightning"),
    "keras": ("keras", "jupyter_dlops.integrations.keras:patch"),
    "transformers": ("transformers", "jupyter_dlops.integrations.transformers:patch"),
}


def autolog(frameworks: list[str] | None = None, *, disable: bool = False) -> list[str]:
    """Record every training run of the supported frameworks with no other code.

    Parameters
    ----------
    frameworks
        Names from ``lightning``, ``pytorch_lightning``, ``keras``, ``transformers``; default all.
    disable
        Stop adding the integrations to new trainers (patches already made stay inert).

    Returns
    -------
    list of str
        The frameworks that are (or will be, on import) recorded.

    Raises
    ------
    UsageError
        For a framework name this version does not know.
    """
    from . import hooks

    names = list(INTEGRATIONS) if frameworks is None else list(frameworks)
    unknown = [n for n in names if n not in INTEGRATIONS]
    if unknown:
        from ..errors import UsageError

        raise UsageError(f"autolog: unknown framework {unknown[0]!r}; choose from {', '.join(INTEGRATIONS)}")
    hooks.set_enabled(names, not disable)
    enabled = []
    for name in names:
        module, target = INTEGRATIONS[name]
        if disable:
            continue
        if module in sys.modules:
            _call(target)
        elif importlib.util.find_spec(module) is not None:  # finds, does not import
            hooks.when_imported(module, lambda target=target: _call(target))
        else:
            continue
        enabled.append(name)
    return enabled


def _call(target: str) -> None:
    module_name, _, attribute = target.partition(":")
    getattr(importlib.import_module(module_name), attribute)()


def watch(model: Any, optimizer: Any = None, *, log_every: int = 1) -> Any:
    """Record a plain PyTorch loop: parameter count, optimizer and its learning rate per step.

    See ``jupyter_dlops.integrations.torch.watch``.
    """
    from .torch import watch as watch_torch

    return watch_torch(model, optimizer, log_every=log_every)
