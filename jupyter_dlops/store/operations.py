"""What a store does with runs: written once against :class:`~.base.SQLBackend`, so every
backend (SQLite, PostgreSQL) shares it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from typing import Any

from .. import values
from ..errors import AmbiguousError, NotFoundError, StoreError, UsageError
from ..models import RUN_COLUMNS, RUN_STATUSES, Artifact, MetricSummary, Run
from .metric_ops import MetricOperations
from .series import metric_number

CHUNK = 500
STALE_HEARTBEAT_SECONDS = 120.0


class StoreOperations(MetricOperations):
    # -- runs ---------------------------------------------------------------------------
    def create_run(self, run: Run) -> None:
        columns = [c for c in RUN_COLUMNS if getattr(run, c) is not None]
        marks = ", ".join("?" for _ in columns)
        with self.write() as cursor:
            cursor.execute(
                f"INSERT INTO run ({', '.join(columns)}) VALUES ({marks})",
                [getattr(run, c) for c in columns],
            )

    def update_run(self, run_id: str, **fields: Any) -> None:
        unknown = set(fields) - set(RUN_COLUMNS)
        if unknown:
            raise UsageError(f"unknown run fields {sorted(unknown)}")
        if "status" in fields and fields["status"] not in RUN_STATUSES:
            raise UsageError(f"status must be one of {', '.join(RUN_STATUSES)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.write() as cursor:
            cursor.execute(
                f"UPDATE run SET {assignments} WHERE run_id = ?", [*fields.values(), run_id]
            )

    def heartbeat(self, run_id: str, when: float | None = None) -> None:
        # The wall clock may step backwards (NTP, a VM resumed): never beat before the start,
        # so that durations computed from the heartbeat stay >= 0.
        with self.write() as cursor:
            cursor.execute(
                f"UPDATE run SET heartbeat = {self._greatest()}(?, start_time) "
                "WHERE run_id = ? AND status = 'running'",
                (when or time.time(), run_id),
            )

    def log_params(self, run_id: str, params: dict[str, Any]) -> None:
        """Store parameters; the value of a secret-looking name is stored as redacted (and
        remembered, so it is scrubbed from every text stored later)."""
        from ..capture.redact import redact_value

        params = {str(k): redact_value(str(k), v) for k, v in params.items()}
        rows = [(run_id, k, *values.encode(v, name=k)) for k, v in params.items()]
        with self.write() as cursor:
            cursor.executemany(
                "INSERT INTO param (run_id, key, type, num, text, json) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, key) DO UPDATE SET type = excluded.type, "
                "num = excluded.num, text = excluded.text, json = excluded.json",
                rows,
            )

    def set_tags(self, run_id: str, tags: dict[str, Any]) -> None:
        from ..capture.redact import redact_value

        with self.write() as cursor:
            cursor.executemany(
                "INSERT INTO tag (run_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
                [(run_id, str(k), redact_value(str(k), str(v))) for k, v in tags.items()],
            )

    def put_section(self, run_id: str, section: str, body: Any) -> None:
        with self.write() as cursor:
            cursor.execute(
                "INSERT INTO run_section (run_id, section, body) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, section) DO UPDATE SET body = excluded.body",
                (run_id, section, json.dumps(body, default=str, ensure_ascii=False)),
            )

    def add_artifact(self, run_id: str, artifact: Artifact) -> None:
        with self.write() as cursor:
            cursor.execute(
                "INSERT INTO artifact (run_id, path, object_id, size, kind, created) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, path) DO UPDATE SET "
                "object_id = excluded.object_id, size = excluded.size, kind = excluded.kind, "
                "created = excluded.created",
                (run_id, artifact.path, artifact.object_id, artifact.size, artifact.kind, artifact.created),
            )

    # -- reading ------------------------------------------------------------------------
    def run_exists(self, run_id: str) -> bool:
        return self.read_one("SELECT 1 FROM run WHERE run_id = ?", (run_id,)) is not None

    def resolve_run(self, ref: str) -> str:
        """A run id from an id, a unique id prefix, or a run name (several runs of one name:
        the newest; see :meth:`resolve_run_ref` for the note that says so)."""
        return self.resolve_run_ref(ref)[0]

    def resolve_run_ref(self, ref: str) -> tuple[str, str | None]:
        """A run id from a reference, and a note when a name picked the newest of several.

        Raises
        ------
        NotFoundError
            Nothing matches.
        AmbiguousError
            An id prefix matches several runs (listed).
        """
        ref = ref.strip()
        if not ref:
            raise UsageError("empty run reference; give a run id, an id prefix or a name")
        if self.run_exists(ref):
            return ref, None
        escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.read(
            "SELECT run_id, name FROM run WHERE run_id LIKE ? ESCAPE '\\' OR name = ? "
            "ORDER BY start_time DESC LIMIT 11",
            (escaped + "%", ref),
        )
        if len(rows) == 1:
            return rows[0][0], None
        if not rows:
            raise NotFoundError(f"no run matches '{ref}'; `dlops runs` lists the runs")
        if all(name == ref and not run_id.startswith(ref) for run_id, name in rows):
            # A name is what people remember: several runs of one name mean its newest (issue 15).
            count = self.read_one("SELECT COUNT(*) FROM run WHERE name = ?", (ref,))[0]
            return rows[0][0], (f"{count} runs are named '{ref}'; this is the newest, "
                                f"{rows[0][0][:12]} (give an id to pick another)")
        shown = ", ".join(f"{r[0][:12]} ({r[1]})" for r in rows[:10])
        raise AmbiguousError(f"'{ref}' matches several runs: {shown}; give more of the id")

    def get_run(self, ref: str, *, full: bool = True) -> Run:
        self.reap_stale_runs()
        run_id = self.resolve_run(ref)
        row = self.read_one(f"SELECT {', '.join(RUN_COLUMNS)} FROM run WHERE run_id = ?", (run_id,))
        run = Run(**dict(zip(RUN_COLUMNS, row, strict=False)))
        self._attach([run], full=full)
        return run

    def runs_by_id(self, run_ids: Sequence[str], *, full: bool = False) -> list[Run]:
        found: dict[str, Run] = {}
        for chunk in _chunks(run_ids):
            marks = ", ".join("?" for _ in chunk)
            for row in self.read(
                f"SELECT {', '.join(RUN_COLUMNS)} FROM run WHERE run_id IN ({marks})", chunk
            ):
                found[row[0]] = Run(**dict(zip(RUN_COLUMNS, row, strict=False)))
        runs = [found[r] for r in run_ids if r in found]
        self._attach(runs, full=full)
        return runs

    def _attach(self, runs: list[Run], *, full: bool) -> None:
        by_id = {run.run_id: run for run in runs}
        for chunk in _chunks(list(by_id)):
            marks = ", ".join("?" for _ in chunk)
            for run_id, key, kind, num, text, json_text in self.read(
                f"SELECT run_id, key, type, num, text, json FROM param WHERE run_id IN ({marks}) "
                "ORDER BY key", chunk
            ):
                by_id[run_id].params[key] = values.decode_columns(kind, num, text, json_text)
            for run_id, key, *summary in self.read(
                f"SELECT run_id, key, last, min, max, count, last_step FROM metric_summary "
                f"WHERE run_id IN ({marks}) ORDER BY key", chunk
            ):
                last, *rest = summary
                by_id[run_id].metrics[key] = MetricSummary(metric_number(last), *rest)
            for run_id, key, value in self.read(
                f"SELECT run_id, key, value FROM tag WHERE run_id IN ({marks}) ORDER BY key", chunk
            ):
                by_id[run_id].tags[key] = value
            if full:
                self._attach_full(by_id, chunk, marks)

    def _attach_full(self, by_id: dict[str, Run], chunk: list[str], marks: str) -> None:
        for run_id, *art in self.read(
            f"SELECT run_id, path, object_id, size, kind, created FROM artifact "
            f"WHERE run_id IN ({marks}) ORDER BY path", chunk
        ):
            by_id[run_id].artifacts.append(Artifact(*art))
        for run_id, section, body in self.read(
            f"SELECT run_id, section, body FROM run_section WHERE run_id IN ({marks})", chunk
        ):
            by_id[run_id].sections[section] = json.loads(body)

    def section(self, run_id: str, section: str) -> Any:
        row = self.read_one(
            "SELECT body FROM run_section WHERE run_id = ? AND section = ?", (run_id, section)
        )
        return json.loads(row[0]) if row else None

    def search_run_ids(self, where: str | None = None, sort: str | None = None,
                       limit: int | None = None, extra: tuple[str, Sequence[Any]] | None = None,
                       offset: int = 0) -> list[str]:
        """Run ids matching a ``--where`` expression, in ``--sort`` order (newest first);
        ``offset`` skips that many (the lab's runs table pages through 10,000s)."""
        from .where import compile_sort, metric_sort

        self.reap_stale_runs()
        clauses, params = self._where_parts(where, extra)
        if limit is not None and limit < 0:
            raise UsageError("--limit must be zero or more")
        by_metric = metric_sort(sort)
        if by_metric is not None:
            wanted = None if limit is None else limit + offset
            return self._ids_by_metric(clauses, params, *by_metric, wanted)[offset:]
        order_sql, order_params = compile_sort(sort)
        sql = f"SELECT run.run_id FROM run{_where_sql(clauses)} ORDER BY {order_sql}" + _limit(limit)
        if offset:
            if limit is None and self.dialect == "sqlite":
                sql += " LIMIT -1"  # SQLite accepts OFFSET only after a LIMIT
            sql += f" OFFSET {int(offset)}"
        return [row[0] for row in self.read(sql, [*params, *order_params])]

    def count_runs(self, where: str | None = None) -> int:
        """How many runs match ``where``, counted in SQL."""
        clauses, params = self._where_parts(where, None)
        row = self.read_one(f"SELECT COUNT(*) FROM run{_where_sql(clauses)}", params)
        return int(row[0]) if row else 0

    @staticmethod
    def _where_parts(where: str | None,
                     extra: tuple[str, Sequence[Any]] | None) -> tuple[list[str], list[Any]]:
        from .where import compile_where

        clauses: list[str] = []
        params: list[Any] = []
        if where and where.strip():
            sql, where_params = compile_where(where)
            clauses.append(sql)
            params.extend(where_params)
        if extra:
            clauses.append(extra[0])
            params.extend(extra[1])
        return clauses, params

    def change_token(self) -> str:
        """A short text that changes whenever a run is added, ends, beats, is tagged or logs a
        metric: the lab compares it (an ETag) instead of reloading a page of runs."""
        run = self.read_one(
            "SELECT COUNT(*), MAX(start_time), MAX(end_time), MAX(heartbeat), "
            "SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) FROM run"
        ) or ()
        metric = self.read_one("SELECT COUNT(*), MAX(last_timestamp), SUM(count) FROM metric_summary") or ()
        tags = self.read_one("SELECT COUNT(*) FROM tag") or ()
        return "-".join(str(value) for value in (*run, *metric, *tags))

    def _ids_by_metric(self, clauses: list[str], params: list, key: str, direction: str,
                       limit: int | None) -> list[str]:
        """``--sort metrics.KEY``, driven from the ``(key, last, run_id)`` index: the runs with
        a number first, read in index order until the limit (a constant cost however many
        runs there are), then the runs without one (missing, NaN), newest first.

        ``last < 'NaN'`` keeps numbers only in both stores and is an index range: SQLite
        stores a NaN as the text 'NaN', above every number, and PostgreSQL's NaN is above
        every number too (issue 20: a per-run subquery here made this linear in the runs)."""
        filters = "".join(f" AND ({c})" for c in clauses)
        has = "s.key = ? AND s.last < 'NaN'"
        ids = [row[0] for row in self.read(
            f"SELECT run.run_id FROM metric_summary s JOIN run ON run.run_id = s.run_id "
            f"WHERE {has}{filters} ORDER BY s.last {direction}, run.start_time DESC" + _limit(limit),
            [key, *params])]
        if limit is not None and len(ids) >= limit:
            return ids
        rest = None if limit is None else limit - len(ids)
        ids += [row[0] for row in self.read(
            f"SELECT run.run_id FROM run WHERE NOT EXISTS (SELECT 1 FROM metric_summary s "
            f"WHERE s.run_id = run.run_id AND {has}){filters} ORDER BY run.start_time DESC" + _limit(rest),
            [key, *params])]
        return ids

    def search_runs(self, where: str | None = None, sort: str | None = None,
                    limit: int | None = None, *, full: bool = False) -> list[Run]:
        return self.runs_by_id(self.search_run_ids(where, sort, limit), full=full)

    # -- liveness -----------------------------------------------------------------------
    def reap_stale_runs(self) -> list[str]:
        """Mark as killed the running runs whose process is gone (same host) or whose
        heartbeat stopped; returns their ids. Reading never blocks on this."""
        if getattr(self, "read_only", False):
            return []
        import socket  # here: a data add never needs it, and it is ~5 ms of every start

        now, host = time.time(), socket.gethostname()
        stale = []
        for run_id, run_host, pid, heartbeat, start in self.read(
            "SELECT run_id, host, pid, heartbeat, start_time FROM run WHERE status = 'running'"
        ):
            last = heartbeat or start
            if run_host == host and pid and not _pid_alive(int(pid)) or now - last > STALE_HEARTBEAT_SECONDS:
                stale.append((run_id, last))
        if stale:
            try:
                with self.write() as cursor:
                    cursor.executemany(
                        "UPDATE run SET status = 'killed', end_time = ?, "
                        "error = COALESCE(error, 'the process stopped without ending the run') "
                        "WHERE run_id = ? AND status = 'running'",
                        [(last, run_id) for run_id, last in stale],
                    )
            except StoreError:  # a read-only server or role: the read goes on (issue 14)
                return []
        return [run_id for run_id, _ in stale]

    def kill_running(self, run_ids: Sequence[str], error: str) -> None:
        """Ctrl-C: end the runs among ``run_ids`` that still run as ``killed``, in one
        conditional UPDATE (a run that ended meanwhile keeps its status)."""
        now = time.time()
        with self.write() as cursor:
            cursor.executemany(
                "UPDATE run SET status = 'killed', end_time = ?, error = ? "
                "WHERE run_id = ? AND status = 'running'",
                [(now, error, run_id) for run_id in run_ids],
            )

    def prune_running(self, run_id: str, step: int) -> bool:
        """End a search trial as ``pruned`` at ``step`` if it still runs, in one conditional
        UPDATE (a run that ended meanwhile keeps its status); True when it was pruned."""
        with self.write() as cursor:
            cursor.execute(
                "UPDATE run SET status = 'pruned', end_time = ?, error = ? WHERE run_id = ? AND status = 'running'",
                (time.time(), f"pruned at step {step}", run_id),
            )
            return cursor.rowcount == 1

    def run_status(self, run_id: str) -> str | None:
        row = self.read_one("SELECT status FROM run WHERE run_id = ?", (run_id,))
        return row[0] if row else None

    # -- objects ------------------------------------------------------------------------
    def referenced_objects(self) -> set[str]:
        from .migrations import all_migrations

        refs: set[str] = set()
        for migration in all_migrations():
            for table, column in getattr(migration, "OBJECT_REFERENCES", ()):
                refs.update(r[0] for r in self.read(f"SELECT DISTINCT {column} FROM {table}") if r[0])
        return refs


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _where_sql(clauses: list[str]) -> str:
    return " WHERE " + " AND ".join(f"({c})" for c in clauses) if clauses else ""


def _limit(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"


def _chunks(items: Iterable[str]) -> list[list[str]]:
    items = list(items)
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
