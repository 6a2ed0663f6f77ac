"""Manifests and version ids.

A manifest is the sorted list of (relative path, size, BLAKE3) of every file. Its canonical
form is one compact JSON array of ``[path, size, hash]`` arrays, ASCII-escaped, sorted by
path (code point order), so that names with spaces, newlines or any Unicode serialise
unambiguously (and in one call of the C JSON encoder: 20,000 files in milliseconds). The version id is the BLAKE3
of a header (format version, the metadata table's hash, and for a slice its parent and
query) followed by that canonical manifest.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import blake3

FORMAT = "dlops-data-manifest/1"


class FileRecord(NamedTuple):
    """One file of a version."""

    path: str
    size: int
    hash: str


def canonical(files: list[FileRecord]) -> bytes:
    """The canonical bytes of a manifest (files sorted by path)."""
    # FileRecords are (path, size, hash) tuples: sorted as they are, and JSON arrays as they are
    ordered = sorted(files) if all(type(f) is FileRecord for f in files) else \
        sorted((f.path, f.size, f.hash) for f in files)
    return json.dumps(ordered, separators=(",", ":")).encode("ascii")


def version_id(files: list[FileRecord], *, meta_hash: str | None = None,
               parent_id: str | None = None, query: str | None = None) -> str:
    """The id of the version made of ``files`` (and its metadata table, parent and query).

    Parameters
    ----------
    files
        The manifest, in any order.
    meta_hash
        BLAKE3 of the metadata table, if the version carries one.
    parent_id, query
        For a slice saved from a query: where it came from.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    header = json.dumps(
        {"format": FORMAT, "meta": meta_hash, "parent": parent_id, "query": query},
        sort_keys=True, separators=(",", ":"),
    )
    hasher = blake3.blake3(header.encode("ascii") + b"\n")
    hasher.update(canonical(files))
    return hasher.hexdigest()
