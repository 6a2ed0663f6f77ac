"""Recording tracked cell executions: the library behind ``%%track`` and ``%dlops track-all``.

Works with any namespace dict, no IPython needed: ``begin`` before the cell runs, ``finish``
after. The per-cell cost is kept to an AST read of the cell (cached by source), a C-level
copy of the namespace and one identity pass over it, fingerprints of the written values only,
and one ``os.stat`` per file the cell opened; the database write happens in a background
thread (:mod:`.cellwriter`).
"""

from __future__ import annotations

import atexit
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import DlopsError
from ..store.objects import hash_bytes
from . import filewatch
from .cellwriter import CellWriter
from .datafiles import FileVersions
from .fingerprint import fingerprint, shallow
from .lineage import Definition, Lineage
from .names import CellNames, analyze
from .nsdiff import IPYTHON_NAMES, MISSING, NamespaceWatch, Snapshot

_MISSING = object()
NO_RESULT = _MISSING  # ``finish(result=NO_RESULT)``: the cell produced no value
OUTPUT_LIMIT = 2000


@dataclass
class CellOptions:
    """What ``%%track`` was asked to do for one cell."""

    name: str | None = None
    params: bool = False
    data: bool = True


class _Tee:
    """Forwards writes to a stream and keeps the first ``OUTPUT_LIMIT`` characters."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> Any:
        if self.size < OUTPUT_LIMIT and isinstance(text, str):
            self.parts.append(text[:OUTPUT_LIMIT - self.size])
            self.size += len(self.parts[-1])
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Execution:
    """One tracked cell while it runs."""

    raw: str
    body: str
    names: CellNames | None
    syntax_error: str | None
    options: CellOptions
    cell_id: str | None
    execution_count: int | None
    start: float
    t0: float
    snapshot: Snapshot
    present: frozenset[str]
    shallow_before: dict[str, tuple]
    steps_before: dict
    tees: tuple[_Tee, _Tee] | None = None
    saved_streams: tuple[Any, Any] | None = None
    record: dict[str, Any] = field(default_factory=dict)


class CellTracker:
    """Records tracked cells of one kernel into the active run's store."""

    def __init__(self, run: Any, *, notebook_path: str | None = None,
                 capture_output: bool = True) -> None:
        self.run = run
        self.capture_output = capture_output
        self.lineage = Lineage(notebook_path)
        self.writer = CellWriter(run.store)
        self.files = FileVersions(run.store)
        self.order = self._last_order(run)
        self.announced_pause = False
        self.watch = NamespaceWatch()
        self.notices: list[str] = []
        filewatch.install()
        filewatch.ignore_store(run.store)
        # Before the run is ended at exit (atexit runs last-registered first): nothing queued
        # is lost when the kernel shuts down.
        atexit.register(self.close)

    @staticmethod
    def _last_order(run: Any) -> int:
        row = run.store.read_one(
            "SELECT MAX(exec_order) FROM cell_execution WHERE run_id = ?", (run.run_id,))
        return int(row[0]) if row and row[0] is not None else 0

    def switch_run(self, run: Any) -> None:
        """Record into another run from now on (``%dlops new-run``)."""
        self.writer.flush()
        self.run = run
        self.order = self._last_order(run)
        self.files.forget_links()

    # -- one cell -------------------------------------------------------------------------
    def begin(self, raw: str, body: str, namespace: dict[str, Any], *,
              options: CellOptions | None = None, cell_id: str | None = None,
              execution_count: int | None = None) -> Execution:
        """Call right before the cell's code runs (``body``: plain Python source)."""
        names, syntax_error = _analyze(body)
        watched = names.used if names else frozenset()
        mentioned = (names.used | names.writes) if names else frozenset()
        execution = Execution(
            raw=raw, body=body, names=names, syntax_error=syntax_error,
            options=options or CellOptions(), cell_id=cell_id, execution_count=execution_count,
            start=time.time(), t0=0.0, snapshot=self.watch.snapshot(namespace, mentioned),
            present=frozenset(n for n in watched if n in namespace),
            shallow_before={n: shallow(namespace[n]) for n in watched if n in namespace},
            steps_before=dict(self.run.client._steps),
        )
        if self.capture_output:
            execution.saved_streams = (sys.stdout, sys.stderr)
            execution.tees = (_Tee(sys.stdout), _Tee(sys.stderr))
            sys.stdout, sys.stderr = execution.tees
        if execution.options.data:
            filewatch.start()
        execution.t0 = time.perf_counter()
        return execution

    def finish(self, execution: Execution, namespace: dict[str, Any], *,
               error: BaseException | None = None, result: Any = _MISSING) -> dict[str, Any]:
        """Call right after the cell ran (also when it raised); returns the record queued."""
        duration = time.perf_counter() - execution.t0
        opened = filewatch.stop() if execution.options.data else {}
        outputs = self._restore_streams(execution, result)
        self.order += 1
        reads, writes, deleted = self._diff(execution, namespace)
        record = self._base_record(execution, duration, reads, writes, deleted, error)
        record["fingerprints"] = {n: fingerprint(namespace[n]) for n in writes if n in namespace}
        record["outputs"] = outputs
        record["metrics"] = self._metrics(execution)
        record["params"] = self._params(execution, error)
        record["files"] = self._files(opened)
        record["stale"] = self.lineage.stale(reads)
        self._remember(execution, record, reads, writes, deleted)
        self.writer.add(record)
        self._announce(record)
        return record

    # -- pieces -----------------------------------------------------------------------------
    def _diff(self, execution: Execution, namespace: dict[str, Any]) -> tuple[list, list, list]:
        names = execution.names
        changed, deleted = self.watch.diff(execution.snapshot, namespace)
        if names is not None:
            # Bound or mutated by the AST even when the identity did not move (``x = 1`` twice).
            changed |= {n for n in names.defined | names.mutated
                        if n in namespace and not IPYTHON_NAMES.match(n)}
        before = execution.snapshot.values
        for name, signature in execution.shallow_before.items():
            # Read-only by the AST, yet grown or reshaped in place (``f(lst)`` appending).
            value = namespace.get(name, MISSING)
            if value is before.get(name) and shallow(value) != signature:
                changed.add(name)
        return sorted(execution.present), sorted(changed), sorted(deleted)

    def _base_record(self, execution: Execution, duration: float, reads: list, writes: list,
                     deleted: list, error: BaseException | None) -> dict[str, Any]:
        error_text = execution.syntax_error if error is None else _describe(error)
        return {
            "run_id": self.run.run_id, "exec_order": self.order,
            "execution_count": execution.execution_count, "cell_id": execution.cell_id,
            "cell_name": execution.options.name, "source": execution.raw,
            "start_time": execution.start, "duration": duration, "reads": reads,
            "writes": writes, "deleted": deleted, "error": error_text,
        }

    def _restore_streams(self, execution: Execution, result: Any) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        if execution.tees is not None and execution.saved_streams is not None:
            # Put the streams back unless the cell replaced them itself (then its choice stands).
            if sys.stdout is execution.tees[0]:
                sys.stdout = execution.saved_streams[0]
            if sys.stderr is execution.tees[1]:
                sys.stderr = execution.saved_streams[1]
            for key, tee in zip(("stdout", "stderr"), execution.tees, strict=True):
                if tee.size:
                    outputs[key] = tee.text()
        if result is not _MISSING and result is not None:
            outputs["result"] = fingerprint(result, limit=0)
        return outputs

    def _metrics(self, execution: Execution) -> dict[str, Any]:
        run_id, before = self.run.run_id, execution.steps_before
        return {key: [before.get((rid, key), 0), step - 1]
                for (rid, key), step in self.run.client._steps.items()
                if rid == run_id and not key.startswith("sys/") and before.get((rid, key)) != step}

    def _params(self, execution: Execution, error: BaseException | None) -> dict[str, Any]:
        if not execution.options.params or execution.names is None or error is not None:
            return {}
        params = execution.names.params
        if params:
            try:
                self.run.log_params(params)
            except DlopsError as problem:
                self.notices.append(f"parameters not recorded: {problem}")
        return params

    def _files(self, opened: dict[str, str]) -> list[dict[str, Any]]:
        if not opened:
            return []
        try:
            return self.files.record(self.run.run_id, opened)
        except DlopsError as problem:  # the store refused: keep the paths, version later
            self.writer.paused = self.writer.paused or problem.message
            return [{"path": p, "mode": m, "error": "store unavailable"} for p, m in opened.items()]

    def _remember(self, execution: Execution, record: dict[str, Any], reads: list,
                  writes: list, deleted: list) -> None:
        key = execution.options.name or execution.cell_id or "src:" + hash_bytes(
            execution.raw.encode("utf-8", "surrogatepass"))[:16]
        label = f"[{execution.execution_count or self.order}] " + (
            execution.options.name or _first_line(execution.body))
        definition = Definition(self.order, key, label, hash_bytes(
            execution.raw.encode("utf-8", "surrogatepass")), execution.start)
        self.lineage.record(definition, execution.raw, reads, writes, deleted)

    def _announce(self, record: dict[str, Any]) -> None:
        for item in record["stale"]:
            self.notices.append(
                f"stale: '{item['name']}' comes from cell {item['defined_by']}, "
                f"which was {' and '.join(item['reasons'])} since")
        if self.writer.paused and not self.announced_pause:
            self.announced_pause = True
            self.notices.append(
                f"tracking paused ({self.writer.paused}); the notebook keeps working and "
                "the records are kept until the store is writable again")
        elif not self.writer.paused and self.announced_pause:
            self.announced_pause = False
            self.notices.append("tracking resumed; the records kept meanwhile are saved")

    def take_notices(self) -> list[str]:
        """Messages for the user since the last call (stale names, pause, resume)."""
        notices, self.notices = self.notices, []
        return notices

    # -- state and lifetime -------------------------------------------------------------------
    def state(self, namespace: dict[str, Any]) -> list[dict[str, Any]]:
        """Per variable: defining cell execution and its flags (see :mod:`.lineage`)."""
        return self.lineage.state(namespace)

    def flush(self) -> bool:
        """Write every queued record now; False while the store refuses."""
        self.run.client.flush()
        return self.writer.flush()

    def close(self) -> None:
        """Stop watching files and write everything queued (idempotent)."""
        atexit.unregister(self.close)
        filewatch.stop()
        self.writer.close()


def _analyze(body: str) -> tuple[CellNames | None, str | None]:
    try:
        return analyze(body), None
    except SyntaxError as error:
        return None, _describe(error)
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return None, f"{type(error).__name__}: {error}"


def _describe(error: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception_only(type(error), error)).strip()[:2000]


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()[:40]
    return "(empty)"
