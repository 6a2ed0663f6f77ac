"""``GET /jupyter-dlops/compare?runs=A,B``: what the lab's compare view cannot compute itself
(it needs stored objects): the packages diff and the code diff between runs."""

from __future__ import annotations

from tornado import web

from .base import DlopsHandler

#: More runs than this side by side is no comparison anyone reads; it bounds the work too.
MAX_RUNS = 20


def run_refs(text: str) -> list[str]:
    """The comma-separated run refs of the ``runs`` argument, refused unless 1 to MAX_RUNS."""
    refs = [ref.strip() for ref in text.split(",") if ref.strip()]
    if not 1 <= len(refs) <= MAX_RUNS:
        raise web.HTTPError(400, f"'runs' must name 1 to {MAX_RUNS} runs, comma-separated (got {len(refs)})")
    return refs


class CompareHandler(DlopsHandler):
    @web.authenticated
    async def get(self) -> None:
        from ..tracking.runcompare import compare_details

        refs = run_refs(self.get_argument("runs", ""))
        store = await self.call(self.store)
        self.reply(await self.call(compare_details, store, refs))
