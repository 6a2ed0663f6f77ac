"""The fluent API: ``with start_run(...) as run:`` and module-level ``log_*`` functions that
apply to the active run.

A run started while ``DLOPS_RUN_ID`` is set *attaches* to that run instead of creating one:
this is how papermill kernels and exported scripts launched by ``dlops run``/``sweep`` join
the run their launcher created. An exception escaping the ``with`` block marks the run
failed with the error; Ctrl-C (and SIGTERM) mark it killed.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import traceback
from typing import Any

from ..config import GIVEN_PARAMS_ENV, NO_TRACK_ENV, RUN_ID_ENV, STORE_ENV
from ..errors import NotFoundError, StoreError, UsageError
from .client import DlopsClient

_lock = threading.RLock()
_stack: list[ActiveRun] = []
_clients: dict[Any, DlopsClient] = {}


class ActiveRun:
    """A run this process is logging to (created here, or attached to)."""

    def __init__(self, client: DlopsClient, run_id: str, *, owned: bool, recorder=None,
                 given: frozenset[str] = frozenset()) -> None:
        self.client, self.run_id, self.owned, self.recorder = client, run_id, owned, recorder
        # Parameters the launcher injected: their recorded values are the effective ones.
        self.given = given
        self.ended = False
        self._previous_sigterm: Any = None

    @property
    def store(self):
        return self.client.store

    @property
    def info(self):
        self.client.flush()
        return self.client.get_run(self.run_id)

    def __repr__(self) -> str:
        return f"<ActiveRun {self.run_id[:12]}{'' if self.owned else ' (attached)'}>"

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.end("finished")
        elif issubclass(exc_type, (KeyboardInterrupt, SystemExit)) and not _is_clean_exit(exc):
            self.end("killed", error=_describe(exc_type, exc))
        elif issubclass(exc_type, SystemExit):
            self.end("finished")
        else:
            self.end("failed", error=_describe(exc_type, exc))
        return False

    # -- logging ------------------------------------------------------------------------
    def log_param(self, key: str, value: Any) -> None:
        self.client.log_param(self.run_id, key, value)

    def log_params(self, params: dict[str, Any]) -> None:
        """Record parameters; names the launcher injected keep the injected value (the
        parameters cell's defaults, recorded later by ``%%track --params``, lose)."""
        if self.given:
            params = {k: v for k, v in params.items() if k not in self.given}
            if not params:
                return
        self.client.log_params(self.run_id, params)

    def log_metric(self, key: str, value: Any, step: int | None = None) -> None:
        self.client.log_metric(self.run_id, key, value, step)

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        self.client.log_metrics(self.run_id, metrics, step)

    def log_artifact(self, path, name: str | None = None, kind: str = "artifact"):
        return self.client.log_artifact(self.run_id, path, name, kind)

    def set_tag(self, key: str, value: Any) -> None:
        self.client.set_tag(self.run_id, key, value)

    def set_tags(self, tags: dict[str, Any]) -> None:
        self.client.set_tags(self.run_id, tags)

    def flush(self) -> None:
        self.client.flush()

    # -- ending -------------------------------------------------------------------------
    def end(self, status: str = "finished", *, error: str | None = None,
            error_cell: str | None = None) -> None:
        with _lock:
            if self.ended:
                return
            self.ended = True
            if self in _stack:
                _stack.remove(self)
        self._restore_sigterm()
        buffer = self.client._buffer  # None until a metric is logged
        if buffer is not None:
            buffer.quiet = True
        try:
            if self.recorder is not None:
                self.recorder.finish()
            if self.owned or status in ("failed", "killed"):
                self.client.set_terminated(self.run_id, status, error=error, error_cell=error_cell)
            else:
                self.client.flush()
        except StoreError as cause:  # the server is down: end here, keep the rest (issue 14)
            from .spool import end_offline

            unsent = self.recorder.unsent if self.recorder is not None else None
            end_offline(self.client, self.run_id, status, error=error, error_cell=error_cell,
                        unsent=unsent, cause=cause)
        finally:
            if buffer is not None:
                buffer.quiet = False

    def _install_sigterm(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            self._previous_sigterm = signal.signal(signal.SIGTERM, _raise_terminated)

    def _restore_sigterm(self) -> None:
        if self._previous_sigterm is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None


class DisabledRun:
    """What ``start_run`` gives while ``DLOPS_NO_TRACK`` is set (an exported script run with
    ``--no-track``): every logging call records nothing, so "nothing recorded" holds for the
    notebook's own ``dl.*`` calls too (issue 15)."""

    run_id = ""
    owned = False
    ended = False
    disabled = True
    store = None
    given: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return "<DisabledRun (DLOPS_NO_TRACK: nothing is recorded)>"

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        return False

    def _nothing(self, *args: Any, **kwargs: Any) -> None:
        return None

    log_param = log_params = log_metric = log_metrics = set_tag = set_tags = _nothing
    flush = end = _nothing

    def log_artifact(self, *args: Any, **kwargs: Any) -> list:
        return []


def tracking_disabled() -> bool:
    """Whether ``DLOPS_NO_TRACK`` asks for nothing to be recorded."""
    return os.environ.get(NO_TRACK_ENV, "").strip() not in ("", "0")


class Terminated(SystemExit):
    """Raised in the main thread on SIGTERM, so the run is recorded as killed."""


def _raise_terminated(signum, frame) -> None:
    # SystemExit never reaches sys.excepthook: remember why, for the exit handler.
    _uncaught.append("terminated by SIGTERM")
    raise Terminated(128 + signum)


def _is_clean_exit(exc: BaseException | None) -> bool:
    return isinstance(exc, SystemExit) and not isinstance(exc, Terminated) and exc.code in (0, None)


def _describe(exc_type, exc) -> str:
    if exc_type is Terminated:
        return "terminated by SIGTERM"
    if issubclass(exc_type, KeyboardInterrupt):
        return "interrupted (KeyboardInterrupt)"
    return "".join(traceback.format_exception_only(exc_type, exc)).strip()


def client_for(store: Any = None) -> DlopsClient:
    """One client per store (a URI, a store object, or the default), so each store has one
    metric buffer, and every buffer is flushed by the exit hook."""
    if store is None or isinstance(store, str):
        key: Any = store or os.environ.get(STORE_ENV, "") or "__default__"
        target = None if key == "__default__" else key
    else:
        key, target = ("object", id(store)), store
    with _lock:
        if key not in _clients:
            _clients[key] = DlopsClient(target)
        return _clients[key]


def start_run(name: str | None = None, params: dict[str, Any] | None = None, *,
              experiment: str | None = None, tags: dict[str, Any] | None = None,
              kind: str | None = None, entry_point: str | None = None, run_id: str | None = None,
              nested: bool = False, capture: bool = True, store: Any = None,
              sweep_id: str | None = None, parent_id: str | None = None) -> ActiveRun:
    """Start a run (or attach to ``run_id`` / ``$DLOPS_RUN_ID``) and make it the active run.

    Parameters
    ----------
    name, params, experiment, tags
        What the run is called and what it is given; params are stored typed.
    kind
        ``script``, ``notebook``, ``papermill``, ``sweep``... (default: guessed).
    entry_point
        The file the run comes from (default: ``sys.argv[0]``).
    nested
        Allow starting a run while another one is active (it records ``parent_id``).
    capture
        Record code, environment, hardware, usage and logs automatically.
    """
    if tracking_disabled():
        return DisabledRun()  # type: ignore[return-value]
    with _lock:
        if _stack and not nested:
            raise UsageError(
                f"run {_stack[-1].run_id[:12]} is already active; end it with end_run() "
                "or pass nested=True"
            )
        client = client_for(store)
        attach_to = run_id or (os.environ.get(RUN_ID_ENV) if not _stack else None)
        if attach_to:
            active = _attach(client, attach_to, name, params, tags)
        else:
            active = _create(client, name, params, experiment, tags, kind, entry_point,
                             capture, sweep_id, parent_id or (_stack[-1].run_id if _stack else None))
        _stack.append(active)
        return active


def _attach(client, run_id, name, params, tags) -> ActiveRun:
    if not client.store.run_exists(run_id):
        raise NotFoundError(f"run {run_id} (from {RUN_ID_ENV} or run_id=) is not in the store {client.store.location}")
    active = ActiveRun(client, run_id, owned=False, given=_given_params(run_id))
    if params:
        active.log_params(params)
    if tags:
        client.set_tags(run_id, tags)
    _ensure_exit_hooks()  # metrics still buffered at exit must reach the store
    return active


def _given_params(run_id: str) -> frozenset[str]:
    """The names ``dlops run``/``sweep`` injected into the run this process attaches to."""
    import json

    raw = os.environ.get(GIVEN_PARAMS_ENV)
    if not raw or os.environ.get(RUN_ID_ENV) != run_id:
        return frozenset()
    try:
        names = json.loads(raw)
    except ValueError:
        return frozenset()
    return frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()


def _create(client, name, params, experiment, tags, kind, entry_point, capture, sweep_id, parent_id) -> ActiveRun:
    from .recorder import RunRecorder, in_ipython_kernel

    interactive = in_ipython_kernel()
    kind = kind or ("notebook" if interactive else "script")
    entry = entry_point or (sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c") and not interactive else None)
    run_id = client.create_run(name, params, experiment=experiment, kind=kind, tags=tags,
                               entry_point=entry, sweep_id=sweep_id, parent_id=parent_id)
    from .spool import replay

    replay(client)  # the store answers again: send what runs that ended offline kept
    recorder = None
    if capture:
        recorder = RunRecorder(client, run_id, entry_point=entry,
                               capture_logs=kind == "script" and not interactive)
    active = ActiveRun(client, run_id, owned=True, recorder=recorder)
    active._install_sigterm()
    _ensure_exit_hooks()
    return active


def active_run() -> ActiveRun | None:
    """The innermost active run, or None."""
    with _lock:
        return _stack[-1] if _stack else None


def end_run(status: str = "finished") -> None:
    run = active_run()
    if run is not None:
        run.end(status)


def _require() -> ActiveRun:
    """The active run; logging with none active starts one (attached under DLOPS_RUN_ID)."""
    return active_run() or start_run()


def log_param(key: str, value: Any) -> None:
    _require().log_param(key, value)


def log_params(params: dict[str, Any]) -> None:
    _require().log_params(params)


def log_metric(key: str, value: Any, step: int | None = None) -> None:
    _require().log_metric(key, value, step)


def log_metrics(metrics: dict[str, Any], step: int | None = None) -> None:
    _require().log_metrics(metrics, step)


def log_artifact(path, name: str | None = None, kind: str = "artifact"):
    return _require().log_artifact(path, name, kind)


def set_tag(key: str, value: Any) -> None:
    _require().set_tag(key, value)


def set_tags(tags: dict[str, Any]) -> None:
    _require().set_tags(tags)


# -- process exit -----------------------------------------------------------------------
_hooks_installed = False
_uncaught: list[str] = []


def _ensure_exit_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    previous = sys.excepthook

    def excepthook(exc_type, exc, tb):
        _uncaught.append(_describe(exc_type, exc))
        previous(exc_type, exc, tb)

    sys.excepthook = excepthook
    atexit.register(_end_all_at_exit)


def _end_all_at_exit() -> None:
    """Runs still open at interpreter exit: failed if an exception escaped, else finished."""
    while True:
        run = active_run()
        if run is None:
            break
        error = _uncaught[-1] if _uncaught else None
        try:
            if error and ("KeyboardInterrupt" in error or "SIGTERM" in error):
                run.end("killed", error=error)
            else:
                run.end("failed" if error else "finished", error=error)
        except Exception:  # the interpreter is going away; never hang or raise here
            break
    for client in list(_clients.values()):
        try:
            client.close()
        except Exception:
            pass
