"""Tamper detection for committed data versions (issue 8).

A version's id is the BLAKE3 of its manifest (and metadata hash, parent and query), so the
stored manifest must still hash to the id; the file count and size recorded with it must
match the manifest; and every object the version relies on (its metadata table, and its
files' content when it was stored) must still hash to its own id. ``dlops data verify`` and
``dlops gc --check`` report any difference as tampering.
"""

from __future__ import annotations

from typing import Any

from . import records
from .manifest import version_id


def object_problem(store, object_id: str | None, what: str) -> str | None:
    """Why the object ``object_id`` cannot be trusted, or None."""
    if not object_id:
        return None
    problem = store.objects.problem(object_id)
    if problem == "missing":
        return f"{what} object {object_id[:12]} is missing"
    if problem == "modified":
        return f"{what} object {object_id[:12]} was modified (its content no longer hashes to its id)"
    return None


def version_problems(store, version: dict[str, Any]) -> list[str]:
    """What is wrong with a stored version; empty when it is intact."""
    manifest = records.files(store, version["id"])
    problems: list[str | None] = []
    expected = version_id(manifest, meta_hash=version.get("meta_hash"),
                          parent_id=version.get("parent_id"), query=version.get("query"))
    if expected != version["id"]:
        problems.append("the stored manifest no longer hashes to the version id (it was modified)")
    if version.get("file_count") != len(manifest) or version.get("total_bytes") != sum(f.size for f in manifest):
        problems.append("the recorded file count or size disagrees with the manifest")
    problems.append(object_problem(store, version.get("meta_object"), "metadata table"))
    if version.get("has_content"):
        problems += [object_problem(store, f.hash, f"content of {f.path!r}") for f in manifest]
    return [p for p in problems if p is not None]


def all_version_problems(store) -> dict[str, list[str]]:
    """``{version id: problems}`` for every version that is not intact."""
    found = {}
    for (vid,) in store.read("SELECT version_id FROM data_version ORDER BY created"):
        problems = version_problems(store, records.resolve(store, vid))
        if problems:
            found[vid] = problems
    return found
