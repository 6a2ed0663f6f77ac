"""Plain PyTorch: ``watch(model, optimizer)`` for hand-written loops.

Records the parameter count and the optimizer (its class and settings) as parameters, and each
parameter group's learning rate after every ``optimizer.step()`` as the ``lr`` series (``lr/N``
for group N > 0), at step = steps taken. Metrics stay explicit (``dl.log_metric``).
"""

from __future__ import annotations

from typing import Any

from .common import current_run, parameter_count, storable_params


def watch(model: Any, optimizer: Any = None, *, log_every: int = 1, run: Any = None) -> Any:
    """Record ``model``'s size and ``optimizer``'s learning rate per step.

    Parameters
    ----------
    model
        A ``torch.nn.Module``.
    optimizer
        A ``torch.optim.Optimizer``; its rate is read after each ``step()`` (so a scheduler's
        changes show). None records the model only.
    log_every
        Record the rate every N steps.
    run
        The run to record to (default: the active run, or a new one).

    Returns
    -------
    The hook handle (``handle.remove()`` stops the recording), or None without an optimizer.
    """
    run = run or current_run()
    total, trainable = parameter_count(model)
    params: dict[str, Any] = {"model/class": type(model).__name__, "model/parameters": total,
                              "model/trainable_parameters": trainable}
    if optimizer is None:
        run.log_params(params)
        return None
    params["optimizer"] = type(optimizer).__name__
    params.update({f"optimizer/{k}": v for k, v in optimizer.defaults.items()})
    run.log_params(storable_params(params))
    every = max(1, int(log_every))
    steps = [0]

    def record(opt: Any, args: Any, kwargs: Any) -> None:
        steps[0] += 1
        if steps[0] % every == 0:
            rates = {("lr" if i == 0 else f"lr/{i}"): float(group["lr"])
                     for i, group in enumerate(opt.param_groups)}
            run.log_metrics(rates, step=steps[0])

    return optimizer.register_step_post_hook(record)
