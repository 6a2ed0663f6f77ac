"""Where runs execute: a registry of executors (``local`` threads here, ``dask`` on a
``distributed`` cluster, more through the ``jupyter_dlops.executors`` entry point group).

An executor takes the tasks, runs them, reports ``("started", task)`` and
``("finished", outcome)`` events, and on Ctrl-C kills what is running (those runs end
``killed``), keeps what finished, and re-raises ``KeyboardInterrupt``. A worker that cannot
start or end a run (the store locked or read-only) stops the sweep the same way and its error
reaches the caller: a dead worker must never leave the collector waiting (issue 14).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from .task import Outcome, RunTask

Event = Callable[[str, Any], None]
INTERRUPTED = "interrupted (Ctrl-C)"
STOP_GRACE = 1.0  # seconds the workers get, after Ctrl-C, to store the output of killed runs
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
    cancel = options.get("cancel")
    if cancel is not None and cancel.is_set():  # stopped before its run was created
        return Outcome(task.run_id, "killed", "interrupted", INTERRUPTED, params=task.params)
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
        self.pool: Any = None
        self._ready: dict[str, Any] = {}  # run_id -> kernel future started by warm_up
        self._ready_lock = threading.Lock()

    def warm_up(self, tasks: list[RunTask]) -> None:
        """Start the kernels of the first runs now (each worker's first run and the one it
        pre-warms), so that they start while the sweep captures its environment."""
        from .kernels import KernelPool

        if not self.prewarm:
            return
        self.pool = self.pool or KernelPool()
        for task in [t for t in tasks if t.engine == "papermill"][:2 * self.workers]:
            self._ready[task.run_id] = self.pool.start_ahead(task.kernel_name, task.env(), task.cwd)

    def run(self, tasks: list[RunTask], on_event: Event) -> list[Outcome]:
        from .kernels import KernelPool

        self._todo: queue.Queue[RunTask] = queue.Queue()
        for task in tasks:
            self._todo.put(task)
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.cancel = threading.Event()
        self.pool = self.pool or KernelPool()
        threads = [threading.Thread(target=self._worker, name=f"dlops-worker-{i}", daemon=True)
                   for i in range(min(self.workers, len(tasks)))]
        for thread in threads:
            thread.start()
        stopping = False
        try:
            return self._collect(len(tasks), on_event)
        except BaseException as error:  # Ctrl-C, or a worker's error handed over by _collect
            stopping = True
            self._interrupt(tasks, threads, on_event, mark=isinstance(error, KeyboardInterrupt))
            raise
        finally:
            self._release_unused()
            self.pool.close(STOP_GRACE if stopping else 15.0)

    def _release_unused(self) -> None:
        """Shut down the warmed-up kernels no run took (Ctrl-C, a worker's error)."""
        with self._ready_lock:
            futures = list(self._ready.values())
            self._ready.clear()
        for future in futures:
            km = _kernel_or_none(future)
            if km is not None:
                self.pool.release(km)

    def _warm(self, task: RunTask) -> Any:
        """The kernel future ``warm_up`` started for ``task``, if any."""
        with self._ready_lock:
            return self._ready.pop(task.run_id, None)

    def _collect(self, total: int, on_event: Event) -> list[Outcome]:
        outcomes: list[Outcome] = []
        while len(outcomes) < total:
            try:
                kind, payload = self._events.get(timeout=0.2)
            except queue.Empty:
                continue
            if kind == "error":
                raise worker_error(payload)
            if kind == "finished":
                outcomes.append(payload)
            on_event(kind, payload)
        return outcomes

    def _interrupt(self, tasks: list[RunTask], threads: list[threading.Thread], on_event: Event, *,
                   mark: bool) -> None:
        """Stop within ``STOP_GRACE`` seconds, however loaded the machine: kill every kernel
        and process (those still starting too), mark the runs still running ``killed`` here,
        and give the workers only the grace to store what their runs printed."""
        from .engine_script import kill_all

        self.cancel.set()
        self.pool.kill_all()
        kill_all()
        if mark:
            _mark_killed(tasks)
        deadline = time.monotonic() + STOP_GRACE
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        while not self._events.empty():  # report the runs that ended while stopping
            kind, payload = self._events.get_nowait()
            if kind != "error":
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
        except BaseException as error:  # the collector re-raises it; the other workers stop
            self.cancel.set()
            self._events.put(("error", error))
        finally:
            close_thread_loop()

    def _work(self) -> None:
        ahead: tuple[RunTask, Any] | None = None
        while True:
            task, warm = ahead if ahead else (self._take(), None)
            ahead = None
            if task is None or self.cancel.is_set():
                break
            warm = warm or self._warm(task)
            if self.prewarm and task.engine == "papermill":
                following = self._take()
                if following is not None:
                    ahead = (following, self._warm(following) or self.pool.start_ahead(
                        following.kernel_name, following.env(), following.cwd))
            km = _kernel_or_none(warm)
            self._events.put(("started", task))
            outcome = execute_task(task, km=km, pool=self.pool, cancel=self.cancel) if task.engine == "papermill" \
                else execute_task(task, cancel=self.cancel)
            self._events.put(("finished", outcome))
        if ahead is not None and ahead[1] is not None:
            km = _kernel_or_none(ahead[1])
            if km is not None:
                self.pool.release(km)


def _mark_killed(tasks: list[RunTask]) -> None:
    """The runs of ``tasks`` still running end ``killed`` now, not when their worker gets to it."""
    from ..errors import StoreError
    from ..store import open_store

    if tasks:
        with contextlib.suppress(StoreError):  # a locked store: the workers or the stale-run sweep do it
            open_store(tasks[0].store_uri).kill_running([t.run_id for t in tasks], INTERRUPTED)


def worker_error(error: BaseException) -> BaseException:
    """What the caller sees of a worker's failure: a store or usage problem as it is (one line,
    its exit code); anything unforeseen as one line that names it."""
    from ..errors import DlopsError

    if isinstance(error, (DlopsError, KeyboardInterrupt)):
        return error
    text = " ".join(str(error).split())[:300]
    return DlopsError(f"a sweep worker failed: {type(error).__name__}: {text}; "
                      "the runs it did not finish are marked killed, run the command again to resume")


def _kernel_or_none(future: Any) -> Any:
    """A pre-warmed kernel, or None when it failed to start (the engine then starts one and
    reports the failure properly)."""
    if future is None:
        return None
    try:
        return future.result()
    except Exception:
        return None
