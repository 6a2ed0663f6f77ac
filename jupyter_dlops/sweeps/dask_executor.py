"""Runs as Dask tasks on a ``distributed`` cluster: one task per run, each worker writing to
the shared store named by the task (``DLOPS_STORE``). Without ``--scheduler`` a
``LocalCluster`` of threads is started here (the kernels are processes anyway)."""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from .executors import Event, execute_task
from .task import Outcome, RunTask

CONNECT_TIMEOUT = 5.0


def _require_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError("--executor dask needs dask.distributed: pip install 'jupyter-dlops[dask]'") from None
    return distributed


def connect(scheduler: str | None, workers: int, timeout: float = CONNECT_TIMEOUT) -> tuple[Any, Any]:
    """A client for ``scheduler`` (or a new LocalCluster); a silent scheduler is a clear
    error within ``timeout`` seconds."""
    distributed = _require_distributed()
    if not scheduler:
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                                           dashboard_address=":0")
        return distributed.Client(cluster), cluster
    try:
        return distributed.Client(scheduler, timeout=f"{timeout}s"), None
    except (OSError, TimeoutError, ValueError) as error:
        raise UsageError(
            f"the Dask scheduler at {scheduler} did not answer within {timeout:g} s "
            f"({type(error).__name__}); check the address (e.g. tcp://host:8786) and that "
            "`dask scheduler` is running there"
        ) from None


def _run_remote(task: RunTask) -> Outcome:
    from .shipping import landed

    with landed(task) as local:
        return execute_task(local)


class DaskExecutor:
    """Each run is a Dask task; ``workers`` sizes the LocalCluster when no scheduler is given."""

    def __init__(self, workers: int = 1, *, scheduler: str | None = None, client: Any = None, **_: Any) -> None:
        if workers < 1:
            raise UsageError("--workers must be at least 1")
        self.workers = workers
        self.scheduler = scheduler
        self.client = client
        self._owned: tuple[Any, Any] | None = None
        _require_distributed()

    def connect(self) -> None:
        """Connect now (before the sweep touches the store), so a silent scheduler changes nothing."""
        if self.client is None and self._owned is None:
            self._owned = connect(self.scheduler, self.workers)

    def run(self, tasks: list[RunTask], on_event: Event) -> list[Outcome]:
        self.connect()
        client = self.client if self.client is not None else self._owned[0]  # type: ignore[index]
        try:
            return self._run(client, tasks, on_event)
        finally:
            if self._owned is not None:
                owned_client, cluster = self._owned
                self._owned = None
                owned_client.close()
                if cluster is not None:
                    cluster.close()

    def _run(self, client: Any, tasks: list[RunTask], on_event: Event) -> list[Outcome]:
        from distributed import as_completed

        from .shipping import ship

        tasks = ship(tasks)
        futures = {client.submit(_run_remote, task, key=f"dlops-run-{task.run_id}", pure=False): task
                   for task in tasks}
        for task in tasks[: self.workers]:
            on_event("started", task)
        outcomes: list[Outcome] = []
        started = min(self.workers, len(tasks))
        try:
            for future in as_completed(futures):
                outcome = _result(future, futures[future])
                outcomes.append(outcome)
                on_event("finished", outcome)
                if started < len(tasks):
                    on_event("started", tasks[started])
                    started += 1
        except KeyboardInterrupt:
            from .engine_script import kill_all
            from .kernels import kill_everything

            client.cancel(list(futures))
            kill_everything()  # kernels started by in-process (LocalCluster) workers
            kill_all()
            _mark_killed(tasks, outcomes)
            raise
        return outcomes


def _result(future: Any, task: RunTask) -> Outcome:
    try:
        return future.result()
    except Exception as error:  # the worker itself failed (lost, out of memory...)
        from .runlife import client_for

        text = f"the Dask task failed: {type(error).__name__}: {error}"[:500]
        client = client_for(task.store_uri)
        if client.store.run_exists(task.run_id):
            client.set_terminated(task.run_id, "failed", error=text)
        return Outcome(task.run_id, "failed", "kernel_died", text, params=task.params)


def _mark_killed(tasks: list[RunTask], done: list[Outcome]) -> None:
    """Ctrl-C: runs a worker had started and not finished are marked killed."""
    from .runlife import client_for

    finished = {o.run_id for o in done}
    for task in tasks:
        if task.run_id in finished:
            continue
        client = client_for(task.store_uri)
        rows = client.store.read("SELECT status FROM run WHERE run_id = ?", (task.run_id,))
        if rows and rows[0][0] == "running":
            client.set_terminated(task.run_id, "killed", error="interrupted (Ctrl-C)")
