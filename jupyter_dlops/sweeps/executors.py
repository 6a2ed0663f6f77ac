"""Where runs execute: a registry of executors (``local`` threads here, ``dask`` on a
``distributed`` cluster, more through the ``jupyter_dlops.executors`` entry point group).

An executor takes the tasks, runs them, reports ``("started", task)`` and
``("finished", outcome)`` events, and on Ctrl-C kills what is running (those runs end
``killed``), keeps what finished, and re-raises ``KeyboardInterrupt``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from .task import Outcome, RunTask

Event = Callable[[str, Any], None]
BUILTIN = {
    "local": "jupyter_dlops.sweeps.executors:LocalExecutor",
    "dask": "jupyter_dlops.sweeps.dask_executor:DaskExecutor",
}


def executor_class(name: str) -> type:
    """The executor registered as ``name`` (built in, or from an entry point)."""
    import importlib
    from importlib.metadata import entry_points

    for ep in entry_points(group="jupyter_dlops.executors"):
        if ep.name == name:
            return ep.load()
    target = BUILTIN.get(name)
    if target is None:
        known = sorted(set(BUILTIN) | {ep.name for ep in entry_points(group="jupyter_dlops.executors")})
        raise UsageError(f"unknown executor '{name}'; choose one of {', '.join(known)}")
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def execute_task(task: RunTask, **options: Any) -> Outcome:
    """Run one task with its engine (also the function a Dask worker calls)."""
    if task.engine == "script":
        from .engine_script import run_script

        return run_script(task, **options)
    from .engine_papermill import run_papermill

    return run_papermill(task, **options)


class LocalExecutor:
    """``workers`` threads on this machine, each driving one kernel or process at a time.

    With ``prewarm`` (papermill engine), a worker starts the kernel of its next run while
    the current run works, so kernel start-up overlaps useful work.
    """

    def __init__(self, workers: int = 1, *, prewarm: bool = True, **_: Any) -> None:
        if workers < 1:
            raise UsageError("--workers must be at least 1")
        self.workers = workers
        self.prewarm = prewarm

    def run(self, tasks: list[RunTask], on_event: Event) -> list[Outcome]:
        from .kernels import KernelPool

        self._todo: queue.Queue[RunTask] = queue.Queue()
        for task in tasks:
            self._todo.put(task)
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.cancel = threading.Event()
        self.pool = KernelPool()
        threads = [threading.Thread(target=self._worker, name=f"dlops-worker-{i}", daemon=True)
                   for i in range(min(self.workers, len(tasks)))]
        for thread in threads:
            thread.start()
        try:
            return self._collect(len(tasks), on_event)
        except KeyboardInterrupt:
            self._interrupt(threads, on_event)
            raise
        finally:
            self.pool.close()

    def _collect(self, total: int, on_event: Event) -> list[Outcome]:
        outcomes: list[Outcome] = []
        while len(outcomes) < total:
            try:
                kind, payload = self._events.get(timeout=0.2)
            except queue.Empty:
                continue
            if kind == "finished":
                outcomes.append(payload)
            on_event(kind, payload)
        return outcomes

    def _interrupt(self, threads: list[threading.Thread], on_event: Event) -> None:
        from .engine_script import kill_all

        self.cancel.set()
        self.pool.kill_all()
        kill_all()
        for thread in threads:
            thread.join(timeout=30)
        while not self._events.empty():  # report the runs that ended while stopping
            kind, payload = self._events.get_nowait()
            on_event(kind, payload)

    def _take(self) -> RunTask | None:
        if self.cancel.is_set():
            return None
        try:
            return self._todo.get_nowait()
        except queue.Empty:
            return None

    def _worker(self) -> None:
        from .kernels import close_thread_loop

        try:
            self._work()
        finally:
            close_thread_loop()

    def _work(self) -> None:
        ahead: tuple[RunTask, Any] | None = None
        while True:
            task, warm = ahead if ahead else (self._take(), None)
            ahead = None
            if task is None or self.cancel.is_set():
                break
            if self.prewarm and task.engine == "papermill":
                following = self._take()
                if following is not None:
                    ahead = (following, self.pool.start_ahead(following.kernel_name, following.env(), following.cwd))
            km = _kernel_or_none(warm)
            self._events.put(("started", task))
            outcome = execute_task(task, km=km, pool=self.pool, cancel=self.cancel) if task.engine == "papermill" \
                else execute_task(task, cancel=self.cancel)
            self._events.put(("finished", outcome))
        if ahead is not None and ahead[1] is not None:
            km = _kernel_or_none(ahead[1])
            if km is not None:
                self.pool.release(km)


def _kernel_or_none(future: Any) -> Any:
    """A pre-warmed kernel, or None when it failed to start (the engine then starts one and
    reports the failure properly)."""
    if future is None:
        return None
    try:
        return future.result()
    except Exception:
        return None
