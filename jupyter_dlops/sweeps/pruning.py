"""Pruning for ``dlops sweep --search --prune``, through the store so that it works the same
for both engines, for parallel workers and on Dask.

The search process watches the objective's series of each running trial (:class:`PruneMonitor`),
reports new steps to Optuna and, when the pruner says so, marks the run ``pruned`` in one
conditional UPDATE. The process that owns the kernel or script (:class:`PruneWatch`, wherever
it runs) sees that status and kills the kernel or script; the run keeps status ``pruned``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Any

POLL = 0.25  # seconds between two looks at the store: a pruned run stops within about this much
PRUNED_STEP_TAG = "sweep.pruned_step"


def make_pruner(name: str | None) -> Any:
    import optuna

    if name is None:
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner()
    return optuna.pruners.HyperbandPruner()


class _Poller:
    """A daemon thread that calls :meth:`tick` every ``poll`` seconds inside a ``with`` block;
    ``tick`` returns True when there is nothing more to watch."""

    def __init__(self, name: str, poll: float) -> None:
        self.poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.poll):
            if self.tick():
                return

    def tick(self) -> bool:
        raise NotImplementedError


class PruneMonitor(_Poller):
    """A thread that reports the objective's intermediate values of running trials to Optuna."""

    def __init__(self, store: Any, metric: str, trials: dict[str, Any], *, poll: float = POLL) -> None:
        super().__init__("dlops-prune-monitor", poll)
        self.store, self.metric, self.trials = store, metric, trials
        self.reported: dict[str, int] = {}
        self.pruned: dict[str, int] = {}

    def tick(self) -> bool:
        for run_id, trial in list(self.trials.items()):
            if run_id not in self.pruned:
                with contextlib.suppress(Exception):  # a busy store: look again next time
                    self.check(run_id, trial)
        return False

    def check(self, run_id: str, trial: Any) -> bool:
        """Report the steps not reported yet; prune the run when the pruner says so."""
        series = self.store.metric_series(run_id, self.metric).get(self.metric, [])
        last = self.reported.get(run_id, -1)
        fresh = [(step, value) for step, value, _ in series if step > last and _finite(value)]
        for step, value in fresh:
            trial.report(float(value), step)
            self.reported[run_id] = step
        if fresh and trial.should_prune():
            step = self.reported[run_id]
            if self.store.prune_running(run_id, step):
                self.store.set_tags(run_id, {PRUNED_STEP_TAG: step})
                self.pruned[run_id] = step
                return True
        return False


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and value == value and abs(value) != float("inf")


class PruneWatch(_Poller):
    """In the process that owns the kernel or script: kill it once its run is marked pruned."""

    def __init__(self, store: Any, run_id: str, pid: int, *, poll: float = POLL) -> None:
        super().__init__("dlops-prune-watch", poll)
        self.store, self.run_id, self.pid = store, run_id, pid

    def tick(self) -> bool:
        try:
            status = self.store.run_status(self.run_id)
        except Exception:  # a busy store: look again next time
            return False
        if status == "pruned":
            kill_tree(self.pid)
            return True
        return False


def kill_tree(pid: int) -> None:
    """Kill ``pid``'s process group when it leads one (a script), else the process (a kernel)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
            return
        os.kill(pid, signal.SIGKILL)
