"""Garbage collection of the object store: remove objects nothing references any more.

The objects may be on disk or in a bucket (issue 19): the same rules hold for both. Objects
younger than the grace period are kept, because a writer stores an object before it
inserts the row that references it; stale temporary files are removed the same way.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

CLOCK_MARGIN = 60.0  # seconds: file times and run start times may come from different clocks
OBJECT_IN_SECTION = re.compile(r'"[a-z_]*_object"\s*:\s*"([0-9a-f]{64})"')


@dataclass
class GcReport:
    objects: int = 0
    referenced: int = 0
    removed: list[str] = field(default_factory=list)
    bytes_freed: int = 0
    temporary_removed: int = 0
    kept_young: int = 0


def referenced_ids(store) -> set[str]:
    refs = store.referenced_objects()
    for (body,) in store.read("SELECT body FROM run_section"):
        refs.update(OBJECT_IN_SECTION.findall(body))
    return refs


def collect(store, *, grace_seconds: float = 3600.0, dry_run: bool = False) -> GcReport:
    """Remove unreferenced objects older than the grace period, whatever writers do meanwhile.

    The references are read and the objects removed under the object store's exclusive lock
    (writers hold it shared, see ``ObjectStore.pinned``), and nothing is removed that is newer
    than the start of the oldest running run, which may still write the row that references
    it: with ``--grace 0`` a writing run lost 11 of 400 artifacts before (issue 14)."""
    if not getattr(store, "read_only", False):
        # A crashed run must not protect its objects for ever. Done before taking the lock:
        # under it, gc only reads the database, so a writer inside a transaction that waits
        # for the lock can never be waiting on gc in turn.
        store.reap_stale_runs()
    with store.objects.pinned(exclusive=True):
        return _collect(store, grace_seconds, dry_run)


def _cutoff(store, grace_seconds: float) -> float:
    """Objects modified after this time are kept: the grace period, and the running runs."""
    cutoff = time.time() - grace_seconds
    row = store.read_one("SELECT MIN(start_time) FROM run WHERE status = 'running'")
    if row and row[0] is not None:
        cutoff = min(cutoff, row[0] - CLOCK_MARGIN)
    return cutoff


def _collect(store, grace_seconds: float, dry_run: bool) -> GcReport:
    report = GcReport()
    cutoff = _cutoff(store, grace_seconds)
    refs = referenced_ids(store)
    report.referenced = len(refs)
    for object_id, size, mtime in list(store.objects.iter_stats()):
        report.objects += 1
        if object_id in refs:
            continue
        if mtime > cutoff:
            report.kept_young += 1
            continue
        report.removed.append(object_id)
        report.bytes_freed += size
        if not dry_run:
            store.objects.remove(object_id)
    report.temporary_removed = store.objects.remove_temporaries(cutoff, dry_run=dry_run)
    return report


def check(store) -> dict[str, list[str]]:
    """Objects that no longer hash to their id, and referenced objects that are missing.

    Returns ``{"corrupt": [ids], "missing": [ids]}``; nothing is removed or repaired.
    """
    corrupt = [oid for oid in store.objects.iter_ids() if store.objects.problem(oid) == "modified"]
    # Runs' artifacts and record objects must exist; data versions keep content only when
    # asked to, so they are checked by jupyter_dlops.data.integrity instead.
    refs = {r[0] for r in store.read("SELECT DISTINCT object_id FROM artifact")}
    for (body,) in store.read("SELECT body FROM run_section"):
        refs.update(OBJECT_IN_SECTION.findall(body))
    missing = sorted(oid for oid in refs if not store.objects.exists(oid))
    return {"corrupt": sorted(corrupt), "missing": missing}
