"""Runs, metric series, sweeps and data versions: thin adapters over the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tornado import web

from .base import DlopsHandler

PAGE_DEFAULT = 50
PAGE_MAX = 1000


def list_runs(store: Any, where: str, sort: str, limit: int, offset: int,
              keys: bool = True) -> dict[str, Any]:
    """One page of runs matching ``where`` in ``sort`` order, with the total count; paged and
    counted in SQL, so a page of 10,000 runs costs what a page of 10 does. ``keys`` False
    leaves out the param and metric keys (the table's later blocks: the keys are read over
    every run, most of a block's cost on 10,000 runs)."""
    ids = store.search_run_ids(where or None, sort or None, limit, offset=offset) if limit else []
    if not keys:
        return {"runs": [run.to_dict() for run in store.runs_by_id(ids)],
                "total": store.count_runs(where or None), "offset": offset, "limit": limit,
                "live": store.count_runs('status = "running"') > 0}
    return {
        "runs": [run.to_dict() for run in store.runs_by_id(ids)],
        "total": store.count_runs(where or None),
        "offset": offset,
        "limit": limit,
        "live": store.count_runs('status = "running"') > 0,
        "param_keys": store.param_keys(),
        "varying_param_keys": store.varying_param_keys(),
        "metric_keys": store.metric_keys(),
    }


def runs_etag(store: Any, query: str) -> str:
    """The ETag of a runs page: the store's change token and the query, hashed."""
    import hashlib

    store.reap_stale_runs()  # a reaped run changes the token: reap first
    return '"' + hashlib.sha1(f"{store.change_token()}|{query}".encode()).hexdigest()[:20] + '"'


def store_state(uri: str, create: bool) -> dict[str, Any]:
    """Whether the store exists (``create``: after creating it), and where it is."""
    from ..errors import NotFoundError
    from ..store import open_store

    try:
        store = open_store(uri, create=create)
    except NotFoundError:
        return {"exists": False, "uri": uri}
    return {"exists": True, "uri": uri, "location": str(getattr(store, "location", uri))}


def metric_series(store: Any, ref: str, key: str | None) -> dict[str, list[list[Any]]]:
    run_id = store.resolve_run(ref)
    series = store.metric_series(run_id, key)
    return {name: [list(point) for point in points] for name, points in series.items()}


def notebook_run(store: Any, root: Path, path: str, within: float | None = None) -> dict[str, Any] | None:
    """The run of a notebook: its newest running run, else its newest run. Matched on the run's
    entry point or its ``notebook`` tag, either relative to the server root or absolute;
    ``within`` keeps only runs started at most that many seconds ago (the lab passes how long
    ago the notebook first ran in this session, so an old sweep run is not shown as its run;
    a duration, not a time, so the browser's clock need not agree with the server's)."""
    if not path:
        return None
    names = {path, str(root / path)}
    quoted = ", ".join('"' + name.replace('"', '""') + '"' for name in sorted(names))
    where = f"(entry_point in ({quoted}) or tags.notebook in ({quoted}))"
    if within is not None:
        import time

        where += f" and start_time >= {time.time() - within:.3f}"
    runs = store.search_runs(where, None, 20)
    running = [run for run in runs if run.status == "running"]
    chosen = (running or runs or [None])[0]
    return None if chosen is None else chosen.to_dict()


def run_record(store: Any, ref: str) -> dict[str, Any]:
    """A run's whole record, with the data versions it read and wrote under ``data`` and the
    values its cells showed under ``outputs`` (paths and sizes: their content is at
    ``runs/RUN/outputs``)."""
    from ..tracking.outputs import run_outputs

    run = store.get_run(ref)
    record = run.to_dict()
    record["outputs"] = run_outputs(store, run, inline=False)
    try:
        from ..data.runs import run_data
    except ImportError:  # a build without data versioning
        record["data"] = []
    else:
        record["data"] = run_data(store, run)
    return record


def run_outputs_content(store: Any, ref: str, cell: int | None) -> list[dict[str, Any]]:
    """The values a run's cells showed, with their text and PNG (base64), in cell order."""
    from ..tracking.outputs import run_outputs

    found = run_outputs(store, store.get_run(ref), inline=True)
    return [entry for entry in found if cell is None or entry["cell"] == cell]


def data_versions(store: Any, name: str | None, limit: int) -> list[dict[str, Any]]:
    """Data versions, newest first (those recorded under ``name`` when given)."""
    try:
        from ..data.records import list_versions
    except ImportError:
        return []
    return list_versions(store, name, limit)


def sweeps(store: Any) -> list[dict[str, Any]]:
    """Every sweep with its run counts, newest first."""
    from ..sweeps.records import list_sweeps

    return list_sweeps(store)


class RunsHandler(DlopsHandler):
    @web.authenticated
    async def get(self) -> None:
        where = self.get_argument("where", "")
        sort = self.get_argument("sort", "")
        limit = self.int_argument("limit", PAGE_DEFAULT, high=PAGE_MAX)
        offset = self.int_argument("offset", 0, high=10**9)
        store = await self.call(self.store)
        # one cheap request while the table is visible: unchanged store, unchanged query -> 304
        self.set_header("Etag", await self.call(runs_etag, store, self.request.query))
        if self.check_etag_header():
            self.set_status(304)
            self.finish()
            return
        try:
            keys = self.get_argument("keys", "") != "0"
            self.reply(await self.call(list_runs, store, where, sort, limit, offset, keys))
        except web.HTTPError as error:
            # the lab's filter box asks for a bad filter's error as data: a 400 would be a
            # console error on every keystroke-and-Enter (issue 17)
            if self.get_argument("errors", "") != "inline" or error.status_code != 400:
                raise
            self.clear_header("Etag")
            self.reply({"runs": [], "total": 0, "offset": offset, "limit": limit, "live": False,
                        "param_keys": [], "metric_keys": [],
                        "error": {"message": error.log_message, "position": where_position(where)}})


def where_position(where: str) -> int | None:
    """Where a bad filter goes wrong (0-based), for the caret under the filter box."""
    from ..errors import QuerySyntaxError
    from ..store.where import compile_where

    try:
        compile_where(where)
    except QuerySyntaxError as error:
        return error.position
    return None


class RunGroupsHandler(DlopsHandler):
    """The runs matching ``where`` grouped by ``group`` (experiment, sweep or params.NAME),
    with counts, each group's own ``where`` and the best value of a metric ``sort``."""

    @web.authenticated
    async def get(self) -> None:
        from ..store.groups import run_groups

        where = self.get_argument("where", "")
        store = await self.call(self.store)
        self.reply(await self.call(run_groups, store, where or None, self.get_argument("group", ""),
                                   self.get_argument("sort", "") or None))


class StoreHandler(DlopsHandler):
    """GET: does the store exist (always 200, so a folder without one logs no error);
    POST: create it (the getting-started view's button)."""

    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.call(store_state, self.dlops.store_uri, False))

    @web.authenticated
    async def post(self) -> None:
        self.json_body()  # refuses an oversized or malformed body like every POST
        self.reply(await self.call(store_state, self.dlops.store_uri, True))


class RunHandler(DlopsHandler):
    @web.authenticated
    async def get(self, ref: str) -> None:
        store = await self.call(self.store)
        self.reply(await self.call(run_record, store, ref))


class MetricsHandler(DlopsHandler):
    @web.authenticated
    async def get(self, ref: str) -> None:
        key = self.get_argument("key", None) or None
        store = await self.call(self.store)
        self.reply({"series": await self.call(metric_series, store, ref, key)})


class OutputsHandler(DlopsHandler):
    @web.authenticated
    async def get(self, ref: str) -> None:
        cell = self.int_argument("cell", -1, high=10**6)
        store = await self.call(self.store)
        found = await self.call(run_outputs_content, store, ref, None if cell < 0 else cell)
        self.reply({"outputs": found})


class NotebookRunHandler(DlopsHandler):
    @web.authenticated
    async def get(self) -> None:
        path = self.get_argument("path", "")
        within = self.float_argument("within")
        store = await self.call(self.store)
        self.reply({"run": await self.call(notebook_run, store, self.dlops.root_dir, path, within)})


class SweepsHandler(DlopsHandler):
    @web.authenticated
    async def get(self) -> None:
        store = await self.call(self.store)
        self.reply({"sweeps": await self.call(sweeps, store)})


class DataVersionsHandler(DlopsHandler):
    @web.authenticated
    async def get(self) -> None:
        name = self.get_argument("name", None) or None
        limit = self.int_argument("limit", 200, high=PAGE_MAX)
        store = await self.call(self.store)
        self.reply({"versions": await self.call(data_versions, store, name, limit)})
