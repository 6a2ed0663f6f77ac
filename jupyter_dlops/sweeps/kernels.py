"""Kernels for papermill runs: started on the IPC transport, optionally ahead of time.

Two kernels started at once on TCP can pick the same free port (jupyter_client #487,
papermill #511); Unix-domain sockets named after a fresh id cannot collide, so every kernel
here uses ``transport="ipc"``. ``Prewarmer`` starts the *next* run's kernel in a thread while
the current run works, which hides the ~0.75 s start behind useful work; shutdowns happen in
the background too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
import uuid
import weakref
from concurrent.futures import Future
from typing import Any

FLUSH_CODE = (
    "import sys as _dlops_sys\n"
    "_dlops_f = _dlops_sys.modules.get('jupyter_dlops.tracking.fluent')\n"
    "_dlops_r = _dlops_f.active_run() if _dlops_f is not None else None\n"
    "_dlops_r.flush() if _dlops_r is not None else None\n"
)


def _ipc_dir() -> str:
    # Unix socket paths are limited to ~107 bytes: keep them short, under the temp folder.
    folder = os.path.join(tempfile.gettempdir(), f"dlops-ipc-{os.getuid()}")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def new_kernel(kernel_name: str | None) -> Any:
    """An ``AsyncKernelManager`` on the IPC transport, not started yet."""
    from jupyter_client.manager import AsyncKernelManager

    tag = uuid.uuid4().hex[:16]
    folder = _ipc_dir()
    return AsyncKernelManager(
        kernel_name=kernel_name or "python3", transport="ipc",
        ip=os.path.join(folder, tag), connection_file=os.path.join(folder, f"{tag}.json"),
    )


def start_kernel(kernel_name: str | None, env: dict[str, str], cwd: str | None, km: Any = None) -> Any:
    """A started ``AsyncKernelManager`` (IPC transport) with ``env`` as its environment."""
    from jupyter_core.utils import run_sync

    km = km or new_kernel(kernel_name)
    run_sync(km.start_kernel)(env=env, cwd=cwd or os.getcwd())
    return km


def flush_tracking(km: Any, timeout: float = 5.0) -> None:
    """Ask the kernel to commit its buffered metrics (an attached run does not at exit)."""
    from jupyter_client.blocking import BlockingKernelClient

    kc = BlockingKernelClient()
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels()
    try:
        kc.execute_interactive(FLUSH_CODE, timeout=timeout, store_history=False,
                               output_hook=lambda msg: None)
    except Exception:  # a busy or dead kernel: its metrics are what they are
        pass
    finally:
        kc.stop_channels()


def wait_ready(km: Any, timeout: float = 60.0) -> bool:
    """Whether the kernel answers a kernel_info request within ``timeout`` seconds.

    Liveness is the kernel's process, not the heartbeat: on a loaded machine the heartbeat
    of a kernel still importing misses its 1 s deadline and reads as dead."""
    import queue
    import time

    from jupyter_client.blocking import BlockingKernelClient

    kc = BlockingKernelClient()
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg_id = kc.kernel_info()
            try:
                while True:
                    reply = kc.get_shell_msg(timeout=1.0)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        return True
            except queue.Empty:
                process = getattr(km.provisioner, "process", None)
                if process is not None and process.poll() is not None:
                    return False
        return False
    finally:
        kc.stop_channels()


def close_thread_loop() -> None:
    """Close the event loop jupyter_core's ``run_sync`` made for this thread (it never does,
    and an unclosed loop is a ResourceWarning when the thread's objects are collected)."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running() and not loop.is_closed():
        loop.close()


def kill_kernel(km: Any) -> None:
    """Kill a kernel's whole process group at once (used on Ctrl-C, from any thread)."""
    provisioner = getattr(km, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    if not pid:
        return
    with contextlib.suppress(OSError):  # already gone, or not ours any more
        os.killpg(os.getpgid(pid), signal.SIGKILL)


def shutdown(km: Any) -> None:
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=False)
    except Exception:
        kill_kernel(km)
        _cleanup(km)


def _cleanup(km: Any) -> None:
    """Remove a dead kernel's connection file and sockets."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        run_sync(km.cleanup_resources)()


class KernelStartStopped(RuntimeError):
    """A kernel finished starting after the sweep was interrupted; it was killed at once."""


_pools: weakref.WeakSet = weakref.WeakSet()


def kill_everything() -> None:
    """Kill every kernel any pool of this process started (Ctrl-C under Dask threads)."""
    for pool in list(_pools):
        pool.kill_all()


class KernelPool:
    """Starts kernels (now or ahead of time) and shuts them down in the background."""

    def __init__(self) -> None:
        _pools.add(self)
        self.live: set[Any] = set()
        self.stopped = False
        self._lock = threading.Lock()
        self._closing: list[threading.Thread] = []

    def start(self, kernel_name: str | None, env: dict[str, str], cwd: str | None) -> Any:
        """A started kernel; after :meth:`kill_all`, the kernel is killed and this raises.

        A kernel is in ``live`` from before its process is launched, so that Ctrl-C kills it
        even while it starts: when it was added only once started, a kernel starting at the
        moment of Ctrl-C ran its whole run afterwards (the flaky Ctrl-C test of issue 14)."""
        km = new_kernel(kernel_name)
        with self._lock:
            if self.stopped:
                raise KernelStartStopped("the sweep was interrupted before this kernel started")
            self.live.add(km)
        try:
            start_kernel(kernel_name, env, cwd, km)
        except BaseException:
            with self._lock:
                self.live.discard(km)
            raise
        with self._lock:
            stopped = self.stopped
        if stopped:  # killed while it started, or launched just after kill_all looked
            kill_kernel(km)
            _cleanup(km)
            raise KernelStartStopped("the sweep was interrupted while this kernel started")
        return km

    def start_ahead(self, kernel_name: str | None, env: dict[str, str], cwd: str | None) -> Future:
        future: Future = Future()

        def work() -> None:
            try:
                future.set_result(self.start(kernel_name, env, cwd))
            except BaseException as error:  # handed to whoever takes the kernel
                future.set_exception(error)
            finally:
                close_thread_loop()

        threading.Thread(target=work, name="dlops-prewarm", daemon=True).start()
        return future

    def release(self, km: Any) -> None:
        """Shut ``km`` down in the background (graceful, then killed)."""
        def work() -> None:
            try:
                shutdown(km)
            finally:
                close_thread_loop()
            with self._lock:
                self.live.discard(km)

        thread = threading.Thread(target=work, name="dlops-shutdown", daemon=True)
        thread.start()
        with self._lock:
            self._closing.append(thread)

    def kill_all(self) -> None:
        """Ctrl-C: kill every live kernel, and every kernel that finishes starting later."""
        with self._lock:
            self.stopped = True
            kms = list(self.live)
        for km in kms:
            kill_kernel(km)

    def close(self, timeout: float = 15.0) -> None:
        """Wait for the background shutdowns, ``timeout`` seconds in all."""
        import time

        deadline = time.monotonic() + timeout
        for thread in list(self._closing):
            thread.join(max(0.0, deadline - time.monotonic()))
